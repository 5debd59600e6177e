package main

// --scenario NAME: a model built for one purpose, with its roles in the manifest.
//
// "premigration" (vCenter only) is the model of the pre-migration checks: in the first
// cluster, host roles source / ok / maintenance / incompatible / no_vmotion; VMs that all
// start on source (clean, host_cdrom, missing_network, local_storage); datastores and
// networks that make each check pass or fail on purpose. The roles are written to the
// manifest under "premigration". The scenario also makes RelocateVM_Task keep the inventory
// consistent (see relocationFixer): the simulator itself only updates the VM's own
// runtime.host, resourcePool and datastore properties.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	govobj "github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// scenario is a named model: count flags it needs (applied unless given) and its changes.
type scenario struct {
	defaults    map[string]string
	vcenterOnly bool
	apply       func(m *simulator.Model, manifest map[string]interface{}) error
}

var (
	scenarios = map[string]scenario{
		"premigration": {
			defaults:    map[string]string{"cluster-host": "5", "vm": "4", "ds": "4"},
			vcenterOnly: true,
			apply:       applyPremigration,
		},
	}
	chosenScenario string
)

// scenarioFlag sets the scenario's count defaults for count flags not given before it;
// counts given after it win, and apply() refuses a model too small for its roles.
type scenarioFlag struct{ fs *flag.FlagSet }

func (f *scenarioFlag) String() string { return chosenScenario }

func (f *scenarioFlag) Set(name string) error {
	s, ok := scenarios[name]
	if !ok {
		return fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames(), ", "))
	}
	if esx := f.fs.Lookup("esx"); esx != nil && esx.Value.String() == "true" && s.vcenterOnly {
		return fmt.Errorf("scenario %s needs the vCenter model (drop --esx)", name)
	}
	chosenScenario = name
	for flagName, value := range s.defaults {
		if fl := f.fs.Lookup(flagName); fl != nil && fl.Value.String() == "" {
			if err := f.fs.Set(flagName, value); err != nil {
				return err
			}
		}
	}
	return nil
}

func scenarioNames() []string {
	var names []string
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func init() {
	register(Extension{
		Name: "scenario",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&scenarioFlag{fs}, "scenario", "build a model for a purpose: "+strings.Join(scenarioNames(), ", "))
		},
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			if chosenScenario == "" {
				return nil
			}
			return scenarios[chosenScenario].apply(m, manifest)
		},
	})
}

const (
	sourceOnlyPortgroup = "PG_SOURCE_ONLY"
	hostCdromDevice     = "/vmfs/devices/cdrom/mpx.vmhba32:C0:T0:L0"
	fullDatastoreFree   = 512 * 1024 // bytes: less than any VM of the model needs
	okMemoryUsage       = 512        // MiB in use on ok; every other host reports 1404
)

// applyPremigration builds the pre-migration model; see the file comment.
func applyPremigration(m *simulator.Model, manifest map[string]interface{}) error {
	if simulator.Map.IsESX() {
		return fmt.Errorf("scenario premigration needs the vCenter model (drop --esx)")
	}
	ctx := context.Background()
	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return err
	}
	cluster, hosts, vms, err := premigrationInventory()
	if err != nil {
		return err
	}
	source := hosts[0]
	setHostDefects(hosts)
	datastores := datastoresOf(source)
	if len(datastores) < 4 {
		return fmt.Errorf("scenario premigration needs --ds 4 or more, got %d", len(datastores))
	}
	fixMounts(datastores)
	unmountExcept(datastores[2], source)
	setFreeSpace(datastores[3], fullDatastoreFree)
	if err := addSourceOnlyPortgroup(ctx, c, source); err != nil {
		return err
	}
	simulator.Map.AddHandler(&relocationFixer{Self: types.ManagedObjectReference{Type: "RelocationFixer", Value: "premigration"}})
	if err := placeVMs(ctx, c, vms, source, datastores[2]); err != nil {
		return err
	}
	manifest["premigration"] = object{
		"cluster": cluster.Name,
		"hosts": object{"source": hosts[0].Name, "ok": hosts[1].Name, "maintenance": hosts[2].Name,
			"incompatible": hosts[3].Name, "no_vmotion": hosts[4].Name},
		"vms": object{"clean": vms[0].Name, "host_cdrom": vms[1].Name,
			"missing_network": vms[2].Name, "local_storage": vms[3].Name},
		"datastores": object{"shared": datastores[0].Name, "target": datastores[1].Name,
			"source_only": datastores[2].Name, "full": datastores[3].Name},
		"networks": object{"shared": sharedNetwork(vms[0]), "source_only": sourceOnlyPortgroup},
	}
	return nil
}

