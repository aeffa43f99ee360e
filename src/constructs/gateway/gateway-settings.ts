import { EgressGatewayProps } from './egress-gateway-props';
import { GatewayDataPathSettings } from '../../datapath/compile-data-path';
import { DATA_PATH_DEFAULTS } from '../../datapath/data-path-config';
import { Cidr, IpFamily } from '../../model/cidr';
import { CidrAggregator } from '../../model/cidr-aggregation';
import { EgressValidationError, locate } from '../../model/errors';
import { toDnsLabel, validateDnsLabel } from '../../model/names';
import { Selector } from '../../model/selector';

/** Most addresses a gateway range may have: the model lists each egress address for firewall exports. */
const MAX_EGRESS_ADDRESSES = 256;

/** An EgressGateway's props, checked and resolved: what its workload and its data-path entry are built from. */
export interface GatewaySettings {
  readonly gatewayName: string;
  readonly namespace: string;
  /** The egress pools (one range, or the aggregated egress IPs). */
  readonly pools: Cidr[];
  readonly egressIps: string[];
  readonly replicas: number;
  /** One spare address lets a rolling update start the new replica before the old one drains. */
  readonly surge: number;
  readonly blockSize: number;
  readonly tunnelSources: string[];
  readonly dataPath: GatewayDataPathSettings;
}

/** Checks every prop of an EgressGateway (each error names the field and the construct path). */
export function gatewaySettings(id: string, path: string, props: EgressGatewayProps): GatewaySettings {
  const gatewayName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
  const namespace = validateDnsLabel('namespace', props.namespace, path);
  const pools = egressPools(props, path);
  // Counted before listing: a /8 by mistake would list 16 million addresses first (measured: 42 s).
  const count = pools.reduce((n, c) => n + c.addressCount, 0);
  if (count > MAX_EGRESS_ADDRESSES) {
    throw new EgressValidationError(props.egressCidr ? 'egressCidr' : 'egressIps', props.egressCidr ?? props.egressIps!.join(','),
      `has ${count} addresses; a gateway range has at most ${MAX_EGRESS_ADDRESSES}`, path);
  }
  const egressIps = pools.flatMap(c => Array.from({ length: c.addressCount }, (_, i) => c.nthAddress(i)));
  const replicas = props.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new EgressValidationError('replicas', String(props.replicas), 'is not a whole number of at least 1', path);
  }
  if (replicas > egressIps.length) {
    throw new EgressValidationError('replicas', String(replicas),
      `exceeds the ${egressIps.length} free address(es) of the egress range ${pools.join(', ')}: each replica holds one egress IP`, path,
      'a larger egress range, or fewer replicas');
  }
  const surge = egressIps.length > replicas ? 1 : 0;
  const blockSize = poolBlockSize(props.blockSize, pools, egressIps.length, replicas, surge, path);
  const tunnelSources = (props.tunnelSourceCidrs ?? []).map((c, i) => {
    const cidr = locate(path, `tunnelSourceCidrs[${i}]`, () => Cidr.parse(c));
    if (cidr.family !== IpFamily.IPV4) throw new EgressValidationError(`tunnelSourceCidrs[${i}]`, c, 'is not IPv4: the tunnels are IPv4', path);
    return cidr.toString();
  });
  const dataPath = dataPathSettings(gatewayName, namespace, path, props);
  (props.monitoring?.scraperNamespaces ?? []).forEach((n, i) => validateDnsLabel(`monitoring.scraperNamespaces[${i}]`, n, path));
  for (const [k, v] of Object.entries(props.nodeSelector ?? {})) {
    locate(path, `nodeSelector.${k}`, () => Selector.labelEquals(k, v));
  }
  return { gatewayName, namespace, pools, egressIps, replicas, surge, blockSize, tunnelSources, dataPath };
}

/** The gateway's entry in the data-path document: service, ports, failure detection, drain. */
function dataPathSettings(name: string, namespace: string, path: string, props: EgressGatewayProps): GatewayDataPathSettings {
  const fd = props.failureDetection ?? {};
  const probe = {
    intervalMs: fd.probeIntervalMs ?? DATA_PATH_DEFAULTS.probe.intervalMs,
    timeoutMs: fd.probeTimeoutMs ?? DATA_PATH_DEFAULTS.probe.timeoutMs,
    failureThreshold: fd.failureThreshold ?? DATA_PATH_DEFAULTS.probe.failureThreshold,
  };
  checkInt('failureDetection.probeIntervalMs', probe.intervalMs, 10, 60_000, path);
  checkInt('failureDetection.probeTimeoutMs', probe.timeoutMs, 10, 60_000, path);
  checkInt('failureDetection.failureThreshold', probe.failureThreshold, 1, 100, path);
  const drain = props.drainGraceSeconds ?? DATA_PATH_DEFAULTS.drainGraceSeconds;
  checkInt('drainGraceSeconds', drain, 0, 86_400, path);
  const vxlanPort = props.vxlanPort ?? DATA_PATH_DEFAULTS.vxlanPort;
  const healthPort = props.healthPort ?? DATA_PATH_DEFAULTS.healthPort;
  checkInt('vxlanPort', vxlanPort, 1, 65535, path);
  if (vxlanPort === CALICO_VXLAN_PORT) {
    throw new EgressValidationError('vxlanPort', String(vxlanPort), 'is Calico\'s VXLAN port: Felix drops every packet to it that leaves a workload, so the replies could not leave the gateway pods', path,
      'keep the default (4790) or pick another free UDP port');
  }
  checkInt('healthPort', healthPort, 1, 65535, path);
  return {
    name,
    path,
    serviceNamespace: namespace,
    serviceName: `${name}-egress-gateway`.slice(0, 63).replace(/-+$/, ''),
    vxlanPort,
    healthPort,
    probe,
    drainGraceSeconds: drain,
    ...(props.nodeAgent?.markMask === undefined ? {} : { nodeMarkMask: checkMarkMask(props.nodeAgent.markMask, path) }),
  };
}

