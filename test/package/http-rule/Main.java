package com.example;

import java.util.List;

import io.github.cdk8s_egress.AllowExternalOptions;
import io.github.cdk8s_egress.Backend;
import io.github.cdk8s_egress.ClusterNetwork;
import io.github.cdk8s_egress.Destination;
import io.github.cdk8s_egress.EgressZone;
import io.github.cdk8s_egress.HttpMatch;
import io.github.cdk8s_egress.HttpMatchOptions;
import io.github.cdk8s_egress.HttpPath;
import io.github.cdk8s_egress.InClusterTraffic;
import io.github.cdk8s_egress.Port;
import org.cdk8s.App;
import org.cdk8s.Chart;

/** One HTTP rule (issue 26), as test/package/http-rule/expected.ts writes it. */
public class Main {
    public static void main(String[] args) {
        App app = new App();
        Chart chart = new Chart(app, "egress");
        ClusterNetwork.Builder.create(chart, "cluster")
            .podCidrs(List.of("10.244.0.0/16")).serviceCidrs(List.of("10.96.0.0/12")).build();
        EgressZone checkout = EgressZone.Builder.create(chart, "checkout")
            .namespaces(List.of("checkout")).inCluster(InClusterTraffic.ALLOW).mesh(Backend.istio()).build();
        checkout.allow("charges", AllowExternalOptions.builder()
            .to(List.of(Destination.cidr("203.0.113.200", "payment API")))
            .ports(List.of(Port.tcp(80)))
            .http(HttpMatch.http(HttpMatchOptions.builder().methods(List.of("GET")).paths(List.of(HttpPath.exact("/v1/charges"))).build()))
            .build());
        app.synth();
    }
}
