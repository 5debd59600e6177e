package main

// VM questions, which vcsim 0.24 never asks (see README "VM questions"). A VM whose name
// contains questionMarker asks, at power on, the question vSphere asks of a VM whose files were
// moved or copied (message id msg.uuid.altered): the PowerOnVM_Task stays running and
// runtime.question holds the question until VirtualMachine.AnswerVM answers it. "I moved it"
// (1) or "I copied it" (2) lets the power on go ahead, and the VM asks no more; "Cancel" (0)
// ends the power on with an error and the VM stays off (it asks again next time).

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const questionMarker = "ask-moved"

// questions: the power-on task a question holds, per VM, and the VMs answered for good.
var questions = struct {
	sync.Mutex
	pending  map[types.ManagedObjectReference]*simulator.Task
	answered map[types.ManagedObjectReference]bool
	next     int
}{pending: map[types.ManagedObjectReference]*simulator.Task{}, answered: map[types.ManagedObjectReference]bool{}}

func init() {
	routes["PowerOnVM_Task"] = "VirtualMachine"
	routes["AnswerVM"] = "VirtualMachine"
}

func movedQuestion(id string) *types.VirtualMachineQuestionInfo {
	choice := func(key, label string) types.BaseElementDescription {
		return &types.ElementDescription{Description: types.Description{Label: label, Summary: label}, Key: key}
	}
	text := "This virtual machine might have been moved or copied. In order to configure certain " +
		"management and networking features, VMware ESX needs to know if this virtual machine was " +
		"moved or copied. If you don't know, answer \"I Copied It\"."
	return &types.VirtualMachineQuestionInfo{
		Id:   id,
		Text: text,
		Choice: types.ChoiceOption{
			ChoiceInfo:   []types.BaseElementDescription{choice("0", "Cancel"), choice("1", "I Moved It"), choice("2", "I Copied It")},
			DefaultIndex: 2,
		},
		Message: []types.VirtualMachineMessage{{Id: "msg.uuid.altered", Text: text}},
	}
}

func (p *harnessProxy) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	return p.onTarget(ctx, req, "PowerOnVMTask", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		questions.Lock()
		defer questions.Unlock()
		asks := strings.Contains(vm.Name, questionMarker) && !questions.answered[vm.Self] &&
			vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn && !vm.Config.Template
		if !asks || questions.pending[vm.Self] != nil {
			return vm.PowerOnVMTask(ctx, req)
		}
		task := simulator.CreateTask(vm, "powerOn", nil)
		ctx.Map.Update(task, []types.PropertyChange{
			{Name: "info.startTime", Val: time.Now()},
			{Name: "info.state", Val: types.TaskInfoStateRunning},
		})
		questions.next++
		q := movedQuestion(fmt.Sprintf("%d", questions.next))
		ctx.Map.Update(vm, []types.PropertyChange{{Name: "runtime.question", Val: q}})
		questions.pending[vm.Self] = task
		return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: task.Self}}
	})
}

func (p *harnessProxy) AnswerVM(ctx *simulator.Context, req *types.AnswerVM) soap.HasFault {
	return p.onTarget(ctx, req, "AnswerVM", func(obj mo.Reference) soap.HasFault {
		vm := obj.(*simulator.VirtualMachine)
		questions.Lock()
		defer questions.Unlock()
		q := vm.Runtime.Question
		if q == nil || q.Id != req.QuestionId {
			// AnswerVM: ConcurrentAccess "if the question has been or is being answered".
			return &faultBody{simulator.Fault("", &types.ConcurrentAccess{})}
		}
		valid := false
		for _, c := range q.Choice.ChoiceInfo {
			valid = valid || c.GetElementDescription().Key == req.AnswerChoice
		}
		if !valid {
			return &faultBody{simulator.Fault("", &types.InvalidArgument{InvalidProperty: "answerChoice"})}
		}
		vm.Runtime.Question = nil
		ctx.Map.Update(vm, []types.PropertyChange{{Name: "runtime.question", Val: nil}})
		task := questions.pending[vm.Self]
		delete(questions.pending, vm.Self)
		var fault types.BaseMethodFault
		if req.AnswerChoice == "0" {
			fault = &types.RequestCanceled{}
		} else {
			questions.answered[vm.Self] = true
			fault = powerOnNow(ctx, vm)
		}
		if task != nil {
			finishTask(ctx, task, nil, fault)
		}
		return &methods.AnswerVMBody{Res: &types.AnswerVMResponse{}}
	})
}

// powerOnNow runs the simulator's own power on and drops the inner task it makes, so the
// client sees one task: the one the question held.
func powerOnNow(ctx *simulator.Context, vm *simulator.VirtualMachine) types.BaseMethodFault {
	res := vm.PowerOnVMTask(ctx, &types.PowerOnVM_Task{This: vm.Self})
	body, ok := res.(*methods.PowerOnVM_TaskBody)
	if !ok || body.Res == nil {
		return &types.SystemError{Reason: "power on failed"}
	}
	inner := body.Res.Returnval
	fault := taskFault(inner)
	dropTask(ctx, inner)
	return fault
}

// dropTask removes a finished task from the registry and from TaskManager.recentTask.
func dropTask(ctx *simulator.Context, task types.ManagedObjectReference) {
	content := ctx.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content
	if tm, ok := ctx.Map.Get(*content.TaskManager).(*simulator.TaskManager); ok {
		tm.Lock()
		var kept []types.ManagedObjectReference
		for _, t := range tm.RecentTask {
			if t != task {
				kept = append(kept, t)
			}
		}
		ctx.Map.Update(tm, []types.PropertyChange{{Name: "recentTask", Val: kept}})
		tm.Unlock()
	}
	ctx.Map.Remove(task)
}

// finishTask ends a running task with its result, or with fault (as the simulator's Task.Run
// ends one), under the task's lock.
func finishTask(ctx *simulator.Context, task *simulator.Task, result types.AnyType, fault types.BaseMethodFault) {
	state, errInfo := types.TaskInfoStateSuccess, interface{}(nil)
	if fault != nil {
		state, result = types.TaskInfoStateError, nil
		errInfo = &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: fmt.Sprintf("%T", fault)}
	}
	ctx.Map.WithLock(task, func() {
		ctx.Map.Update(task, []types.PropertyChange{
			{Name: "info.completeTime", Val: time.Now()},
			{Name: "info.state", Val: state},
			{Name: "info.result", Val: result},
			{Name: "info.error", Val: errInfo},
		})
	})
}
