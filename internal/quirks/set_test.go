package quirks

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

const largeSetsRemove = `the framework no longer needs StringSetType: remove it (DESIGN.md, "Large sets")`

// quadratic fails unless the cost at 4n is at least 8 times the cost at n
// (16 when quadratic, 4 when linear).
func quadratic(t *testing.T, what string, cost func(n int) float64, n int) {
	t.Helper()
	small, large := cost(n), cost(4*n)
	t.Logf("%s: %.0f at %d elements, %.0f at %d (x%.1f)", what, small, n, large, 4*n, large/small)
	if large < 8*small {
		t.Errorf("%s grows x%.1f for 4 times the elements, no longer quadratically: %s", what, large/small, largeSetsRemove)
	}
}

// The framework's SetValue.Equal looks for each element among all the
// other set's: StringSet.Equal uses a map.
func TestFrameworkSetEqualIsQuadratic(t *testing.T) {
	quadratic(t, "element comparisons in SetValue.Equal", func(n int) float64 {
		a, b := countedSet(n), countedSet(n)
		counts = counters{}
		if !a.Equal(b) {
			t.Fatal("equal sets compare unequal")
		}
		return float64(counts.equal.Load())
	}, 500)
}

// On refresh the framework's semantic equality pass compares each element
// of the new set with every element of the prior one: StringSet's
// SetSemanticEquals ends the pass before it starts, for an unchanged set.
func TestFrameworkSetSemanticEqualityIsQuadratic(t *testing.T) {
	srv := providerserver.NewProtocol6(testProvider{resources: []func() resource.Resource{newSetResource}})()
	quadratic(t, "element semantic equality calls in a refresh", func(n int) float64 {
		elems := make([]tftypes.Value, n)
		for i := range elems {
			elems[i] = tftypes.NewValue(tftypes.String, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"ips": tftypes.Set{ElementType: tftypes.String}}}
		state, err := tfprotov6.NewDynamicValue(objType, tftypes.NewValue(objType, map[string]tftypes.Value{
			"ips": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems),
		}))
		if err != nil {
			t.Fatal(err)
		}
		counts = counters{}
		resp, err := srv.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: "test_set", CurrentState: &state})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("ReadResource: %v %v", err, resp.Diagnostics)
		}
		return float64(counts.semantic.Load())
	}, 100)
}

// The framework's SetType.Validate looks for duplicates by comparing every
// pair of elements: StringSetType.Validate uses a map. Its comparisons
// cannot be counted, so this measures time, the best of three.
func TestFrameworkSetValidateIsQuadratic(t *testing.T) {
	if testing.Short() {
		t.Skip("measures time")
	}
	setType := basetypes.SetType{ElemType: types.StringType}
	quadratic(t, "nanoseconds in SetType.Validate", func(n int) float64 {
		elems := make([]tftypes.Value, n)
		for i := range elems {
			elems[i] = tftypes.NewValue(tftypes.String, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		in := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			if diags := setType.Validate(t.Context(), in, path.Root("ips")); diags.HasError() {
				t.Fatal(diags)
			}
			best = min(best, time.Since(start))
		}
		return float64(best)
	}, 500)
}

type counters struct{ equal, semantic atomic.Int64 }

// counts is what the elements of countedType counted since last reset.
var counts counters

func countedSet(n int) basetypes.SetValue {
	elems := make([]attr.Value, n)
	for i := range elems {
		elems[i] = counted{types.StringValue(fmt.Sprintf("10.0.%d.%d", i/256, i%256))}
	}
	return basetypes.NewSetValueMust(countedType{}, elems)
}

// countedType is a string type whose values count their comparisons.
type countedType struct{ basetypes.StringType }

func (countedType) Equal(o attr.Type) bool { _, ok := o.(countedType); return ok }

func (countedType) String() string { return "countedType" }

func (countedType) ValueType(context.Context) attr.Value { return counted{} }

func (countedType) ValueFromString(_ context.Context, s basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return counted{s}, nil
}

func (t countedType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	return counted{v.(basetypes.StringValue)}, nil
}

type counted struct{ basetypes.StringValue }

var _ basetypes.StringValuableWithSemanticEquals = counted{}

func (counted) Type(context.Context) attr.Type { return countedType{} }

func (v counted) Equal(o attr.Value) bool {
	counts.equal.Add(1)
	other, ok := o.(counted)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v counted) StringSemanticEquals(_ context.Context, o basetypes.StringValuable) (bool, diag.Diagnostics) {
	counts.semantic.Add(1)
	other, ok := o.(counted)
	return ok && v.StringValue.Equal(other.StringValue), nil
}

// setResource has one set of countedType; Read keeps the state as it is.
type setResource struct{}

func newSetResource() resource.Resource { return setResource{} }

func (setResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "test_set"
}

func (setResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"ips": schema.SetAttribute{ElementType: countedType{}, Optional: true},
	}}
}

func (setResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (setResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}

func (setResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}

func (setResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
