package main

// VirtualMachine.UpgradeVM_Task as the vSphere API reference describes it: "If specified,
// upgrade to that specified version. If not specified, upgrade to the most current virtual
// hardware supported on the host"; faults InvalidState ("if an invalid version string is
// specified"), AlreadyUpgraded ("if the virtual machine's hardware is already up-to-date")
// and InvalidPowerState (the VM must be powered off). vcsim 0.24 always sets vmx-13
// (esx.HardwareVersion), ignoring version, and checks nothing. The versions a host offers
// are those of envbrowser.go.

import (
	"strconv"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func (p *harnessProxy) UpgradeVMTask(ctx *simulator.Context, req *types.UpgradeVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "UpgradeVMTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		offered := hostVersions(vm)
		if offered == nil { // a release envbrowser.go does not know: the simulator's own
			return vm.UpgradeVMTask(req)
		}
		target, fault := upgradeTarget(vm, req.Version, offered)
		var ref types.ManagedObjectReference
		if fault != nil {
			ref = failedTask(vm, "upgradeVm", fault)
		} else {
			ref = simulator.CreateTask(vm, "upgradeVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
				simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.version", Val: "vmx-" + strconv.Itoa(target)}})
				return nil, nil
			}).Run()
		}
		return &methods.UpgradeVM_TaskBody{Res: &types.UpgradeVM_TaskResponse{Returnval: ref}}
	})
}

// hostVersions are the hardware versions the VM's host offers, newest first.
func hostVersions(vm *simulator.VirtualMachine) []int {
	if vm.Runtime.Host == nil {
		return nil
	}
	h, ok := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	if !ok {
		return nil
	}
	return hardwareVersions[releaseOf(h.Config.Product.Version)]
}

// upgradeTarget is the version to upgrade to, or the fault the server answers.
func upgradeTarget(vm *simulator.VirtualMachine, version string, offered []int) (int, types.BaseMethodFault) {
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		return 0, &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOff, ExistingState: vm.Runtime.PowerState,
		}
	}
	target := offered[0]
	if version != "" {
		target = vmxNumber(version)
		if !containsInt(offered, target) {
			return 0, &types.InvalidState{}
		}
	}
	if vmxNumber(vm.Config.Version) >= target {
		return 0, &types.AlreadyUpgraded{}
	}
	return target, nil
}

// vmxNumber is 11 for "vmx-11" (or "vmx-011"), -1 for anything else.
func vmxNumber(version string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(version, "vmx-"))
	if err != nil || !strings.HasPrefix(version, "vmx-") {
		return -1
	}
	return n
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
