package main

// Guest customization as vCenter and VMware Tools do it (README "Cloning and guest
// customization"). vcsim 0.24 ignores CloneVM_Task's spec.customization, and its
// CustomizeVM_Task compares the spec's NICs with guest.net (empty while the VM is off), so
// it refuses every VM that was never running, and it posts no events. Here a customization
// attached by CloneVM_Task (clone.go) or CustomizeVM_Task stays pending
// (config.tools.pendingCustomization) until the VM powers on; then, as the guest boots, a
// CustomizationStartedEvent is posted, the guest's host name, IP addresses and NICs are set
// from the spec (a DHCP NIC connected at power-on gets a lease of the harness's DHCP server,
// 198.51.100.0/24) and VMware Tools report running, and a CustomizationSucceeded follows. A
// host name starting with "fail-" fails instead: CustomizationLinuxIdentityFailed (Linux) or
// CustomizationUnknownFailure (Windows), both CustomizationFailed events, and the guest keeps
// what it had.

import (
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// customizationDelay is how long the guest takes from power-on to the end of customization.
var customizationDelay time.Duration

const (
	linuxLog   = "/var/log/vmware-imc/toolsDeployPkg.log"
	windowsLog = `C:\Windows\TEMP\vmware-imc\guestcust.log`
)

func init() {
	routes["CustomizeVM_Task"] = "VirtualMachine"
	register(Extension{
		Name: "customization",
		Flags: func(fs *flag.FlagSet) {
			fs.DurationVar(&customizationDelay, "customization-delay", 300*time.Millisecond,
				"time from a customized VM's power-on to the end of its customization")
		},
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			simulator.Map.AddHandler(customizer)
			return nil
		},
	})
}

// customizations holds the customization each VM applies at its next power-on.
type customizations struct {
	mu      sync.Mutex
	pending map[types.ManagedObjectReference]types.CustomizationSpec
	counter int
}

var customizer = &customizations{pending: map[types.ManagedObjectReference]types.CustomizationSpec{}}

func (c *customizations) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: proxyType, Value: "customization"}
}

func (c *customizations) PutObject(mo.Reference) {}

func (c *customizations) RemoveObject(ref types.ManagedObjectReference) {
	c.mu.Lock()
	delete(c.pending, ref)
	c.mu.Unlock()
}

// UpdateObject starts a pending customization when its VM powers on.
func (c *customizations) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "VirtualMachine" {
		return
	}
	for _, change := range changes {
		if change.Name != "runtime.powerState" || fmt.Sprint(change.Val) != string(types.VirtualMachinePowerStatePoweredOn) {
			continue
		}
		c.mu.Lock()
		spec, ok := c.pending[ref]
		delete(c.pending, ref)
		c.mu.Unlock()
		if ok {
			go c.run(ref, spec)
		}
	}
}

// attach makes spec pending on the (locked) VM. CustomizeVM_Task: "NicSettingMismatch: if
// the number of network adapter settings in the customization specification does not match
// the number of network adapters present in the virtual machine"; "CustomizationPending: if
// there is already a customization pending for this virtual machine".
func (c *customizations) attach(vm *simulator.VirtualMachine, spec *types.CustomizationSpec) types.BaseMethodFault {
	if vm.Config.Tools != nil && vm.Config.Tools.PendingCustomization != "" {
		return new(types.CustomizationPending)
	}
	if n := len(nics(vm)); n != len(spec.NicSettingMap) {
		return &types.NicSettingMismatch{NumberOfNicsInSpec: int32(len(spec.NicSettingMap)), NumberOfNicsInVM: int32(n)}
	}
	c.mu.Lock()
	c.pending[vm.Self] = *spec
	c.mu.Unlock()
	simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.tools.pendingCustomization", Val: uuid.New().String()}})
	return nil
}

