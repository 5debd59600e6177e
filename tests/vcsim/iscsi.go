package main

// The --iscsi extension: iSCSI adapters, static targets and LUNs on host models.
//
// The simulator's hosts have no iSCSI HBA. With --iscsi every host (or only the hosts named by
// --iscsi-hosts a,b) gets a software iSCSI adapter (vmhba65) and a dependent hardware iSCSI
// adapter (vmhba33), each with two configured static targets and LUNs behind them, wired the
// way ESXi reports them in config.storageDevice:
//
//	hostBusAdapter[]  HostInternetScsiHba (isSoftwareBased true/false), configuredStaticTarget[]
//	scsiLun[]         HostScsiDisk: canonicalName naa.…, devicePath /vmfs/devices/disks/naa.…,
//	                  uuid, capacity (block × blockSize), vendor, model, operationalState
//	scsiTopology      adapter (HBA key) → target (transport iScsiName = target IQN) → lun → scsiLun key
//
// The targets stand for one SAN seen by every host, so a target's IQN and its LUNs' identities
// (naa id, uuid) are the same on each host that has it. The manifest key "iscsi" lists, per
// host, the adapters, targets and LUNs as the tests should find them.

import (
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var iscsiOptions struct {
	enabled bool
	hosts   string
}

func init() {
	register(Extension{
		Name: "iscsi",
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&iscsiOptions.enabled, "iscsi", false,
				"add a software and a dependent hardware iSCSI adapter with static targets and LUNs to every host")
			fs.StringVar(&iscsiOptions.hosts, "iscsi-hosts", "",
				"comma-separated host names to give iSCSI adapters (implies --iscsi; default: every host)")
		},
		Apply: applyISCSI,
	})
}

// iscsiLun is one LUN a target presents.
type iscsiLun struct {
	number    int32
	gib       int64
	blockSize int32
	naaPrefix string // vendor part of the naa id, completed from a hash of target and LUN
	vendor    string // SCSI inquiry vendor, 8 characters
	model     string // SCSI inquiry model, 16 characters
}

// iscsiTarget is one configured static target.
type iscsiTarget struct {
	iqn     string
	address string
	port    int32
	luns    []iscsiLun
}

// iscsiAdapter is one HostInternetScsiHba.
type iscsiAdapter struct {
	device   string
	software bool
	model    string
	driver   string
	targets  []iscsiTarget
}

// iscsiLayout: what each chosen host gets; distinct IQNs, addresses and ports everywhere.
var iscsiLayout = []iscsiAdapter{
	{
		device: "vmhba65", software: true, model: "iSCSI Software Adapter", driver: "iscsi_vmk",
		targets: []iscsiTarget{
			{
				iqn: "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e", address: "192.168.50.10", port: 3260,
				luns: []iscsiLun{
					{number: 0, gib: 10, blockSize: 512, naaPrefix: "6001405", vendor: "LIO-ORG", model: "block_lun0"},
					{number: 1, gib: 20, blockSize: 512, naaPrefix: "6001405", vendor: "LIO-ORG", model: "block_lun1"},
				},
			},
			{
				iqn: "iqn.2003-01.org.linux-iscsi.storage2.x8664:sn.7a8b9c0d1e2f", address: "192.168.50.11", port: 3261,
				luns: []iscsiLun{
					{number: 0, gib: 5, blockSize: 512, naaPrefix: "6001405", vendor: "LIO-ORG", model: "fileio_lun0"},
				},
			},
		},
	},
	{
		device: "vmhba33", software: false, model: "QLogic 57810 10 Gigabit Ethernet iSCSI Adapter", driver: "bnx2i",
		targets: []iscsiTarget{
			{
				iqn: "iqn.1992-08.com.netapp:sn.4082367740:vs.3", address: "192.168.60.20", port: 3260,
				luns: []iscsiLun{
					{number: 0, gib: 50, blockSize: 512, naaPrefix: "600a0980", vendor: "NETAPP", model: "LUN C-Mode"},
				},
			},
			{
				iqn: "iqn.2002-03.com.compellent:5000d3100a5f2c01", address: "192.168.60.21", port: 3262,
				luns: []iscsiLun{
					{number: 3, gib: 8, blockSize: 4096, naaPrefix: "6000d310", vendor: "COMPELNT", model: "Compellent Vol"},
				},
			},
		},
	},
}

