import { Construct } from 'constructs';
import { DnsOptions } from './dns-options';
import { dnsModel } from './private/dns-model';
import { parseCidrAt } from './private/parse-cidr-at';
import { constructId } from '../model/construct-id';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';
import { Cidr } from '../model/cidr';
import { EgressValidationError } from '../model/errors';

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
   * Default DNS allowance of every zone.
   * @default - cluster DNS (kube-system, k8s-app == "kube-dns") on UDP/TCP 53
   */
  readonly dns?: DnsOptions;
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
      this.dns = props.dns;
      if (props.dns) dnsModel(props.dns, this.node.path);
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
    });
  }
}

