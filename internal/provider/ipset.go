package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// ipSetType is a set of strings whose comparisons and checks take linear
// time; the framework's own set type compares every element with every
// other (DESIGN.md, "Large sets").
type ipSetType struct{ basetypes.SetType }

var (
	_ basetypes.SetTypable                    = ipSetType{}
	_ basetypes.SetValuableWithSemanticEquals = ipSet{}
)

func newIPSetType() ipSetType { return ipSetType{basetypes.SetType{ElemType: types.StringType}} }

func (t ipSetType) String() string { return "ipSetType" }

func (t ipSetType) Equal(o attr.Type) bool {
	other, ok := o.(ipSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t ipSetType) ValueType(ctx context.Context) attr.Value {
	return ipSet{t.SetType.ValueType(ctx).(basetypes.SetValue)}
}

func (t ipSetType) ValueFromSet(_ context.Context, s basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return ipSet{s}, nil
}

func (t ipSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value %T for an IP set", v)
	}
	return ipSet{s}, nil
}

// Validate looks for duplicates with a map where the framework's set type
// compares every pair.
func (t ipSetType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "IP Set Validation Error", err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		var s string
		if !e.IsFullyKnown() || e.IsNull() || e.As(&s) != nil {
			continue
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %q", s))
		}
		seen[s] = true
	}
	return diags
}

// ipSet is the value of an ipSetType.
type ipSet struct{ basetypes.SetValue }

func newIPSet(_ context.Context, ips []string) (ipSet, diag.Diagnostics) {
	// Built by hand: types.SetValueFrom validates with the quadratic check.
	// Never nil elements: a null set would make ips = [] a diff forever.
	elems := make([]attr.Value, len(ips))
	for i, ip := range ips {
		elems[i] = types.StringValue(ip)
	}
	s, diags := types.SetValue(types.StringType, elems)
	return ipSet{s}, diags
}

func (v ipSet) Type(context.Context) attr.Type { return newIPSetType() }

func (v ipSet) Equal(o attr.Value) bool {
	other, ok := o.(ipSet)
	return ok && sameStrings(v.SetValue, other.SetValue)
}

// SetSemanticEquals lets the framework skip its element-by-element pass
// when a refreshed set holds what the prior one held.
func (v ipSet) SetSemanticEquals(ctx context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, diags := prior.ToSetValue(ctx)
	return sameStrings(v.SetValue, p), diags
}

// sameStrings compares two sets of strings in linear time.
func sameStrings(a, b basetypes.SetValue) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.IsNull() == b.IsNull() && a.IsUnknown() == b.IsUnknown()
	}
	ae, be := a.Elements(), b.Elements()
	if len(ae) != len(be) {
		return false
	}
	set := make(map[string]bool, len(ae))
	for _, e := range ae {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsUnknown() || s.IsNull() {
			return a.Equal(b) // never for IPs; keep the exact answer
		}
		set[s.ValueString()] = true
	}
	for _, e := range be {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsUnknown() || s.IsNull() || !set[s.ValueString()] {
			return false
		}
	}
	return true
}
