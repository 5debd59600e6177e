package main

// VirtualMachine.CloneVM_Task as vCenter does it (README "Cloning and guest customization"):
// vcsim 0.24 puts every clone on the source's host, copies only CPU, memory and devices,
// ignores spec.config, spec.powerOn, spec.customization and diskMoveType, gives the clone
// the source's MAC addresses and blanks the source's own disk file names while doing it.
// The harness builds the clone itself from a copy of the source (or of spec.snapshot),
// on spec.location's host, pool, datastore and folder, with spec.config applied; a linked
// clone's disks are child disks of the snapshot's disks; spec.template, spec.customization
// (customize.go) and spec.powerOn are honoured. A standalone ESXi host has no CloneVM_Task.

import (
	"reflect"
	"strings"

	govobj "github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const linkedMove = string(types.VirtualMachineRelocateDiskMoveOptionsCreateNewChildDiskBacking)

// cloneSource is what a clone copies: the source's (or the snapshot's) configuration.
type cloneSource struct {
	config  types.VirtualMachineConfigInfo // a deep copy
	parents []string                       // a linked clone: the snapshot's disk files, in order
}

// cloneVM is CloneVM_Task on the locked source VM.
func cloneVM(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.CloneVM_Task) soap.HasFault {
	if simulator.Map.IsESX() {
		// API reference, CloneVM_Task: "NotSupported: if the operation is not supported by
		// the current agent" (a host managed by no vCenter).
		return &faultBody{simulator.Fault("cloning needs vCenter", &types.NotSupported{})}
	}
	fault := checkName(&req.Name)
	var src *cloneSource
	if fault == nil {
		src, fault = sourceOf(vm, &req.Spec)
	}
	folder, ok := simulator.Map.Get(req.Folder).(*simulator.Folder)
	if fault == nil && !ok {
		fault = &types.InvalidArgument{InvalidProperty: "folder"}
	}
	var pool types.ManagedObjectReference
	var host *types.ManagedObjectReference
	if fault == nil {
		pool, host, fault = clonePlacement(vm, &req.Spec.Location)
	}
	if fault != nil {
		return &methods.CloneVM_TaskBody{Res: &types.CloneVM_TaskResponse{Returnval: failedTask(vm, "cloneVm", fault)}}
	}
	task := simulator.CreateTask(vm, "cloneVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return runClone(ctx, vm, folder, req, src, pool, host)
	})
	return &methods.CloneVM_TaskBody{Res: &types.CloneVM_TaskResponse{Returnval: task.Run()}}
}

// sourceOf copies the configuration the clone starts from.
func sourceOf(vm *simulator.VirtualMachine, spec *types.VirtualMachineCloneSpec) (*cloneSource, types.BaseMethodFault) {
	config := vm.Config
	if spec.Snapshot != nil {
		snap, ok := simulator.Map.Get(*spec.Snapshot).(*simulator.VirtualMachineSnapshot)
		if !ok || snap.Vm != vm.Self {
			return nil, &types.InvalidArgument{InvalidProperty: "spec.snapshot"}
		}
		config = &snap.Config
	}
	src := &cloneSource{}
	if err := deepCopy(config, &src.config); err != nil {
		return nil, &types.SystemError{Reason: err.Error()}
	}
	if spec.Location.DiskMoveType != linkedMove {
		return src, nil
	}
	// VirtualMachineRelocateDiskMoveOptions.createNewChildDiskBacking: "for a clone this
	// option is only valid when cloning from a snapshot".
	if spec.Snapshot == nil {
		return nil, &types.InvalidArgument{InvalidProperty: "spec.location.diskMoveType"}
	}
	for _, d := range src.config.Hardware.Device {
		if b := flatBacking(d); b != nil {
			src.parents = append(src.parents, b.FileName)
		}
	}
	return src, nil
}

func flatBacking(d types.BaseVirtualDevice) *types.VirtualDiskFlatVer2BackingInfo {
	if disk, ok := d.(*types.VirtualDisk); ok {
		b, _ := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		return b
	}
	return nil
}

