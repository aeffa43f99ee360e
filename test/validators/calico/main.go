// Command calico-validate runs Calico's own validation (libcalico-go) on a stream of projectcalico.org/v3
// objects and prints one JSON line per object: accepted, or rejected with Calico's error text.
//
// Each kind goes through the steps libcalico-go's clientv3 runs before it writes to the datastore:
//   - decoding as calicoctl does (go-yaml-wrapper UnmarshalStrict into the API type: unknown fields fail);
//   - GlobalNetworkPolicy/NetworkPolicy/StagedGlobalNetworkPolicy: clientv3 Create's Types defaulting, validator.Validate and
//     names.ValidateTieredPolicyName (the tier-exists lookup is skipped: there is no datastore here);
//   - GlobalNetworkSet/NetworkSet: validator.Validate (all clientv3 Create does);
//   - IPPool: the real clientv3 IPPools().UnsafeCreate, whose validateAndSetDefaults + validator.Validate run
//     before any datastore call (UnsafeCreate only skips the overlap check against other pools); it is given a
//     cancelled context and an etcd endpoint that is never dialled, so it stops at the first datastore call and a
//     non-validation error there means "passed validation".
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	apiv3 "github.com/projectcalico/api/pkg/apis/projectcalico/v3"
	yaml "github.com/projectcalico/go-yaml-wrapper"
	log "github.com/sirupsen/logrus"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/projectcalico/calico/libcalico-go/lib/apiconfig"
	"github.com/projectcalico/calico/libcalico-go/lib/clientv3"
	cerrors "github.com/projectcalico/calico/libcalico-go/lib/errors"
	"github.com/projectcalico/calico/libcalico-go/lib/names"
	cnet "github.com/projectcalico/calico/libcalico-go/lib/net"
	"github.com/projectcalico/calico/libcalico-go/lib/options"
	validator "github.com/projectcalico/calico/libcalico-go/lib/validator/v3"
)

