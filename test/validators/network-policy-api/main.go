// Command network-policy-api-validate decodes a stream of policy.networking.k8s.io objects with the Go types of
// SIG Network's sigs.k8s.io/network-policy-api (the release go.mod pins) and prints one JSON line per object:
// accepted, or rejected with the decoder's error. Decoding is strict, as the API server decodes with field
// validation Strict: case-sensitive, and unknown or duplicate fields are errors.
//
// ClusterNetworkPolicy is decoded into the version the object names (v1beta1, the release's storage version, or
// v1alpha2). The types carry every field of the experimental channel (domainNames, nodes, destinationNamedPort), so
// whether the standard channel's CRD has a field is the API server's answer (test/lab), not this program's.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"

	"sigs.k8s.io/network-policy-api/apis/v1alpha2"
	"sigs.k8s.io/network-policy-api/apis/v1beta1"
)

type result struct {
	Index int    `json:"index"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	// Outcome is "accepted", "rejected", "unsupported-kind" (a policy.networking.k8s.io kind or version without a
	// type here) or "not-network-policy-api" (another group: ignored).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	// YAML documents (or JSON ones) of the stream, each as JSON; empty documents ("---" twice) decode to null.
	stream := k8syaml.NewYAMLOrJSONDecoder(bufio.NewReaderSize(os.Stdin, 1<<20), 1<<16)
	for index := 0; ; {
		var doc json.RawMessage
		if err := stream.Decode(&doc); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			fatal("reading document %d of the input stream: %v", index, err)
		}
		if trimmed := bytes.TrimSpace(doc); len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
			continue
		}
		r := check(doc)
		r.Index = index
		index++
		if err := enc.Encode(r); err != nil {
			fatal("writing: %v", err)
		}
	}
}

func check(doc []byte) result {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(doc); err != nil {
		return result{Outcome: "rejected", Error: "not a Kubernetes object: " + err.Error()}
	}
	r := result{Kind: u.GetKind(), Name: u.GetName()}
	gv := u.GroupVersionKind()
	if gv.Group != v1beta1.GroupName {
		r.Outcome = "not-network-policy-api"
		return r
	}
	var into any
	switch {
	case gv.Version == v1beta1.SchemeGroupVersion.Version && gv.Kind == "ClusterNetworkPolicy":
		into = &v1beta1.ClusterNetworkPolicy{}
	case gv.Version == v1alpha2.SchemeGroupVersion.Version && gv.Kind == "ClusterNetworkPolicy":
		into = &v1alpha2.ClusterNetworkPolicy{}
	default:
		r.Outcome, r.Error = "unsupported-kind", fmt.Sprintf("%s is not a type of this release", gv.String())
		return r
	}
	// Strict as the API server with field validation Strict (kubectl's default): case-sensitive, unknown and
	// duplicate fields are errors.
	strictErrs, err := sigsjson.UnmarshalStrict(doc, into)
	if err == nil && len(strictErrs) > 0 {
		err = fmt.Errorf("strict decoding: %w", errors.Join(strictErrs...))
	}
	if err != nil {
		r.Outcome, r.Error = "rejected", err.Error()
		return r
	}
	r.Outcome = "accepted"
	return r
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "network-policy-api-validate: "+format+"\n", args...)
	os.Exit(2)
}
