module example.com/egress-quickstart

go 1.25

require (
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk8s-egress/cdk8s-egress-go/cdk8segress v0.0.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.68.12
)
