package com.example;

import java.util.List;

import io.github.cdk8s_egress.AllowExternalOptions;
import io.github.cdk8s_egress.ClusterNetwork;
import io.github.cdk8s_egress.Destination;
import io.github.cdk8s_egress.EgressZone;
import io.github.cdk8s_egress.NatPool;
import io.github.cdk8s_egress.Port;
import io.github.cdk8s_egress.Selector;
import org.cdk8s.App;
import org.cdk8s.Chart;

public class Main {
    public static void main(String[] args) {
        App app = new App();
        Chart chart = new Chart(app, "egress");
        ClusterNetwork.Builder.create(chart, "cluster")
            .podCidrs(List.of("10.244.0.0/16")).serviceCidrs(List.of("10.96.0.0/12")).build();

        NatPool pool = NatPool.Builder.create(chart, "payments-pool").cidr("10.250.0.0/24").natOutgoing(false).build();
        EgressZone payments = EgressZone.Builder.create(chart, "payments")
            .namespaces(List.of("payments"))
            .podSelector(Selector.parse("app == \"payments-api\""))
            .natPools(List.of(pool))
            .build();
        payments.allow("card-processor", AllowExternalOptions.builder()
            .to(List.of(Destination.cidr("203.0.113.0/24", "card processor"))).ports(List.of(Port.tcp(443))).build());
        app.synth();
    }
}
