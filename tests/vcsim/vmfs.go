package main

// VMFS datastores on a LUN, which vcsim 0.24 cannot make (no QueryVmfsDatastoreCreateOptions,
// no CreateVmfsDatastore). API reference, HostDatastoreSystem:
//   - QueryVmfsDatastoreCreateOptions(devicePath, vmfsMajorVersion): "Queries options for
//     creating a new VMFS datastore for a disk"; NotFound "if the device is not found". The
//     harness offers the one option of a whole-disk datastore: a VmfsDatastoreAllExtentOption
//     (the disk's layout, one VMFS partition from sector 2048 to the end) with its
//     VmfsDatastoreCreateSpec (diskUuid, a GPT partition spec, vmfs.extent on partition 1,
//     vmfs.majorVersion as asked, 6 when not given).
//   - CreateVmfsDatastore(spec): "Creates a new VMFS datastore"; DuplicateName "if a datastore
//     with the same name already exists"; HostConfigFault when the disk already holds a VMFS
//     datastore. The datastore's info is a VmfsDatastoreInfo (vmfs: name, type VMFS,
//     majorVersion, extent = the disk partition), summary.type VMFS, mounted on that host; its
//     files live in a directory of the simulator, whose file system gives its capacity (as for
//     vcsim's other datastores). RemoveDatastore (nfs.go) removes it.

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["QueryVmfsDatastoreCreateOptions"] = "HostDatastoreSystem"
	routes["CreateVmfsDatastore"] = "HostDatastoreSystem"
}

// vmfsDisk is the host's disk with this device path or canonical name.
func vmfsDisk(dss *simulator.HostDatastoreSystem, name string) *types.HostScsiDisk {
	dev := dss.Host.Config.StorageDevice
	if dev == nil {
		return nil
	}
	for _, l := range dev.ScsiLun {
		if d, ok := l.(*types.HostScsiDisk); ok && (d.DevicePath == name || d.CanonicalName == name || d.Uuid == name) {
			return d
		}
	}
	return nil
}

func (p *harnessProxy) QueryVmfsDatastoreCreateOptions(ctx *simulator.Context, req *types.QueryVmfsDatastoreCreateOptions) soap.HasFault {
	return p.onTarget(ctx, req, "QueryVmfsDatastoreCreateOptions", func(obj mo.Reference) soap.HasFault {
		disk := vmfsDisk(obj.(*simulator.HostDatastoreSystem), req.DevicePath)
		if disk == nil {
			return &faultBody{simulator.Fault("", &types.NotFound{})}
		}
		version := req.VmfsMajorVersion
		if version == 0 {
			version = 6
		}
		end := disk.Capacity.Block - 1
		part := types.HostDiskPartitionBlockRange{Partition: 1, Type: "vmfs",
			Start: types.HostDiskDimensionsLba{BlockSize: disk.Capacity.BlockSize, Block: 2048},
			End:   types.HostDiskDimensionsLba{BlockSize: disk.Capacity.BlockSize, Block: end}}
		option := types.VmfsDatastoreOption{
			Info: &types.VmfsDatastoreAllExtentOption{VmfsDatastoreSingleExtentOption: types.VmfsDatastoreSingleExtentOption{
				VmfsDatastoreBaseOption: types.VmfsDatastoreBaseOption{Layout: types.HostDiskPartitionLayout{
					Total: &disk.Capacity, Partition: []types.HostDiskPartitionBlockRange{part}}},
				VmfsExtent: part}},
			Spec: &types.VmfsDatastoreCreateSpec{
				VmfsDatastoreSpec: types.VmfsDatastoreSpec{DiskUuid: disk.Uuid},
				Partition: types.HostDiskPartitionSpec{PartitionFormat: "gpt", TotalSectors: disk.Capacity.Block,
					Partition: []types.HostDiskPartitionAttributes{{Partition: 1, StartSector: 2048, EndSector: end,
						Type: "AA31E02A400F11DB9590000C2911D1B8", Logical: false}}},
				Vmfs: types.HostVmfsSpec{Extent: types.HostScsiDiskPartition{DiskName: disk.CanonicalName, Partition: 1},
					MajorVersion: version},
			},
		}
		return &methods.QueryVmfsDatastoreCreateOptionsBody{Res: &types.QueryVmfsDatastoreCreateOptionsResponse{
			Returnval: []types.VmfsDatastoreOption{option}}}
	})
}

func (p *harnessProxy) CreateVmfsDatastore(ctx *simulator.Context, req *types.CreateVmfsDatastore) soap.HasFault {
	return p.onTarget(ctx, req, "CreateVmfsDatastore", func(obj mo.Reference) soap.HasFault {
		dss := obj.(*simulator.HostDatastoreSystem)
		spec := req.Spec
		disk := vmfsDisk(dss, spec.DiskUuid)
		if disk == nil {
			disk = vmfsDisk(dss, spec.Vmfs.Extent.DiskName)
		}
		if disk == nil || spec.Vmfs.VolumeName == "" {
			return &faultBody{simulator.Fault("", &types.InvalidArgument{InvalidProperty: "spec"})}
		}
		if owner := vmfsOn(disk.CanonicalName); owner != "" {
			return &faultBody{simulator.Fault(fmt.Sprintf("disk %s holds VMFS datastore %s", disk.CanonicalName, owner),
				&types.HostConfigFault{})}
		}
		dir := filepath.Join(os.TempDir(), "vcsim-vmfs-"+disk.CanonicalName)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return &faultBody{simulator.Fault(err.Error(), &types.HostConfigFault{})}
		}
		res := dss.CreateLocalDatastore(ctx, &types.CreateLocalDatastore{This: dss.Self, Name: spec.Vmfs.VolumeName, Path: dir})
		made, ok := res.(*methods.CreateLocalDatastoreBody)
		if !ok || made.Res == nil {
			return res
		}
		ds := ctx.Map.Get(made.Res.Returnval).(*simulator.Datastore)
		local := ds.Info.GetDatastoreInfo()
		major := spec.Vmfs.MajorVersion
		ds.Info = &types.VmfsDatastoreInfo{DatastoreInfo: *local, Vmfs: &types.HostVmfsVolume{
			HostFileSystemVolume: types.HostFileSystemVolume{Type: "VMFS", Name: spec.Vmfs.VolumeName,
				Capacity: disk.Capacity.Block * int64(disk.Capacity.BlockSize)},
			BlockSizeMb: 1, MajorVersion: major, Version: fmt.Sprintf("%d.%d", major, 81),
			Uuid:   disk.Uuid[:8] + "-" + disk.Uuid[8:16],
			Extent: []types.HostScsiDiskPartition{{DiskName: disk.CanonicalName, Partition: 1}},
		}}
		ds.Summary.Type = "VMFS"
		setPartitions(disk.CanonicalName, spec.Partition) // the table the spec writes (partitions.go)
		return &methods.CreateVmfsDatastoreBody{Res: &types.CreateVmfsDatastoreResponse{Returnval: ds.Self}}
	})
}

// vmfsOn is the name of the VMFS datastore with an extent on the disk, or "".
func vmfsOn(canonical string) string {
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok {
			continue
		}
		if info, ok := ds.Info.(*types.VmfsDatastoreInfo); ok && info.Vmfs != nil {
			for _, x := range info.Vmfs.Extent {
				if x.DiskName == canonical {
					return ds.Name
				}
			}
		}
	}
	return ""
}
