package main

// VirtualMachineSnapshot.RenameSnapshot, which the simulator (simulator/snapshot.go) does
// not implement (MethodNotFound). vSphere API reference, VirtualMachineSnapshot.RenameSnapshot:
// "Rename this snapshot with either a new name or a new description or both"; it returns
// nothing (no task). The new values show in the VM's snapshot tree
// (snapshot.rootSnapshotList[].name / .description), where clients read them.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func (p *harnessProxy) RenameSnapshot(ctx *simulator.Context, req *types.RenameSnapshot) soap.HasFault {
	return p.onTarget(ctx, req, "RenameSnapshot", func(obj mo.Reference) soap.HasFault {
		snapshot := obj.(*simulator.VirtualMachineSnapshot)
		vm, ok := ctx.Map.Get(snapshot.Vm).(*simulator.VirtualMachine)
		if !ok {
			return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: snapshot.Vm})}
		}
		ctx.WithLock(vm, func() {
			node := findInTree(vm.Snapshot, snapshot.Self)
			if node == nil {
				return
			}
			if req.Name != "" {
				node.Name = req.Name
			}
			if req.Description != "" {
				node.Description = req.Description
			}
			ctx.Map.Update(vm, []types.PropertyChange{{Name: "snapshot", Val: vm.Snapshot}})
		})
		return &methods.RenameSnapshotBody{Res: &types.RenameSnapshotResponse{}}
	})
}

// findInTree is the tree node of snapshot ref in the VM's snapshot info, or nil.
func findInTree(info *types.VirtualMachineSnapshotInfo, ref types.ManagedObjectReference) *types.VirtualMachineSnapshotTree {
	if info == nil {
		return nil
	}
	var walk func(nodes []types.VirtualMachineSnapshotTree) *types.VirtualMachineSnapshotTree
	walk = func(nodes []types.VirtualMachineSnapshotTree) *types.VirtualMachineSnapshotTree {
		for i := range nodes {
			if nodes[i].Snapshot == ref {
				return &nodes[i]
			}
			if found := walk(nodes[i].ChildSnapshotList); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(info.RootSnapshotList)
}
