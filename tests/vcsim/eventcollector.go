package main

// EventHistoryCollector.DestroyCollector without the collector's lock. The simulator's own
// (simulator/event_manager.go) runs with the collector locked and then takes the
// EventManager's lock to forget it, while EventManager.PostEvent runs with the EventManager
// locked and takes each collector's lock to add the event to its page: a session destroying
// its collector while another session's task posts an event (a customization's events, for
// example) deadlocks every session. The method itself is as the vSphere API reference,
// HistoryCollector.DestroyCollector, describes it: "Destroys this collector"; it returns
// nothing. Here it takes only the EventManager's lock, as PostEvent does first, so the two
// locks are always taken in one order.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func (p *harnessProxy) DestroyCollector(ctx *simulator.Context, req *types.DestroyCollector) soap.HasFault {
	setThis(req, p.target)
	defer proxies.drop(p)
	collector, ok := ctx.Session.Get(p.target).(*simulator.EventHistoryCollector)
	if !ok {
		return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: p.target})}
	}
	// The simulator's method locks only the EventManager (it is not called with the collector
	// locked here); ctx.Caller is the proxy, so that lock is really taken.
	return collector.DestroyCollector(ctx, req)
}
