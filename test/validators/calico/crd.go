package main

// The CRD layer: the pinned Calico commit's projectcalico.org/v3 CRDs (OpenAPI schema and CEL rules), checked
// with the Kubernetes API server's own code (k8s.io/apiextensions-apiserver). In "v3 CRDs, no API server" mode
// the kube-apiserver applies exactly these checks before Calico sees an object; at the pinned commit
// libcalico-go's validator runs the same steps itself (libcalico-go/lib/validator/v3/crd_schemas.go:
// default, then schema validation, then CEL), which the v3.31.0 validator built here does not have yet.
// The object metadata is checked with the API server's ValidateObjectMetaAccessor, after what the server and
// kubectl do to it first: a cluster-scoped object's namespace is cleared, an empty namespace of a namespaced
// object is kubectl's context namespace ("default" here).

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	celvalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	schemadefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	schemavalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	sigsyaml "sigs.k8s.io/yaml"
)

type crdSchema struct {
	namespaced      bool
	schemaValidator schemavalidation.SchemaCreateValidator
	structural      *structuralschema.Structural
	celValidator    *celvalidation.Validator
}

// loadCRDs reads every projectcalico.org CustomResourceDefinition of a bundle (e.g. manifests/v3_projectcalico_org.yaml).
func loadCRDs(path string) (map[string]*crdSchema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*crdSchema{}
	reader := k8syaml.NewYAMLReader(bufio.NewReaderSize(f, 1<<20))
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if !bytes.Contains(doc, []byte("kind: CustomResourceDefinition")) {
			continue
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := sigsyaml.Unmarshal(doc, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Spec.Group != "projectcalico.org" {
			continue
		}
		for i := range crd.Spec.Versions {
			v := &crd.Spec.Versions[i]
			if v.Name != "v3" || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			internal := &apiextensions.JSONSchemaProps{}
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
				return nil, fmt.Errorf("CRD %s: %w", crd.Name, err)
			}
			sv, _, err := schemavalidation.NewSchemaValidator(internal)
			if err != nil {
				return nil, fmt.Errorf("CRD %s schema: %w", crd.Name, err)
			}
			structural, err := structuralschema.NewStructural(internal)
			if err != nil {
				return nil, fmt.Errorf("CRD %s structural schema: %w", crd.Name, err)
			}
			out[crd.Spec.Names.Kind] = &crdSchema{
				namespaced:      crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				schemaValidator: sv,
				structural:      structural,
				celValidator:    celvalidation.NewValidator(structural, true, celconfig.PerCallLimit),
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no projectcalico.org/v3 CustomResourceDefinition", path)
	}
	return out, nil
}

// checkCRD returns the API server's errors for the object (nil when it passes), and whether a CRD exists for it.
func checkCRD(crds map[string]*crdSchema, obj map[string]any) (field.ErrorList, bool) {
	u := &unstructured.Unstructured{Object: obj}
	s, ok := crds[u.GetKind()]
	if !ok {
		return nil, false
	}
	if !s.namespaced {
		u.SetNamespace("")
	} else if u.GetNamespace() == "" {
		u.SetNamespace("default")
	}
	// The steps of the API server's customResourceStrategy.Validate (k8s.io/apiextensions-apiserver
	// pkg/registry/customresource), after the defaulting it applies on decoding.
	schemadefaulting.Default(u.Object, s.structural)
	var errs field.ErrorList
	errs = append(errs, apivalidation.ValidateObjectMetaAccessor(u, s.namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	errs = append(errs, schemavalidation.ValidateCustomResource(nil, u.Object, s.schemaValidator)...)
	errs = append(errs, schemaobjectmeta.Validate(nil, u.Object, s.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, s.structural, u.Object)...)
	if s.celValidator != nil {
		if blocking := blockingErr(errs); blocking != nil {
			errs = append(errs, blocking)
		} else {
			celErrs, _ := s.celValidator.Validate(context.Background(), nil, s.structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
			errs = append(errs, celErrs...)
		}
	}
	return errs, true
}

// blockingErr is the API server's hasBlockingErr (unexported there): errors after which it does not run CEL rules.
func blockingErr(errs field.ErrorList) *field.Error {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return nil
}
