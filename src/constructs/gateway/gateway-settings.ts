import { EgressGatewayProps } from './egress-gateway-props';
import { EgressRange, egressRanges, poolBlockSize } from './egress-ranges';
import { GatewayDataPathSettings } from '../../datapath/compile-data-path';
import { DATA_PATH_DEFAULTS } from '../../datapath/data-path-config';
import { Cidr, IpFamily } from '../../model/cidr';
import { EgressValidationError, locate } from '../../model/errors';
import { toDnsLabel, validateDnsLabel } from '../../model/names';
import { Selector } from '../../model/selector';

/** An EgressGateway's props, checked and resolved: what its workload and its data-path entry are built from. */
export interface GatewaySettings {
  readonly gatewayName: string;
  readonly namespace: string;
  /** The egress ranges, one per family given (IPv4 first): each family's pools and addresses. */
  readonly ranges: EgressRange[];
  /** Every egress address, IPv4 first. */
  readonly egressIps: string[];
  readonly replicas: number;
  /**
   * One spare pool block (of every family) when the range has the addresses: the rollout never surges (maxSurge 0, see
   * gateway-workload.ts), but a replacement scheduled on a free node takes the spare while the old replica drains.
   */
  readonly surge: number;
  /** The block size of each range's pools, in the order of `ranges`. */
  readonly blockSizes: number[];
  readonly tunnelSources: string[];
  readonly dataPath: GatewayDataPathSettings;
}

/** Checks every prop of an EgressGateway (each error names the field and the construct path). */
export function gatewaySettings(id: string, path: string, props: EgressGatewayProps): GatewaySettings {
  const gatewayName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
  const namespace = validateDnsLabel('namespace', props.namespace, path);
  const ranges = egressRanges(props, path);
  const egressIps = ranges.flatMap(r => r.addresses);
  const replicas = props.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new EgressValidationError('replicas', String(props.replicas), 'is not a whole number of at least 1', path);
  }
  for (const r of ranges) {
    if (replicas > r.addresses.length) {
      throw new EgressValidationError('replicas', String(replicas),
        `exceeds the ${r.addresses.length} free address(es) of the ${r.family} egress range ${r.pools.join(', ')}: each replica holds one egress IP of each family`, path,
        `a larger ${r.field}, or fewer replicas`);
    }
  }
  const surge = ranges.every(r => r.addresses.length > replicas) ? 1 : 0;
  const blockSizes = ranges.map(r => (r.family === IpFamily.IPV4
    ? poolBlockSize('blockSize', props.blockSize, r, replicas, surge, path)
    : poolBlockSize('ipv6BlockSize', props.ipv6BlockSize, r, replicas, surge, path)));
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
  return { gatewayName, namespace, ranges, egressIps, replicas, surge, blockSizes, tunnelSources, dataPath };
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
    ...(props.nodeAgent?.observeStagedZones ? { observeStagedZones: true } : {}),
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

function checkInt(field: string, v: number, min: number, max: number, path: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EgressValidationError(field, String(v), `is not a whole number in ${min}-${max}`, path);
}