func applyISCSI(m *simulator.Model, manifest map[string]interface{}) error {
	if !iscsiOptions.enabled && iscsiOptions.hosts == "" {
		return nil
	}
	hosts, err := iscsiHosts(iscsiOptions.hosts)
	if err != nil {
		return err
	}
	described := []object{}
	for _, h := range hosts {
		described = append(described, addISCSI(h))
	}
	manifest["iscsi"] = object{"hosts": described}
	return nil
}

// iscsiHosts returns the hosts named in the comma-separated list, or every host when it is empty.
func iscsiHosts(list string) ([]*simulator.HostSystem, error) {
	all := hostSystems()
	if list == "" {
		return all, nil
	}
	byName := map[string]*simulator.HostSystem{}
	for _, h := range all {
		byName[h.Name] = h
	}
	var out []*simulator.HostSystem
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		h, ok := byName[name]
		if !ok {
			known := make([]string, 0, len(byName))
			for n := range byName {
				known = append(known, n)
			}
			sort.Strings(known)
			return nil, fmt.Errorf("--iscsi-hosts: no host named %q (hosts: %s)", name, strings.Join(known, ", "))
		}
		out = append(out, h)
	}
	return out, nil
}

// addISCSI adds the layout's adapters, targets and LUNs to one host and describes them.
func addISCSI(h *simulator.HostSystem) object {
	dev := h.Config.StorageDevice
	if dev == nil {
		dev = &types.HostStorageDeviceInfo{}
		h.Config.StorageDevice = dev
	}
	if dev.ScsiTopology == nil {
		dev.ScsiTopology = &types.HostScsiTopology{}
	}
	dev.SoftwareInternetScsiEnabled = true
	adapters := []object{}
	for _, a := range iscsiLayout {
		hba, iface, luns, described := buildAdapter(h.Name, a)
		dev.HostBusAdapter = append(dev.HostBusAdapter, hba)
		dev.ScsiTopology.Adapter = append(dev.ScsiTopology.Adapter, iface)
		for _, lun := range luns {
			dev.ScsiLun = append(dev.ScsiLun, lun)
		}
		adapters = append(adapters, described)
	}
	// HostStorageSystem.storageDeviceInfo starts as a template shared by every host: point
	// this host's at its own (now extended) config.storageDevice, so both views agree.
	if ref := h.ConfigManager.StorageSystem; ref != nil {
		if ss, ok := simulator.Map.Get(*ref).(*simulator.HostStorageSystem); ok {
			ss.StorageDeviceInfo = dev
		}
	}
	return object{"name": h.Name, "moid": h.Self.Value, "adapters": adapters}
}

// buildAdapter makes one HBA, its topology interface, its LUNs and the manifest entry.
func buildAdapter(hostName string, a iscsiAdapter) (*types.HostInternetScsiHba, types.HostScsiTopologyInterface, []*types.HostScsiDisk, object) {
	key := "key-vim.host.InternetScsiHba-" + a.device
	short := strings.ToLower(strings.ReplaceAll(strings.SplitN(hostName, ".", 2)[0], "_", "-"))
	initiator := fmt.Sprintf("iqn.1998-01.com.vmware:%s-%s", short, a.device)
	kind := "hardware"
	if a.software {
		kind = "software"
	}
	hba := &types.HostInternetScsiHba{
		HostHostBusAdapter: types.HostHostBusAdapter{
			Key: key, Device: a.device, Status: "online", Model: a.model, Driver: a.driver,
			StorageProtocol: "scsi",
		},
		IsSoftwareBased: a.software,
		CanBeDisabled:   types.NewBool(a.software),
		IScsiName:       initiator,
		DiscoveryCapabilities: types.HostInternetScsiHbaDiscoveryCapabilities{
			SendTargetsDiscoverySettable: true, StaticTargetDiscoverySettable: true,
		},
		DiscoveryProperties: types.HostInternetScsiHbaDiscoveryProperties{
			SendTargetsDiscoveryEnabled: true, StaticTargetDiscoveryEnabled: true,
		},
	}
	iface := types.HostScsiTopologyInterface{Key: "key-vim.host.ScsiTopology.Interface-" + a.device, Adapter: key}
	var disks []*types.HostScsiDisk
	targets := []object{}
	for i, t := range a.targets {
		hba.ConfiguredStaticTarget = append(hba.ConfiguredStaticTarget, types.HostInternetScsiHbaStaticTarget{
			Address: t.address, Port: t.port, IScsiName: t.iqn, DiscoveryMethod: "staticMethod",
		})
		target := types.HostScsiTopologyTarget{
			Key:    fmt.Sprintf("key-vim.host.ScsiTopology.Target-%s:0:%d", a.device, i),
			Target: int32(i),
			Transport: &types.HostInternetScsiTargetTransport{
				IScsiName: t.iqn, Address: []string{fmt.Sprintf("%s:%d", t.address, t.port)},
			},
		}
		luns := []object{}
		for _, l := range t.luns {
			disk := buildLun(t.iqn, l)
			disks = append(disks, disk)
			target.Lun = append(target.Lun, types.HostScsiTopologyLun{
				Key: "key-vim.host.ScsiTopology.Lun-" + disk.Uuid, Lun: l.number, ScsiLun: disk.Key,
			})
			luns = append(luns, describeLun(disk, l.number))
		}
		iface.Target = append(iface.Target, target)
		targets = append(targets, object{"iqn": t.iqn, "address": t.address, "port": t.port, "luns": luns})
	}
	described := object{
		"device": a.device, "key": key, "type": kind, "is_software_based": a.software,
		"model": a.model, "driver": a.driver, "iqn": initiator, "targets": targets,
	}
	return hba, iface, disks, described
}

