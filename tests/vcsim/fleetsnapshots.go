package main

// --snapshots N, for snapshot reports and benchmarks: every Nth VM by inventory path (the 1st,
// the N+1th, ...) gets a chain of snapshots taken through the simulator's own
// CreateSnapshot_Task (simulator.VirtualMachine.CreateSnapshotTask, which also writes the
// .vmsn file and the snapshot layout), before the server listens. The chains are 1, 2 and 3
// deep in turn: "base", then "before-patch" as its child, then "after-patch" as the
// grandchild. vSphere API reference, VirtualMachine.CreateSnapshot_Task: a new snapshot
// becomes the current one and a child of the current snapshot, so one VM's snapshots in turn
// make a chain; the VM's snapshot.rootSnapshotList holds the tree. The manifest key
// `snapshots` maps each such VM's moid to its snapshot names, root first.

import (
	"flag"
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

var fleetSnapshotEvery int

var fleetSnapshotNames = []string{"base", "before-patch", "after-patch"}

func init() {
	register(Extension{
		Name: "fleet-snapshots",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&fleetSnapshotEvery, "snapshots", 0, "give every Nth VM by path a chain of 1-3 snapshots")
		},
		Apply: applyFleetSnapshots,
	})
}

func applyFleetSnapshots(m *simulator.Model, manifest map[string]interface{}) error {
	if fleetSnapshotEvery == 0 {
		return nil
	}
	if fleetSnapshotEvery < 0 {
		return fmt.Errorf("--snapshots must be 1 or more, got %d", fleetSnapshotEvery)
	}
	given := map[string][]string{}
	for i, vm := range virtualMachines() {
		if i%fleetSnapshotEvery != 0 {
			continue
		}
		depth := len(given)%len(fleetSnapshotNames) + 1
		for _, name := range fleetSnapshotNames[:depth] {
			if err := takeSnapshot(vm, name); err != nil {
				return fmt.Errorf("snapshot %q of %s: %w", name, vm.Name, err)
			}
		}
		given[vm.Self.Value] = fleetSnapshotNames[:depth]
	}
	manifest["snapshots"] = given
	return nil
}

// takeSnapshot runs the simulator's CreateSnapshot_Task (it finishes inside the call).
func takeSnapshot(vm *simulator.VirtualMachine, name string) error {
	req := &types.CreateSnapshot_Task{This: vm.Self, Name: name, Description: "taken by --snapshots"}
	body, ok := vm.CreateSnapshotTask(req).(*methods.CreateSnapshot_TaskBody)
	if !ok || body.Fault_ != nil || body.Res == nil {
		return fmt.Errorf("CreateSnapshot_Task failed: %v", body)
	}
	task := simulator.Map.Get(body.Res.Returnval).(*simulator.Task)
	if task.Info.State != types.TaskInfoStateSuccess {
		return fmt.Errorf("task ended %s: %v", task.Info.State, task.Info.Error)
	}
	return nil
}
