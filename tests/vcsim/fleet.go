package main

// Flags for inventory tests and benchmarks:
//
// --vm-prefix P renames every VM to P+name and gives it BIOS and instance uuids of its own.
// The simulator derives a VM's uuids from its .vmx path, which is the same in every simulator
// started with the same model: without this, VMs of two such simulators share instance uuids
// and an inventory that merges endpoints by instance uuid (as it should: that is how a VM seen
// through vCenter and through its ESXi host is recognised) sees one fleet instead of two.
//
// --guest-ips N gives the first N powered-on VMs (by inventory path) what VMware Tools would
// report: guest.ipAddress 192.0.2.x (a documentation range, never contacted), guest.net with
// that address, and guest.hostName <name>.example.test. The simulator leaves them empty.

import (
	"flag"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var fleetOptions struct {
	vmPrefix string
	guestIPs int
}

func init() {
	register(Extension{
		Name: "fleet",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&fleetOptions.vmPrefix, "vm-prefix", "", "prefix every VM's name with this, and derive its uuids from it")
			fs.IntVar(&fleetOptions.guestIPs, "guest-ips", 0, "give the first N powered-on VMs a guest IP address and hostname")
		},
		Apply: applyFleet,
	})
}

func applyFleet(m *simulator.Model, manifest map[string]interface{}) error {
	if fleetOptions.guestIPs < 0 || fleetOptions.guestIPs > 254 {
		return fmt.Errorf("--guest-ips must be 0-254, got %d", fleetOptions.guestIPs)
	}
	if fleetOptions.vmPrefix != "" {
		for _, vm := range virtualMachines() {
			prefixVM(vm, fleetOptions.vmPrefix)
		}
		manifest["vm_prefix"] = fleetOptions.vmPrefix
	}
	given := map[string]string{}
	for _, vm := range virtualMachines() {
		if len(given) == fleetOptions.guestIPs {
			break
		}
		if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			ip := fmt.Sprintf("192.0.2.%d", len(given)+1)
			setGuestIP(vm, ip)
			given[vm.Self.Value] = ip
		}
	}
	if len(given) > 0 {
		manifest["guest_ips"] = given
	}
	return nil
}

// prefixVM renames a VM and re-derives its uuids from the prefix.
func prefixVM(vm *simulator.VirtualMachine, prefix string) {
	derive := func(old string) string { return uuid.NewSHA1(uuid.NameSpaceOID, []byte(prefix+old)).String() }
	vm.Name = prefix + vm.Name
	vm.Summary.Config.Name = vm.Name
	if vm.Config == nil {
		return
	}
	vm.Config.Name = vm.Name
	vm.Config.Uuid = derive(vm.Config.Uuid)
	vm.Config.InstanceUuid = derive(vm.Config.InstanceUuid)
	vm.Summary.Config.Uuid = vm.Config.Uuid
	vm.Summary.Config.InstanceUuid = vm.Config.InstanceUuid
}

// setGuestIP makes the VM's guest report one NIC with this address, and a hostname.
func setGuestIP(vm *simulator.VirtualMachine, ip string) {
	if vm.Guest == nil {
		vm.Guest = &types.GuestInfo{}
	}
	hostname := strings.ToLower(vm.Name) + ".example.test"
	vm.Guest.IpAddress = ip
	vm.Guest.HostName = hostname
	vm.Guest.Net = []types.GuestNicInfo{{Network: "VM Network", IpAddress: []string{ip}, Connected: true, DeviceConfigId: 4000}}
	vm.Summary.Guest.IpAddress = ip
	vm.Summary.Guest.HostName = hostname
}