// clonePlacement is the clone's pool and host. VirtualMachineRelocateSpec.pool: "For a clone
// operation from a template to a virtual machine, this argument is required"; otherwise the
// source's pool. Without a host (DRS places the clone), a host of that pool's compute
// resource that mounts the clone's datastore: the source's host when it does, else the first;
// none is InvalidDatastore (a CloneVM_Task fault: "thrown if an operation fails because of
// a problem with the specified datastore").
func clonePlacement(vm *simulator.VirtualMachine, loc *types.VirtualMachineRelocateSpec) (types.ManagedObjectReference, *types.ManagedObjectReference, types.BaseMethodFault) {
	pool := loc.Pool
	if pool == nil && !vm.Config.Template {
		pool = vm.ResourcePool
	}
	if pool == nil {
		return types.ManagedObjectReference{}, nil, &types.InvalidArgument{InvalidProperty: "spec.location.pool"}
	}
	rp, ok := simulator.Map.Get(*pool).(*simulator.ResourcePool)
	if !ok {
		return *pool, nil, &types.InvalidArgument{InvalidProperty: "spec.location.pool"}
	}
	hosts := computeHosts(rp.Owner)
	host := loc.Host
	if host != nil && !containsRef(hosts, *host) {
		// RelocateSpec.host: "the target host ... must be part of the compute resource of pool".
		return *pool, nil, &types.InvalidArgument{InvalidProperty: "spec.location.host"}
	}
	if host != nil {
		return *pool, host, nil
	}
	datastore := loc.Datastore
	if datastore == nil && len(vm.Datastore) > 0 {
		datastore = &vm.Datastore[0]
	}
	var mounting []types.ManagedObjectReference
	for _, h := range hosts {
		if hs, ok := simulator.Map.Get(h).(*simulator.HostSystem); ok && (datastore == nil || containsRef(hs.Datastore, *datastore)) {
			mounting = append(mounting, h)
		}
	}
	if len(mounting) == 0 {
		return *pool, nil, &types.InvalidDatastore{Datastore: datastore}
	}
	if vm.Runtime.Host != nil && containsRef(mounting, *vm.Runtime.Host) {
		return *pool, vm.Runtime.Host, nil
	}
	return *pool, &mounting[0], nil
}

func computeHosts(ref types.ManagedObjectReference) []types.ManagedObjectReference {
	switch cr := simulator.Map.Get(ref).(type) {
	case *simulator.ClusterComputeResource:
		return cr.Host
	case *mo.ComputeResource:
		return cr.Host
	}
	return nil
}

func containsRef(refs []types.ManagedObjectReference, ref types.ManagedObjectReference) bool {
	for _, r := range refs {
		if r == ref {
			return true
		}
	}
	return false
}

// runClone is the clone task: CreateVM_Task with the copied configuration, then the rest.
func runClone(ctx *simulator.Context, vm *simulator.VirtualMachine, folder *simulator.Folder, req *types.CloneVM_Task, src *cloneSource, pool types.ManagedObjectReference, host *types.ManagedObjectReference) (types.AnyType, types.BaseMethodFault) {
	spec := &req.Spec
	config := cloneConfig(req.Name, src, spec)
	res := folder.CreateVMTask(ctx, &types.CreateVM_Task{This: folder.Self, Config: config, Pool: pool, Host: host})
	created := simulator.Map.Get(res.(*methods.CreateVM_TaskBody).Res.Returnval).(*simulator.Task)
	if created.Info.Error != nil {
		return nil, created.Info.Error.Fault
	}
	ref := created.Info.Result.(types.ManagedObjectReference)
	clone := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	linkDisks(clone, src.parents)
	if spec.Customization != nil {
		if fault := customizer.attach(clone, spec.Customization); fault != nil {
			return ref, fault
		}
	}
	if spec.Template {
		_ = clone.MarkAsTemplate(&types.MarkAsTemplate{This: clone.Self})
	}
	if spec.PowerOn && !spec.Template {
		on := clone.PowerOnVMTask(ctx, &types.PowerOnVM_Task{This: clone.Self}).(*methods.PowerOnVM_TaskBody)
		if on.Fault_ != nil {
			return ref, &types.SystemError{Reason: on.Fault_.String}
		}
		if fault := taskFault(on.Res.Returnval); fault != nil {
			return ref, fault
		}
	}
	return ref, nil
}

// cloneConfig is the CreateVM_Task spec: the source's settings and devices, spec.config
// applied over them, spec.location.deviceChange and spec.config.deviceChange merged in.
func cloneConfig(name string, src *cloneSource, spec *types.VirtualMachineCloneSpec) types.VirtualMachineConfigSpec {
	c := &src.config
	datastore := datastoreOf(c.Files.VmPathName)
	if ref := spec.Location.Datastore; ref != nil {
		if ds, ok := simulator.Map.Get(*ref).(*simulator.Datastore); ok {
			datastore = ds.Name
		}
	}
	config := types.VirtualMachineConfigSpec{
		Name: name, GuestId: c.GuestId, Annotation: c.Annotation, Version: c.Version,
		NumCPUs: c.Hardware.NumCPU, NumCoresPerSocket: c.Hardware.NumCoresPerSocket,
		MemoryMB: int64(c.Hardware.MemoryMB), ExtraConfig: c.ExtraConfig,
		CpuHotAddEnabled: c.CpuHotAddEnabled, CpuHotRemoveEnabled: c.CpuHotRemoveEnabled,
		MemoryHotAddEnabled: c.MemoryHotAddEnabled, Firmware: c.Firmware,
		Files: &types.VirtualMachineFileInfo{VmPathName: "[" + datastore + "]"},
	}
	changes := spec.Location.DeviceChange
	if spec.Config != nil {
		overlay(&config, spec.Config)
		changes = append(changes, spec.Config.DeviceChange...)
	}
	config.DeviceChange = deviceAdds(mergeDevices(c.Hardware.Device, changes))
	return config
}

