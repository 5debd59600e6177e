package main

// Virtual machine calls the simulator gets wrong (see README "What this simulator does"):
//   - CreateVM_Task / CloneVM_Task / Rename_Task / ReconfigVM_Task names follow
//     ManagedEntity.name: / \ and a % that starts no escape sequence are stored escaped
//     (%2f %5c %25), and a name longer than 80 characters (escaped) is InvalidName. The
//     simulator made a directory from the raw name and panicked in folderRemoveChild
//     when that failed, leaving a half-made VM in its folder.
//   - an unknown guestId is refused before anything changes (the simulator applied the
//     whole spec, then refused it), and a ReconfigVM_Task that fails for any reason
//     leaves the VM as it was.
//   - annotation "" clears the annotation (the simulator ignored empty strings).
//   - Rename_Task to a name another entity of the folder has is DuplicateName.

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"regexp"
	"unicode/utf8"

	govobj "github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	vimxml "github.com/vmware/govmomi/vim25/xml"
)

// maxNameLength is the entity name limit, counted on the escaped name.
const maxNameLength = 80

const clearAnnotation = "clear-annotation"

var escapeSequence = regexp.MustCompile(`^%[0-9A-Fa-f]{2}`)

// escapeName escapes an entity name as the server stores it.
func escapeName(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '/':
			out = append(out, "%2f"...)
		case c == '\\':
			out = append(out, "%5c"...)
		case c == '%' && !escapeSequence.MatchString(name[i:]):
			out = append(out, "%25"...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// checkName escapes *name in place, or returns InvalidName for one that is too long.
func checkName(name *string) types.BaseMethodFault {
	escaped := escapeName(*name)
	if utf8.RuneCountInString(escaped) > maxNameLength {
		return &types.InvalidName{Name: *name}
	}
	*name = escaped
	return nil
}

// guestOffered: the guest ids the simulator accepts (its own validateGuestID list).
func guestOffered(id string) bool {
	for _, g := range simulator.GuestID {
		if string(g) == id {
			return true
		}
	}
	return false
}

func checkGuest(id string) types.BaseMethodFault {
	if id != "" && !guestOffered(id) {
		return &types.InvalidArgument{InvalidProperty: "configSpec.guestId"}
	}
	return nil
}

// dirFault: the VM directory the simulator would make from the name cannot be made on
// this file system (a name of many multi-byte characters); the simulator itself meant to
// answer FileFault here, then panicked.
func dirFault(spec *types.VirtualMachineConfigSpec) types.BaseMethodFault {
	if spec.Files == nil {
		return nil
	}
	var p govobj.DatastorePath
	p.FromString(spec.Files.VmPathName)
	if p.Path == "" && len(spec.Name)+len(" (1023)") > 255 {
		return &types.FileFault{File: spec.Files.VmPathName + " " + spec.Name}
	}
	return nil
}

func (p *harnessProxy) CreateVMTask(ctx *simulator.Context, req *types.CreateVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "CreateVMTask", func(obj mo.Reference) soap.HasFault {
		folder := obj.(*simulator.Folder)
		fault := checkName(&req.Config.Name)
		if fault == nil {
			fault = checkGuest(req.Config.GuestId)
		}
		if fault == nil {
			fault = dirFault(&req.Config)
		}
		if fault != nil {
			ref := failedTask(folder, "createVm", fault)
			return &methods.CreateVM_TaskBody{Res: &types.CreateVM_TaskResponse{Returnval: ref}}
		}
		cleanup := vmDirCleanup(folder, &req.Config)
		fixAttachedDisks(nil, req.Config.DeviceChange) // devices.go
		res := folder.CreateVMTask(ctx, req)
		if body, ok := res.(*methods.CreateVM_TaskBody); ok && taskFault(body.Res.Returnval) != nil {
			cleanup()
		}
		return res
	})
}

// vmDirCleanup returns a func that removes the VM directory a failed create made.
func vmDirCleanup(folder *simulator.Folder, spec *types.VirtualMachineConfigSpec) func() {
	if spec.Files == nil {
		return func() {}
	}
	dir := func(vmPath string) (string, bool) {
		var p govobj.DatastorePath
		if !p.FromString(vmPath) || p.Path == "" {
			return "", false
		}
		dc, _ := ancestor(folder, "Datacenter").(*simulator.Datacenter)
		if dc == nil {
			return "", false
		}
		ds, ok := simulator.Map.FindByName(p.Datastore, dc.Datastore).(*simulator.Datastore)
		if !ok {
			return "", false
		}
		return path.Join(ds.Info.GetDatastoreInfo().Url, path.Dir(p.Path)), true
	}
	before, _ := dir(spec.Files.VmPathName)
	_, statErr := os.Stat(before)
	existed := before != "" && statErr == nil
	return func() {
		after, ok := dir(spec.Files.VmPathName)
		if ok && !(existed && after == before) {
			_ = os.RemoveAll(after)
		}
	}
}

func (p *harnessProxy) CloneVMTask(ctx *simulator.Context, req *types.CloneVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "CloneVMTask", func(obj mo.Reference) soap.HasFault {
		return cloneVM(ctx, obj.(*simulator.VirtualMachine), req) // clone.go
	})
}

