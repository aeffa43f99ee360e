/**
 * The 10,000-prefix allow-list load of the table-replacement e2e test and the allow-list change benchmark
 * (bench/datapath/allow-list-changes.ts), and the CPU measure both take of applying it.
 */
import { readFileSync } from 'node:fs';

/** Filler prefix `i` (a /24 in 100.64.0.0/10, tcp/443): the bulk of a 10,000-prefix allow-list. */
export const filler = (i: number) => ({ cidr: `100.${64 + Math.floor(i / 256)}.${i % 256}.0/24`, protocol: 'tcp', ports: ['443'] });

export const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** CPU time (user + system, ms) of the children process `pid` has waited for (/proc/<pid>/stat cutime + cstime). */
export function childCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * (1000 / 100); // USER_HZ ticks (100 on Linux)
}
