// One HTTP rule (issue 26), as test/package/http-rule/expected.ts writes it.
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
	checkout := cdk8segress.NewEgressZone(chart, jsii.String("checkout"), &cdk8segress.EgressZoneProps{
		Namespaces: jsii.Strings("checkout"),
		InCluster:  cdk8segress.InClusterTraffic_ALLOW,
		Mesh:       cdk8segress.Backend_Istio(nil),
	})
	checkout.Allow(jsii.String("charges"), &cdk8segress.AllowExternalOptions{
		To:    &[]cdk8segress.Destination{cdk8segress.Destination_Cidr(jsii.String("203.0.113.200"), jsii.String("payment API"))},
		Ports: &[]cdk8segress.Port{cdk8segress.Port_Tcp(jsii.Number(80))},
		Http: cdk8segress.HttpMatch_Http(&cdk8segress.HttpMatchOptions{
			Methods: jsii.Strings("GET"),
			Paths:   &[]cdk8segress.HttpPath{cdk8segress.HttpPath_Exact(jsii.String("/v1/charges"))},
		}),
	})
	app.Synth()
}
