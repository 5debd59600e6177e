package main

// Virtual disks the simulator gets wrong (see README "What this simulator does"):
//   - a disk added without a fileOperation attaches an existing VMDK, and the server reads
//     its capacity from the file; the simulator kept the 0 the client sent. Its VMDKs are
//     empty files, so the harness remembers the capacity of every disk a reconfiguration
//     detaches (removed without fileOperation destroy) and gives it to a disk that attaches
//     the same file with no capacity of its own.

import (
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var detached = struct {
	sync.Mutex
	kb map[string]int64 // datastore path -> capacityInKB when it was detached
}{kb: map[string]int64{}}

func diskFile(device types.BaseVirtualDevice) (*types.VirtualDisk, string) {
	disk, ok := device.(*types.VirtualDisk)
	if !ok {
		return nil, ""
	}
	backing, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
	if !ok {
		return disk, ""
	}
	return disk, backing.GetVirtualDeviceFileBackingInfo().FileName
}

// fixAttachedDisks records the disks `changes` detach from vm (nil for a VM being created)
// and sets the capacity of the disks they attach, in the order of the changes.
func fixAttachedDisks(vm *simulator.VirtualMachine, changes []types.BaseVirtualDeviceConfigSpec) {
	detached.Lock()
	defer detached.Unlock()
	for _, change := range changes {
		spec := change.GetVirtualDeviceConfigSpec()
		switch spec.Operation {
		case types.VirtualDeviceConfigSpecOperationRemove:
			if vm == nil {
				continue
			}
			_, file := diskFile(spec.Device)
			if spec.FileOperation == types.VirtualDeviceConfigSpecFileOperationDestroy {
				delete(detached.kb, file)
				continue
			}
			for _, d := range vm.Config.Hardware.Device {
				if disk, f := diskFile(d); disk != nil && f == file && file != "" {
					detached.kb[file] = disk.CapacityInKB
				}
			}
		case types.VirtualDeviceConfigSpecOperationAdd:
			disk, file := diskFile(spec.Device)
			if disk == nil || spec.FileOperation != "" || disk.CapacityInKB != 0 || disk.CapacityInBytes != 0 {
				continue
			}
			if kb, ok := detached.kb[file]; ok {
				disk.CapacityInKB, disk.CapacityInBytes = kb, kb*1024
			}
		}
	}
}