// premigrationInventory returns the first cluster, its first 5 hosts and first 4 VMs by name.
func premigrationInventory() (*simulator.ClusterComputeResource, []*simulator.HostSystem, []*simulator.VirtualMachine, error) {
	all := entities("ClusterComputeResource")
	if len(all) == 0 {
		return nil, nil, nil, fmt.Errorf("scenario premigration needs a cluster")
	}
	cluster := all[0].(*simulator.ClusterComputeResource)
	var hosts []*simulator.HostSystem
	for _, h := range hostSystems() {
		if ancestor(h, "ClusterComputeResource") == mo.Entity(cluster) {
			hosts = append(hosts, h)
		}
	}
	var vms []*simulator.VirtualMachine
	for _, vm := range virtualMachines() {
		if h := entity(vm.Runtime.Host); h != nil && ancestor(h, "ClusterComputeResource") == mo.Entity(cluster) {
			vms = append(vms, vm)
		}
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	sort.Slice(vms, func(i, j int) bool { return vms[i].Name < vms[j].Name })
	if len(hosts) < 5 || len(vms) < 4 {
		return nil, nil, nil, fmt.Errorf("scenario premigration needs 5 hosts and 4 VMs in %s (--cluster-host 5 --vm 4), got %d and %d",
			cluster.Name, len(hosts), len(vms))
	}
	return cluster, hosts[:5], vms[:4], nil
}

// setHostDefects: vMotion on everywhere but no_vmotion; maintenance; an older AMD host;
// ok uses less memory than every other host (the simulator gives all the same usage).
func setHostDefects(roles []*simulator.HostSystem) {
	for _, h := range hostSystems() {
		h.Summary.Config.VmotionEnabled = true
	}
	roles[1].Summary.QuickStats.OverallMemoryUsage = okMemoryUsage
	roles[4].Summary.Config.VmotionEnabled = false
	roles[2].Runtime.InMaintenanceMode = true

	old := roles[3]
	// Product and the CPU packages are shared with every host made from the same
	// template: give this host its own copies before changing them.
	product := *old.Summary.Config.Product
	product.Version, product.Build, product.ApiVersion = "6.0.0", "3620759", "6.0"
	product.FullName = "VMware ESXi 6.0.0 build-3620759"
	old.Summary.Config.Product = &product
	old.Config.Product = product
	cpuModel := "AMD EPYC 7302 16-Core Processor"
	packages := append([]types.HostCpuPackage(nil), old.Hardware.CpuPkg...)
	for i := range packages {
		packages[i].Vendor, packages[i].Description = "amd", cpuModel
	}
	old.Hardware.CpuPkg = packages
	old.Summary.Hardware.CpuModel = cpuModel
}

// datastoresOf returns the datastores a host mounts, sorted by name.
func datastoresOf(h *simulator.HostSystem) []*simulator.Datastore {
	var out []*simulator.Datastore
	for _, ref := range h.Datastore {
		if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok {
			out = append(out, ds)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// fixMounts lists every host that mounts a datastore in its host property: the simulator
// keeps only the last host it created the local datastore on.
func fixMounts(datastores []*simulator.Datastore) {
	for _, ds := range datastores {
		ds.Host = nil
		for _, h := range hostSystems() {
			if simulator.FindReference(h.Datastore, ds.Self) != nil {
				ds.Host = append(ds.Host, mountOn(h))
			}
		}
	}
}

func mountOn(h *simulator.HostSystem) types.DatastoreHostMount {
	return types.DatastoreHostMount{Key: h.Self, MountInfo: types.HostMountInfo{
		AccessMode: string(types.HostMountModeReadWrite), Mounted: types.NewBool(true), Accessible: types.NewBool(true),
	}}
}

// unmountExcept leaves ds mounted on keep only.
func unmountExcept(ds *simulator.Datastore, keep *simulator.HostSystem) {
	for _, h := range hostSystems() {
		if h.Self != keep.Self {
			simulator.RemoveReference(&h.Datastore, ds.Self)
		}
	}
	ds.Host = []types.DatastoreHostMount{mountOn(keep)}
}

func setFreeSpace(ds *simulator.Datastore, free int64) {
	ds.Summary.FreeSpace = free
	ds.Info.GetDatastoreInfo().FreeSpace = free
}

// addSourceOnlyPortgroup adds a standard portgroup that only the source host has.
func addSourceOnlyPortgroup(ctx context.Context, c *vim25.Client, source *simulator.HostSystem) error {
	ns, err := govobj.NewHostSystem(c, source.Self).ConfigManager().NetworkSystem(ctx)
	if err != nil {
		return err
	}
	spec := types.HostPortGroupSpec{Name: sourceOnlyPortgroup, VswitchName: "vSwitch0", Policy: types.HostNetworkPolicy{}}
	if err := ns.AddPortGroup(ctx, spec); err != nil {
		return err
	}
	dc := ancestor(source, "Datacenter").(*simulator.Datacenter)
	net := simulator.Map.FindByName(sourceOnlyPortgroup, dc.Network)
	if net == nil {
		return fmt.Errorf("portgroup %s not found after AddPortGroup", sourceOnlyPortgroup)
	}
	source.Network = append(source.Network, net.Reference())
	if n, ok := net.(*mo.Network); ok {
		n.Host = []types.ManagedObjectReference{source.Self}
	}
	return nil
}

// placeVMs moves the role VMs to source and gives each its defect.
func placeVMs(ctx context.Context, c *vim25.Client, vms []*simulator.VirtualMachine, source *simulator.HostSystem, local *simulator.Datastore) error {
	for i, vm := range vms {
		setCdrom(vm, i == 1)
		spec := types.VirtualMachineRelocateSpec{Host: &source.Self}
		if i == 3 {
			spec.Datastore = &local.Self
		}
		if err := waitTask(govobj.NewVirtualMachine(c, vm.Self).Relocate(ctx, spec, "")); err != nil {
			return fmt.Errorf("relocating %s: %w", vm.Name, err)
		}
	}
	backing := &types.VirtualEthernetCardNetworkBackingInfo{
		VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: sourceOnlyPortgroup},
	}
	nic, err := govobj.VirtualDeviceList{}.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return err
	}
	return govobj.NewVirtualMachine(c, vms[2].Self).AddDevice(ctx, nic)
}

func waitTask(task *govobj.Task, err error) error {
	if err != nil {
		return err
	}
	return task.Wait(context.Background())
}

// setCdrom connects the VM's CD-ROM to a host device, or makes it a disconnected client device.
func setCdrom(vm *simulator.VirtualMachine, hostDevice bool) {
	for _, d := range vm.Config.Hardware.Device {
		cdrom, ok := d.(*types.VirtualCdrom)
		if !ok {
			continue
		}
		if hostDevice {
			cdrom.Backing = &types.VirtualCdromAtapiBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: hostCdromDevice},
			}
			cdrom.Connectable = &types.VirtualDeviceConnectInfo{Connected: true, StartConnected: true, AllowGuestControl: true}
			continue
		}
		cdrom.Backing = &types.VirtualCdromRemotePassthroughBackingInfo{
			VirtualDeviceRemoteDeviceBackingInfo: types.VirtualDeviceRemoteDeviceBackingInfo{DeviceName: "", UseAutoDetect: types.NewBool(false)},
		}
		cdrom.Connectable = &types.VirtualDeviceConnectInfo{AllowGuestControl: true}
	}
}

