/**
 * The ClusterNetworkPolicy CRD of the network-policy-api release the library follows, taken from that release's Go
 * module (`go mod download`, so Go's module cache is its cache; nothing is committed). The version is the one the
 * Go validator's go.mod pins (test/validators/network-policy-api), the single place that names it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

const VALIDATOR_DIR = path.join(__dirname, '..', 'validators', 'network-policy-api');
const MODULE = 'sigs.k8s.io/network-policy-api';

/** The release go.mod pins (e.g. "v0.3.0"). */
export function networkPolicyApiVersion(): string {
  const goMod = fs.readFileSync(path.join(VALIDATOR_DIR, 'go.mod'), 'utf8');
  const m = /^\s*(?:require\s+)?sigs\.k8s\.io\/network-policy-api (v\S+)/m.exec(goMod);
  if (!m) throw new Error(`${VALIDATOR_DIR}/go.mod does not require ${MODULE}`);
  return m[1];
}

/**
 * The path of the release's CRD of one channel ("standard": the stable fields; "experimental": also domainNames,
 * nodes and destinationNamedPort), after checking that the file says it is that release and channel.
 */
export function networkPolicyApiCrd(channel: 'standard' | 'experimental'): string {
  const version = networkPolicyApiVersion();
  let dir: string;
  try {
    const out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${version}`], { cwd: VALIDATOR_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    dir = JSON.parse(out).Dir;
  } catch (e) {
    throw new Error(`cannot download ${MODULE}@${version} with go (needs Go and the module proxy): ${(e as Error).message}`);
  }
  const file = path.join(dir, 'config', 'crd', channel, 'policy.networking.k8s.io_clusternetworkpolicies.yaml');
  const crd = YAML.parse(fs.readFileSync(file, 'utf8'));
  const annotations = crd?.metadata?.annotations ?? {};
  if (crd?.kind !== 'CustomResourceDefinition' || annotations['policy.networking.k8s.io/bundle-version'] !== version
    || annotations['policy.networking.k8s.io/channel'] !== channel) {
    throw new Error(`${file} is not the ${channel} ClusterNetworkPolicy CRD of ${version}`);
  }
  return file;
}