func nics(vm *simulator.VirtualMachine) []*types.VirtualEthernetCard {
	var out []*types.VirtualEthernetCard
	for _, d := range vm.Config.Hardware.Device {
		if nic, ok := d.(types.BaseVirtualEthernetCard); ok {
			out = append(out, nic.GetVirtualEthernetCard())
		}
	}
	return out
}

// CustomizeVMTask: "Customizes a virtual machine's guest operating system"; the VM must be
// powered off (InvalidPowerState); the customization runs at its next power-on.
func (p *harnessProxy) CustomizeVMTask(ctx *simulator.Context, req *types.CustomizeVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "CustomizeVMTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		task := simulator.CreateTask(vm, "customizeVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
				return nil, &types.InvalidPowerState{
					RequestedState: types.VirtualMachinePowerStatePoweredOff, ExistingState: vm.Runtime.PowerState,
				}
			}
			return nil, customizer.attach(vm, &req.Spec)
		})
		return &methods.CustomizeVM_TaskBody{Res: &types.CustomizeVM_TaskResponse{Returnval: task.Run()}}
	})
}

// run is the guest side: started, then succeeded or failed, customizationDelay apart.
func (c *customizations) run(ref types.ManagedObjectReference, spec types.CustomizationSpec) {
	time.Sleep(customizationDelay / 2)
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	hostname, linux := c.hostname(vm, spec.Identity)
	log := windowsLog
	if linux {
		log = linuxLog
	}
	simulator.Map.WithLock(vm, func() {
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.tools.pendingCustomization", Val: ""}})
		postEvent(&types.CustomizationStartedEvent{CustomizationEvent: customizationEvent(vm, log,
			fmt.Sprintf("Started customization of VM %s. Customization log located at %s in the guest OS.", vm.Name, log))})
	})
	time.Sleep(customizationDelay / 2)
	simulator.Map.WithLock(vm, func() {
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			return // powered off before the guest finished: nothing more is reported
		}
		if strings.HasPrefix(hostname, "fail-") {
			postEvent(failure(vm, linux, log))
			return
		}
		simulator.Map.Update(vm, guestChanges(vm, hostname, spec))
		postEvent(&types.CustomizationSucceeded{CustomizationEvent: customizationEvent(vm, log,
			fmt.Sprintf("Customization of VM %s succeeded. Customization log located at %s in the guest OS.", vm.Name, log))})
	})
}

// hostname is the name the identity gives the guest (CustomizationName kinds), and whether
// the identity is Linux's.
func (c *customizations) hostname(vm *simulator.VirtualMachine, identity types.BaseCustomizationIdentitySettings) (string, bool) {
	var name types.BaseCustomizationName
	linux := false
	switch id := identity.(type) {
	case *types.CustomizationLinuxPrep:
		name, linux = id.HostName, true
	case *types.CustomizationSysprep:
		name = id.UserData.ComputerName
	}
	switch n := name.(type) {
	case *types.CustomizationFixedName:
		return n.Name, linux
	case *types.CustomizationVirtualMachineName:
		return vm.Name, linux
	case *types.CustomizationPrefixName:
		// "the generated name is the prefix with a number appended"
		c.mu.Lock()
		c.counter++
		number := c.counter
		c.mu.Unlock()
		return fmt.Sprintf("%s%d", n.Base, number), linux
	}
	return "", linux
}

func failure(vm *simulator.VirtualMachine, linux bool, log string) types.BaseEvent {
	if linux {
		return &types.CustomizationLinuxIdentityFailed{CustomizationFailed: types.CustomizationFailed{
			CustomizationEvent: customizationEvent(vm, log,
				fmt.Sprintf("An error occurred while setting up Linux identity. See log file '%s' on guest OS for details.", log)),
		}}
	}
	return &types.CustomizationUnknownFailure{CustomizationFailed: types.CustomizationFailed{
		CustomizationEvent: customizationEvent(vm, log,
			fmt.Sprintf("An error occurred while customizing VM %s. For details reference the log file %s in the guest OS.", vm.Name, log)),
	}}
}

