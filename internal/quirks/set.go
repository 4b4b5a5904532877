package quirks

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

// StringSetType is a set of strings whose comparisons and checks take linear
// time; the framework's own set type compares every element with every
// other (DESIGN.md, "Large sets").
type StringSetType struct{ basetypes.SetType }

var (
	_ basetypes.SetTypable                    = StringSetType{}
	_ basetypes.SetValuableWithSemanticEquals = StringSet{}
)

// NewStringSetType is the CustomType of a set of strings.
func NewStringSetType() StringSetType {
	return StringSetType{basetypes.SetType{ElemType: types.StringType}}
}

func (t StringSetType) String() string { return "StringSetType" }

func (t StringSetType) Equal(o attr.Type) bool {
	other, ok := o.(StringSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t StringSetType) ValueType(ctx context.Context) attr.Value {
	return StringSet{t.SetType.ValueType(ctx).(basetypes.SetValue)}
}

func (t StringSetType) ValueFromSet(_ context.Context, s basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return StringSet{s}, nil
}

func (t StringSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value %T for a string set", v)
	}
	return StringSet{s}, nil
}

// Validate looks for duplicates with a map where the framework's set type
// compares every pair.
func (t StringSetType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Validation Error", err.Error())
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

// StringSet is the value of a StringSetType.
type StringSet struct{ basetypes.SetValue }

// StringSetNull is a null StringSet.
func StringSetNull() StringSet { return StringSet{types.SetNull(types.StringType)} }

// NewStringSet is the set of strs; empty, never null, when strs is nil
// (a null set would make ips = [] a diff forever).
func NewStringSet(strs []string) (StringSet, diag.Diagnostics) {
	// Built by hand: types.SetValueFrom validates with the quadratic check.
	elems := make([]attr.Value, len(strs))
	for i, str := range strs {
		elems[i] = types.StringValue(str)
	}
	s, diags := types.SetValue(types.StringType, elems)
	return StringSet{s}, diags
}

func (v StringSet) Type(context.Context) attr.Type { return NewStringSetType() }

func (v StringSet) Equal(o attr.Value) bool {
	other, ok := o.(StringSet)
	return ok && sameStrings(v.SetValue, other.SetValue)
}

// SetSemanticEquals lets the framework skip its element-by-element pass
// when a refreshed set holds what the prior one held.
func (v StringSet) SetSemanticEquals(ctx context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
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