// sharedNetwork is the network of the VM's first NIC (a portgroup every host has).
func sharedNetwork(vm *simulator.VirtualMachine) interface{} {
	for _, ref := range vm.Network {
		return nameOf(entity(&ref))
	}
	return nil
}

// relocationFixer completes what the simulator's RelocateVM_Task leaves undone: it moves
// the VM in the host, pool and datastore vm lists, and after a storage move rewrites the
// disk and configuration paths to the new datastore and moves the VM's directory there.
type relocationFixer struct {
	Self types.ManagedObjectReference
}

func (f *relocationFixer) Reference() types.ManagedObjectReference   { return f.Self }
func (f *relocationFixer) PutObject(mo.Reference)                    {}
func (f *relocationFixer) RemoveObject(types.ManagedObjectReference) {}

func (f *relocationFixer) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok {
		return
	}
	for _, change := range changes {
		switch change.Name {
		case "runtime.host":
			moveInLists("HostSystem", vm.Self, vm.Runtime.Host)
		case "resourcePool":
			moveInLists("ResourcePool", vm.Self, vm.ResourcePool)
		case "datastore":
			if len(vm.Datastore) == 1 {
				moveStorage(vm, vm.Datastore[0])
			}
		}
	}
}

// moveInLists removes vm from the vm list of every object of kind and adds it to to's.
func moveInLists(kind string, vm types.ManagedObjectReference, to *types.ManagedObjectReference) {
	for _, e := range simulator.Map.All(kind) {
		var list *[]types.ManagedObjectReference
		switch o := e.(type) {
		case *simulator.HostSystem:
			list = &o.Vm
		case *simulator.ResourcePool:
			list = &o.Vm
		default:
			continue
		}
		simulator.Map.WithLock(e, func() {
			simulator.RemoveReference(list, vm)
			if to != nil && e.Reference() == *to {
				*list = append(*list, vm)
			}
		})
	}
}

