package main

// PropertyCollector.Fetch of an unset property. pyVmomi reads a property of a managed object
// it holds no value for (vm.snapshot, vm.parent) with the collector's internal Fetch method.
// vcsim 0.24 answers from RetrievePropertiesEx and, when the property is unset (neither in
// propSet nor in missingSet), indexes an empty missingSet (simulator/property_collector.go,
// Fetch): the handler panics and the client sees the connection closed. vSphere API reference,
// PropertyCollector / ObjectContent: an unset optional property is left out of propSet, and
// it is not a fault (missingSet lists only properties that could not be read); for example
// VirtualMachine.snapshot is unset when the VM has no snapshot. The harness answers such a
// Fetch with an empty FetchResponse (no returnval), which pyVmomi reads as None, as from a
// real server. Every other Fetch is the simulator's.
//
// The request type is the simulator's internal one (simulator/internal.Fetch, which this
// package cannot import), so it is taken as interface{} and read by field name; the
// simulator dispatches by method name and passes it on.

import (
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// fetchResponse and fetchBody encode as simulator/internal's FetchResponse and FetchBody.
type fetchResponse struct {
	Returnval types.AnyType `xml:"returnval,omitempty,typeattr"`
}

type fetchBody struct {
	Res    *fetchResponse `xml:"FetchResponse,omitempty"`
	Fault_ *soap.Fault    `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *fetchBody) Fault() *soap.Fault { return b.Fault_ }

// Fetch answers an unset property with no value, and hands every other request on.
func (pc *pagingCollector) Fetch(ctx *simulator.Context, req interface{}) soap.HasFault {
	fields := reflect.ValueOf(req).Elem()
	this, _ := fields.FieldByName("This").Interface().(types.ManagedObjectReference)
	prop := fields.FieldByName("Prop").String()
	if ctx.Map.Get(this) != nil && propertyUnset(ctx, &pc.PropertyCollector, this, prop) {
		return &fetchBody{Res: &fetchResponse{}}
	}
	own := reflect.ValueOf(&pc.PropertyCollector).MethodByName("Fetch")
	return own.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(req)})[0].Interface().(soap.HasFault)
}

// propertyUnset tells whether the object's property is neither returned nor missing.
func propertyUnset(ctx *simulator.Context, pc *simulator.PropertyCollector, this types.ManagedObjectReference, prop string) bool {
	res := pc.RetrievePropertiesEx(ctx, &types.RetrievePropertiesEx{
		SpecSet: []types.PropertyFilterSpec{{
			PropSet:   []types.PropertySpec{{Type: this.Type, PathSet: []string{prop}}},
			ObjectSet: []types.ObjectSpec{{Obj: this}},
		}},
	})
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Fault_ != nil || body.Res == nil || body.Res.Returnval == nil {
		return false
	}
	objects := body.Res.Returnval.Objects
	return len(objects) == 1 && len(objects[0].PropSet) == 0 && len(objects[0].MissingSet) == 0
}
