package main

// Helpers to find and walk simulator inventory objects, for the manifest and for extensions.
// simulator.Map is the registry of the one model this process serves.

import (
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// entity returns the registry object for ref if it is a managed entity.
func entity(ref *types.ManagedObjectReference) mo.Entity {
	if ref == nil {
		return nil
	}
	e, _ := simulator.Map.Get(*ref).(mo.Entity)
	return e
}

// inventoryPath is the entity's path below the root folder, e.g. /DC0/vm/DC0_H0_VM0.
func inventoryPath(e mo.Entity) string {
	var names []string
	for ; e != nil && e.Entity().Parent != nil; e = entity(e.Entity().Parent) {
		names = append([]string{e.Entity().Name}, names...)
	}
	return "/" + strings.Join(names, "/")
}

// ancestor returns the nearest parent of e whose type is kind, or nil.
func ancestor(e mo.Entity, kind string) mo.Entity {
	for p := entity(e.Entity().Parent); p != nil; p = entity(p.Entity().Parent) {
		if p.Reference().Type == kind {
			return p
		}
	}
	return nil
}

// entities returns every entity of the given type (e.g. "HostSystem"), sorted by inventory path.
func entities(kind string) []mo.Entity {
	all := simulator.Map.All(kind)
	paths := make(map[types.ManagedObjectReference]string, len(all))
	for _, e := range all {
		paths[e.Reference()] = inventoryPath(e)
	}
	sort.Slice(all, func(i, j int) bool { return paths[all[i].Reference()] < paths[all[j].Reference()] })
	return all
}

// findByPath returns the entity at an inventory path such as /DC0/host/DC0_C0/DC0_C0_H0, or nil.
func findByPath(path string) mo.Entity {
	for _, e := range simulator.Map.All("") {
		if inventoryPath(e) == path {
			return e
		}
	}
	return nil
}

// hostSystems returns every HostSystem, sorted by inventory path.
func hostSystems() []*simulator.HostSystem {
	var out []*simulator.HostSystem
	for _, e := range entities("HostSystem") {
		if h, ok := e.(*simulator.HostSystem); ok {
			out = append(out, h)
		}
	}
	return out
}

// virtualMachines returns every VirtualMachine, sorted by inventory path.
func virtualMachines() []*simulator.VirtualMachine {
	var out []*simulator.VirtualMachine
	for _, e := range entities("VirtualMachine") {
		if vm, ok := e.(*simulator.VirtualMachine); ok {
			out = append(out, vm)
		}
	}
	return out
}

// nameOf returns the entity's name, or nil (JSON null) when there is no entity.
func nameOf(e mo.Entity) interface{} {
	if e == nil {
		return nil
	}
	return e.Entity().Name
}

// moidOf returns the reference's value, or nil (JSON null) when there is none.
func moidOf(ref *types.ManagedObjectReference) interface{} {
	if ref == nil {
		return nil
	}
	return ref.Value
}
