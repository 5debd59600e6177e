package main

// VirtualDiskManager as the vSphere API reference describes it, where vcsim 0.24 is silent.
// vcsim's CreateVirtualDisk_Task makes two empty files and drops the spec, and it has no
// ExtendVirtualDisk_Task, InflateVirtualDisk_Task or ZeroFillVirtualDisk_Task. The harness keeps
// a disk as ESXi does: a text descriptor (<name>.vmdk, the "Disk DescriptorFile" with its extent
// line "RW <sectors> VMFS "<name>-flat.vmdk"" and ddb.* entries) and a flat extent of the disk's
// size (a sparse file here). API reference, VirtualDiskManager:
//   - CreateVirtualDisk_Task(name, datacenter, spec): "Create a virtual disk"; spec is a
//     FileBackedVirtualDiskSpec (capacityKb, diskType thin | preallocated | eagerZeroedThick,
//     adapterType); FileAlreadyExists when the file is there.
//   - ExtendVirtualDisk_Task(name, datacenter, newCapacityKb, eagerZero): "Expand the capacity
//     of a virtual disk to the new capacity".
//   - InflateVirtualDisk_Task(name, datacenter): "Inflate a sparse or thin-provisioned virtual
//     disk up to the full size".
//   - ZeroFillVirtualDisk_Task(name, datacenter): "Overwrite all blocks of the virtual disk with
//     zeros. All data will be lost".
//   - CopyVirtualDisk_Task(sourceName, ..., destName, ..., destSpec): "Copy a virtual disk,
//     performing conversions as specified in the spec"; destSpec "If not specified, a
//     preallocated format and busLogic adapter type is assumed"; FileAlreadyExists "if the
//     destination file already exists". vcsim answers NotImplemented for a destSpec on vCenter,
//     which the harness keeps.
// Every name is a datastore path; datacenter is needed on vCenter ("If not specified on a call
// to VirtualCenter, name must be a URL"): without it the harness answers InvalidArgument, as
// vcsim's own methods do.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
	govobject "github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	for _, m := range []string{"CreateVirtualDisk_Task", "ExtendVirtualDisk_Task", "InflateVirtualDisk_Task",
		"ZeroFillVirtualDisk_Task", "CopyVirtualDisk_Task"} {
		routes[m] = "VirtualDiskManager"
	}
}

// vdisk is what a descriptor says about one disk.
type vdisk struct {
	sectors int64 // 512-byte sectors
	extent  string
	thin    bool
	adapter string
	uuid    string
}

var extentLine = regexp.MustCompile(`^RW (\d+) \w+ "([^"]+)"$`)
var ddbLine = regexp.MustCompile(`^ddb\.(\w+) = "([^"]*)"$`)

// vdReadDescriptor parses a descriptor written by vdWriteDescriptor (or by ESXi); ok is false for
// anything else (the empty files vcsim makes for VM disks).
func vdReadDescriptor(file string) (vdisk, bool) {
	f, err := os.Open(file)
	if err != nil {
		return vdisk{}, false
	}
	defer f.Close()
	var d vdisk
	found := false
	scan := bufio.NewScanner(io.LimitReader(f, 64*1024))
	for scan.Scan() {
		line := strings.TrimSpace(scan.Text())
		if m := extentLine.FindStringSubmatch(line); m != nil {
			d.sectors, _ = strconv.ParseInt(m[1], 10, 64)
			d.extent, found = m[2], true
		} else if m := ddbLine.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "thinProvisioned":
				d.thin = m[2] == "1"
			case "adapterType":
				d.adapter = m[2]
			case "uuid":
				d.uuid = m[2]
			}
		}
	}
	return d, found
}

func vdWriteDescriptor(file string, d vdisk) error {
	thin := ""
	if d.thin {
		thin = "ddb.thinProvisioned = \"1\"\n"
	}
	text := fmt.Sprintf("# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\nCID=fffffffe\nparentCID=ffffffff\n"+
		"createType=\"vmfs\"\n\n# Extent description\nRW %d VMFS \"%s\"\n\n# The Disk Data Base\n#DDB\n\n"+
		"ddb.adapterType = \"%s\"\n%sddb.uuid = \"%s\"\nddb.virtualHWVersion = \"13\"\n",
		d.sectors, d.extent, d.adapter, thin, d.uuid)
	return os.WriteFile(file, []byte(text), 0600)
}

// vdDiskUUID is a disk uuid in the layout ESXi writes to ddb.uuid ("60 00 c2 9a ... -...").
func vdDiskUUID() string {
	h := strings.ReplaceAll(uuid.New().String(), "-", "")
	var parts []string
	for i := 0; i < 32; i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts[:8], " ") + "-" + strings.Join(parts[8:], " ")
}

// vdAdapterName is the descriptor's spelling of a VirtualDiskAdapterType.
func vdAdapterName(t string) string {
	switch t {
	case "ide":
		return "ide"
	case "busLogic":
		return "buslogic"
	default:
		return "lsilogic"
	}
}

