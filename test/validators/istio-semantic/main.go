// Command istio-semantic-validate runs Istio's own semantic validation (istio.io/istio pkg/config/validation: what
// istiod's validating webhook and `istioctl validate` run) on every Istio object of a YAML stream, and prints one JSON
// line per object: accepted (with Istio's warnings, if any), or rejected with Istio's error.
//
// The spec is decoded strictly (protojson) into istio.io/api's message of the version istio.io/istio requires; the
// strict type check of the version we target (v1.32.0) is test/validators/istio.
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
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/validation"
)

type verdict struct {
	Index     int    `json:"index"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// "accepted", "rejected", "unsupported-kind" or "not-istio".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	Warning string `json:"warning,omitempty"`
}

type istioKind struct {
	gvk      config.GroupVersionKind
	spec     func() proto.Message
	validate validation.ValidateFunc
}

var istioKinds = map[string]istioKind{
	"networking.istio.io/v1 ServiceEntry":      {gvk.ServiceEntry, func() proto.Message { return &networking.ServiceEntry{} }, validation.ValidateServiceEntry},
	"networking.istio.io/v1 DestinationRule":   {gvk.DestinationRule, func() proto.Message { return &networking.DestinationRule{} }, validation.ValidateDestinationRule},
	"networking.istio.io/v1 VirtualService":    {gvk.VirtualService, func() proto.Message { return &networking.VirtualService{} }, validation.ValidateVirtualService},
	"networking.istio.io/v1 Gateway":           {gvk.Gateway, func() proto.Message { return &networking.Gateway{} }, validation.ValidateGateway},
	"networking.istio.io/v1 Sidecar":           {gvk.Sidecar, func() proto.Message { return &networking.Sidecar{} }, validation.ValidateSidecar},
	"security.istio.io/v1 AuthorizationPolicy": {gvk.AuthorizationPolicy, func() proto.Message { return &security.AuthorizationPolicy{} }, validation.ValidateAuthorizationPolicy},
}

// object is what validation reads of a Kubernetes object besides its spec.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
}

func main() {
	input := k8syaml.NewYAMLOrJSONDecoder(bufio.NewReaderSize(os.Stdin, 1<<20), 1<<16)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for index := 0; ; {
		var raw json.RawMessage
		if err := input.Decode(&raw); err == io.EOF {
			return
		} else if err != nil {
			fmt.Fprintf(os.Stderr, "istio-semantic-validate: document %d: %v\n", index, err)
			os.Exit(2)
		}
		if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
			continue
		}
		v := judge(raw)
		v.Index = index
		index++
		if err := enc.Encode(v); err != nil {
			os.Exit(2)
		}
	}
}

func judge(raw json.RawMessage) verdict {
	var obj object
	if err := json.Unmarshal(raw, &obj); err != nil {
		return verdict{Outcome: "rejected", Error: err.Error()}
	}
	v := verdict{Kind: obj.Kind, Name: obj.Metadata.Name, Namespace: obj.Metadata.Namespace}
	if !strings.HasSuffix(strings.SplitN(obj.APIVersion, "/", 2)[0], ".istio.io") {
		v.Outcome = "not-istio"
		return v
	}
	k, ok := istioKinds[obj.APIVersion+" "+obj.Kind]
	if !ok {
		v.Outcome, v.Error = "unsupported-kind", obj.APIVersion+" "+obj.Kind+" is not checked by this program"
		return v
	}
	spec := k.spec()
	if err := protojson.Unmarshal(obj.Spec, spec); err != nil {
		v.Outcome, v.Error = "rejected", "spec: "+err.Error()
		return v
	}
	meta := config.Meta{GroupVersionKind: k.gvk, Name: obj.Metadata.Name, Namespace: obj.Metadata.Namespace,
		Labels: obj.Metadata.Labels, Annotations: obj.Metadata.Annotations}
	warning, err := k.validate(config.Config{Meta: meta, Spec: spec})
	if warning != nil {
		v.Warning = warning.Error()
	}
	if err != nil {
		v.Outcome, v.Error = "rejected", err.Error()
	} else {
		v.Outcome = "accepted"
	}
	return v
}
