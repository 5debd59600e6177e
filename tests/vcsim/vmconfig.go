package main

// VM configuration the simulator gets wrong in ReconfigVM_Task (see README "What this
// simulator does"):
//   - extraConfig: vcsim 0.24 appends every OptionValue, so a key set twice is listed twice and
//     nothing is ever removed. vCenter and ESXi edit the key in place, add it when it is new,
//     and remove it when the value is empty (the vmx file has no empty entries); later
//     govmomi simulators do the same (applyExtraConfig, PropertyChangeOpRemove on "").
//     The simulator's SET.* keys (its way of setting guest properties) are left to it.
//   - vAppConfig: vcsim 0.24 ignores it. vCenter applies VmConfigSpec.property as an array
//     update (ArrayUpdateSpec.operation add | edit | remove, by key): adding a key that
//     exists, or editing or removing one that does not, is InvalidArgument.
//
// And CustomFieldsManager.SetField, which vcsim 0.24 appends as a new value each time: an
// entity holds one value per field (the API reference, ExtensibleManagedObject.customValue:
// "List of custom field values"; SetField "assigns a value to a custom field"), so the harness
// replaces the value of that key and adds it only when the entity has none.

import (
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func init() {
	routes["SetField"] = "CustomFieldsManager"
}

func (p *harnessProxy) SetField(ctx *simulator.Context, req *types.SetField) soap.HasFault {
	return p.onTarget(ctx, req, "SetField", func(obj mo.Reference) soap.HasFault {
		m := obj.(*simulator.CustomFieldsManager)
		known := false
		for _, f := range m.Field {
			known = known || f.Key == req.Key
		}
		if !known {
			return &faultBody{simulator.Fault("", &types.InvalidArgument{InvalidProperty: "key"})}
		}
		target, ok := ctx.Map.Get(req.Entity).(mo.Entity)
		if !ok {
			return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})}
		}
		entity := target.Entity()
		value := &types.CustomFieldStringValue{CustomFieldValue: types.CustomFieldValue{Key: req.Key}, Value: req.Value}
		ctx.WithLock(target, func() {
			entity.CustomValue = setField(entity.CustomValue, value)
			entity.Value = setField(entity.Value, value)
		})
		return &methods.SetFieldBody{Res: &types.SetFieldResponse{}}
	})
}

// setField replaces the value of value's key in list, or appends it.
func setField(list []types.BaseCustomFieldValue, value *types.CustomFieldStringValue) []types.BaseCustomFieldValue {
	for i, v := range list {
		if v.GetCustomFieldValue().Key == value.Key {
			list[i] = value
			return list
		}
	}
	return append(list, value)
}

// applyVMConfig makes the extraConfig and vAppConfig changes of spec on vm and takes them
// out of spec, so the simulator does not apply them again. A fault leaves vm unchanged.
func applyVMConfig(vm *simulator.VirtualMachine, spec *types.VirtualMachineConfigSpec) types.BaseMethodFault {
	var props []types.VAppPropertyInfo
	if spec.VAppConfig != nil {
		var fault types.BaseMethodFault
		if props, fault = vappProperties(vm, spec.VAppConfig.GetVmConfigSpec().Property); fault != nil {
			return fault
		}
	}
	var keep []types.BaseOptionValue
	for _, c := range spec.ExtraConfig {
		o := c.GetOptionValue()
		if strings.HasPrefix(o.Key, "SET.") || o.Key == "ip0" {
			keep = append(keep, c)
			continue
		}
		vm.Config.ExtraConfig = setOption(vm.Config.ExtraConfig, o)
	}
	spec.ExtraConfig = keep
	if spec.VAppConfig != nil {
		if vm.Config.VAppConfig == nil {
			vm.Config.VAppConfig = &types.VmConfigInfo{}
		}
		vm.Config.VAppConfig.GetVmConfigInfo().Property = props
		spec.VAppConfig = nil
	}
	return nil
}

// setOption edits, adds or (for an empty value) removes one key of an extraConfig list.
func setOption(list []types.BaseOptionValue, o *types.OptionValue) []types.BaseOptionValue {
	remove := o.Value == nil
	if s, ok := o.Value.(string); ok && s == "" {
		remove = true
	}
	for i, c := range list {
		if c.GetOptionValue().Key != o.Key {
			continue
		}
		if remove {
			return append(list[:i:i], list[i+1:]...)
		}
		list[i] = &types.OptionValue{Key: o.Key, Value: o.Value}
		return list
	}
	if remove {
		return list
	}
	return append(list, &types.OptionValue{Key: o.Key, Value: o.Value})
}

// vappProperties is the VM's vApp property list after the array updates of specs.
func vappProperties(vm *simulator.VirtualMachine, specs []types.VAppPropertySpec) ([]types.VAppPropertyInfo, types.BaseMethodFault) {
	var props []types.VAppPropertyInfo
	if vm.Config.VAppConfig != nil {
		props = append(props, vm.Config.VAppConfig.GetVmConfigInfo().Property...)
	}
	for _, s := range specs {
		i := -1
		var key int32
		if s.Info != nil {
			key = s.Info.Key
		} else if s.RemoveKey != nil {
			if k, ok := s.RemoveKey.(int32); ok {
				key = k
			}
		}
		for j := range props {
			if props[j].Key == key {
				i = j
			}
		}
		invalid := &types.InvalidArgument{InvalidProperty: "vAppConfig.property"}
		switch s.Operation {
		case types.ArrayUpdateOperationAdd:
			if i >= 0 || s.Info == nil {
				return nil, invalid
			}
			props = append(props, *s.Info)
		case types.ArrayUpdateOperationEdit:
			if i < 0 || s.Info == nil {
				return nil, invalid
			}
			props[i] = *s.Info
		case types.ArrayUpdateOperationRemove:
			if i < 0 {
				return nil, invalid
			}
			props = append(props[:i:i], props[i+1:]...)
		}
	}
	return props, nil
}