// vdDatastoreFile resolves "[ds] dir/file" in a datacenter to the local file behind it.
func vdDatastoreFile(dc *types.ManagedObjectReference, name string) (string, types.BaseMethodFault) {
	var p govobject.DatastorePath
	if !p.FromString(name) || p.Path == "" {
		return "", &types.InvalidDatastorePath{DatastorePath: name}
	}
	if dc == nil && simulator.Map.IsVPX() {
		return "", &types.InvalidArgument{InvalidProperty: "datacenter"}
	}
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok || ds.Name != p.Datastore {
			continue
		}
		if dc != nil {
			if parent := ancestor(ds, "Datacenter"); parent == nil || parent.Reference() != *dc {
				continue
			}
		}
		return path.Join(ds.Info.GetDatastoreInfo().Url, p.Path), nil
	}
	return "", &types.InvalidDatastore{Name: p.Datastore}
}

// vdDiskFiles resolves a VMDK and reads its descriptor.
func vdDiskFiles(dc *types.ManagedObjectReference, name string) (string, vdisk, types.BaseMethodFault) {
	file, fault := vdDatastoreFile(dc, name)
	if fault != nil {
		return "", vdisk{}, fault
	}
	if _, err := os.Stat(file); err != nil {
		return "", vdisk{}, &types.FileNotFound{FileFault: types.FileFault{File: name}}
	}
	d, ok := vdReadDescriptor(file)
	if !ok {
		return "", vdisk{}, &types.FileFault{File: name} // not a disk this harness can read
	}
	return file, d, nil
}

func vdFlatFile(descriptor string, d vdisk) string {
	return path.Join(path.Dir(descriptor), d.extent)
}

// vdDiskTask runs fn as a task of the VirtualDiskManager.
func vdDiskTask(m mo.Reference, name string, fn func() (types.AnyType, types.BaseMethodFault)) types.ManagedObjectReference {
	return simulator.CreateTask(m, name, func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return fn()
	}).Run()
}

func (p *harnessProxy) CreateVirtualDiskTask(ctx *simulator.Context, req *types.CreateVirtualDisk_Task) soap.HasFault {
	return p.onTarget(ctx, req, "CreateVirtualDiskTask", func(obj mo.Reference) soap.HasFault {
		ref := vdDiskTask(obj, "createVirtualDisk", func() (types.AnyType, types.BaseMethodFault) {
			spec, ok := req.Spec.(*types.FileBackedVirtualDiskSpec)
			if !ok {
				return nil, &types.InvalidArgument{InvalidProperty: "spec"}
			}
			return req.Name, vdCreateDisk(req.Datacenter, req.Name, spec)
		})
		return &methods.CreateVirtualDisk_TaskBody{Res: &types.CreateVirtualDisk_TaskResponse{Returnval: ref}}
	})
}

func vdCreateDisk(dc *types.ManagedObjectReference, name string, spec *types.FileBackedVirtualDiskSpec) types.BaseMethodFault {
	file, fault := vdDatastoreFile(dc, name)
	if fault != nil {
		return fault
	}
	if !strings.HasSuffix(file, ".vmdk") {
		return &types.InvalidArgument{InvalidProperty: "name"}
	}
	if spec.CapacityKb <= 0 {
		return &types.InvalidArgument{InvalidProperty: "spec.capacityKb"}
	}
	base := strings.TrimSuffix(path.Base(file), ".vmdk")
	d := vdisk{sectors: spec.CapacityKb * 2, extent: base + "-flat.vmdk", thin: spec.DiskType == "thin",
		adapter: vdAdapterName(spec.AdapterType), uuid: vdDiskUUID()}
	return vdMakeDisk(name, file, d, nil)
}

