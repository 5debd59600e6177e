package main

// RetrievePropertiesEx paging as vCenter and ESXi do it. The simulator in
// govmomi 0.24 ignores RetrieveOptions.maxObjects, returns every object in one
// result and does not implement ContinueRetrievePropertiesEx or
// CancelRetrievePropertiesEx (simulator/property_collector.go,
// RetrievePropertiesEx). pagingCollector wraps its PropertyCollector: results
// larger than maxObjects are cut into pages held under a token until continued
// or cancelled. Only the *Ex calls page; RetrieveProperties still returns all.

import (
	"strconv"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// pagingCollector embeds the simulator's collector by value: the simulator
// makes each session's view of the root collector with reflect.New of the
// registered type, so the zero value must work.
type pagingCollector struct {
	simulator.PropertyCollector

	pagesMu sync.Mutex
	pages   map[string]heldPages
	nextID  int
}

// heldPages are the objects not yet returned under one token, and the page size.
type heldPages struct {
	rest []types.ObjectContent
	size int
}

var serviceInstanceRef = types.ManagedObjectReference{Type: "ServiceInstance", Value: "ServiceInstance"}

// installPaging replaces the root PropertyCollector with a paging one.
func installPaging() {
	si := simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance)
	if pc, ok := simulator.Map.Get(si.Content.PropertyCollector).(*simulator.PropertyCollector); ok {
		simulator.Map.Put(&pagingCollector{PropertyCollector: simulator.PropertyCollector{PropertyCollector: pc.PropertyCollector}})
	}
}

// RetrievePropertiesEx returns at most maxObjects objects and a token for the rest.
func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	pc.cut(body.Res.Returnval, int(r.Options.MaxObjects))
	return res
}

// ContinueRetrievePropertiesEx returns the next page held under a token.
func (pc *pagingCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	held, ok := pc.take(r.Token)
	if !ok {
		body.Fault_ = simulator.Fault("invalid token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	result := types.RetrieveResult{Objects: held.rest}
	pc.cut(&result, held.size) // later pages keep the first page's size
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: result}
	return body
}

// CancelRetrievePropertiesEx drops the pages held under a token.
func (pc *pagingCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	if _, ok := pc.take(r.Token); !ok {
		body.Fault_ = simulator.Fault("invalid token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// CreatePropertyCollector makes private collectors page too.
func (pc *pagingCollector) CreatePropertyCollector(ctx *simulator.Context, c *types.CreatePropertyCollector) soap.HasFault {
	private := &pagingCollector{}
	private.Self.Type = "PropertyCollector" // else the moref type would be the Go type name
	return &methods.CreatePropertyCollectorBody{
		Res: &types.CreatePropertyCollectorResponse{Returnval: ctx.Session.Put(private).Reference()},
	}
}

// cut keeps the first size objects in result and holds the rest under a new token.
func (pc *pagingCollector) cut(result *types.RetrieveResult, size int) {
	if size <= 0 || len(result.Objects) <= size {
		return
	}
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]heldPages{}
	}
	pc.nextID++
	result.Token = strconv.Itoa(pc.nextID)
	pc.pages[result.Token] = heldPages{rest: result.Objects[size:], size: size}
	result.Objects = result.Objects[:size]
}

func (pc *pagingCollector) take(token string) (heldPages, bool) {
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	held, ok := pc.pages[token]
	delete(pc.pages, token)
	return held, ok
}
