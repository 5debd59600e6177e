package main

// The limits QueryConfigOption(Ex) answers in VirtualMachineConfigOption.hardwareOptions for
// each hardware version (the simulator leaves them zero): numCPU (every count from 1 to the
// maximum), numCoresPerSocket, memoryMB, and one controller option per controller kind with
// the devices it takes (VirtualControllerOption.devices). Values: vSphere Virtual Machine
// Administration 6.7, "Hardware Features Available with Virtual Machine Compatibility
// Settings" (maximum memory, logical processors, cores per socket, SCSI / SATA / NVMe
// adapters per version) and vSphere 6.5 Configuration Maximums, "Virtual Machine Maximums"
// (15 targets per SCSI adapter, 30 devices per SATA adapter, 15 per NVMe adapter, 2 IDE
// devices per IDE controller). See README "Environment browser".

import "github.com/vmware/govmomi/vim25/types"

type versionLimits struct {
	memoryGB, cpus, coresPerSocket int32
	sata, nvme                     bool // whether the version has SATA / NVMe controllers
}

var limitsByVersion = map[int]versionLimits{
	13: {6128, 128, 64, true, true},
	11: {4080, 128, 64, true, false},
	10: {1011, 64, 64, true, false},
	9:  {1011, 64, 64, false, false},
	8:  {1011, 32, 32, false, false},
	7:  {255, 8, 8, false, false},
	4:  {64, 4, 1, false, false},
}

// Devices per controller, by controller kind.
const (
	scsiDevices = 15
	ideDevices  = 2
	sataDevices = 30
	nvmeDevices = 15
)

// setHardwareLimits fills the limits of hardware version `version` into hw (a version the
// table does not know keeps the simulator's answer).
func setHardwareLimits(version int, hw *types.VirtualHardwareOption) {
	l, ok := limitsByVersion[version]
	if !ok {
		return
	}
	hw.HwVersion = int32(version)
	hw.NumCPU = nil
	for n := int32(1); n <= l.cpus; n++ {
		hw.NumCPU = append(hw.NumCPU, n)
	}
	hw.NumCoresPerSocket = &types.IntOption{Min: 1, Max: l.coresPerSocket, DefaultValue: 1}
	hw.MemoryMB.Min, hw.MemoryMB.Max = 4, int64(l.memoryGB)*1024
	hw.VirtualDeviceOption = controllerOptions(version, l)
}

func controllerOption(kind string, devices int32) types.VirtualControllerOption {
	return types.VirtualControllerOption{
		VirtualDeviceOption: types.VirtualDeviceOption{Type: kind},
		Devices:             types.IntOption{Min: 0, Max: devices},
	}
}

func scsiOption(kind string) types.VirtualSCSIControllerOption {
	return types.VirtualSCSIControllerOption{
		VirtualControllerOption: controllerOption(kind, scsiDevices),
		NumSCSIDisks:            types.IntOption{Min: 0, Max: scsiDevices},
		ScsiCtlrUnitNumber:      7,
	}
}

// controllerOptions: IDE, BusLogic and LSI Logic in every version; LSI Logic SAS and VMware
// Paravirtual from hardware version 7; SATA and NVMe where the version has them.
func controllerOptions(version int, l versionLimits) []types.BaseVirtualDeviceOption {
	out := []types.BaseVirtualDeviceOption{
		&types.VirtualIDEControllerOption{
			VirtualControllerOption: controllerOption("VirtualIDEController", ideDevices),
			NumIDEDisks:             types.IntOption{Min: 0, Max: ideDevices},
			NumIDECdroms:            types.IntOption{Min: 0, Max: ideDevices},
		},
		&types.VirtualBusLogicControllerOption{VirtualSCSIControllerOption: scsiOption("VirtualBusLogicController")},
		&types.VirtualLsiLogicControllerOption{VirtualSCSIControllerOption: scsiOption("VirtualLsiLogicController")},
	}
	if version >= 7 {
		out = append(out,
			&types.VirtualLsiLogicSASControllerOption{VirtualSCSIControllerOption: scsiOption("VirtualLsiLogicSASController")},
			&types.ParaVirtualSCSIControllerOption{VirtualSCSIControllerOption: scsiOption("ParaVirtualSCSIController")},
		)
	}
	if l.sata {
		out = append(out, &types.VirtualAHCIControllerOption{VirtualSATAControllerOption: types.VirtualSATAControllerOption{
			VirtualControllerOption: controllerOption("VirtualAHCIController", sataDevices),
			NumSATADisks:            types.IntOption{Min: 0, Max: sataDevices},
			NumSATACdroms:           types.IntOption{Min: 0, Max: sataDevices},
		}})
	}
	if l.nvme {
		out = append(out, &types.VirtualNVMEControllerOption{
			VirtualControllerOption: controllerOption("VirtualNVMEController", nvmeDevices),
			NumNVMEDisks:            types.IntOption{Min: 0, Max: nvmeDevices},
		})
	}
	return out
}
