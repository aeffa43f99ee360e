/**
 * Example estate: three zones with three different egress postures.
 *
 *   payments  -> a card processor's ranges on 443, from its own routable (non-NATed) pool, so the
 *                processor's firewall can allow exactly 10.250.0.0/24 as source
 *   batch     -> object-storage ranges on 443 through NAT outgoing (node addresses), except the
 *                corporate network, which must see pod addresses
 *   locked    -> DNS only
 *   checkout  -> a payment API through the Istio mesh (ambient): only GET and POST of /v1/charges and
 *                /v1/refunds/..., checked at the mesh's egress waypoint; the network backend lets the zone's traffic
 *                leave only from that waypoint (see docs/backends.md, "The mesh layer")
 *   partners  -> a partner's API on 443 through the egress gateway, so the partner's firewall sees only the
 *                gateway's fixed egress IPs 192.0.2.64/29 (Calico backends; the others have no gateway here)
 *
 * Run: `npm run synth` (manifests + exports into dist/). BACKEND=<calico|calico-enterprise|cilium|kubernetes|
 * cluster-network-policy> picks the backend.
 */
import { Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Backend, ClusterNetwork, EgressApp, EgressGateway, Destination, DestinationSet, EgressReview, EgressZone, FirewallExport, FirewallFormat,
  GatewayMonitoring, HttpMatch, HttpPath, InClusterTraffic, NatPool, Port, Selector,
} from '../../src';

/** What a caller of the example may add (the lab's real nodes scrape the gateway as its monitoring objects describe). */
export interface EgressEstateOptions {
  /** The gateway's monitoring objects. @default none */
  readonly monitoring?: GatewayMonitoring;
  /**
   * The cluster's pod ranges beyond the two pools declared here, e.g. the installation's default pool that the
   * cluster DNS and namespaces without a zone pool take their addresses from. ClusterNetwork must declare every pod
   * range: the node agent steers a destination outside the declared ranges to the gateway (the lab's real nodes pass
   * their default pool: test/lab/node). @default none
   */
  readonly otherPodCidrs?: string[];
  /** Whether to write the firewall files (the domain lab adds zones whose wildcards some formats cannot hold). @default true */
  readonly firewallExport?: boolean;
}

export class EgressEstate extends Chart {
  constructor(scope: Construct, id: string, options: EgressEstateOptions = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    if (process.env.BACKEND) Backend.setDefault(this, Backend.of(process.env.BACKEND));

    new ClusterNetwork(this, 'cluster', {
      podCidrs: ['10.244.0.0/16', '10.250.0.0/24', ...options.otherPodCidrs ?? []],
      serviceCidrs: ['10.96.0.0/12'],
      nodeCidrs: ['192.0.2.0/26', '2001:db8:ffff::/64'],
    });

    // Shared, named destination list: written once, used by any zone.
    const objectStorage = new DestinationSet(this, 'object-storage', {
      description: 'Object storage endpoints',
      entries: [
        { cidr: '198.51.100.0/25', description: 'object storage eu-1' },
        { cidr: '198.51.100.128/25', description: 'object storage eu-2' },
        { cidr: '2001:db8:100::/48', description: 'object storage v6' },
      ],
    });

    // Pod address pools are Calico IPAM: Cilium and plain NetworkPolicy cannot express per-pool NAT (see
    // docs/backends.md), so those backends get the same zones without pools (NAT outgoing to node addresses).
    const calicoIpam = [Backend.CALICO, Backend.CALICO_ENTERPRISE].includes(Backend.defaultFor(this));
    const paymentsPool = !calicoIpam ? undefined : new NatPool(this, 'payments-pool', {
      cidr: '10.250.0.0/24',
      natOutgoing: false,
      blockSize: 28,
      capacity: { nodes: 6, podsPerNode: 10 },
    });
    const batchPool = !calicoIpam ? undefined : new NatPool(this, 'batch-pool', {
      cidr: '10.244.0.0/16',
      natOutgoing: true,
      noNatDestinations: ['172.16.0.0/12'],
    });

    const payments = new EgressZone(this, 'payments', {
      description: 'Card payments API',
      namespaces: ['payments'],
      podSelector: Selector.parse('app == "payments-api"'),
      natPools: paymentsPool ? [paymentsPool] : [],
    });
    payments.allow('card-processor', {
      to: [Destination.cidrs(['203.0.113.0/26', '203.0.113.64/26'], 'card processor API')],
      ports: [Port.tcp(443)],
      description: 'Card processor API over TLS',
    });

    const batch = new EgressZone(this, 'batch', {
      description: 'Nightly batch jobs',
      namespaces: ['batch', 'reporting'],
      natPools: batchPool ? [batchPool] : [],
    });
    batch.allow('object-storage', {
      to: [Destination.set(objectStorage)],
      ports: [Port.tcp(443)],
      description: 'Uploads to object storage',
    });
    batch.allow('corporate-sftp', {
      to: [Destination.cidr('172.16.10.5', 'corporate SFTP')],
      ports: [Port.tcp(22)],
    });

    // The bundled egress gateway (Calico IPAM gives its pods the egress IPs); the egress-nat node agent and
    // the data-path ConfigMap come with it.
    const gateway = !calicoIpam ? undefined : new EgressGateway(this, 'egress-gateway', {
      name: 'egress',
      namespace: 'egress-gateway',
      egressCidr: '192.0.2.64/29',
      replicas: 2,
      // A mirror of the released images (the lab's nodes import them under a local name: test/lab/node).
      registry: process.env.EGRESS_IMAGE_REGISTRY,
      monitoring: options.monitoring,
    });
    const partners = new EgressZone(this, 'partners', {
      description: 'Partner data exchange',
      namespaces: ['partners'],
      gateway,
    });
    partners.allow('partner-api', {
      to: [Destination.cidr('203.0.113.128/26', 'partner API')],
      ports: [Port.tcp(443)],
      description: 'Partner API over TLS',
    });

    new EgressZone(this, 'locked', {
      description: 'Untrusted workloads: DNS only',
      namespaces: ['sandbox'],
    });

    // HTTP rules: the mesh (Istio, ambient) enforces methods and paths at its egress waypoint; the zone's network
    // backend allows its pods in-cluster traffic only (the waypoint among it) and the waypoint's pods the address.
    const checkout = new EgressZone(this, 'checkout', {
      description: 'Checkout: HTTP rules through the Istio mesh',
      namespaces: ['checkout'],
      inCluster: InClusterTraffic.ALLOW,
      mesh: Backend.istio(),
    });
    checkout.allow('charges', {
      to: [Destination.cidr('203.0.113.200', 'payment API')],
      ports: [Port.tcp(80)],
      http: HttpMatch.http({
        methods: ['GET', 'POST'],
        paths: [HttpPath.exact('/v1/charges'), HttpPath.prefix('/v1/refunds/')],
        hosts: ['api.pay.example'],
      }),
      description: 'Payment API: charges and refunds only',
    });

    // Every zone's posture for the perimeter firewalls, in every format: <outdir>/firewall/.
    if (options.firewallExport !== false) new FirewallExport(this, 'firewall', { formats: FirewallFormat.all() });
    // For reviewers and tools: egress-model.json (read by `cdk8s-egress can-reach` / `diff`) and the egress map.
    new EgressReview(this, 'review');
  }
}

if (require.main === module) {
  // EgressApp: a cdk8s App whose YAML writer is faster and writes exactly the same bytes.
  const app = new EgressApp({ outdir: process.env.OUTDIR ?? 'dist', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new EgressEstate(app, 'egress');
  app.synth();
  console.log(`synthesized into ${app.outdir}/`);
}
