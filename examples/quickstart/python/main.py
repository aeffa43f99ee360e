from cdk8s import App, Chart
from cdk8s_egress import ClusterNetwork, Destination, EgressZone, NatPool, Port, Selector

app = App()
chart = Chart(app, "egress")
ClusterNetwork(chart, "cluster", pod_cidrs=["10.244.0.0/16"], service_cidrs=["10.96.0.0/12"])

pool = NatPool(chart, "payments-pool", cidr="10.250.0.0/24", nat_outgoing=False)
payments = EgressZone(chart, "payments",
    namespaces=["payments"],
    pod_selector=Selector.parse('app == "payments-api"'),
    nat_pools=[pool],
)
payments.allow("card-processor", to=[Destination.cidr("203.0.113.0/24", "card processor")], ports=[Port.tcp(443)])
app.synth()
