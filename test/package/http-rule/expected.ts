/**
 * One HTTP rule (issue 26) in TypeScript, from the repository's sources: the manifest the Java and Go programs beside it
 * must write byte for byte (scripts/packages/build-and-run.sh). OUTDIR is where it goes.
 */
import { App, Chart } from 'cdk8s';
import { Backend, ClusterNetwork, Destination, EgressZone, HttpMatch, HttpPath, InClusterTraffic, Port } from '../../../src';

const app = new App({ outdir: process.env.OUTDIR ?? 'dist' });
const chart = new Chart(app, 'egress');
new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
const checkout = new EgressZone(chart, 'checkout', { namespaces: ['checkout'], inCluster: InClusterTraffic.ALLOW, mesh: Backend.istio() });
checkout.allow('charges', {
  to: [Destination.cidr('203.0.113.200', 'payment API')],
  ports: [Port.tcp(80)],
  http: HttpMatch.http({ methods: ['GET'], paths: [HttpPath.exact('/v1/charges')] }),
});
app.synth();
