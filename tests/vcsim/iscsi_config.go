package main

// iSCSI configuration on HostStorageSystem, which vcsim 0.24 lacks (MethodNotFound). API
// reference, HostStorageSystem:
//   - UpdateSoftwareInternetScsiEnabled(enabled): "Enables or disables Software iSCSI"; the
//     host then has (or keeps) its software adapter (storageDevice.softwareInternetScsiEnabled).
//   - AddInternetScsiStaticTargets(iScsiHbaDevice, targets) / RemoveInternetScsiStaticTargets:
//     "Adds (removes) Static Targets to the Host Bus Adapter"; AddInternetScsiSendTargets /
//     RemoveInternetScsiSendTargets: the same for Send Targets (dynamic discovery); NotFound
//     when no iSCSI adapter has that device name.
//   - UpdateInternetScsiAuthenticationProperties(iScsiHbaDevice, authenticationProperties,
//     targetSet): CHAP settings of the adapter, or of the targets in targetSet.
//   - RescanHba(hbaDevice) / RescanAllHba: "Issues a request to rescan the specified host bus
//     adapter for new storage devices".
// What a rescan finds is the simulated SAN: the targets of iscsi.go's layout (by address, port
// and IQN) and their LUNs. A send target's discovery adds each SAN target at that address and
// port as a configured static target with discoveryMethod "sendTargetMethod" and parent
// "<address>:<port>" (HostInternetScsiHbaStaticTarget); every static target the SAN has gets
// its LUNs in scsiTopology and scsiLun, as at start-up. A target the SAN lacks shows no LUNs, and
// the LUNs of a removed target go from scsiLun at the next rescan.
// CHAP settings are kept; like ESXi, the secrets are never shown in the properties (the SAN
// here checks no credentials).

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	for _, m := range []string{"UpdateSoftwareInternetScsiEnabled", "AddInternetScsiStaticTargets",
		"RemoveInternetScsiStaticTargets", "AddInternetScsiSendTargets", "RemoveInternetScsiSendTargets",
		"UpdateInternetScsiAuthenticationProperties", "RescanHba"} {
		routes[m] = "HostStorageSystem"
	}
}

// sanTarget is a target of the simulated SAN.
func sanTarget(iqn, address string, port int32) *iscsiTarget {
	for _, a := range iscsiLayout {
		for i := range a.targets {
			t := &a.targets[i]
			if t.iqn == iqn && t.address == address && t.port == port {
				return t
			}
		}
	}
	return nil
}

// iscsiDevice is the host's own storage device info (vcsim starts every host on one shared
// template, which must not change for all hosts at once).
func iscsiDevice(ss *simulator.HostStorageSystem) *types.HostStorageDeviceInfo {
	h := ss.Host
	if ownDevices[h.Self] {
		return h.Config.StorageDevice
	}
	var dev types.HostStorageDeviceInfo
	if h.Config.StorageDevice != nil {
		dev = *h.Config.StorageDevice
	}
	dev.HostBusAdapter = append([]types.BaseHostHostBusAdapter(nil), dev.HostBusAdapter...)
	dev.ScsiLun = append([]types.BaseScsiLun(nil), dev.ScsiLun...)
	topology := types.HostScsiTopology{}
	if dev.ScsiTopology != nil {
		topology.Adapter = append(topology.Adapter, dev.ScsiTopology.Adapter...)
	}
	dev.ScsiTopology = &topology
	h.Config.StorageDevice = &dev
	ss.StorageDeviceInfo = &dev
	ownDevices[h.Self] = true
	return h.Config.StorageDevice
}

var ownDevices = map[types.ManagedObjectReference]bool{}

// iscsiAdapterOf is the iSCSI adapter with this device name.
func iscsiAdapterOf(dev *types.HostStorageDeviceInfo, device string) *types.HostInternetScsiHba {
	for _, a := range dev.HostBusAdapter {
		if hba, ok := a.(*types.HostInternetScsiHba); ok && hba.Device == device {
			return hba
		}
	}
	return nil
}

