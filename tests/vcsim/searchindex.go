package main

// SearchIndex.FindAllByUuid, which govmomi 0.24's simulator lacks (it answers "not
// implemented"). vSphere API reference, SearchIndex.FindAllByUuid: "Finds all virtual machines
// or hosts by UUID"; datacenter: "If specified, restricts the query to this datacenter. If not
// specified, the entire inventory is searched"; vmSearch: "If true, search for virtual
// machines, otherwise search for hosts"; instanceUuid: "Should only be set when vmSearch is
// true. If specified, search for virtual machines whose instance UUID matches the given uuid.
// Otherwise, search for virtual machines whose BIOS UUID matches". The answer is every match
// (ManagedObjectReference[]), none when nothing matches. The uuids compare as the simulator's
// own FindByUuid compares them (exactly).

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["FindAllByUuid"] = "SearchIndex"
}

func (p *harnessProxy) FindAllByUuid(ctx *simulator.Context, req *types.FindAllByUuid) soap.HasFault {
	setThis(req, p.target)
	body := &methods.FindAllByUuidBody{Res: new(types.FindAllByUuidResponse)}
	instance := req.InstanceUuid != nil && *req.InstanceUuid
	for _, e := range entities(map[bool]string{true: "VirtualMachine", false: "HostSystem"}[req.VmSearch]) {
		if req.Datacenter != nil && !inDatacenter(e, *req.Datacenter) {
			continue
		}
		var uuid string
		ctx.WithLock(e, func() {
			switch obj := e.(type) {
			case *simulator.VirtualMachine:
				if obj.Config != nil {
					uuid = map[bool]string{true: obj.Config.InstanceUuid, false: obj.Config.Uuid}[instance]
				}
			case *simulator.HostSystem:
				uuid = obj.Summary.Hardware.Uuid
			}
		})
		if uuid == req.Uuid {
			body.Res.Returnval = append(body.Res.Returnval, e.Reference())
		}
	}
	return body
}

func inDatacenter(e mo.Entity, dc types.ManagedObjectReference) bool {
	found := ancestor(e, "Datacenter")
	return found != nil && found.Reference() == dc
}
