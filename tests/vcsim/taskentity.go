package main

// The managed entity a task names (TaskInfo.entity, entityName), as the vSphere API reference
// types it: "entity: ManagedObjectReference to a ManagedEntity. Managed entity to which the
// operation applies"; "entityName: The name of the managed entity". vcsim 0.24's CreateTask
// puts there whatever object the method was called on, and its moid as the name, so a snapshot
// task names the VirtualMachineSnapshot and a disk or file task the VirtualDiskManager or
// FileManager, none of them a ManagedEntity (a client that checks the type, pyVmomi for one,
// refuses the answer). Here every task, when it is created:
//   - on a managed entity keeps it, named by its name (not its moid);
//   - on a snapshot names the snapshot's VM (VirtualMachineSnapshot.vm), as vCenter does for
//     the snapshot methods;
//   - on anything else (VirtualDiskManager, FileManager and the other managers) names no
//     entity: both fields are optional, and ESXi leaves them unset for a manager's task (its
//     task keys read haTask--vim.SearchIndex.findByIp-N, the entity part empty).

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	register(Extension{
		Name: "task-entity",
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			simulator.Map.AddHandler(taskEntities{})
			return nil
		},
	})
}

// taskEntities corrects each task as the registry takes it in, before its reference is
// handed to the caller or its Run starts.
type taskEntities struct{}

func (taskEntities) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: proxyType, Value: "task-entity"}
}

func (taskEntities) UpdateObject(mo.Reference, []types.PropertyChange) {}

func (taskEntities) RemoveObject(types.ManagedObjectReference) {}

func (taskEntities) PutObject(obj mo.Reference) {
	task, ok := obj.(*simulator.Task)
	if !ok || task.Info.Entity == nil {
		return
	}
	entity, name := taskEntity(*task.Info.Entity)
	task.Info.Entity, task.Info.EntityName = entity, name
}

// taskEntity is the managed entity an operation on ref applies to, and its name.
func taskEntity(ref types.ManagedObjectReference) (*types.ManagedObjectReference, string) {
	obj := simulator.Map.Get(ref)
	if snapshot, ok := obj.(*simulator.VirtualMachineSnapshot); ok {
		obj = simulator.Map.Get(snapshot.Vm)
	}
	e, ok := obj.(mo.Entity)
	if !ok {
		return nil, ""
	}
	self := e.Reference()
	return &self, e.Entity().Name
}