// onStorage runs fn on the host's own device info, then publishes it; fn returns a fault or nil.
func (p *harnessProxy) onStorage(ctx *simulator.Context, req interface{}, name string, fn func(*types.HostStorageDeviceInfo) types.BaseMethodFault, ok soap.HasFault) soap.HasFault {
	return p.onTarget(ctx, req, name, func(obj mo.Reference) soap.HasFault {
		ss := obj.(*simulator.HostStorageSystem)
		var fault types.BaseMethodFault
		ctx.WithLock(ss.Host, func() {
			dev := iscsiDevice(ss)
			fault = fn(dev)
		})
		if fault != nil {
			return &faultBody{simulator.Fault("", fault)}
		}
		return ok
	})
}

func (p *harnessProxy) UpdateSoftwareInternetScsiEnabled(ctx *simulator.Context, req *types.UpdateSoftwareInternetScsiEnabled) soap.HasFault {
	return p.onStorage(ctx, req, "UpdateSoftwareInternetScsiEnabled", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		dev.SoftwareInternetScsiEnabled = req.Enabled
		if req.Enabled && softwareAdapter(dev) == nil {
			hba, iface, _, _ := buildAdapter(p.hostName(), iscsiAdapter{device: "vmhba65", software: true,
				model: "iSCSI Software Adapter", driver: "iscsi_vmk"})
			dev.HostBusAdapter = append(dev.HostBusAdapter, hba)
			dev.ScsiTopology.Adapter = append(dev.ScsiTopology.Adapter, iface)
		}
		return nil
	}, &methods.UpdateSoftwareInternetScsiEnabledBody{Res: &types.UpdateSoftwareInternetScsiEnabledResponse{}})
}

func (p *harnessProxy) hostName() string {
	if ss, ok := simulator.Map.Get(p.target).(*simulator.HostStorageSystem); ok {
		return ss.Host.Name
	}
	return "host"
}

func softwareAdapter(dev *types.HostStorageDeviceInfo) *types.HostInternetScsiHba {
	for _, a := range dev.HostBusAdapter {
		if hba, ok := a.(*types.HostInternetScsiHba); ok && hba.IsSoftwareBased {
			return hba
		}
	}
	return nil
}

func notFoundHba(device string) types.BaseMethodFault {
	return &types.NotFound{VimFault: types.VimFault{MethodFault: types.MethodFault{
		FaultMessage: []types.LocalizableMessage{{Key: "iScsiHbaDevice", Message: device}}}}}
}

func (p *harnessProxy) AddInternetScsiStaticTargets(ctx *simulator.Context, req *types.AddInternetScsiStaticTargets) soap.HasFault {
	return p.onStorage(ctx, req, "AddInternetScsiStaticTargets", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.IScsiHbaDevice)
		if hba == nil {
			return notFoundHba(req.IScsiHbaDevice)
		}
		for _, t := range req.Targets {
			if staticIndex(hba, t) < 0 {
				t.DiscoveryMethod = "staticMethod"
				t.AuthenticationProperties = hiddenSecrets(t.AuthenticationProperties)
				hba.ConfiguredStaticTarget = append(hba.ConfiguredStaticTarget, t)
			}
		}
		return nil
	}, &methods.AddInternetScsiStaticTargetsBody{Res: &types.AddInternetScsiStaticTargetsResponse{}})
}

func (p *harnessProxy) RemoveInternetScsiStaticTargets(ctx *simulator.Context, req *types.RemoveInternetScsiStaticTargets) soap.HasFault {
	return p.onStorage(ctx, req, "RemoveInternetScsiStaticTargets", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.IScsiHbaDevice)
		if hba == nil {
			return notFoundHba(req.IScsiHbaDevice)
		}
		for _, t := range req.Targets {
			if i := staticIndex(hba, t); i >= 0 {
				hba.ConfiguredStaticTarget = append(hba.ConfiguredStaticTarget[:i], hba.ConfiguredStaticTarget[i+1:]...)
			}
		}
		return nil
	}, &methods.RemoveInternetScsiStaticTargetsBody{Res: &types.RemoveInternetScsiStaticTargetsResponse{}})
}

