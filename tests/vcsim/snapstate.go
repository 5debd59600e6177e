package main

// What a snapshot records and what a revert or a removal does to the VM, as the vSphere API
// reference describes them; the simulator (simulator/snapshot.go, virtual_machine.go)
// records the VM's power state and the quiesce flag as given, and reverts and removals
// leave the VM's power state and disks untouched:
//   - CreateSnapshot_Task, memory: "When set to FALSE, the power state of the snapshot is set
//     to powered off"; "For a virtual machine in suspended state we always include memory".
//     quiesce: "If TRUE and the virtual machine is powered on ..., VMware Tools is used to
//     quiesce the file system ... If the virtual machine is powered off or VMware Tools are
//     not available, the quiesce flag is ignored" (the snapshot is not quiesced).
//   - RevertToSnapshot_Task / RevertToCurrentSnapshot_Task: "Change the execution state of the
//     virtual machine to the state of this snapshot"; "If a snapshot was taken while a virtual
//     machine was powered on, and this operation is invoked after the virtual machine was
//     powered off, the operation causes the virtual machine to power on"; suppressPowerOn:
//     "the virtual machine will not be powered on regardless of the power state when the
//     snapshot was created".
//   - RemoveSnapshot_Task / RemoveAllSnapshots_Task, consolidate: "If set to true, the virtual
//     disk associated with this snapshot will be merged with other disk if possible. Defaults
//     to true"; VirtualMachineRuntimeInfo.consolidationNeeded: "This can happen for example
//     when a snapshot is deleted but its associated disk is not committed back to the base
//     disk". RemoveAllSnapshots_Task with consolidate (the default) leaves no delta disk, so
//     nothing to consolidate; ConsolidateVMDisks_Task (which the simulator lacks) merges them
//     and clears it.
// With --snapshot-task-delay the create and removal tasks run that long (snapdelay.go).

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	poweredOn  = types.VirtualMachinePowerStatePoweredOn
	poweredOff = types.VirtualMachinePowerStatePoweredOff
	suspended  = types.VirtualMachinePowerStateSuspended
)

func (p *harnessProxy) CreateSnapshotTask(ctx *simulator.Context, req *types.CreateSnapshot_Task) soap.HasFault {
	return p.snapshotTask(ctx, req, "CreateSnapshotTask", "createSnapshot", new(methods.CreateSnapshot_TaskBody), func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		power := vm.Runtime.PowerState
		req.Quiesce = req.Quiesce && power == poweredOn && vm.Guest != nil &&
			vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		res := vm.CreateSnapshotTask(req)
		captured := power
		if power == poweredOn && !req.Memory {
			captured = poweredOff
		}
		if body, ok := res.(*methods.CreateSnapshot_TaskBody); ok && body.Res != nil &&
			taskFault(body.Res.Returnval) == nil && captured != power && vm.Snapshot != nil &&
			vm.Snapshot.CurrentSnapshot != nil {
			if node := findInTree(vm.Snapshot, *vm.Snapshot.CurrentSnapshot); node != nil {
				node.State = captured
				ctx.Map.Update(vm, []types.PropertyChange{{Name: "snapshot", Val: vm.Snapshot}})
			}
		}
		return res
	})
}

func (p *harnessProxy) RevertToSnapshotTask(ctx *simulator.Context, req *types.RevertToSnapshot_Task) soap.HasFault {
	return p.onTarget(ctx, req, "RevertToSnapshotTask", func(obj mo.Reference) soap.HasFault {
		snapshot := obj.(*simulator.VirtualMachineSnapshot)
		vm, ok := ctx.Map.Get(snapshot.Vm).(*simulator.VirtualMachine)
		if !ok {
			return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: snapshot.Vm})}
		}
		res := snapshot.RevertToSnapshotTask(req)
		if body, ok := res.(*methods.RevertToSnapshot_TaskBody); ok && body.Res != nil && taskFault(body.Res.Returnval) == nil {
			ctx.WithLock(vm, func() { powerAsSnapshot(ctx, vm, snapshot.Self, req.SuppressPowerOn) })
		}
		return res
	})
}

func (p *harnessProxy) RevertToCurrentSnapshotTask(ctx *simulator.Context, req *types.RevertToCurrentSnapshot_Task) soap.HasFault {
	return p.onTarget(ctx, req, "RevertToCurrentSnapshotTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		res := vm.RevertToCurrentSnapshotTask(req)
		if body, ok := res.(*methods.RevertToCurrentSnapshot_TaskBody); ok && body.Res != nil &&
			taskFault(body.Res.Returnval) == nil && vm.Snapshot != nil && vm.Snapshot.CurrentSnapshot != nil {
			powerAsSnapshot(ctx, vm, *vm.Snapshot.CurrentSnapshot, req.SuppressPowerOn)
		}
		return res
	})
}

// powerAsSnapshot gives the VM the power state its snapshot was taken in (held locked).
func powerAsSnapshot(ctx *simulator.Context, vm *simulator.VirtualMachine, ref types.ManagedObjectReference, suppress *bool) {
	node := findInTree(vm.Snapshot, ref)
	if node == nil || node.State == vm.Runtime.PowerState {
		return
	}
	if node.State == poweredOn && (vm.Runtime.PowerState != poweredOff || (suppress != nil && *suppress)) {
		return // suppressPowerOn; a suspended VM: the reference does not say, left as it is
	}
	var boot types.AnyType // as the simulator's power tasks: a time when powered on, else unset
	if node.State == poweredOn {
		boot = time.Now()
	}
	ctx.Map.Update(vm, []types.PropertyChange{
		{Name: "runtime.powerState", Val: node.State},
		{Name: "summary.runtime.powerState", Val: node.State},
		{Name: "summary.runtime.bootTime", Val: boot},
	})
}

