package main

// --no-drs: every cluster has DRS turned off (ClusterConfigInfoEx.drsConfig.enabled false).
// The simulator creates each cluster with DRS on (simulator/cluster_compute_resource.go,
// CreateClusterEx), and its ReconfigureComputeResource_Task applies rules, groups and VM
// overrides but not drsConfig, so a cluster without DRS, common on small sites, cannot be
// made through the API here. The vSphere API reference, Folder.CreateVM_Task, host: "For a
// stand-alone host or a cluster with DRS, host can be omitted, and the system selects a
// default" - so in a cluster without DRS the client must name the host itself. (The
// simulator itself places a VM without a host either way.)

import (
	"flag"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var noDRS bool

func init() {
	register(Extension{
		Name: "drs",
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&noDRS, "no-drs", false, "every cluster has DRS turned off")
		},
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			if !noDRS {
				return nil
			}
			var names []string
			for _, e := range entities("ClusterComputeResource") {
				c := e.(*simulator.ClusterComputeResource)
				c.ConfigurationEx.(*types.ClusterConfigInfoEx).DrsConfig.Enabled = types.NewBool(false)
				names = append(names, c.Name)
			}
			manifest["drs_off"] = names
			return nil
		},
	})
}