func (p *harnessProxy) RenameTask(ctx *simulator.Context, req *types.Rename_Task) soap.HasFault {
	return p.onTarget(ctx, req, "RenameTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		fault := checkName(&req.NewName)
		if fault == nil {
			fault = duplicateName(vm, req.NewName)
		}
		if fault != nil {
			ref := failedTask(vm, "rename", fault)
			return &methods.Rename_TaskBody{Res: &types.Rename_TaskResponse{Returnval: ref}}
		}
		return vm.RenameTask(req)
	})
}

// duplicateName: another entity in the VM's folder already has the name.
func duplicateName(vm *simulator.VirtualMachine, name string) types.BaseMethodFault {
	if vm.Parent == nil {
		return nil
	}
	folder, ok := simulator.Map.Get(*vm.Parent).(*simulator.Folder)
	if !ok {
		return nil
	}
	if other := simulator.Map.FindByName(name, folder.ChildEntity); other != nil && other.Reference() != vm.Self {
		return &types.DuplicateName{Name: name, Object: other.Reference()}
	}
	return nil
}

func (p *harnessProxy) ReconfigVMTask(ctx *simulator.Context, req *types.ReconfigVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "ReconfigVMTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		var fault types.BaseMethodFault
		if req.Spec.Name != "" {
			fault = checkName(&req.Spec.Name)
		}
		if fault == nil {
			fault = checkGuest(req.Spec.GuestId)
		}
		if fault != nil {
			ref := failedTask(vm, "reconfigVm", fault)
			return &methods.ReconfigVM_TaskBody{Res: &types.ReconfigVM_TaskResponse{Returnval: ref}}
		}
		saved, err := saveVM(vm)
		if err != nil {
			return &faultBody{simulator.Fault(err.Error(), &types.SystemError{Reason: err.Error()})}
		}
		if !vm.Config.Template {
			if fault := applyVMConfig(vm, &req.Spec); fault != nil { // vmconfig.go
				ref := failedTask(vm, "reconfigVm", fault)
				return &methods.ReconfigVM_TaskBody{Res: &types.ReconfigVM_TaskResponse{Returnval: ref}}
			}
		}
		fixAttachedDisks(vm, req.Spec.DeviceChange) // devices.go
		res := vm.ReconfigVMTask(ctx, req)
		body, ok := res.(*methods.ReconfigVM_TaskBody)
		switch {
		case !ok || body.Res == nil:
		case taskFault(body.Res.Returnval) != nil:
			saved.restore(vm)
		case p.variant == clearAnnotation && vm.Config.Annotation != "":
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.annotation", Val: ""}})
		}
		return res
	})
}

// savedVM is a deep copy of what a reconfiguration may change.
type savedVM struct {
	name      string
	config    types.VirtualMachineConfigInfo
	summary   types.VirtualMachineSummary
	guest     types.GuestInfo
	datastore []types.ManagedObjectReference
	network   []types.ManagedObjectReference
}

func saveVM(vm *simulator.VirtualMachine) (*savedVM, error) {
	s := &savedVM{
		name:      vm.Name,
		datastore: append([]types.ManagedObjectReference(nil), vm.Datastore...),
		network:   append([]types.ManagedObjectReference(nil), vm.Network...),
	}
	for _, c := range []struct{ src, dst interface{} }{
		{vm.Config, &s.config}, {&vm.Summary, &s.summary}, {vm.Guest, &s.guest},
	} {
		if err := deepCopy(c.src, c.dst); err != nil {
			return nil, fmt.Errorf("saving %s before reconfiguring: %w", vm.Self.Value, err)
		}
	}
	return s, nil
}

// restore puts the saved values back, keeping the pointers other objects may hold.
func (s *savedVM) restore(vm *simulator.VirtualMachine) {
	vm.Name = s.name
	*vm.Config = s.config
	vm.Summary = s.summary
	*vm.Guest = s.guest
	vm.Datastore, vm.Network = s.datastore, s.network
}

// deepCopy copies src into dst through the vim25 XML encoding (interfaces keep their types).
func deepCopy(src, dst interface{}) error {
	b, err := vimxml.Marshal(src)
	if err != nil {
		return err
	}
	dec := vimxml.NewDecoder(bytes.NewReader(b))
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(dst)
}