type result struct {
	Index     int    `json:"index"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Outcome is "accepted", "rejected", "unsupported-kind" (projectcalico.org/v3 kind with no type in the
	// open-source API) or "not-calico" (another apiVersion: ignored).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// ValidatorError is libcalico-go's answer alone, CRDErrors the API server's CRD checks alone (see crd.go).
	ValidatorError string   `json:"validatorError,omitempty"`
	CRDErrors      []string `json:"crdErrors,omitempty"`
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func main() {
	crdPath := flag.String("crds", "", "Calico's projectcalico.org/v3 CRD bundle (manifests/v3_projectcalico_org.yaml) for the API server's checks")
	flag.Parse()
	if *crdPath == "" {
		fatal("-crds is required")
	}
	crds, err := loadCRDs(*crdPath)
	if err != nil {
		fatal("loading the CRDs: %v", err)
	}
	log.SetLevel(log.FatalLevel)
	client, err := clientv3.New(apiconfig.CalicoAPIConfig{Spec: apiconfig.CalicoAPIConfigSpec{
		DatastoreType: apiconfig.EtcdV3,
		// Never dialled: every call gets a cancelled context (see the package comment).
		EtcdConfig: apiconfig.EtcdConfig{EtcdEndpoints: "http://127.0.0.1:1"},
	}})
	if err != nil {
		fatal("creating the libcalico-go client: %v", err)
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
		for _, item := range splitList(doc) {
			r := check(client, crds, item)
			r.Index = index
			index++
			if err := enc.Encode(r); err != nil {
				fatal("writing: %v", err)
			}
		}
	}
}

// splitList turns a YAML/JSON sequence (or a v1 List) into its items; anything else is one object.
func splitList(doc []byte) [][]byte {
	jsonDoc, err := k8syaml.ToJSON(doc)
	if err != nil {
		return [][]byte{doc}
	}
	trimmed := bytes.TrimSpace(jsonDoc)
	var items []json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if json.Unmarshal(trimmed, &items) == nil {
			return toBytes(items)
		}
	}
	var list struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(trimmed, &list) == nil && list.Kind == "List" {
		return toBytes(list.Items)
	}
	return [][]byte{jsonDoc}
}

func toBytes(items []json.RawMessage) [][]byte {
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}

func check(client clientv3.Interface, crds map[string]*crdSchema, doc []byte) result {
	var tm typeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return result{Outcome: "rejected", Error: "not a Kubernetes object: " + err.Error()}
	}
	r := result{Kind: tm.Kind, Name: tm.Metadata.Name, Namespace: tm.Metadata.Namespace}
	if tm.APIVersion != apiv3.GroupVersionCurrent {
		r.Outcome = "not-calico"
		return r
	}
	err := validate(client, tm.Kind, doc)
	if errors.Is(err, errUnsupportedKind) {
		r.Outcome, r.Error = "unsupported-kind", err.Error()
		return r
	}
	if err != nil {
		r.ValidatorError = err.Error()
	}
	var obj map[string]any
	// utiljson decodes integers as int64, as the API server does (CEL rules compare ints).
	if jsonDoc, jerr := k8syaml.ToJSON(doc); jerr != nil || utiljson.Unmarshal(jsonDoc, &obj) != nil {
		r.CRDErrors = []string{"not a JSON object"}
	} else if crdErrs, found := checkCRD(crds, obj); !found {
		r.CRDErrors = []string{fmt.Sprintf("no CRD for kind %q in the bundle", tm.Kind)}
	} else {
		for _, e := range crdErrs {
			r.CRDErrors = append(r.CRDErrors, e.Error())
		}
	}
	var all []string
	if r.ValidatorError != "" {
		all = append(all, "libcalico-go: "+r.ValidatorError)
	}
	for _, e := range r.CRDErrors {
		all = append(all, "CRD: "+e)
	}
	if len(all) > 0 {
		r.Outcome, r.Error = "rejected", strings.Join(all, "; ")
	} else {
		r.Outcome = "accepted"
	}
	return r
}

var errUnsupportedKind = errors.New("no type for this kind in github.com/projectcalico/api (open-source Calico)")

func validate(client clientv3.Interface, kind string, doc []byte) error {
	switch kind {
	case apiv3.KindGlobalNetworkPolicy:
		p := apiv3.NewGlobalNetworkPolicy()
		if err := yaml.UnmarshalStrict(doc, p); err != nil {
			return err
		}
		defaultPolicyTypesField(p.Spec.Ingress, p.Spec.Egress, &p.Spec.Types)
		if err := validator.Validate(p); err != nil {
			return err
		}
		return names.ValidateTieredPolicyName(p.Name, names.TierOrDefault(p.Spec.Tier))
	case apiv3.KindNetworkPolicy:
		p := apiv3.NewNetworkPolicy()
		if err := yaml.UnmarshalStrict(doc, p); err != nil {
			return err
		}
		defaultPolicyTypesField(p.Spec.Ingress, p.Spec.Egress, &p.Spec.Types)
		if err := validator.Validate(p); err != nil {
			return err
		}
		return names.ValidateTieredPolicyName(p.Name, names.TierOrDefault(p.Spec.Tier))
	case apiv3.KindStagedGlobalNetworkPolicy:
		// clientv3's StagedGlobalNetworkPolicies().Create: types defaulted unless stagedAction is Delete, then
		// validator.Validate (which checks the spec as the enforced policy's) and the tiered name.
		p := apiv3.NewStagedGlobalNetworkPolicy()
		if err := yaml.UnmarshalStrict(doc, p); err != nil {
			return err
		}
		if p.Spec.StagedAction != apiv3.StagedActionDelete {
			defaultPolicyTypesField(p.Spec.Ingress, p.Spec.Egress, &p.Spec.Types)
		}
		if err := validator.Validate(p); err != nil {
			return err
		}
		return names.ValidateTieredPolicyName(p.Name, names.TierOrDefault(p.Spec.Tier))
	case apiv3.KindGlobalNetworkSet:
		s := apiv3.NewGlobalNetworkSet()
		if err := yaml.UnmarshalStrict(doc, s); err != nil {
			return err
		}
		return validator.Validate(s)
	case apiv3.KindNetworkSet:
		s := apiv3.NewNetworkSet()
		if err := yaml.UnmarshalStrict(doc, s); err != nil {
			return err
		}
		return validator.Validate(s)
	case apiv3.KindTier:
		t := apiv3.NewTier()
		if err := yaml.UnmarshalStrict(doc, t); err != nil {
			return err
		}
		return validator.Validate(t)
	case apiv3.KindIPPool:
		p := apiv3.NewIPPool()
		if err := yaml.UnmarshalStrict(doc, p); err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client.IPPools().UnsafeCreate(ctx, p, options.SetOptions{})
		var verr cerrors.ErrorValidation
		if errors.As(err, &verr) {
			return err
		}
		// Past validation, the only error expected is the cancelled datastore write.
		if err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "context canceled") {
			return fmt.Errorf("unexpected error after validation (not a verdict): %w", err)
		}
		return checkPoolOverlap(p)
	default:
		return fmt.Errorf("kind %q: %w", kind, errUnsupportedKind)
	}
}

// defaultPolicyTypesField is clientv3's unexported defaulting of spec.types, which its Create runs before
// validating (libcalico-go/lib/clientv3/globalnetworkpolicy.go, same release), copied because it is not exported.
func defaultPolicyTypesField(ingressRules, egressRules []apiv3.Rule, types *[]apiv3.PolicyType) {
	if len(*types) == 0 {
		if len(egressRules) == 0 {
			*types = []apiv3.PolicyType{apiv3.PolicyTypeIngress}
		} else if len(ingressRules) == 0 {
			*types = []apiv3.PolicyType{apiv3.PolicyTypeEgress}
		} else {
			*types = []apiv3.PolicyType{apiv3.PolicyTypeIngress, apiv3.PolicyTypeEgress}
		}
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "calico-validate: "+format+"\n", args...)
	os.Exit(2)
}

// The pools of the stream so far: a stream is one estate applied to one cluster.
var streamPools []*apiv3.IPPool

// independent turns off checks between the objects of a stream (for a list of unrelated inputs).
var independent = flag.Bool("independent", false, "objects are unrelated: no checks between them (IPPool overlap)")

// checkPoolOverlap is the step of clientv3's IPPool validateAndSetDefaults that needs the datastore (the pools
// already there), run against the stream's earlier pools with Calico's own CIDR type and message.
func checkPoolOverlap(p *apiv3.IPPool) error {
	if *independent {
		return nil
	}
	_, cidr, err := cnet.ParseCIDR(p.Spec.CIDR)
	if err != nil {
		return err
	}
	var fields []cerrors.ErroredField
	for _, other := range streamPools {
		if other.Name == p.Name {
			continue
		}
		_, otherCIDR, err := cnet.ParseCIDR(other.Spec.CIDR)
		if err == nil && otherCIDR.IsNetOverlap(cidr.IPNet) {
			fields = append(fields, cerrors.ErroredField{
				Name:   "IPPool.Spec.CIDR",
				Reason: fmt.Sprintf("IPPool(%s) CIDR overlaps with IPPool(%s) CIDR %s", p.Name, other.Name, other.Spec.CIDR),
				Value:  p.Spec.CIDR,
			})
		}
	}
	streamPools = append(streamPools, p)
	if len(fields) > 0 {
		return cerrors.ErrorValidation{ErroredFields: fields}
	}
	return nil
}
