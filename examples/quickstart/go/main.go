package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-egress/cdk8s-egress-go/cdk8segress"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func main() {
	app := cdk8s.NewApp(nil)
	chart := cdk8s.NewChart(app, jsii.String("egress"), nil)
	cdk8segress.NewClusterNetwork(chart, jsii.String("cluster"), &cdk8segress.ClusterNetworkProps{
		PodCidrs: jsii.Strings("10.244.0.0/16"), ServiceCidrs: jsii.Strings("10.96.0.0/12"),
	})

	pool := cdk8segress.NewNatPool(chart, jsii.String("payments-pool"), &cdk8segress.NatPoolProps{
		Cidr: jsii.String("10.250.0.0/24"), NatOutgoing: jsii.Bool(false),
	})
	payments := cdk8segress.NewEgressZone(chart, jsii.String("payments"), &cdk8segress.EgressZoneProps{
		Namespaces:  jsii.Strings("payments"),
		PodSelector: cdk8segress.Selector_Parse(jsii.String(`app == "payments-api"`)),
		NatPools:    &[]cdk8segress.NatPool{pool},
	})
	payments.Allow(jsii.String("card-processor"), &cdk8segress.AllowExternalOptions{
		To:    &[]cdk8segress.Destination{cdk8segress.Destination_Cidr(jsii.String("203.0.113.0/24"), jsii.String("card processor"))},
		Ports: &[]cdk8segress.Port{cdk8segress.Port_Tcp(jsii.Number(443))},
	})
	app.Synth()
}
