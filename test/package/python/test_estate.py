"""The example estate (examples/app/main.ts) written in Python against the installed wheel.

Run by scripts/packages/build-and-run.sh in the virtualenv it builds, with EXPECTED_ESTATE set to the directory
that the TypeScript example synthesized: every file Python writes (manifests, firewall exports, review files)
must be the TypeScript file, byte for byte.
"""
import os
import pathlib
import re

import pytest
from cdk8s import Chart, YamlOutputType
from cdk8s_egress import (
    Backend, ClusterNetwork, Destination, DestinationSet, DestinationEntry, EgressApp, EgressGateway, EgressReview,
    EgressZone, FirewallExport, FirewallFormat, HttpMatch, HttpPath, InClusterTraffic, NatPool, PoolCapacity, Port,
    Selector,
)

EXPECTED = pathlib.Path(os.environ["EXPECTED_ESTATE"])


class EgressEstate(Chart):
    """examples/app/main.ts's EgressEstate on the Calico backend, line for line."""

    def __init__(self, scope, id):
        super().__init__(scope, id, disable_resource_name_hashes=True)
        ClusterNetwork(self, "cluster",
            pod_cidrs=["10.244.0.0/16", "10.250.0.0/24"],
            service_cidrs=["10.96.0.0/12"],
            node_cidrs=["192.0.2.0/26", "2001:db8:ffff::/64"],
        )
        object_storage = DestinationSet(self, "object-storage",
            description="Object storage endpoints",
            entries=[
                DestinationEntry(cidr="198.51.100.0/25", description="object storage eu-1"),
                DestinationEntry(cidr="198.51.100.128/25", description="object storage eu-2"),
                DestinationEntry(cidr="2001:db8:100::/48", description="object storage v6"),
            ],
        )
        payments_pool = NatPool(self, "payments-pool",
            cidr="10.250.0.0/24", nat_outgoing=False, block_size=28,
            capacity=PoolCapacity(nodes=6, pods_per_node=10),
        )
        batch_pool = NatPool(self, "batch-pool",
            cidr="10.244.0.0/16", nat_outgoing=True, no_nat_destinations=["172.16.0.0/12"],
        )

        payments = EgressZone(self, "payments",
            description="Card payments API",
            namespaces=["payments"],
            pod_selector=Selector.parse('app == "payments-api"'),
            nat_pools=[payments_pool],
        )
        payments.allow("card-processor",
            to=[Destination.cidrs(["203.0.113.0/26", "203.0.113.64/26"], "card processor API")],
            ports=[Port.tcp(443)],
            description="Card processor API over TLS",
        )

        batch = EgressZone(self, "batch",
            description="Nightly batch jobs", namespaces=["batch", "reporting"], nat_pools=[batch_pool])
        batch.allow("object-storage",
            to=[Destination.set(object_storage)], ports=[Port.tcp(443)], description="Uploads to object storage")
        batch.allow("corporate-sftp", to=[Destination.cidr("172.16.10.5", "corporate SFTP")], ports=[Port.tcp(22)])

        gateway = EgressGateway(self, "egress-gateway",
            name="egress", namespace="egress-gateway", egress_cidr="192.0.2.64/29", replicas=2)
        partners = EgressZone(self, "partners",
            description="Partner data exchange", namespaces=["partners"], gateway=gateway)
        partners.allow("partner-api",
            to=[Destination.cidr("203.0.113.128/26", "partner API")],
            ports=[Port.tcp(443)],
            description="Partner API over TLS",
        )

        EgressZone(self, "locked", description="Untrusted workloads: DNS only", namespaces=["sandbox"])

        # An HTTP rule (issue 26): the Istio mesh enforces its methods and paths at the egress waypoint.
        checkout = EgressZone(self, "checkout",
            description="Checkout: HTTP rules through the Istio mesh", namespaces=["checkout"],
            in_cluster=InClusterTraffic.ALLOW, mesh=Backend.istio())
        checkout.allow("charges",
            to=[Destination.cidr("203.0.113.200", "payment API")],
            ports=[Port.tcp(80)],
            http=HttpMatch.http(
                methods=["GET", "POST"],
                paths=[HttpPath.exact("/v1/charges"), HttpPath.prefix("/v1/refunds/")],
                hosts=["api.pay.example"],
            ),
            description="Payment API: charges and refunds only",
        )

        FirewallExport(self, "firewall", formats=FirewallFormat.all())
        EgressReview(self, "review")


