/** The fields of an HttpMatchModel the text shows (http-match.ts imports this file: no import back). */
interface MatchFields {
  readonly kind: string;
  readonly methods: string[];
  readonly paths: { readonly match: string; readonly value: string }[];
  readonly hosts: string[];
  readonly appPort?: number;
  readonly credentialName?: string;
}

/** The canonical text of a match's model (what errors, can-reach and diff show). */
export function describeHttpMatch(m: MatchFields): string {
  const parts: string[] = [m.kind === 'originate-tls' ? `originate-tls:${m.appPort}` : m.kind];
  if (m.methods.length > 0) parts.push(m.methods.join(','));
  if (m.paths.length > 0) parts.push(m.paths.map(p => (p.match === 'prefix' ? `${p.value}*` : p.value)).join(','));
  if (m.hosts.length > 0) parts.push(`${m.kind === 'tls' ? 'sni' : 'host'}=${m.hosts.join(',')}`);
  if (m.credentialName) parts.push(`credential=${m.credentialName}`);
  return parts.join(' ');
}
