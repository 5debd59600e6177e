package main

import (
	"flag"
	"fmt"
	"sort"

	"github.com/vmware/govmomi/simulator"
)

// Extension adds optional behaviour from its own file: register it from init().
//
// Flags adds the extension's flags before the command line is parsed.
// Apply runs after the model is created and before the server listens; it may
// mutate objects found through simulator.Map (see inventory.go helpers) and add
// its own top-level keys to manifest. The inventory keys of the manifest
// (see describe) are written after every extension ran, so they reflect its changes.
type Extension struct {
	Name  string
	Flags func(fs *flag.FlagSet)
	Apply func(m *simulator.Model, manifest map[string]interface{}) error
}

// extensions are kept sorted by Name, which is the order they are applied in.
var extensions []Extension

func register(e Extension) {
	if e.Name == "" || e.Apply == nil {
		panic("vcsim: an extension needs a Name and an Apply func")
	}
	for _, x := range extensions {
		if x.Name == e.Name {
			panic(fmt.Sprintf("vcsim: extension %q registered twice", e.Name))
		}
	}
	extensions = append(extensions, e)
	sort.SliceStable(extensions, func(i, j int) bool { return extensions[i].Name < extensions[j].Name })
}