func (p *harnessProxy) AddInternetScsiSendTargets(ctx *simulator.Context, req *types.AddInternetScsiSendTargets) soap.HasFault {
	return p.onStorage(ctx, req, "AddInternetScsiSendTargets", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.IScsiHbaDevice)
		if hba == nil {
			return notFoundHba(req.IScsiHbaDevice)
		}
		for _, t := range req.Targets {
			if sendIndex(hba, t) < 0 {
				t.AuthenticationProperties = hiddenSecrets(t.AuthenticationProperties)
				hba.ConfiguredSendTarget = append(hba.ConfiguredSendTarget, t)
			}
		}
		return nil
	}, &methods.AddInternetScsiSendTargetsBody{Res: &types.AddInternetScsiSendTargetsResponse{}})
}

func (p *harnessProxy) RemoveInternetScsiSendTargets(ctx *simulator.Context, req *types.RemoveInternetScsiSendTargets) soap.HasFault {
	return p.onStorage(ctx, req, "RemoveInternetScsiSendTargets", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.IScsiHbaDevice)
		if hba == nil {
			return notFoundHba(req.IScsiHbaDevice)
		}
		for _, t := range req.Targets {
			if i := sendIndex(hba, t); i >= 0 {
				hba.ConfiguredSendTarget = append(hba.ConfiguredSendTarget[:i], hba.ConfiguredSendTarget[i+1:]...)
			}
			// The targets it discovered go with it.
			parent, kept := sendAddress(t), hba.ConfiguredStaticTarget[:0]
			for _, s := range hba.ConfiguredStaticTarget {
				if s.DiscoveryMethod != "sendTargetMethod" || s.Parent != parent {
					kept = append(kept, s)
				}
			}
			hba.ConfiguredStaticTarget = kept
		}
		return nil
	}, &methods.RemoveInternetScsiSendTargetsBody{Res: &types.RemoveInternetScsiSendTargetsResponse{}})
}

func (p *harnessProxy) UpdateInternetScsiAuthenticationProperties(ctx *simulator.Context, req *types.UpdateInternetScsiAuthenticationProperties) soap.HasFault {
	return p.onStorage(ctx, req, "UpdateInternetScsiAuthenticationProperties", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.IScsiHbaDevice)
		if hba == nil {
			return notFoundHba(req.IScsiHbaDevice)
		}
		auth := hiddenSecrets(&req.AuthenticationProperties)
		if req.TargetSet == nil {
			hba.AuthenticationProperties = *auth
			return nil
		}
		for _, t := range req.TargetSet.StaticTargets {
			if i := staticIndex(hba, t); i >= 0 {
				hba.ConfiguredStaticTarget[i].AuthenticationProperties = auth
			}
		}
		for _, t := range req.TargetSet.SendTargets {
			if i := sendIndex(hba, t); i >= 0 {
				hba.ConfiguredSendTarget[i].AuthenticationProperties = auth
			}
		}
		return nil
	}, &methods.UpdateInternetScsiAuthenticationPropertiesBody{Res: &types.UpdateInternetScsiAuthenticationPropertiesResponse{}})
}

func (p *harnessProxy) RescanHba(ctx *simulator.Context, req *types.RescanHba) soap.HasFault {
	return p.onStorage(ctx, req, "RescanHba", func(dev *types.HostStorageDeviceInfo) types.BaseMethodFault {
		hba := iscsiAdapterOf(dev, req.HbaDevice)
		if hba == nil {
			return nil // other adapters: nothing new in this model
		}
		rescanISCSI(dev, hba)
		return nil
	}, &methods.RescanHbaBody{Res: &types.RescanHbaResponse{}})
}

// rescanAllISCSI rescans every iSCSI adapter of a host (RescanAllHba, nfs.go).
func rescanAllISCSI(ctx *simulator.Context, ss *simulator.HostStorageSystem) {
	ctx.WithLock(ss.Host, func() {
		dev := iscsiDevice(ss)
		for _, a := range dev.HostBusAdapter {
			if hba, ok := a.(*types.HostInternetScsiHba); ok {
				rescanISCSI(dev, hba)
			}
		}
	})
}