func datastoreOf(path string) string {
	var p govobj.DatastorePath
	p.FromString(path)
	return p.Datastore
}

// overlay copies every field spec.config sets (other than name, files and devices).
func overlay(dst, src *types.VirtualMachineConfigSpec) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < s.NumField(); i++ {
		switch s.Type().Field(i).Name {
		case "Name", "Files", "DeviceChange":
			continue
		case "ExtraConfig":
			dst.ExtraConfig = append(dst.ExtraConfig, src.ExtraConfig...)
			continue
		}
		if f := s.Field(i); !f.IsZero() {
			d.Field(i).Set(f)
		}
	}
}

type deviceEntry struct {
	device types.BaseVirtualDevice
	spec   *types.VirtualDeviceConfigSpec // nil: copied from the source
}

// mergeDevices applies add / edit / remove device specs to the source's device list.
func mergeDevices(devices []types.BaseVirtualDevice, changes []types.BaseVirtualDeviceConfigSpec) []deviceEntry {
	out := make([]deviceEntry, 0, len(devices)+len(changes))
	for _, d := range devices {
		out = append(out, deviceEntry{device: d})
	}
	for _, c := range changes {
		s := c.GetVirtualDeviceConfigSpec()
		key := s.Device.GetVirtualDevice().Key
		switch s.Operation {
		case types.VirtualDeviceConfigSpecOperationAdd:
			out = append(out, deviceEntry{s.Device, s})
		default:
			for i := range out {
				if out[i].device.GetVirtualDevice().Key == key {
					if s.Operation == types.VirtualDeviceConfigSpecOperationEdit {
						out[i].device = s.Device
					} else {
						out = append(out[:i], out[i+1:]...)
					}
					break
				}
			}
		}
	}
	return out
}

// deviceAdds: the devices as CreateVM_Task adds them. The defaults every new VM gets are
// left out (as the simulator's own clone does); copied disks get new files in the clone's
// directory; a generated MAC address is generated anew (a clone never shares one).
func deviceAdds(entries []deviceEntry) []types.BaseVirtualDeviceConfigSpec {
	defaults := govobj.VirtualDeviceList(esx.VirtualDevice)
	var all govobj.VirtualDeviceList
	for _, e := range entries {
		all = append(all, e.device)
	}
	var out []types.BaseVirtualDeviceConfigSpec
	for _, e := range entries {
		if e.spec != nil {
			out = append(out, e.spec)
			continue
		}
		if defaults.Find(all.Name(e.device)) != nil {
			continue
		}
		add := &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: e.device}
		if b := flatBacking(e.device); b != nil {
			b.FileName, b.Parent = "", nil
			add.FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
		if nic, ok := e.device.(types.BaseVirtualEthernetCard); ok {
			card := nic.GetVirtualEthernetCard()
			if !strings.EqualFold(card.AddressType, string(types.VirtualEthernetCardMacTypeManual)) {
				card.MacAddress = ""
			}
		}
		out = append(out, add)
	}
	return out
}

// linkDisks makes the clone's disks children of the snapshot's disks (a linked clone):
// VirtualDiskFlatVer2BackingInfo.parent is "the parent of this virtual disk file, if this is
// a delta disk backing".
func linkDisks(clone *simulator.VirtualMachine, parents []string) {
	if len(parents) == 0 {
		return
	}
	i := 0
	for _, d := range clone.Config.Hardware.Device {
		b := flatBacking(d)
		if b == nil || i >= len(parents) {
			continue
		}
		b.Parent = &types.VirtualDiskFlatVer2BackingInfo{
			VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: parents[i]},
			DiskMode:                     b.DiskMode,
			ThinProvisioned:              b.ThinProvisioned,
		}
		i++
	}
	simulator.Map.Update(clone, []types.PropertyChange{{Name: "config.hardware.device", Val: clone.Config.Hardware.Device}})
}
