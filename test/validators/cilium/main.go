// Command cilium-validate runs Cilium's own checks (github.com/cilium/cilium, the agent's code) on a stream of
// cilium.io/v2 objects and prints one JSON line per object: accepted, or rejected with Cilium's error text.
//
//   - CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: the agent's NPValidator (the pregenerated CRD
//     schema plus its unknown-field detection, pkg/k8s/apis/cilium.io/v2/validator), then the type's Parse(),
//     which runs api.Rule.Sanitize() on every spec (pkg/policy/api).
//   - CiliumEgressGatewayPolicy: strict decoding into the v2 type, then egressgateway.ParseCEGP, the function the
//     agent's egress gateway manager turns each policy with.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"

	"github.com/cilium/cilium/pkg/egressgateway"
	v2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	"github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2/validator"
)

type result struct {
	Index     int    `json:"index"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Outcome is "accepted", "rejected", "unsupported-kind" (a cilium.io kind this program does not check) or
	// "not-cilium" (another apiVersion: ignored).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

func main() {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	npv, err := validator.NewNPValidator(logger)
	if err != nil {
		fatal("creating Cilium's policy validator: %v", err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	reader := k8syaml.NewYAMLReader(bufio.NewReaderSize(os.Stdin, 1<<20))
	index := 0
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fatal("reading the input stream: %v", err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		jsonDoc, err := k8syaml.ToJSON(doc)
		if err != nil {
			fatal("document %d is not YAML: %v", index, err)
		}
		r := check(logger, npv, jsonDoc)
		r.Index = index
		index++
		if err := enc.Encode(r); err != nil {
			fatal("writing: %v", err)
		}
	}
}

func check(logger *slog.Logger, npv *validator.NPValidator, doc []byte) result {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(doc); err != nil {
		return result{Outcome: "rejected", Error: "not a Kubernetes object: " + err.Error()}
	}
	r := result{Kind: u.GetKind(), Name: u.GetName(), Namespace: u.GetNamespace()}
	if u.GetAPIVersion() != v2.SchemeGroupVersion.String() {
		r.Outcome = "not-cilium"
		return r
	}
	var err error
	switch u.GetKind() {
	case v2.CNPKindDefinition:
		if err = npv.ValidateCNP(u); err == nil {
			var cnp v2.CiliumNetworkPolicy
			if err = strictDecode(doc, &cnp); err == nil {
				_, err = cnp.Parse(logger, "default")
			}
		}
	case v2.CCNPKindDefinition:
		if err = npv.ValidateCCNP(u); err == nil {
			var ccnp v2.CiliumClusterwideNetworkPolicy
			if err = strictDecode(doc, &ccnp); err == nil {
				_, err = ccnp.Parse(logger, "default")
			}
		}
	case v2.CEGPKindDefinition:
		var cegp v2.CiliumEgressGatewayPolicy
		if err = strictDecode(doc, &cegp); err == nil {
			_, err = egressgateway.ParseCEGP(&cegp)
		}
	default:
		r.Outcome, r.Error = "unsupported-kind", fmt.Sprintf("kind %q is not checked by this program", u.GetKind())
		return r
	}
	if err != nil {
		r.Outcome, r.Error = "rejected", err.Error()
	} else {
		r.Outcome = "accepted"
	}
	return r
}

// strictDecode decodes as the API server does with field validation Strict (kubectl's default): case-sensitive,
// unknown and duplicate fields are errors.
func strictDecode(doc []byte, into any) error {
	strictErrs, err := sigsjson.UnmarshalStrict(doc, into)
	if err != nil {
		return err
	}
	if len(strictErrs) > 0 {
		return fmt.Errorf("strict decoding: %v", strictErrs)
	}
	return nil
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cilium-validate: "+format+"\n", args...)
	os.Exit(2)
}
