// Command istio-validate decodes every Istio object of a YAML stream with Istio's own Go types (istio.io/api for the
// specs, istio.io/client-go for the objects) and prints one JSON line per object: accepted, or rejected with the
// decoder's error.
//
// Strict: the spec is decoded with protojson (google.golang.org/protobuf), which rejects unknown fields and enum
// names the API does not have. The JSON shims istio.io/api generates (and client-go's decoding goes through) are built
// with AllowUnknownFields: true, so client-go alone would accept a misspelt field; both decodings must pass here.
// Object metadata is decoded strictly into metav1.ObjectMeta, and the top level may hold only apiVersion, kind,
// metadata and spec.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"

	networkingapi "istio.io/api/networking/v1alpha3"
	securityapi "istio.io/api/security/v1beta1"
	networking "istio.io/client-go/pkg/apis/networking/v1"
	security "istio.io/client-go/pkg/apis/security/v1"
)

type result struct {
	Index     int    `json:"index"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Outcome is "accepted", "rejected", "unsupported-kind" (an Istio kind this program has no type for) or
	// "not-istio" (another API group: ignored).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// kind is one Istio kind: a fresh spec message (istio.io/api) and a fresh object (istio.io/client-go).
type kind struct {
	spec   func() proto.Message
	object func() any
}

var kinds = map[string]kind{
	"networking.istio.io/v1 ServiceEntry":      {func() proto.Message { return &networkingapi.ServiceEntry{} }, func() any { return &networking.ServiceEntry{} }},
	"networking.istio.io/v1 DestinationRule":   {func() proto.Message { return &networkingapi.DestinationRule{} }, func() any { return &networking.DestinationRule{} }},
	"networking.istio.io/v1 VirtualService":    {func() proto.Message { return &networkingapi.VirtualService{} }, func() any { return &networking.VirtualService{} }},
	"networking.istio.io/v1 Gateway":           {func() proto.Message { return &networkingapi.Gateway{} }, func() any { return &networking.Gateway{} }},
	"networking.istio.io/v1 Sidecar":           {func() proto.Message { return &networkingapi.Sidecar{} }, func() any { return &networking.Sidecar{} }},
	"security.istio.io/v1 AuthorizationPolicy": {func() proto.Message { return &securityapi.AuthorizationPolicy{} }, func() any { return &security.AuthorizationPolicy{} }},
}

func main() {
	// Each document of the stream (YAML or JSON) as JSON; empty documents are skipped, as kubectl skips them.
	decoder := k8syaml.NewYAMLOrJSONDecoder(bufio.NewReaderSize(os.Stdin, 1<<20), 1<<16)
	var verdicts []result
	for {
		var doc json.RawMessage
		if err := decoder.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			fatal("reading document %d of the input stream: %v", len(verdicts), err)
		}
		if len(bytes.TrimSpace(doc)) == 0 || string(doc) == "null" {
			continue
		}
		r := check(doc)
		r.Index = len(verdicts)
		verdicts = append(verdicts, r)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for _, r := range verdicts {
		if err := enc.Encode(r); err != nil {
			fatal("writing: %v", err)
		}
	}
}

func check(doc []byte) result {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return result{Outcome: "rejected", Error: "not a JSON object: " + err.Error()}
	}
	var apiVersion, kindName string
	_ = json.Unmarshal(top["apiVersion"], &apiVersion)
	_ = json.Unmarshal(top["kind"], &kindName)
	var meta metav1.ObjectMeta
	var metaErr error
	if raw, ok := top["metadata"]; !ok {
		metaErr = fmt.Errorf("missing")
	} else if strict, err := sigsjson.UnmarshalStrict(raw, &meta); err != nil {
		metaErr = err
	} else if len(strict) > 0 {
		// As the API server with field validation Strict: case-sensitive, unknown and duplicate fields are errors.
		metaErr = fmt.Errorf("strict decoding: %v", strict)
	}
	r := result{Kind: kindName, Name: meta.Name, Namespace: meta.Namespace}
	group := strings.SplitN(apiVersion, "/", 2)[0]
	if !strings.HasSuffix(group, ".istio.io") {
		r.Outcome = "not-istio"
		return r
	}
	k, ok := kinds[apiVersion+" "+kindName]
	if !ok {
		r.Outcome, r.Error = "unsupported-kind", fmt.Sprintf("%s %s is not checked by this program", apiVersion, kindName)
		return r
	}
	if err := decode(top, metaErr, k, doc); err != nil {
		r.Outcome, r.Error = "rejected", err.Error()
	} else {
		r.Outcome = "accepted"
	}
	return r
}

func decode(top map[string]json.RawMessage, metaErr error, k kind, doc []byte) error {
	for key := range top {
		switch key {
		case "apiVersion", "kind", "metadata", "spec":
		default:
			return fmt.Errorf("unknown field %q at the top level", key)
		}
	}
	if metaErr != nil {
		return fmt.Errorf("metadata: %v", metaErr)
	}
	spec, ok := top["spec"]
	if !ok {
		return fmt.Errorf("no spec")
	}
	// protojson: unknown fields and unknown enum names are errors.
	if err := (protojson.UnmarshalOptions{}).Unmarshal(spec, k.spec()); err != nil {
		return fmt.Errorf("spec (istio.io/api, strict): %v", err)
	}
	if err := json.Unmarshal(doc, k.object()); err != nil {
		return fmt.Errorf("object (istio.io/client-go): %v", err)
	}
	return nil
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "istio-validate: "+format+"\n", args...)
	os.Exit(2)
}
