package main

// --rdm VM: the first virtual disk of that VM maps the last SCSI disk of its host raw, as a
// raw device mapping in physical compatibility mode. API reference,
// VirtualDiskRawDiskMappingVer1BackingInfo: "the disk backing type for a raw device mapping";
// deviceName ("the host-specific device the virtual disk maps to", for example
// /vmfs/devices/disks/naa.…), lunUuid ("unique identifier of the LUN accessed by the raw disk
// mapping", ScsiLun.uuid), compatibilityMode physicalMode | virtualMode, diskMode, and fileName,
// the mapping file. vcsim 0.24 cannot make one: its CreateVM_Task and ReconfigVM_Task take every
// disk backing for a VirtualDiskFlatVer2BackingInfo when they lay out the VM's files, and the
// task panics. The harness sets the backing on the model before the server listens (the
// mapping file keeps the disk's own file name); the VM is meant to be read, not reconfigured.
// Manifest key rdm: vm, lun (canonical name), device_path, uuid.

import (
	"flag"
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var rdmVM string

func init() {
	register(Extension{
		Name: "rdm",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&rdmVM, "rdm", "", "make the first disk of this VM a raw device mapping of its host's last SCSI disk")
		},
		Apply: applyRDM,
	})
}

func applyRDM(_ *simulator.Model, manifest map[string]interface{}) error {
	if rdmVM == "" {
		return nil
	}
	for _, vm := range virtualMachines() {
		if vm.Name != rdmVM {
			continue
		}
		host, ok := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
		if !ok || host.Config.StorageDevice == nil {
			return fmt.Errorf("--rdm %s: its host has no storage devices", rdmVM)
		}
		var lun *types.HostScsiDisk
		for _, l := range host.Config.StorageDevice.ScsiLun {
			if d, ok := l.(*types.HostScsiDisk); ok {
				lun = d
			}
		}
		if lun == nil {
			return fmt.Errorf("--rdm %s: host %s has no SCSI disk (give it iSCSI LUNs with --iscsi-hosts)", rdmVM, host.Name)
		}
		for _, d := range vm.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok {
				continue
			}
			file := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo()
			disk.Backing = &types.VirtualDiskRawDiskMappingVer1BackingInfo{
				VirtualDeviceFileBackingInfo: *file, DeviceName: lun.DevicePath, LunUuid: lun.Uuid,
				CompatibilityMode: "physicalMode", DiskMode: "independent_persistent"}
			manifest["rdm"] = map[string]interface{}{"vm": vm.Name, "lun": lun.CanonicalName,
				"device_path": lun.DevicePath, "uuid": lun.Uuid}
			return nil
		}
		return fmt.Errorf("--rdm %s: the VM has no virtual disk", rdmVM)
	}
	return fmt.Errorf("--rdm %s: no such VM", rdmVM)
}