// moveStorage points the VM's files at datastore to and moves its directory there.
func moveStorage(vm *mo.VirtualMachine, to types.ManagedObjectReference) {
	ds, ok := simulator.Map.Get(to).(*simulator.Datastore)
	if !ok || vm.Config == nil {
		return
	}
	var from govobj.DatastorePath
	if !from.FromString(vm.Config.Files.VmPathName) || from.Datastore == ds.Name {
		return
	}
	if old, ok := simulator.Map.FindByName(from.Datastore, allDatastores()).(*simulator.Datastore); ok {
		dir := path.Dir(from.Path)
		_ = os.Rename(path.Join(old.Info.GetDatastoreInfo().Url, dir), path.Join(ds.Info.GetDatastoreInfo().Url, dir))
		simulator.Map.WithLock(old, func() { simulator.RemoveReference(&old.Vm, vm.Self) })
	}
	simulator.Map.WithLock(ds, func() { ds.Vm = append(ds.Vm, vm.Self) })
	rename := func(p string) string {
		var dp govobj.DatastorePath
		if dp.FromString(p) && dp.Datastore == from.Datastore {
			dp.Datastore = ds.Name
			return dp.String()
		}
		return p
	}
	files := &vm.Config.Files
	files.VmPathName, files.SnapshotDirectory = rename(files.VmPathName), rename(files.SnapshotDirectory)
	files.SuspendDirectory, files.LogDirectory = rename(files.SuspendDirectory), rename(files.LogDirectory)
	vm.Summary.Config.VmPathName = files.VmPathName
	for _, d := range vm.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				info := b.GetVirtualDeviceFileBackingInfo()
				info.FileName, info.Datastore = rename(info.FileName), &ds.Self
			}
		}
	}
}

func allDatastores() []types.ManagedObjectReference {
	var refs []types.ManagedObjectReference
	for _, e := range simulator.Map.All("Datastore") {
		refs = append(refs, e.Reference())
	}
	return refs
}