/** The node agent's mark bits: at least 8 (63 zones and the replicas' pins), in 32 bits. */
function checkMarkMask(mask: number, path: string): number {
  checkInt('nodeAgent.markMask', mask, 1, 0xffffffff, path);
  const bits = mask.toString(2).replace(/0/g, '').length;
  if (bits < 8) {
    throw new EgressValidationError('nodeAgent.markMask', `0x${mask.toString(16)}`, `holds ${bits} bits; the node agent needs at least 8 (63 zones and the replicas' pins)`, path,
      'take 8 or more bits outside Felix\'s nftablesMarkMask/iptablesMarkMask, 0x4000, 0x8000 and 0x80');
  }
  return mask;
}

/** Felix's default VXLANPort (felix/config/config_params.go). */
const CALICO_VXLAN_PORT = 4789;

/** The default block size: one block per replica (plus the spare), as large as the range allows. */
function poolBlockSize(requested: number | undefined, pools: Cidr[], addresses: number, replicas: number, surge: number, path: string): number {
  const smallest = pools.reduce((a, b) => (a.prefixLength > b.prefixLength ? a : b));
  if (requested !== undefined) {
    const b = requested;
    if (!Number.isInteger(b) || b < 20 || b > 32) throw new EgressValidationError('blockSize', String(b), 'is outside 20-32, the block sizes Calico allows for IPv4 pools', path);
    const blocks = pools.reduce((n, c) => n + 2 ** (Math.max(b, c.prefixLength) - c.prefixLength), 0);
    if (blocks < replicas) {
      throw new EgressValidationError('blockSize', String(b), `leaves ${blocks} block(s) for ${replicas} replicas on distinct nodes: each node takes a block of its own`, path,
        `blockSize ${Math.min(32, smallest.prefixLength + Math.ceil(Math.log2(replicas)))} or larger`);
    }
    return b;
  }
  const needed = Math.min(addresses, replicas + surge);
  if (pools.length > 1) return 32; // scattered addresses: every address its own block
  return Math.min(32, smallest.prefixLength + Math.ceil(Math.log2(needed)));
}

function egressPools(props: EgressGatewayProps, path: string): Cidr[] {
  if ((props.egressCidr === undefined) === (props.egressIps === undefined)) {
    throw new EgressValidationError('egressCidr', props.egressCidr ?? '', 'and egressIps: exactly one of them must be given', path);
  }
  const v4 = (field: string, c: Cidr, text: string) => {
    if (c.family !== IpFamily.IPV4) {
      throw new EgressValidationError(field, text, 'is IPv6, but the gateway data path is IPv4-only (VXLAN underlay, nftables sets and nexthops)', path);
    }
    return c;
  };
  if (props.egressCidr !== undefined) return [v4('egressCidr', locate(path, 'egressCidr', () => Cidr.parse(props.egressCidr!)), props.egressCidr)];
  if (props.egressIps!.length === 0) throw new EgressValidationError('egressIps', '[]', 'is empty: a gateway needs at least one egress IP', path);
  const singles = props.egressIps!.map((ip, i) => {
    const c = v4(`egressIps[${i}]`, locate(path, `egressIps[${i}]`, () => Cidr.parse(ip)), ip);
    if (c.prefixLength !== 32) throw new EgressValidationError(`egressIps[${i}]`, ip, 'is not a single address', path, 'use egressCidr for a range');
    return c.toString();
  });
  return CidrAggregator.merge(singles).map(c => Cidr.parse(c));
}

/** The smallest prefix covering every pool (the model's egressCidr of a gateway with several pools). */
export function coveringCidr(pools: Cidr[]): Cidr {
  let prefix = Math.min(...pools.map(p => p.prefixLength));
  for (; prefix >= 0; prefix--) {
    const candidate = Cidr.parseLenient(`${pools[0].networkAddress}/${prefix}`);
    if (pools.every(p => candidate.contains(p))) return candidate;
  }
  return Cidr.parse('0.0.0.0/0');
}

function checkInt(field: string, v: number, min: number, max: number, path: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EgressValidationError(field, String(v), `is not a whole number in ${min}-${max}`, path);
}
