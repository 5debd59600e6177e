package main

// RelocateVM_Task without a host into another compute resource (README, "What this simulator does"):
// VirtualMachineRelocateSpec.host, "If not specified, ... if resource pool is specified, and
// the target pool represents a stand-alone host, the host is used; ... a DRS-enabled cluster,
// a host selected by DRS is used; ... a cluster without DRS enabled, an InvalidArgument
// exception be thrown". The simulator left the VM on its old host, outside the pool's compute
// resource. Here a stand-alone host is used, and DRS's choice is the first host of the
// cluster that is connected, not in maintenance mode and mounts the VM's datastores (the
// target one of a storage move), as the clone placement in clone.go; none such is
// InvalidDatastore.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["RelocateVM_Task"] = "VirtualMachine"
}

func (p *harnessProxy) RelocateVMTask(ctx *simulator.Context, req *types.RelocateVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "RelocateVMTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		if fault := relocationHost(vm, &req.Spec); fault != nil {
			ref := failedTask(vm, "relocateVm", fault)
			return &methods.RelocateVM_TaskBody{Res: &types.RelocateVM_TaskResponse{Returnval: ref}}
		}
		return vm.RelocateVMTask(ctx, req)
	})
}

// relocationHost fills spec.Host when the spec names a pool of another compute resource and
// no host, as vCenter does; a cluster without DRS is InvalidArgument (spec.host).
func relocationHost(vm *simulator.VirtualMachine, spec *types.VirtualMachineRelocateSpec) types.BaseMethodFault {
	if spec.Host != nil || spec.Pool == nil {
		return nil
	}
	rp, ok := simulator.Map.Get(*spec.Pool).(*simulator.ResourcePool)
	if !ok {
		return nil
	}
	hosts := computeHosts(rp.Owner) // clone.go
	if vm.Runtime.Host != nil && containsRef(hosts, *vm.Runtime.Host) {
		return nil // the pool is in the compute resource the VM runs in: it keeps its host
	}
	if cluster, ok := simulator.Map.Get(rp.Owner).(*simulator.ClusterComputeResource); ok && !drsEnabled(cluster) {
		return &types.InvalidArgument{InvalidProperty: "spec.host"}
	}
	needed := vm.Datastore
	if spec.Datastore != nil {
		needed = []types.ManagedObjectReference{*spec.Datastore}
	}
	for _, ref := range hosts {
		h, ok := simulator.Map.Get(ref).(*simulator.HostSystem)
		if !ok || h.Runtime.InMaintenanceMode || h.Runtime.ConnectionState != types.HostSystemConnectionStateConnected {
			continue
		}
		if mountsAll(h, needed) {
			chosen := ref
			spec.Host = &chosen
			return nil
		}
	}
	var first *types.ManagedObjectReference
	if len(needed) > 0 {
		first = &needed[0]
	}
	return &types.InvalidDatastore{Datastore: first}
}

func drsEnabled(c *simulator.ClusterComputeResource) bool {
	config, ok := c.ConfigurationEx.(*types.ClusterConfigInfoEx)
	return ok && config.DrsConfig.Enabled != nil && *config.DrsConfig.Enabled
}

func mountsAll(h *simulator.HostSystem, datastores []types.ManagedObjectReference) bool {
	for _, ds := range datastores {
		if !containsRef(h.Datastore, ds) {
			return false
		}
	}
	return true
}