// guestChanges: what VMware Tools report once the guest is customized. A NIC with a fixed IP
// has it; a DHCP NIC that is connected has the lease the network's DHCP server gave its MAC
// address (dhcpLease); guest.ipAddress is the first NIC's address that has one.
func guestChanges(vm *simulator.VirtualMachine, hostname string, spec types.CustomizationSpec) []types.PropertyChange {
	var net []types.GuestNicInfo
	address := ""
	for i, nic := range nics(vm) {
		// the customization runs as the VM powers on, when a NIC connects if startConnected
		connected := nic.Connectable == nil || nic.Connectable.StartConnected
		info := types.GuestNicInfo{MacAddress: nic.MacAddress, Connected: true, DeviceConfigId: nic.Key}
		if b, ok := nic.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			info.Network = b.DeviceName
		}
		if i < len(spec.NicSettingMap) {
			switch ip := spec.NicSettingMap[i].Adapter.Ip.(type) {
			case *types.CustomizationFixedIp:
				info.IpAddress = []string{ip.IpAddress}
			case *types.CustomizationDhcpIpGenerator:
				info.Connected = connected
				if lease := dhcp.lease(nic.MacAddress); connected && lease != "" {
					info.IpAddress = []string{lease}
				}
			}
		}
		if address == "" && len(info.IpAddress) > 0 {
			address = info.IpAddress[0]
		}
		net = append(net, info)
	}
	changes := []types.PropertyChange{
		{Name: "guest.toolsRunningStatus", Val: string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)},
		{Name: "guest.toolsStatus", Val: types.VirtualMachineToolsStatusToolsOk},
		{Name: "guest.net", Val: net},
	}
	if hostname != "" {
		changes = append(changes, types.PropertyChange{Name: "guest.hostName", Val: hostname})
	}
	if address != "" {
		changes = append(changes, types.PropertyChange{Name: "guest.ipAddress", Val: address})
	}
	return changes
}

// dhcpServer is the DHCP server of the simulator's networks: it leases 198.51.100.1 to
// 198.51.100.254 (TEST-NET-2, RFC 5737: documentation only, never routed) in order, one
// address per MAC address, the same again whenever that MAC asks; none once all are leased.
type dhcpServer struct {
	mu     sync.Mutex
	leases map[string]string
}

var dhcp = &dhcpServer{leases: map[string]string{}}

func (d *dhcpServer) lease(mac string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ip, ok := d.leases[mac]; ok {
		return ip
	}
	if mac == "" || len(d.leases) >= 254 {
		return ""
	}
	ip := fmt.Sprintf("198.51.100.%d", len(d.leases)+1)
	d.leases[mac] = ip
	return ip
}

func customizationEvent(vm *simulator.VirtualMachine, log, message string) types.CustomizationEvent {
	event := types.Event{
		Vm:                   &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.Name}, Vm: vm.Self},
		FullFormattedMessage: message,
		CreatedTime:          time.Now(),
	}
	if h, ok := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem); ok {
		event.Host = &types.HostEventArgument{EntityEventArgument: types.EntityEventArgument{Name: h.Name}, Host: h.Self}
	}
	if dc, ok := ancestor(vm, "Datacenter").(*simulator.Datacenter); ok {
		event.Datacenter = &types.DatacenterEventArgument{EntityEventArgument: types.EntityEventArgument{Name: dc.Name}, Datacenter: dc.Self}
	}
	return types.CustomizationEvent{VmEvent: types.VmEvent{Event: event, Template: vm.Config.Template}, LogLocation: log}
}

// postEvent posts an event as the guest's tools do (no user session behind it).
func postEvent(event types.BaseEvent) {
	m := simulator.Map.EventManager()
	ctx := &simulator.Context{Session: &simulator.Session{}}
	simulator.Map.WithLock(m, func() {
		m.PostEvent(ctx, &types.PostEvent{EventToPost: event})
	})
}
