package main

// NFS datastores as the vSphere API reference describes them, where vcsim 0.24 differs.
// API reference, HostDatastoreSystem:
//   - CreateNasDatastore(spec): "Creates a new network-attached storage datastore"; spec is a
//     HostNasVolumeSpec (remoteHost, remotePath, localPath - "the localPath refers to the
//     datastore name" on ESX -, accessMode readWrite | readOnly, type NFS | NFS41);
//     DuplicateName "if a datastore with the same name already exists". vcsim takes localPath
//     for a directory of the simulator's own file system and makes a second Datastore object
//     (with the same moid) when a second host mounts the same export. The harness keeps the
//     export's files in a directory of its own, names the datastore localPath, and mounts an
//     export a datastore of the same datacenter already has (same remote host, path and name)
//     on the new host as one more DatastoreHostMount of that datastore, as vCenter shows a
//     shared NFS datastore. mountInfo carries the access mode asked for.
//   - RemoveDatastore(datastore): "Removes a datastore from a host"; ResourceInUse "if the
//     datastore is in use" (VMs of that host are registered on it), NotFound "if the datastore
//     is not found" on that host. vcsim 0.24 has no RemoveDatastore. The harness unmounts it from
//     that host; the last host's nfsUnmount removes the datastore from the inventory (the export's
//     files stay, as they stay on an NFS server).
// HostStorageSystem.RescanAllHba: "Scan all host bus adapters for new storage devices". vcsim
// swaps the host's adapters with a Fibre Channel set on every call (its own test aid); the
// harness leaves the adapters as they are and rescans the iSCSI ones (iscsi_config.go). Datastore.RefreshDatastore: "Explicitly refreshes
// free-space and capacity values"; vcsim's answer lacks its response element (fixed below).
// RescanAllHba is synchronous (it answers once the scan is done, a method, not a *_Task): on a
// host with many LUNs and paths it takes long. --rescan-delay MS makes each RescanAllHba take
// MS milliseconds before it answers, as such a host's would; the host's lock is not held while
// it waits, and the rescan happens when the wait is over, whether the client still listens.

import (
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["CreateNasDatastore"] = "HostDatastoreSystem"
	routes["RemoveDatastore"] = "HostDatastoreSystem"
	routes["RescanAllHba"] = "HostStorageSystem"
	routes["RefreshDatastore"] = "Datastore"
	register(Extension{
		Name: "rescan-delay",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&rescanDelay, "rescan-delay", 0, "RescanAllHba takes this many milliseconds")
		},
		Apply: func(_ *simulator.Model, manifest map[string]interface{}) error {
			if rescanDelay < 0 {
				return fmt.Errorf("--rescan-delay must be 0 or more milliseconds, got %d", rescanDelay)
			}
			if rescanDelay > 0 {
				manifest["rescan_delay_ms"] = rescanDelay
			}
			return nil
		},
	})
}

var rescanDelay int

// RefreshDatastore: vcsim refreshes but answers with an empty SOAP body, without the
// RefreshDatastoreResponse element every void method returns.
func (p *harnessProxy) RefreshDatastore(ctx *simulator.Context, req *types.RefreshDatastore) soap.HasFault {
	return p.onTarget(ctx, req, "RefreshDatastore", func(obj mo.Reference) soap.HasFault {
		res := obj.(*simulator.Datastore).RefreshDatastore(req)
		if body, ok := res.(*methods.RefreshDatastoreBody); ok && body.Fault_ == nil {
			body.Res = &types.RefreshDatastoreResponse{}
		}
		return res
	})
}

