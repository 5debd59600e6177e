package main

// Disk partitions, which vcsim 0.24 does not model (no RetrieveDiskPartitionInfo, no
// UpdateDiskPartitions). API reference, HostStorageSystem:
//   - RetrieveDiskPartitionInfo(devicePath[]): "Gets the partition information for the disks
//     named by the device names"; one HostDiskPartitionInfo per disk: deviceName, spec (a
//     HostDiskPartitionSpec: partitionFormat, totalSectors, partition[] of
//     HostDiskPartitionAttributes: partition, startSector, endSector, type, guid, logical) and
//     layout (a HostDiskPartitionLayout: total, partition[] of HostDiskPartitionBlockRange whose
//     type is a HostDiskPartitionInfoType: none, vmfs, linuxNative, linuxSwap, extended, ntfs,
//     vmkDiagnostic, vffs). The harness answers for the host's disks among the paths asked.
//   - UpdateDiskPartitions(devicePath, spec): "Changes the partitions on the disk by supplying a
//     partition specification and the device name"; NotFound when the host has no such disk.
// A disk is blank until partitioned: by UpdateDiskPartitions, or by CreateVmfsDatastore (vmfs.go),
// which writes its spec's partition table; removing a VMFS datastore (nfs.go) deletes its
// partitions with the volume, as deleting a datastore does on ESXi. Partitions belong to the
// disk (the LUN), so every host that sees it sees the same table.

import (
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["RetrieveDiskPartitionInfo"] = "HostStorageSystem"
	routes["UpdateDiskPartitions"] = "HostStorageSystem"
}

// partitionTables: disk canonical name -> its partition table (absent: a blank disk).
var partitionTables = struct {
	sync.Mutex
	byDisk map[string]types.HostDiskPartitionSpec
}{byDisk: map[string]types.HostDiskPartitionSpec{}}

func setPartitions(canonical string, spec types.HostDiskPartitionSpec) {
	partitionTables.Lock()
	defer partitionTables.Unlock()
	if len(spec.Partition) == 0 {
		delete(partitionTables.byDisk, canonical)
		return
	}
	partitionTables.byDisk[canonical] = spec
}

func partitionsOf(canonical string) (types.HostDiskPartitionSpec, bool) {
	partitionTables.Lock()
	defer partitionTables.Unlock()
	spec, ok := partitionTables.byDisk[canonical]
	return spec, ok
}

// storageDisk is the disk of a host's storage devices with this device path or canonical name.
func storageDisk(ss *simulator.HostStorageSystem, name string) *types.HostScsiDisk {
	dev := ss.Host.Config.StorageDevice
	if dev == nil {
		return nil
	}
	for _, l := range dev.ScsiLun {
		if d, ok := l.(*types.HostScsiDisk); ok && (d.DevicePath == name || d.CanonicalName == name) {
			return d
		}
	}
	return nil
}

// partitionType: a partition's type (GPT GUID or MBR id) as a HostDiskPartitionInfoType.
var partitionType = map[string]string{
	"AA31E02A400F11DB9590000C2911D1B8": "vmfs", "FB": "vmfs",
	"0FC63DAF848347728E793D69D8477DE4": "linuxNative", "83": "linuxNative",
	"0657FD6DA4AB43C484E50933C84B4F4F": "linuxSwap", "82": "linuxSwap",
	"EBD0A0A2B9E5443387C068B6B72699C7": "ntfs", "7": "ntfs", "07": "ntfs",
	"9D27538040AD11DBBF97000C2911D1B8": "vmkDiagnostic", "FC": "vmkDiagnostic",
	"5": "extended", "05": "extended", "F": "extended", "0F": "extended",
}

func partitionInfo(disk *types.HostScsiDisk) types.HostDiskPartitionInfo {
	spec, ok := partitionsOf(disk.CanonicalName)
	if !ok {
		spec = types.HostDiskPartitionSpec{TotalSectors: disk.Capacity.Block}
	}
	layout := types.HostDiskPartitionLayout{Total: &disk.Capacity}
	for _, p := range spec.Partition {
		kind := partitionType[strings.ToUpper(strings.ReplaceAll(p.Type, "-", ""))]
		if kind == "" {
			kind = p.Type
		}
		layout.Partition = append(layout.Partition, types.HostDiskPartitionBlockRange{Partition: p.Partition, Type: kind,
			Start: types.HostDiskDimensionsLba{BlockSize: disk.Capacity.BlockSize, Block: p.StartSector},
			End:   types.HostDiskDimensionsLba{BlockSize: disk.Capacity.BlockSize, Block: p.EndSector}})
	}
	return types.HostDiskPartitionInfo{DeviceName: disk.DevicePath, Spec: spec, Layout: layout}
}

func (p *harnessProxy) RetrieveDiskPartitionInfo(ctx *simulator.Context, req *types.RetrieveDiskPartitionInfo) soap.HasFault {
	return p.onTarget(ctx, req, "RetrieveDiskPartitionInfo", func(obj mo.Reference) soap.HasFault {
		ss := obj.(*simulator.HostStorageSystem)
		var out []types.HostDiskPartitionInfo
		for _, path := range req.DevicePath {
			if disk := storageDisk(ss, path); disk != nil {
				out = append(out, partitionInfo(disk))
			}
		}
		return &methods.RetrieveDiskPartitionInfoBody{Res: &types.RetrieveDiskPartitionInfoResponse{Returnval: out}}
	})
}

func (p *harnessProxy) UpdateDiskPartitions(ctx *simulator.Context, req *types.UpdateDiskPartitions) soap.HasFault {
	return p.onTarget(ctx, req, "UpdateDiskPartitions", func(obj mo.Reference) soap.HasFault {
		disk := storageDisk(obj.(*simulator.HostStorageSystem), req.DevicePath)
		if disk == nil {
			return &faultBody{simulator.Fault("", &types.NotFound{})}
		}
		setPartitions(disk.CanonicalName, req.Spec)
		return &methods.UpdateDiskPartitionsBody{Res: &types.UpdateDiskPartitionsResponse{}}
	})
}
