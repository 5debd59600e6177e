package main

// HostDatastoreBrowser searches with the VmDiskFileInfo details a real host fills in. vcsim 0.24
// returns a bare VmDiskFileInfo ("TODO: lookup device to set other fields"). API reference,
// VmDiskFileQueryFlags: "The flags indicate which details to return": diskType ("the type of
// the virtual disk backing", e.g. VirtualDiskFlatVer2BackingInfo), capacityKb ("the capacity
// of the virtual disk in Kb"), thin ("whether the virtual disk backing is thin provisioned").
// For a disk whose descriptor the harness wrote (vdisk.go) the search fills the flags asked
// for, and fileSize is what the disk occupies (descriptor plus extent; for a thin disk the
// extent's allocated blocks), as a host reports it. Other files and the empty files vcsim makes
// for VM disks are left as vcsim returns them.

import (
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["SearchDatastore_Task"] = "HostDatastoreBrowser"
	routes["SearchDatastoreSubFolders_Task"] = "HostDatastoreBrowser"
}

func (p *harnessProxy) SearchDatastoreTask(ctx *simulator.Context, req *types.SearchDatastore_Task) soap.HasFault {
	return p.onTarget(ctx, req, "SearchDatastoreTask", func(obj mo.Reference) soap.HasFault {
		res := obj.(*simulator.HostDatastoreBrowser).SearchDatastoreTask(req)
		if body, ok := res.(*methods.SearchDatastore_TaskBody); ok && body.Res != nil {
			vdFillDiskDetails(body.Res.Returnval, req.SearchSpec)
		}
		return res
	})
}

func (p *harnessProxy) SearchDatastoreSubFoldersTask(ctx *simulator.Context, req *types.SearchDatastoreSubFolders_Task) soap.HasFault {
	return p.onTarget(ctx, req, "SearchDatastoreSubFoldersTask", func(obj mo.Reference) soap.HasFault {
		res := obj.(*simulator.HostDatastoreBrowser).SearchDatastoreSubFoldersTask(req)
		if body, ok := res.(*methods.SearchDatastoreSubFolders_TaskBody); ok && body.Res != nil {
			vdFillDiskDetails(body.Res.Returnval, req.SearchSpec)
		}
		return res
	})
}

// vdFillDiskDetails completes the VmDiskFileInfo entries of a finished search task in place.
func vdFillDiskDetails(task types.ManagedObjectReference, spec *types.HostDatastoreBrowserSearchSpec) {
	t, ok := simulator.Map.Get(task).(*simulator.Task)
	if !ok || spec == nil {
		return
	}
	flags := vdDiskFlags(spec)
	switch r := t.Info.Result.(type) {
	case types.HostDatastoreBrowserSearchResults:
		vdFillFolder(r, flags)
	case types.ArrayOfHostDatastoreBrowserSearchResults:
		for _, folder := range r.HostDatastoreBrowserSearchResults {
			vdFillFolder(folder, flags)
		}
	}
}

func vdDiskFlags(spec *types.HostDatastoreBrowserSearchSpec) *types.VmDiskFileQueryFlags {
	for _, q := range spec.Query {
		if dq, ok := q.(*types.VmDiskFileQuery); ok && dq.Details != nil {
			return dq.Details
		}
	}
	return &types.VmDiskFileQueryFlags{}
}

func vdFillFolder(folder types.HostDatastoreBrowserSearchResults, flags *types.VmDiskFileQueryFlags) {
	if folder.Datastore == nil {
		return
	}
	ds, ok := simulator.Map.Get(*folder.Datastore).(*simulator.Datastore)
	if !ok {
		return
	}
	rel := folder.FolderPath
	if i := strings.IndexByte(rel, ']'); i >= 0 {
		rel = rel[i+1:]
	}
	dir := path.Join(ds.Info.GetDatastoreInfo().Url, strings.TrimSpace(rel))
	for _, f := range folder.File {
		info, ok := f.(*types.VmDiskFileInfo)
		if !ok {
			continue
		}
		file := path.Join(dir, info.Path)
		d, ok := vdReadDescriptor(file)
		if !ok {
			continue
		}
		if flags.DiskType {
			info.DiskType = "VirtualDiskFlatVer2BackingInfo"
		}
		if flags.CapacityKb {
			info.CapacityKb = d.sectors / 2
		}
		if flags.Thin != nil && *flags.Thin {
			thin := d.thin
			info.Thin = &thin
		}
		if info.FileSize > 0 {
			info.FileSize += vdOccupied(vdFlatFile(file, d), d)
		}
	}
}

// vdOccupied is what a disk's extent takes on the datastore: all of it unless thin.
func vdOccupied(flat string, d vdisk) int64 {
	if !d.thin {
		return d.sectors * 512
	}
	st, err := os.Stat(flat)
	if err != nil {
		return 0
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return sys.Blocks * 512
	}
	return st.Size()
}