func (p *harnessProxy) CreateNasDatastore(ctx *simulator.Context, req *types.CreateNasDatastore) soap.HasFault {
	return p.onTarget(ctx, req, "CreateNasDatastore", func(obj mo.Reference) soap.HasFault {
		dss := obj.(*simulator.HostDatastoreSystem)
		spec := req.Spec
		body := &methods.CreateNasDatastoreBody{}
		if spec.RemoteHost == "" || spec.RemotePath == "" || spec.LocalPath == "" {
			body.Fault_ = simulator.Fault("", &types.InvalidArgument{InvalidProperty: "spec"})
			return body
		}
		if spec.Type == "" {
			spec.Type = string(types.HostFileSystemVolumeFileSystemTypeNFS)
		}
		if spec.AccessMode == "" {
			spec.AccessMode = string(types.HostMountModeReadWrite)
		}
		if ds := nfsSharedExport(dss, spec); ds != nil {
			nfsMountOn(ds, dss, spec.AccessMode)
			body.Res = &types.CreateNasDatastoreResponse{Returnval: ds.Self}
			return body
		}
		sum := sha1.Sum([]byte(spec.RemoteHost + ":" + spec.RemotePath))
		dir := filepath.Join(os.TempDir(), "vcsim-nfs-"+hex.EncodeToString(sum[:6]), spec.LocalPath)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			body.Fault_ = simulator.Fault(err.Error(), &types.HostConfigFault{})
			return body
		}
		inner := *req
		inner.Spec.LocalPath = dir // vcsim names the datastore after the directory's base name
		res := dss.CreateNasDatastore(ctx, &inner)
		made, ok := res.(*methods.CreateNasDatastoreBody)
		if !ok || made.Res == nil {
			return res
		}
		if ds, ok := ctx.Map.Get(made.Res.Returnval).(*simulator.Datastore); ok {
			ds.Summary.Type = spec.Type
			ds.Info.(*types.NasDatastoreInfo).Nas.Type = spec.Type
			nfsMountOn(ds, dss, spec.AccessMode)
		}
		return res
	})
}

// nfsSharedExport is the datastore of this datacenter with the same name on the same export.
func nfsSharedExport(dss *simulator.HostDatastoreSystem, spec types.HostNasVolumeSpec) *simulator.Datastore {
	dc := ancestor(nfsHostEntity(dss), "Datacenter")
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok || ds.Name != spec.LocalPath || ancestor(ds, "Datacenter") != dc {
			continue
		}
		if nas, ok := ds.Info.(*types.NasDatastoreInfo); ok && nas.Nas != nil &&
			nas.Nas.RemoteHost == spec.RemoteHost && nas.Nas.RemotePath == spec.RemotePath {
			return ds
		}
	}
	return nil
}

func nfsHostEntity(dss *simulator.HostDatastoreSystem) mo.Entity {
	h, _ := simulator.Map.Get(dss.Host.Self).(mo.Entity)
	return h
}

// nfsMountOn adds the host's mount of ds and ds to the host's lists.
func nfsMountOn(ds *simulator.Datastore, dss *simulator.HostDatastoreSystem, access string) {
	host := dss.Host.Self
	for _, m := range ds.Host {
		if m.Key == host {
			return
		}
	}
	mount := types.DatastoreHostMount{Key: host, MountInfo: types.HostMountInfo{
		Path: "/vmfs/volumes/" + ds.Self.Value, AccessMode: access,
		Mounted: types.NewBool(true), Accessible: types.NewBool(true),
	}}
	simulator.Map.Update(ds, []types.PropertyChange{{Name: "host", Val: append(ds.Host, mount)}})
	if !nfsHasRef(dss.Datastore, ds.Self) {
		dss.Datastore = append(dss.Datastore, ds.Self)
	}
	if h, ok := simulator.Map.Get(host).(*simulator.HostSystem); ok && !nfsHasRef(h.Datastore, ds.Self) {
		simulator.Map.Update(h, []types.PropertyChange{{Name: "datastore", Val: append(h.Datastore, ds.Self)}})
		if cr := nfsComputeResource(h); cr != nil && !nfsHasRef(cr.Datastore, ds.Self) {
			cr.Datastore = append(cr.Datastore, ds.Self)
		}
	}
}