// vdMakeDisk writes a new descriptor and its extent (a copy of `from` when given, else zeros).
func vdMakeDisk(name, file string, d vdisk, from *os.File) types.BaseMethodFault {
	flat := vdFlatFile(file, d)
	for _, f := range []string{file, flat} {
		if _, err := os.Stat(f); err == nil {
			return &types.FileAlreadyExists{FileFault: types.FileFault{File: name}}
		}
	}
	out, err := os.OpenFile(flat, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
	if err != nil {
		return &types.CannotCreateFile{FileFault: types.FileFault{File: name}}
	}
	defer out.Close()
	if from != nil {
		_, err = io.Copy(out, from)
	}
	if err == nil {
		err = out.Truncate(d.sectors * 512)
	}
	if err == nil {
		err = vdWriteDescriptor(file, d)
	}
	if err != nil {
		_ = os.Remove(flat)
		return &types.CannotCreateFile{FileFault: types.FileFault{File: name}}
	}
	return nil
}

func (p *harnessProxy) ExtendVirtualDiskTask(ctx *simulator.Context, req *types.ExtendVirtualDisk_Task) soap.HasFault {
	return p.onTarget(ctx, req, "ExtendVirtualDiskTask", func(obj mo.Reference) soap.HasFault {
		ref := vdDiskTask(obj, "extendVirtualDisk", func() (types.AnyType, types.BaseMethodFault) {
			file, d, fault := vdDiskFiles(req.Datacenter, req.Name)
			if fault != nil {
				return nil, fault
			}
			if req.NewCapacityKb*2 < d.sectors {
				// The reference offers no way to shrink a disk.
				return nil, &types.InvalidArgument{InvalidProperty: "newCapacityKb"}
			}
			d.sectors = req.NewCapacityKb * 2
			if err := os.Truncate(vdFlatFile(file, d), d.sectors*512); err != nil {
				return nil, &types.FileFault{File: req.Name}
			}
			return nil, vdFaultOf(vdWriteDescriptor(file, d), req.Name)
		})
		return &methods.ExtendVirtualDisk_TaskBody{Res: &types.ExtendVirtualDisk_TaskResponse{Returnval: ref}}
	})
}

func (p *harnessProxy) InflateVirtualDiskTask(ctx *simulator.Context, req *types.InflateVirtualDisk_Task) soap.HasFault {
	return p.onTarget(ctx, req, "InflateVirtualDiskTask", func(obj mo.Reference) soap.HasFault {
		ref := vdDiskTask(obj, "inflateVirtualDisk", func() (types.AnyType, types.BaseMethodFault) {
			file, d, fault := vdDiskFiles(req.Datacenter, req.Name)
			if fault != nil {
				return nil, fault
			}
			d.thin = false // a disk that is not thin stays as it is
			return nil, vdFaultOf(vdWriteDescriptor(file, d), req.Name)
		})
		return &methods.InflateVirtualDisk_TaskBody{Res: &types.InflateVirtualDisk_TaskResponse{Returnval: ref}}
	})
}

func (p *harnessProxy) ZeroFillVirtualDiskTask(ctx *simulator.Context, req *types.ZeroFillVirtualDisk_Task) soap.HasFault {
	return p.onTarget(ctx, req, "ZeroFillVirtualDiskTask", func(obj mo.Reference) soap.HasFault {
		ref := vdDiskTask(obj, "zeroFillVirtualDisk", func() (types.AnyType, types.BaseMethodFault) {
			file, d, fault := vdDiskFiles(req.Datacenter, req.Name)
			if fault != nil {
				return nil, fault
			}
			flat := vdFlatFile(file, d)
			if err := os.Truncate(flat, 0); err != nil {
				return nil, &types.FileFault{File: req.Name}
			}
			return nil, vdFaultOf(os.Truncate(flat, d.sectors*512), req.Name)
		})
		return &methods.ZeroFillVirtualDisk_TaskBody{Res: &types.ZeroFillVirtualDisk_TaskResponse{Returnval: ref}}
	})
}

func (p *harnessProxy) CopyVirtualDiskTask(ctx *simulator.Context, req *types.CopyVirtualDisk_Task) soap.HasFault {
	return p.onTarget(ctx, req, "CopyVirtualDiskTask", func(obj mo.Reference) soap.HasFault {
		ref := vdDiskTask(obj, "copyVirtualDisk", func() (types.AnyType, types.BaseMethodFault) {
			if req.DestSpec != nil && simulator.Map.IsVPX() {
				return nil, new(types.NotImplemented)
			}
			return nil, vdCopyDisk(req)
		})
		return &methods.CopyVirtualDisk_TaskBody{Res: &types.CopyVirtualDisk_TaskResponse{Returnval: ref}}
	})
}

func vdCopyDisk(req *types.CopyVirtualDisk_Task) types.BaseMethodFault {
	src, d, fault := vdDiskFiles(req.SourceDatacenter, req.SourceName)
	if fault != nil {
		return fault
	}
	destDC := req.DestDatacenter
	if destDC == nil {
		destDC = req.SourceDatacenter // "assumed that the destination path belongs to the source datacenter"
	}
	dest, fault := vdDatastoreFile(destDC, req.DestName)
	if fault != nil {
		return fault
	}
	in, err := os.Open(vdFlatFile(src, d))
	if err != nil {
		return &types.FileNotFound{FileFault: types.FileFault{File: req.SourceName}}
	}
	defer in.Close()
	copied := vdisk{sectors: d.sectors, extent: strings.TrimSuffix(path.Base(dest), ".vmdk") + "-flat.vmdk",
		thin: false, adapter: "buslogic", uuid: vdDiskUUID()}
	if spec := req.DestSpec; spec != nil {
		s := spec.GetVirtualDiskSpec()
		copied.thin, copied.adapter = s.DiskType == "thin", vdAdapterName(s.AdapterType)
	}
	return vdMakeDisk(req.DestName, dest, copied, in)
}

func vdFaultOf(err error, name string) types.BaseMethodFault {
	if err != nil {
		return &types.FileFault{File: name}
	}
	return nil
}
