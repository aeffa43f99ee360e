/**
 * What loading a device export does to a device's configuration, as each vendor documents its CLI, reduced to
 * the parts an export uses. Not a device: a model of the load semantics that decide whether a reload is
 * harmless, so that "load the earlier export, then this one" can be compared with "load this one on a
 * device that has only its own config":
 *   - Cisco ASA: `access-list` lines append to the list, `clear configure access-list X` removes it, and an
 *     object-group takes members additively;
 *   - Juniper (load set): `set` adds a statement, `delete X` removes X and everything below it (a leaf set
 *     twice keeps both values here, stricter than Junos, where the second replaces the first);
 *   - PAN-OS (configure mode): `set` on a list field adds members, on a plain field replaces it; `delete`
 *     removes the entry; a new rule goes to the bottom of the rulebase;
 *   - FortiGate: `edit <id|name>` opens or creates an entry (`edit 0`: a new id), `set` replaces a field, `unset`
 *     clears it, `move A after B` reorders policies, `delete` removes.
 * Every simulator starts from a device that already has configuration of its own, which must survive.
 * The result is the device's effective configuration as text: groups resolved to their members, in order.
 */

export type DeviceFormat = 'cisco-asa' | 'juniper-srx' | 'panos' | 'fortigate';

/** The effective configuration after loading `files` in order onto a device with config of its own. */
export function loadOnDevice(format: DeviceFormat, files: string[]): string[] {
  const load = { 'cisco-asa': asa, 'juniper-srx': junos, 'panos': panos, 'fortigate': fortigate }[format];
  return load(files.map(f => f.split('\n').filter(l => l.trim() && !/^\s*[:#]/.test(l))));
}

/** Config that was on the device before any export: it must come out of every load unchanged. */
export const DEVICE_OWN: { [format in DeviceFormat]: string } = {
  'cisco-asa': 'object network web\n subnet 10.1.0.0 255.255.0.0\nobject-group network servers\n network-object object web\naccess-list OUTSIDE-IN extended permit tcp any object-group servers eq 443',
  'juniper-srx': 'set security address-book global address web 10.1.0.0/16\nset security policies from-zone trust to-zone untrust policy web-out match source-address web\nset security policies from-zone trust to-zone untrust policy web-out then permit',
  'panos': 'set address web ip-netmask 10.1.0.0/16\nset address-group servers static [ web ]\nset rulebase security rules web-out from any to any source servers destination any application any service any action allow',
  'fortigate': 'config firewall address\n    edit "web"\n        set subnet 10.1.0.0 255.255.0.0\n    next\nend\nconfig firewall policy\n    edit 7\n        set name "web-out"\n        set srcaddr "web"\n        set action accept\n    next\nend',
};

function asa(files: string[][]): string[] {
  const acls = new Map<string, string[]>();
  const objects = new Map<string, string[]>();
  const groups = new Map<string, Set<string>>();
  let open: { kind: 'object' | 'group'; name: string } | undefined;
  for (const line of files.flat()) {
    const [a, b, c, d] = line.trim().split(/\s+/);
    if (line.startsWith(' ') && open?.kind === 'object') {
      const key = line.trim().split(' ')[0];
      objects.set(open.name, [...objects.get(open.name)!.filter(l => !l.startsWith(`${key} `)), line.trim()]);
    } else if (line.startsWith(' ') && open?.kind === 'group') {
      groups.get(open.name)!.add(line.trim().split(/\s+/).pop()!);
    } else if (a === 'object') {
      open = { kind: 'object', name: c };
      objects.set(c, objects.get(c) ?? []);
    } else if (a === 'object-group') {
      open = { kind: 'group', name: c };
      groups.set(c, groups.get(c) ?? new Set());
    } else if (a === 'access-list') {
      acls.set(b, [...(acls.get(b) ?? []), line.split(/\s+/).slice(2).join(' ')]);
    } else if (a === 'clear' && b === 'configure' && c === 'access-list') {
      acls.delete(d);
    } else {
      throw new Error(`asa simulator: unknown command ${line}`);
    }
  }
  const resolve = (name: string) => [...groups.get(name) ?? [name]].map(o => `${objects.get(o)?.filter(l => !l.startsWith('description')).join(',') ?? o}`).sort().join(' ');
  return [...acls].flatMap(([acl, aces]) => aces.filter(e => !e.startsWith('remark'))
    .map(e => `${acl}: ${e.replace(/object-group (\S+)/g, (_m, g) => `[${resolve(g)}]`)}`));
}

function junos(files: string[][]): string[] {
  let statements: string[] = [];
  for (const line of files.flat()) {
    const [verb, ...rest] = line.split(' ');
    const path = rest.join(' ');
    if (verb === 'set' && !statements.includes(path)) statements.push(path);
    else if (verb === 'delete') statements = statements.filter(s => s !== path && !s.startsWith(`${path} `));
    else if (verb !== 'set') throw new Error(`junos simulator: unknown command ${line}`);
  }
  // Inheritance: a group's statements count where apply-groups names the group.
  const applied = statements.filter(s => s.startsWith('apply-groups ')).map(s => s.split(' ')[1]);
  return statements.flatMap(s => {
    const group = /^groups (\S+) (.*)$/.exec(s);
    if (!group) return s.startsWith('apply-groups ') ? [] : [s];
    return applied.includes(group[1]) ? [group[2]] : [];
  }).sort();
}

const PANOS_LISTS = ['from', 'to', 'source', 'destination', 'application', 'service'];

function panos(files: string[][]): string[] {
  const entries = new Map<string, Map<string, string[]>>();
  const rules: string[] = [];
  for (const line of files.flat()) {
    const m = /^(set|delete) (address-group|address|service|rulebase security rules) (\S+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`panos simulator: unknown command ${line}`);
    const [, verb, kind, name, rest] = m;
    const key = `${kind} ${name}`;
    if (verb === 'delete') {
      entries.delete(key);
      if (rules.includes(name)) rules.splice(rules.indexOf(name), 1);
      continue;
    }
    const entry = entries.get(key) ?? new Map<string, string[]>();
    if (!entries.has(key) && kind.startsWith('rulebase')) rules.push(name);
    entries.set(key, entry);
    const tokens = rest.match(/\[[^\]]*\]|"[^"]*"|\S+/g) ?? [];
    for (let i = 0; i < tokens.length; i += 2) {
      const values = tokens[i + 1].startsWith('[') ? tokens[i + 1].slice(1, -1).trim().split(/\s+/) : [tokens[i + 1]];
      const additive = PANOS_LISTS.includes(tokens[i]) || (kind === 'address-group' && tokens[i] === 'static');
      entry.set(tokens[i], additive ? [...new Set([...(entry.get(tokens[i]) ?? []), ...values])] : values);
    }
  }
  const value = (kind: string, name: string) => {
    const e = entries.get(`${kind} ${name}`);
    return e ? [...e].filter(([k]) => k !== 'description').map(([k, v]) => `${k}=${v.join(',')}`).join(' ') : name;
  };
  const address = (n: string): string => {
    const group = entries.get(`address-group ${n}`);
    return group ? group.get('static')!.map(address).sort().join(' ') : value('address', n);
  };
  return rules.map(r => {
    const e = entries.get(`rulebase security rules ${r}`)!;
    return `${r}: ` + [...e].filter(([k]) => k !== 'description').map(([k, v]) => `${k}=${v.map(x =>
      k === 'source' || k === 'destination' ? `[${address(x)}]` : k === 'service' ? `[${value('service', x)}]` : x).sort().join(',')}`).join(' ');
  });
}

function fortigate(files: string[][]): string[] {
  const sections = new Map<string, Map<string, Map<string, string>>>();
  let section: Map<string, Map<string, string>> | undefined;
  let entry: Map<string, string> | undefined;
  let order: string[] = [];
  for (const raw of files.flat()) {
    const line = raw.trim();
    const [verb, ...rest] = line.split(' ');
    const arg = rest.join(' ');
    if (verb === 'config') {
      section = sections.get(arg) ?? new Map();
      sections.set(arg, section);
    } else if (verb === 'end') {
      section = undefined;
    } else if (verb === 'edit') {
      let id = arg.replace(/"/g, '');
      if (id === '0') id = String(Math.max(0, ...[...section!.keys()].map(Number).filter(n => !isNaN(n))) + 1);
      if (!section!.has(id) && section === sections.get('firewall policy')) order.push(id);
      entry = section!.get(id) ?? new Map();
      section!.set(id, entry);
    } else if (verb === 'set') {
      entry!.set(rest[0], rest.slice(1).join(' '));
    } else if (verb === 'unset') {
      entry!.delete(rest[0]);
    } else if (verb === 'next') {
      entry = undefined;
    } else if (verb === 'delete') {
      const id = arg.replace(/"/g, '');
      section!.delete(id);
      order = order.filter(o => o !== id);
    } else if (verb === 'move') {
      const [id, , after] = rest;
      order = order.filter(o => o !== id);
      order.splice(order.indexOf(after) + 1, 0, id);
    } else {
      throw new Error(`fortigate simulator: unknown command ${raw}`);
    }
  }
  const member = (kind: string, n: string): string => {
    const group = sections.get(`firewall ${kind === 'address6' ? 'addrgrp6' : 'addrgrp'}`)?.get(n);
    if (group) return group.get('member')!.split(' ').map(m => member(kind, m.replace(/"/g, ''))).sort().join(' ');
    const e = sections.get(`firewall ${kind}`)?.get(n) ?? sections.get('firewall service custom')?.get(n);
    return e ? [...e].filter(([k]) => k !== 'comment').map(([k, v]) => `${k}=${v}`).join(',') : n;
  };
  const policies = sections.get('firewall policy') ?? new Map<string, Map<string, string>>();
  // Fields in name order: a field's place in the entry means nothing to FortiOS.
  return order.map(id => `${id}: ` + [...policies.get(id)!].filter(([k]) => !['name', 'comments'].includes(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => {
    const kind = k.endsWith('6') ? 'address6' : 'address';
    return /^(src|dst)addr6?$|^service$/.test(k) ? `${k}=[${v.split(' ').map(x => member(kind, x.replace(/"/g, ''))).join(' ')}]` : `${k}=${v}`;
  }).join(' '));
}
