package main

// EnvironmentBrowser as an ESXi host of the simulated release answers it. The simulator
// (simulator/environment_browser.go) answers QueryConfigOptionDescriptor with one
// descriptor, vmx-13 (esx.HardwareVersion) with defaultConfigOption false, and
// QueryConfigOption(Ex) with version vmx-13 whatever key is asked for. Here each compute
// resource's browser lists one descriptor per hardware version its hosts' ESXi release
// creates and runs (vSphere 6.5 "Virtual Machine Compatibility Options": ESXi 6.5 offers
// 13, 11, 10, 9, 8, 7 and 4; ESXi 6.0 the same without 13), with the hosts that offer it
// and defaultConfigOption on the newest; QueryConfigOption(Ex) answers the asked key's
// version, and nothing for a key the hosts do not offer, with that version's hardware limits
// (limits.go). The rest (guest descriptors, default devices) is the simulator's. See README
// "Environment browser".

import (
	"sort"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// hardwareVersions: the hardware versions an ESXi release creates and runs, newest first.
var hardwareVersions = map[string][]int{
	"6.0": {11, 10, 9, 8, 7, 4},
	"6.5": {13, 11, 10, 9, 8, 7, 4},
}

// releaseOf is "6.5" for product version "6.5.0".
func releaseOf(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

type envBrowser struct {
	simulator.EnvironmentBrowser
}

func init() {
	register(Extension{
		Name: "envbrowser",
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			for _, e := range append(simulator.Map.All("ComputeResource"), simulator.Map.All("ClusterComputeResource")...) {
				ref := computeResourceOf(e).EnvironmentBrowser
				if b, ok := simulator.Map.Get(*ref).(*simulator.EnvironmentBrowser); ok {
					simulator.Map.Put(&envBrowser{EnvironmentBrowser: *b})
				}
			}
			return nil
		},
	})
}

func computeResourceOf(e mo.Entity) *mo.ComputeResource {
	switch cr := e.(type) {
	case *mo.ComputeResource:
		return cr
	case *simulator.ClusterComputeResource:
		return &cr.ComputeResource
	}
	return &mo.ComputeResource{}
}

// hosts are the HostSystems of the compute resource this browser belongs to.
func (b *envBrowser) hosts() []*simulator.HostSystem {
	var out []*simulator.HostSystem
	for _, e := range append(simulator.Map.All("ComputeResource"), simulator.Map.All("ClusterComputeResource")...) {
		cr := computeResourceOf(e)
		if cr.EnvironmentBrowser == nil || *cr.EnvironmentBrowser != b.Self {
			continue
		}
		for _, ref := range cr.Host {
			if h, ok := simulator.Map.Get(ref).(*simulator.HostSystem); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

// descriptors lists each offered version, newest first, with the hosts that offer it;
// only host's versions when host is set.
func (b *envBrowser) descriptors(host *types.ManagedObjectReference) []types.VirtualMachineConfigOptionDescriptor {
	offered := map[int][]types.ManagedObjectReference{}
	for _, h := range b.hosts() {
		if host != nil && h.Self != *host {
			continue
		}
		for _, v := range hardwareVersions[releaseOf(h.Config.Product.Version)] {
			offered[v] = append(offered[v], h.Self)
		}
	}
	var versions []int
	for v := range offered {
		versions = append(versions, v)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(versions)))
	var out []types.VirtualMachineConfigOptionDescriptor
	for i, v := range versions {
		key := "vmx-" + strconv.Itoa(v)
		out = append(out, types.VirtualMachineConfigOptionDescriptor{
			Key: key, Description: key, Host: offered[v],
			CreateSupported: types.NewBool(true), DefaultConfigOption: types.NewBool(i == 0),
			RunSupported: types.NewBool(true), UpgradeSupported: types.NewBool(true),
		})
	}
	return out
}

func (b *envBrowser) QueryConfigOptionDescriptor(ctx *simulator.Context, req *types.QueryConfigOptionDescriptor) soap.HasFault {
	return &methods.QueryConfigOptionDescriptorBody{
		Res: &types.QueryConfigOptionDescriptorResponse{Returnval: b.descriptors(nil)},
	}
}

// option fills opt for key ("" = the default) on host (nil = any of the browser's hosts):
// nil when that host does not offer the key, InvalidArgument for a key no host offers or a
// host not in the compute resource (EnvironmentBrowser.QueryConfigOption).
func (b *envBrowser) option(key string, host *types.ManagedObjectReference, opt *types.VirtualMachineConfigOption) (*types.VirtualMachineConfigOption, *soap.Fault) {
	if host != nil && len(b.descriptors(host)) == 0 {
		return nil, simulator.Fault("invalid host", &types.InvalidArgument{InvalidProperty: "host"})
	}
	if key != "" && !hasKey(b.descriptors(nil), key) {
		return nil, simulator.Fault("invalid key", &types.InvalidArgument{InvalidProperty: "key"})
	}
	for _, d := range b.descriptors(host) {
		if d.Key == key || (key == "" && *d.DefaultConfigOption) {
			opt.Version, opt.Description = d.Key, d.Description
			if v, err := strconv.Atoi(strings.TrimPrefix(d.Key, "vmx-")); err == nil {
				setHardwareLimits(v, &opt.HardwareOptions) // limits.go
			}
			return opt, nil
		}
	}
	return nil, nil
}

func hasKey(descriptors []types.VirtualMachineConfigOptionDescriptor, key string) bool {
	for _, d := range descriptors {
		if d.Key == key {
			return true
		}
	}
	return false
}

func (b *envBrowser) QueryConfigOption(req *types.QueryConfigOption) soap.HasFault {
	body := b.EnvironmentBrowser.QueryConfigOption(req).(*methods.QueryConfigOptionBody)
	opt, fault := b.option(req.Key, req.Host, body.Res.Returnval)
	if fault != nil {
		return &methods.QueryConfigOptionBody{Fault_: fault}
	}
	body.Res.Returnval = opt
	return body
}

func (b *envBrowser) QueryConfigOptionEx(req *types.QueryConfigOptionEx) soap.HasFault {
	body := b.EnvironmentBrowser.QueryConfigOptionEx(req).(*methods.QueryConfigOptionExBody)
	key, host := "", (*types.ManagedObjectReference)(nil)
	if req.Spec != nil {
		key, host = req.Spec.Key, req.Spec.Host
	}
	opt, fault := b.option(key, host, body.Res.Returnval)
	if fault != nil {
		return &methods.QueryConfigOptionExBody{Fault_: fault}
	}
	body.Res.Returnval = opt
	return body
}