// buildLun makes the HostScsiDisk for one LUN; its identity depends on the target and LUN only.
func buildLun(targetIQN string, l iscsiLun) *types.HostScsiDisk {
	sum := sha1.Sum([]byte(fmt.Sprintf("%s/%d", targetIQN, l.number)))
	naaHex := (l.naaPrefix + hex.EncodeToString(sum[:]))[:32]
	canonical := "naa." + naaHex
	vendor, model := fmt.Sprintf("%-8s", l.vendor), fmt.Sprintf("%-16s", l.model)
	// ESXi's ScsiLun.uuid: "02", the LUN number, then the device id and the model's bytes.
	uuid := fmt.Sprintf("02%02x0000%s%s", l.number, naaHex, hex.EncodeToString([]byte(model[:6])))
	path := "/vmfs/devices/disks/" + canonical
	return &types.HostScsiDisk{
		ScsiLun: types.ScsiLun{
			HostDevice:       types.HostDevice{DeviceName: path, DeviceType: "disk"},
			Key:              "key-vim.host.ScsiDisk-" + uuid,
			Uuid:             uuid,
			Descriptor:       []types.ScsiLunDescriptor{{Quality: "highQuality", Id: canonical}},
			CanonicalName:    canonical,
			DisplayName:      fmt.Sprintf("%s iSCSI Disk (%s)", strings.TrimSpace(vendor), canonical),
			LunType:          "disk",
			Vendor:           vendor,
			Model:            model,
			Revision:         "4.0 ",
			ScsiLevel:        6,
			SerialNumber:     naaHex[len(naaHex)-12:],
			OperationalState: []string{"ok"},
			VStorageSupport:  "vStorageSupported",
			ProtocolEndpoint: types.NewBool(false),
		},
		Capacity:     types.HostDiskDimensionsLba{BlockSize: l.blockSize, Block: l.gib << 30 / int64(l.blockSize)},
		DevicePath:   path,
		Ssd:          types.NewBool(false),
		LocalDisk:    types.NewBool(false),
		ScsiDiskType: scsiDiskType(l.blockSize),
	}
}

func scsiDiskType(blockSize int32) string {
	if blockSize == 4096 {
		return "native4k"
	}
	return "native512"
}

func describeLun(d *types.HostScsiDisk, number int32) object {
	return object{
		"lun": number, "key": d.Key, "uuid": d.Uuid, "canonical_name": d.CanonicalName,
		"device_path": d.DevicePath, "display_name": d.DisplayName, "vendor": d.Vendor, "model": d.Model,
		"blocks": d.Capacity.Block, "block_size": d.Capacity.BlockSize,
		"capacity_bytes":    d.Capacity.Block * int64(d.Capacity.BlockSize),
		"operational_state": d.OperationalState,
	}
}