// rescanISCSI discovers the send targets' targets and rebuilds the adapter's topology and LUNs.
func rescanISCSI(dev *types.HostStorageDeviceInfo, hba *types.HostInternetScsiHba) {
	for _, send := range hba.ConfiguredSendTarget {
		for _, a := range iscsiLayout {
			for _, t := range a.targets {
				found := types.HostInternetScsiHbaStaticTarget{Address: t.address, Port: t.port, IScsiName: t.iqn,
					DiscoveryMethod: "sendTargetMethod", Parent: sendAddress(send)}
				if t.address == send.Address && t.port == portOf(send.Port) && staticIndex(hba, found) < 0 {
					hba.ConfiguredStaticTarget = append(hba.ConfiguredStaticTarget, found)
				}
			}
		}
	}
	iface := types.HostScsiTopologyInterface{Key: "key-vim.host.ScsiTopology.Interface-" + hba.Device, Adapter: hba.Key}
	luns := map[string]bool{}
	for i, st := range hba.ConfiguredStaticTarget {
		t := sanTarget(st.IScsiName, st.Address, portOf(st.Port))
		if t == nil {
			continue
		}
		target := types.HostScsiTopologyTarget{
			Key:    fmt.Sprintf("key-vim.host.ScsiTopology.Target-%s:0:%d", hba.Device, i),
			Target: int32(i),
			Transport: &types.HostInternetScsiTargetTransport{IScsiName: t.iqn,
				Address: []string{fmt.Sprintf("%s:%d", t.address, t.port)}},
		}
		for _, l := range t.luns {
			disk := buildLun(t.iqn, l)
			target.Lun = append(target.Lun, types.HostScsiTopologyLun{
				Key: "key-vim.host.ScsiTopology.Lun-" + disk.Uuid, Lun: l.number, ScsiLun: disk.Key})
			if !hasLun(dev, disk.Key) {
				dev.ScsiLun = append(dev.ScsiLun, disk)
			}
			luns[disk.Key] = true
		}
		iface.Target = append(iface.Target, target)
	}
	replaced := false
	for i := range dev.ScsiTopology.Adapter {
		if dev.ScsiTopology.Adapter[i].Adapter == hba.Key {
			dev.ScsiTopology.Adapter[i], replaced = iface, true
		}
	}
	if !replaced {
		dev.ScsiTopology.Adapter = append(dev.ScsiTopology.Adapter, iface)
	}
	dropUnreachedLuns(dev)
}

// dropUnreachedLuns removes the SAN's LUNs no adapter reaches any more (their target is gone).
func dropUnreachedLuns(dev *types.HostStorageDeviceInfo) {
	reached := map[string]bool{}
	for _, iface := range dev.ScsiTopology.Adapter {
		for _, t := range iface.Target {
			for _, l := range t.Lun {
				reached[l.ScsiLun] = true
			}
		}
	}
	kept := dev.ScsiLun[:0]
	for _, l := range dev.ScsiLun {
		key := l.GetScsiLun().Key
		if reached[key] || !strings.HasPrefix(key, "key-vim.host.ScsiDisk-02") {
			kept = append(kept, l)
		}
	}
	dev.ScsiLun = kept
}

func hasLun(dev *types.HostStorageDeviceInfo, key string) bool {
	for _, l := range dev.ScsiLun {
		if l.GetScsiLun().Key == key {
			return true
		}
	}
	return false
}

func portOf(port int32) int32 {
	if port == 0 {
		return 3260 // "If unset, the default port of 3260 is used"
	}
	return port
}

func sendAddress(t types.HostInternetScsiHbaSendTarget) string {
	return fmt.Sprintf("%s:%d", t.Address, portOf(t.Port))
}

func staticIndex(hba *types.HostInternetScsiHba, t types.HostInternetScsiHbaStaticTarget) int {
	for i, s := range hba.ConfiguredStaticTarget {
		if s.IScsiName == t.IScsiName && strings.EqualFold(s.Address, t.Address) && portOf(s.Port) == portOf(t.Port) {
			return i
		}
	}
	return -1
}

func sendIndex(hba *types.HostInternetScsiHba, t types.HostInternetScsiHbaSendTarget) int {
	for i, s := range hba.ConfiguredSendTarget {
		if strings.EqualFold(s.Address, t.Address) && portOf(s.Port) == portOf(t.Port) {
			return i
		}
	}
	return -1
}

// hiddenSecrets keeps CHAP settings without their secrets, as ESXi reports them.
func hiddenSecrets(a *types.HostInternetScsiHbaAuthenticationProperties) *types.HostInternetScsiHbaAuthenticationProperties {
	if a == nil {
		return nil
	}
	c := *a
	c.ChapSecret, c.MutualChapSecret = "", ""
	return &c
}