func (p *harnessProxy) RemoveSnapshotTask(ctx *simulator.Context, req *types.RemoveSnapshot_Task) soap.HasFault {
	return p.snapshotTask(ctx, req, "RemoveSnapshotTask", "removeSnapshot", new(methods.RemoveSnapshot_TaskBody), func(obj mo.Reference) soap.HasFault {
		snapshot := obj.(*simulator.VirtualMachineSnapshot)
		vm, ok := ctx.Map.Get(snapshot.Vm).(*simulator.VirtualMachine)
		if !ok {
			return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: snapshot.Vm})}
		}
		ctx.WithLock(vm, func() { moveCurrentUp(ctx, vm, snapshot.Self, req.RemoveChildren) })
		res := snapshot.RemoveSnapshotTask(ctx, req)
		if body, ok := res.(*methods.RemoveSnapshot_TaskBody); ok && body.Res != nil {
			leaveUnconsolidated(ctx, vm, body.Res.Returnval, req.Consolidate)
		}
		return res
	})
}

func (p *harnessProxy) RemoveAllSnapshotsTask(ctx *simulator.Context, req *types.RemoveAllSnapshots_Task) soap.HasFault {
	return p.snapshotTask(ctx, req, "RemoveAllSnapshotsTask", "RemoveAllSnapshots", new(methods.RemoveAllSnapshots_TaskBody), func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		had := vm.Snapshot != nil
		res := vm.RemoveAllSnapshotsTask(ctx, req)
		if body, ok := res.(*methods.RemoveAllSnapshots_TaskBody); ok && body.Res != nil && had &&
			taskFault(body.Res.Returnval) == nil {
			// Every delta disk goes: consolidated unless consolidate is false.
			consolidated := req.Consolidate == nil || *req.Consolidate
			ctx.WithLock(vm, func() { setConsolidationNeeded(ctx, vm, !consolidated) })
		}
		return res
	})
}

// moveCurrentUp makes the parent of a snapshot being removed the VM's current snapshot when
// the current one goes with it (the snapshot itself, or with removeChildren one below it), and
// leaves none when the removed snapshot is a root: VirtualMachineSnapshotInfo.currentSnapshot
// "will be empty when the working snapshot is at the root of the snapshot tree" (held locked).
// vcsim 0.24 moves it only for the snapshot itself, and panics (the task stays running) when
// that one is a root with children left; with removeChildren it leaves a current snapshot that
// no longer exists.
func moveCurrentUp(ctx *simulator.Context, vm *simulator.VirtualMachine, ref types.ManagedObjectReference, children bool) {
	if vm.Snapshot == nil || vm.Snapshot.CurrentSnapshot == nil {
		return
	}
	current := *vm.Snapshot.CurrentSnapshot
	node := findInTree(vm.Snapshot, ref)
	if node == nil || (current != ref && !(children && inTree(node.ChildSnapshotList, current))) {
		return
	}
	var parent *types.ManagedObjectReference
	var walk func(nodes []types.VirtualMachineSnapshotTree, above *types.ManagedObjectReference)
	walk = func(nodes []types.VirtualMachineSnapshotTree, above *types.ManagedObjectReference) {
		for i := range nodes {
			if nodes[i].Snapshot == ref {
				parent = above
				return
			}
			here := nodes[i].Snapshot // a copy: the removal rebuilds the tree
			walk(nodes[i].ChildSnapshotList, &here)
		}
	}
	walk(vm.Snapshot.RootSnapshotList, nil)
	info := *vm.Snapshot
	info.CurrentSnapshot = parent
	ctx.Map.Update(vm, []types.PropertyChange{{Name: "snapshot", Val: &info}})
}

func inTree(nodes []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) bool {
	for i := range nodes {
		if nodes[i].Snapshot == ref || inTree(nodes[i].ChildSnapshotList, ref) {
			return true
		}
	}
	return false
}

// leaveUnconsolidated flags the VM's disks as needing consolidation after a removal that
// succeeded with consolidate false.
func leaveUnconsolidated(ctx *simulator.Context, vm *simulator.VirtualMachine, task types.ManagedObjectReference, consolidate *bool) {
	if consolidate == nil || *consolidate || taskFault(task) != nil {
		return
	}
	ctx.WithLock(vm, func() { setConsolidationNeeded(ctx, vm, true) })
}

func setConsolidationNeeded(ctx *simulator.Context, vm *simulator.VirtualMachine, needed bool) {
	ctx.Map.Update(vm, []types.PropertyChange{
		{Name: "runtime.consolidationNeeded", Val: needed},
		{Name: "summary.runtime.consolidationNeeded", Val: needed},
	})
}

func (p *harnessProxy) ConsolidateVMDisksTask(ctx *simulator.Context, req *types.ConsolidateVMDisks_Task) soap.HasFault {
	return p.onTarget(ctx, req, "ConsolidateVMDisksTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		ref := simulator.CreateTask(vm, "consolidateDisks", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
			setConsolidationNeeded(ctx, vm, false)
			return nil, nil
		}).Run()
		return &methods.ConsolidateVMDisks_TaskBody{Res: &types.ConsolidateVMDisks_TaskResponse{Returnval: ref}}
	})
}
