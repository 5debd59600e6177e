package main

// The --manifest file: what the tests need to know about the served model.
// Its shape is documented in README.md; keep the two in step.

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
)

type object = map[string]interface{}

// describe adds the server, credentials and inventory keys to manifest.
func describe(manifest object, m *simulator.Model, u *url.URL, o *options, c *certificates) {
	about := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.About
	host, port := hostPort(u)
	manifest["url"] = u.String()
	manifest["host"] = host
	manifest["port"] = port
	manifest["username"] = o.username
	manifest["api_type"] = about.ApiType
	manifest["api_version"] = about.ApiVersion
	manifest["product"] = about.FullName
	manifest["instance_uuid"] = about.InstanceUuid
	manifest["cert_mode"] = o.certMode
	manifest["ca_file"] = absPath(c.caFile)
	manifest["cert_file"] = absPath(c.certFile)
	manifest["key_file"] = absPath(c.keyFile)
	manifest["model"] = object{
		"esx": o.esx, "dc": m.Datacenter, "cluster": m.Cluster, "cluster_host": m.ClusterHost,
		"host": m.Host, "vm": m.Machine, "ds": m.Datastore,
	}
	lists := object{
		"datacenters":    describeAll("Datacenter", describeDatacenter),
		"clusters":       describeAll("ClusterComputeResource", describeCluster),
		"hosts":          describeAll("HostSystem", describeHost),
		"vms":            describeAll("VirtualMachine", describeVM),
		"datastores":     describeAll("Datastore", describeDatastore),
		"resource_pools": describeAll("ResourcePool", describeBase),
		"networks":       describeNetworks(),
	}
	counts := object{}
	for k, v := range lists {
		manifest[k] = v
		counts[k] = len(v.([]object))
	}
	manifest["counts"] = counts
}

func describeAll(kind string, f func(mo.Entity) object) []object {
	out := []object{}
	for _, e := range entities(kind) {
		out = append(out, f(e))
	}
	return out
}

// describeBase holds the keys every inventory entry has.
func describeBase(e mo.Entity) object {
	return object{
		"name":       e.Entity().Name,
		"moid":       e.Reference().Value,
		"path":       inventoryPath(e),
		"datacenter": nameOf(ancestor(e, "Datacenter")),
	}
}

func describeDatacenter(e mo.Entity) object {
	d := describeBase(e)
	if dc, ok := e.(*simulator.Datacenter); ok {
		d["vm_folder"] = dc.VmFolder.Value
		d["host_folder"] = dc.HostFolder.Value
		d["datastore_folder"] = dc.DatastoreFolder.Value
		d["network_folder"] = dc.NetworkFolder.Value
	}
	return d
}

func describeCluster(e mo.Entity) object {
	d := describeBase(e)
	if c, ok := e.(*simulator.ClusterComputeResource); ok {
		hosts := []string{}
		for _, h := range c.Host {
			hosts = append(hosts, h.Value)
		}
		d["hosts"] = hosts
		d["resource_pool"] = moidOf(c.ResourcePool)
	}
	return d
}

func describeHost(e mo.Entity) object {
	d := describeBase(e)
	d["cluster"] = nameOf(ancestor(e, "ClusterComputeResource"))
	d["compute_resource"] = moidOf(e.Entity().Parent)
	return d
}

func describeVM(e mo.Entity) object {
	d := describeBase(e)
	vm, ok := e.(*simulator.VirtualMachine)
	if !ok {
		return d
	}
	if vm.Config != nil {
		d["uuid"] = vm.Config.Uuid
		d["instance_uuid"] = vm.Config.InstanceUuid
	}
	d["host"] = moidOf(vm.Runtime.Host)
	d["host_name"] = nameOf(entity(vm.Runtime.Host))
	d["cluster"] = nil
	if h := entity(vm.Runtime.Host); h != nil {
		d["cluster"] = nameOf(ancestor(h, "ClusterComputeResource"))
	}
	d["resource_pool"] = moidOf(vm.ResourcePool)
	d["power_state"] = string(vm.Runtime.PowerState)
	return d
}

func describeDatastore(e mo.Entity) object {
	d := describeBase(e)
	if ds, ok := e.(*simulator.Datastore); ok && ds.Info != nil {
		d["url"] = ds.Info.GetDatastoreInfo().Url
	}
	return d
}

// describeNetworks lists standard networks, distributed portgroups and opaque networks.
func describeNetworks() []object {
	out := []object{}
	for _, kind := range []string{"Network", "DistributedVirtualPortgroup", "OpaqueNetwork"} {
		for _, e := range entities(kind) {
			d := describeBase(e)
			d["type"] = kind
			out = append(out, d)
		}
	}
	return out
}

// writeJSON writes v to path atomically, so a reader never sees half a manifest.
func writeJSON(path string, v interface{}) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