func (p *harnessProxy) RemoveDatastore(ctx *simulator.Context, req *types.RemoveDatastore) soap.HasFault {
	return p.onTarget(ctx, req, "RemoveDatastore", func(obj mo.Reference) soap.HasFault {
		dss := obj.(*simulator.HostDatastoreSystem)
		body := &methods.RemoveDatastoreBody{}
		ds, ok := ctx.Map.Get(req.Datastore).(*simulator.Datastore)
		if !ok || !nfsHasRef(dss.Datastore, req.Datastore) {
			body.Fault_ = simulator.Fault("", &types.NotFound{})
			return body
		}
		host := dss.Host.Self
		for _, ref := range ds.Vm {
			if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok && vm.Runtime.Host != nil && *vm.Runtime.Host == host {
				body.Fault_ = simulator.Fault("", &types.ResourceInUse{Type: ds.Self.Type, Name: ds.Name})
				return body
			}
		}
		dss.Datastore = nfsWithoutRef(dss.Datastore, ds.Self)
		if len(ds.Host) <= 1 {
			if info, ok := ds.Info.(*types.VmfsDatastoreInfo); ok && info.Vmfs != nil {
				for _, e := range info.Vmfs.Extent { // the VMFS volume goes, with its partitions
					setPartitions(e.DiskName, types.HostDiskPartitionSpec{})
				}
			}
			ref := ds.DestroyTask(ctx, &types.Destroy_Task{This: ds.Self}).(*methods.Destroy_TaskBody).Res.Returnval
			if fault := taskFault(ref); fault != nil {
				body.Fault_ = simulator.Fault("", fault)
				return body
			}
		} else {
			nfsUnmount(ds, host)
		}
		body.Res = &types.RemoveDatastoreResponse{}
		return body
	})
}

// nfsUnmount drops one host's mount of a datastore other hosts keep.
func nfsUnmount(ds *simulator.Datastore, host types.ManagedObjectReference) {
	var mounts []types.DatastoreHostMount
	for _, m := range ds.Host {
		if m.Key != host {
			mounts = append(mounts, m)
		}
	}
	simulator.Map.Update(ds, []types.PropertyChange{{Name: "host", Val: mounts}})
	if h, ok := simulator.Map.Get(host).(*simulator.HostSystem); ok {
		simulator.Map.Update(h, []types.PropertyChange{{Name: "datastore", Val: nfsWithoutRef(h.Datastore, ds.Self)}})
		if cr := nfsComputeResource(h); cr != nil && !nfsMountedInside(ds, cr) {
			cr.Datastore = nfsWithoutRef(cr.Datastore, ds.Self)
		}
	}
}

func nfsMountedInside(ds *simulator.Datastore, cr *mo.ComputeResource) bool {
	for _, m := range ds.Host {
		if nfsHasRef(cr.Host, m.Key) {
			return true
		}
	}
	return false
}

func nfsComputeResource(h *simulator.HostSystem) *mo.ComputeResource {
	if h.Parent == nil {
		return nil
	}
	switch parent := simulator.Map.Get(*h.Parent).(type) {
	case *mo.ComputeResource:
		return parent
	case *simulator.ClusterComputeResource:
		return &parent.ComputeResource
	}
	return nil
}

func (p *harnessProxy) RescanAllHba(ctx *simulator.Context, req *types.RescanAllHba) soap.HasFault {
	time.Sleep(time.Duration(rescanDelay) * time.Millisecond)
	return p.onTarget(ctx, req, "RescanAllHba", func(obj mo.Reference) soap.HasFault {
		rescanAllISCSI(ctx, obj.(*simulator.HostStorageSystem))
		return &methods.RescanAllHbaBody{Res: new(types.RescanAllHbaResponse)}
	})
}

func nfsHasRef(list []types.ManagedObjectReference, ref types.ManagedObjectReference) bool {
	for _, r := range list {
		if r == ref {
			return true
		}
	}
	return false
}

func nfsWithoutRef(list []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	for _, r := range list {
		if r != ref {
			out = append(out, r)
		}
	}
	return out
}
