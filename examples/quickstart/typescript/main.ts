import { App, Chart } from 'cdk8s';
import { ClusterNetwork, Destination, EgressZone, NatPool, Port, Selector } from 'cdk8s-egress';

const app = new App();
const chart = new Chart(app, 'egress');
new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });

const pool = new NatPool(chart, 'payments-pool', { cidr: '10.250.0.0/24', natOutgoing: false });
const payments = new EgressZone(chart, 'payments', {
  namespaces: ['payments'],
  podSelector: Selector.parse('app == "payments-api"'),
  natPools: [pool],
});
payments.allow('card-processor', { to: [Destination.cidr('203.0.113.0/24', 'card processor')], ports: [Port.tcp(443)] });
app.synth();
