import { cidrsOverlap, parseCidrText } from './cidr-text';
import { arrayAt, fail, uniqueAt } from './fail';
import { validateSelectorText } from './selector-text';
import { CalicoAssignmentMode, CalicoEncapsulationMode, CalicoIPPoolAllowedUse } from '../calico-enums';
import { CalicoIPPoolSpec } from '../calico-ip-pool-spec';

const LINK_LOCAL_V4 = parseCidrText('169.254.0.0/16')!;
const LINK_LOCAL_V6 = parseCidrText('fe80::/10')!;

function enabled(mode: CalicoEncapsulationMode | undefined): boolean {
  return mode === CalicoEncapsulationMode.ALWAYS || mode === CalicoEncapsulationMode.CROSS_SUBNET;
}

function checkEnum(path: string, field: string, value: string | undefined, values: string[]): void {
  if (value !== undefined && !values.includes(value)) fail(path, field, value, `is not one of ${values.join(', ')}`);
}

/** Calico's validateIPPoolSpec plus the IPPool CRD's CEL rules. */
export function validateIPPoolSpec(spec: CalicoIPPoolSpec, path: string): void {
  if (spec === undefined || spec === null || typeof spec !== 'object') fail(path, 'spec', spec, 'is required');
  if (!spec.cidr) fail(path, 'spec.cidr', '', 'is required');
  if (spec.cidr.length > 48) fail(path, 'spec.cidr', spec.cidr, 'is longer than 48 characters');
  const cidr = parseCidrText(spec.cidr);
  if (!cidr) fail(path, 'spec.cidr', spec.cidr, 'is not a valid CIDR');
  if (!cidr.masked) fail(path, 'spec.cidr', spec.cidr, 'is not strictly masked (it has host bits set)', 'give the network address of the prefix');
  const linkLocal = cidr.version === 4 ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
  if (cidrsOverlap(cidr, linkLocal)) {
    fail(path, 'spec.cidr', spec.cidr, `overlaps the IPv${cidr.version} link-local range ${cidr.version === 4 ? '169.254.0.0/16' : 'fe80::/10'}`);
  }

  const encapModes = Object.values(CalicoEncapsulationMode) as string[];
  checkEnum(path, 'spec.ipipMode', spec.ipipMode, encapModes);
  checkEnum(path, 'spec.vxlanMode', spec.vxlanMode, encapModes);
  checkEnum(path, 'spec.assignmentMode', spec.assignmentMode, Object.values(CalicoAssignmentMode));
  for (const flag of ['natOutgoing', 'disabled', 'disableBGPExport'] as const) {
    if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') fail(path, `spec.${flag}`, spec[flag], 'is not a boolean');
  }

  if (spec.blockSize !== undefined && spec.blockSize !== 0) {
    const [min, max] = cidr.version === 4 ? [20, 32] : [116, 128];
    if (!Number.isInteger(spec.blockSize) || spec.blockSize < min || spec.blockSize > max) {
      fail(path, 'spec.blockSize', spec.blockSize, `is not a valid block size for an IPv${cidr.version} pool (an integer ${min}-${max})`);
    }
  }
  const blockSize = spec.blockSize || (cidr.version === 4 ? 26 : 122);
  if (!spec.disabled && cidr.prefixLength > blockSize) {
    fail(path, 'spec.cidr', spec.cidr, `is smaller than one block (/${blockSize}): Calico IPAM needs a pool at least as large as its block size`,
      `use a /${blockSize} or larger pool, a larger blockSize, or disabled: true`);
  }

  if (cidr.version === 6 && enabled(spec.ipipMode)) {
    fail(path, 'spec.ipipMode', spec.ipipMode, 'is not supported on an IPv6 pool (IPIP must be Never)');
  }
  if (enabled(spec.ipipMode) && enabled(spec.vxlanMode)) {
    fail(path, 'spec.ipipMode', spec.ipipMode, `cannot be enabled together with vxlanMode ${spec.vxlanMode}`);
  }

  const uses = arrayAt(path, 'spec.allowedUses', spec.allowedUses, 10);
  uses.forEach((u, i) => checkEnum(path, `spec.allowedUses[${i}]`, u, Object.values(CalicoIPPoolAllowedUse)));
  uniqueAt(path, 'spec.allowedUses', uses);
  if (uses.includes(CalicoIPPoolAllowedUse.LOAD_BALANCER)) {
    const other = uses.find(u => u !== CalicoIPPoolAllowedUse.LOAD_BALANCER);
    if (other) fail(path, 'spec.allowedUses', uses, `cannot combine LoadBalancer with ${other}`);
    if (enabled(spec.ipipMode) || enabled(spec.vxlanMode)) {
      fail(path, enabled(spec.ipipMode) ? 'spec.ipipMode' : 'spec.vxlanMode', enabled(spec.ipipMode) ? spec.ipipMode : spec.vxlanMode,
        'must be Never in a LoadBalancer pool (no IPIP or VXLAN)');
    }
    if (spec.disableBGPExport) fail(path, 'spec.disableBGPExport', true, 'must not be true in a LoadBalancer pool (its routes must be exported)');
    if (spec.nodeSelector !== undefined && spec.nodeSelector !== '' && spec.nodeSelector !== 'all()') {
      fail(path, 'spec.nodeSelector', spec.nodeSelector, 'must be all() in a LoadBalancer pool');
    }
  }
  if (uses.includes(CalicoIPPoolAllowedUse.TUNNEL) && spec.namespaceSelector) {
    fail(path, 'spec.namespaceSelector', spec.namespaceSelector, 'cannot be set on a pool with allowed use Tunnel (tunnel addresses belong to nodes)');
  }
  // Calico defaults empty allowedUses to [Workload, Tunnel] before it validates (calicoctl, clientv3) and whenever it
  // reads a pool (convertIpPoolFromStorage), so a namespaceSelector without allowedUses is the Tunnel case above.
  if (uses.length === 0 && spec.namespaceSelector) {
    fail(path, 'spec.namespaceSelector', spec.namespaceSelector, 'needs allowedUses without Tunnel: Calico defaults an empty allowedUses to [Workload, Tunnel], and a Tunnel pool cannot have a namespaceSelector',
      'set allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD]');
  }
  for (const key of ['nodeSelector', 'namespaceSelector'] as const) {
    const text = spec[key];
    if (text === undefined) continue;
    // Textual, as Calico checks it: "global(" anywhere, a quoted label value too.
    validateSelectorText(text, `spec.${key}`, path);
    if (text.includes('global(')) fail(path, `spec.${key}`, text, 'uses global(), which is not valid in an IPPool selector');
  }
}