def files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_estate_synthesized_through_python_is_the_typescript_estate(tmp_path):
    app = EgressApp(outdir=str(tmp_path), yaml_output_type=YamlOutputType.FILE_PER_CHART)
    EgressEstate(app, "egress")
    app.synth()

    written = files(tmp_path)
    assert written == files(EXPECTED)
    # The zones, the gateway and the firewall exports are among them.
    manifests = (tmp_path / "egress.k8s.yaml").read_text()
    for zone in ["payments", "batch", "partners", "locked", "checkout", "mesh-egress-waypoint"]:
        assert f"name: egress-{zone}\n" in manifests
    assert "kind: AuthorizationPolicy\n" in manifests and "- /v1/charges\n" in manifests
    assert "kind: Deployment\n" in manifests and "kind: DaemonSet\n" in manifests
    assert sum(1 for f in written if f.startswith("firewall/")) >= 12
    for name in written:
        assert (tmp_path / name).read_bytes() == (EXPECTED / name).read_bytes(), name


def our_message(error):
    """Our message out of the RuntimeError jsii raises for a JavaScript error. jsii passes a constructor's error
    as its message and prefixes a static method's with the error's name ("SelectorParseError: ") and one raised
    during app.synth() with "Error: "; our messages never start with such a word."""
    return re.sub(r"^[A-Za-z]*Error: ", "", str(error))


def test_bad_input_raises_a_python_exception_with_our_message(tmp_path):
    app = EgressApp(outdir=str(tmp_path))
    chart = Chart(app, "egress")
    with pytest.raises(RuntimeError) as raised:
        NatPool(chart, "bad-pool", cidr="10.250.0.0/33", nat_outgoing=False)
    assert our_message(raised.value) == (
        'cidr "10.250.0.0/33" has a prefix length outside 0-32 for IPv4 (at egress/bad-pool); '
        'hint: an address or CIDR, e.g. "203.0.113.0/24", "198.51.100.7" or "2001:db8::/32"')

    with pytest.raises(RuntimeError) as raised:
        Selector.parse("app == ")
    assert our_message(raised.value).startswith('selector "app == " is not a valid Calico selector: expected a quoted string')


def test_synth_time_errors_raise_from_app_synth(tmp_path):
    app = EgressApp(outdir=str(tmp_path))
    chart = Chart(app, "egress")
    # NAT outgoing: a pool without NAT that no zone uses is an error of its own (issue 21, item 14).
    NatPool(chart, "a", cidr="10.250.0.0/24", nat_outgoing=True)
    NatPool(chart, "b", cidr="10.250.0.0/25", nat_outgoing=True)
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    assert our_message(raised.value) == (
        'NAT pool "b" 10.250.0.0/25 (at egress/b) overlaps NAT pool "a" 10.250.0.0/24 (at egress/a); Calico pools must not overlap')
    assert not (tmp_path / "egress.k8s.yaml").exists()


def test_selector_combinators_have_python_names():
    # Selector.and/or/not/global are Python reserved words (jsii would expose and_, or_, not_, global_).
    selector = Selector.all_of(
        Selector.has("app"),
        Selector.any_of(Selector.label_equals("tier", "web"), Selector.label_equals("tier", "api")).negate(),
    )
    assert selector.to_string() == '(has(app) && !(tier == "web" || tier == "api"))'
    assert Selector.global_endpoints().to_string() == "global()"
