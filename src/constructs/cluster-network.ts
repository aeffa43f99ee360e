import { Construct } from 'constructs';
import { DnsOptions } from './dns-options';
import { dnsModel } from './private/dns-model';
import { parseCidrAt } from './private/parse-cidr-at';
import { constructId } from '../model/construct-id';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';
import { Cidr } from '../model/cidr';
import { Enforcement } from '../model/enforcement';
import { checkChoice, EgressValidationError } from '../model/errors';
import { ApiServerModel } from '../model/in-cluster-traffic';

/** Properties of the cluster's network. */
export interface ClusterNetworkProps {
  /**
   * Pod address ranges (all pools). Traffic to them is in-cluster, never "external".
   * @default - unknown: external traffic is then told apart by selectors only
   */
  readonly podCidrs?: string[];
  /**
   * Service address ranges.
   * @default - unknown
   */
  readonly serviceCidrs?: string[];
  /**
   * Node address ranges: what an edge firewall sees for zones whose pools NAT to the node address.
   * @default - unknown (firewall exports then say so instead of guessing)
   */
  readonly nodeCidrs?: string[];
  /**
   * The Kubernetes API server's addresses as pods' packets reach it: the `kubernetes` Service's endpoints
   * (`kubectl get endpointslices -l kubernetes.io/service-name=kubernetes`), usually control-plane node
   * addresses. kube-proxy translates `kubernetes.default` to these before policies see the packet, so zones
   * with `allowApiServer` allow these, and can-reach answers `kubernetes.default` questions from them.
   * @default - unknown: no zone can allow the API server by name
   */
  readonly apiServerAddresses?: string[];
  /**
   * The API server's port behind the `kubernetes` Service.
   * @default 6443
   */
  readonly apiServerPort?: number;
  /**
   * The cluster DNS Service's address (`kubectl -n kube-system get svc kube-dns`): can-reach answers DNS
   * questions to it from the zones' DNS rule.
   * @default - unknown: can-reach answers DNS questions to the DNS pods only
   */
  readonly dnsServiceAddress?: string;
  /**
   * Default DNS allowance of every zone.
   * @default - cluster DNS (kube-system, k8s-app == "kube-dns") on UDP/TCP 53
   */
  readonly dns?: DnsOptions;
  /**
   * Default enforcement of every zone that does not choose its own (`Enforcement.STAGED` stages the whole
   * app: see docs/rolling-out.md).
   * @default Enforcement.ENFORCED
   */
  readonly enforcement?: Enforcement;
}

/**
 * Facts about the cluster network that every zone shares: in-cluster ranges, node ranges and DNS.
 * Optional; at most one per app.
 */
export class ClusterNetwork extends Construct {
  /** Pod ranges, canonical. */
  public readonly podCidrs: string[];
  /** Service ranges, canonical. */
  public readonly serviceCidrs: string[];
  /** Node ranges, canonical. */
  public readonly nodeCidrs: string[];
  private readonly dns?: DnsOptions;
  private readonly apiServer?: ApiServerModel;
  private readonly dnsServiceAddress?: string;
  private readonly enforcement?: Enforcement;

  /**
   * @param scope the construct this ClusterNetwork belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see ClusterNetworkProps)
   */
  constructor(scope: Construct, id: string, props: ClusterNetworkProps = {}) {
    super(scope, constructId(scope, id, 'ClusterNetwork'));
    try {
      const parse = (field: string, list: string[] | undefined) => (list ?? []).map((c, i) => parseCidrAt(`${field}[${i}]`, c, this.node.path).toString());
      this.podCidrs = parse('podCidrs', props.podCidrs);
      this.serviceCidrs = parse('serviceCidrs', props.serviceCidrs);
      this.nodeCidrs = parse('nodeCidrs', props.nodeCidrs);
      // Pod, Service and node addresses are three kinds of address: a range that is two of them makes the
      // policies, the exports and the data path disagree about what an address is.
      const kinds: [string, string[]][] = [['podCidrs', this.podCidrs], ['serviceCidrs', this.serviceCidrs], ['nodeCidrs', this.nodeCidrs]];
      for (let i = 0; i < kinds.length; i++) {
        for (let j = i + 1; j < kinds.length; j++) {
          kinds[i][1].forEach((a, x) => kinds[j][1].forEach((b, y) => {
            if (Cidr.parse(a).overlaps(Cidr.parse(b))) {
              throw new EgressValidationError(`${kinds[j][0]}[${y}]`, b, `overlaps ${kinds[i][0]}[${x}] ${a}: pod, Service and node ranges must not overlap`,
                this.node.path, 'declare each range once, with its kind');
            }
          }));
        }
      }
      this.apiServer = apiServerOf(props, this.serviceCidrs, this.node.path);
      this.dnsServiceAddress = props.dnsServiceAddress === undefined ? undefined
        : singleAddress('dnsServiceAddress', props.dnsServiceAddress, this.node.path);
      this.dns = props.dns;
      if (props.dns) dnsModel(props.dns, this.node.path);
      checkChoice('enforcement', props.enforcement, Enforcement, this.node.path, 'use Enforcement.ENFORCED or Enforcement.STAGED');
      this.enforcement = props.enforcement;
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.setClusterNetwork({
      path: this.node.path,
      clusterCidrs: [...this.podCidrs, ...this.serviceCidrs],
      serviceCidrs: this.serviceCidrs,
      nodeCidrs: this.nodeCidrs,
      dns: this.dns ? dnsModel(this.dns, this.node.path) : undefined,
      apiServer: this.apiServer,
      dnsServiceAddress: this.dnsServiceAddress,
      enforcement: this.enforcement,
    });
  }
}

function singleAddress(field: string, text: string, path: string): string {
  const cidr = parseCidrAt(field, text, path);
  if (cidr.addressCount !== 1) throw new EgressValidationError(field, text, 'is a range, not one address', path, `e.g. "${cidr.networkAddress}"`);
  return cidr.networkAddress;
}

/** The API server as the model holds it; the `kubernetes` Service is the first address of the first Service range. */
function apiServerOf(props: ClusterNetworkProps, serviceCidrs: string[], path: string): ApiServerModel | undefined {
  if (props.apiServerAddresses === undefined) {
    if (props.apiServerPort !== undefined) throw new EgressValidationError('apiServerPort', String(props.apiServerPort), 'is set without apiServerAddresses', path, 'declare apiServerAddresses too');
    return undefined;
  }
  if (props.apiServerAddresses.length === 0) throw new EgressValidationError('apiServerAddresses', '[]', 'is empty', path, 'list the API server\'s addresses, or leave the field out');
  const port = props.apiServerPort ?? 6443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EgressValidationError('apiServerPort', String(port), 'is not a port number (1-65535)', path, 'the port behind the kubernetes Service\'s endpoints, 6443 on kubeadm clusters');
  }
  const cidrs = props.apiServerAddresses.map((c, i) => parseCidrAt(`apiServerAddresses[${i}]`, c, path).toString());
  const first = serviceCidrs.length > 0 ? Cidr.parse(serviceCidrs[0]) : undefined;
  return { cidrs, port, serviceAddress: first ? first.nthAddress(1) : undefined };
}
