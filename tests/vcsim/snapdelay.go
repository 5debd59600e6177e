package main

// --snapshot-task-delay MS: snapshot tasks that take time, as on a real server. The vSphere API
// reference has VirtualMachine.CreateSnapshot_Task, VirtualMachine.RemoveAllSnapshots_Task and
// VirtualMachineSnapshot.RemoveSnapshot_Task return at once ("Returns: This method returns a
// Task object with which to monitor the operation"): the client follows the task's info.state
// (TaskInfo.state: queued, running, success, error) until it ends, and a removal that merges
// large delta disks into their parents (consolidate: "the virtual disk associated with this
// snapshot will be merged with other disk if possible") runs for a long time. vcsim 0.24 runs
// every task within the call (simulator/task.go, Task.Run), so a client never sees one running.
//
// With the flag, those three calls answer at once with a task in state running (info.startTime
// set) and do their work MS milliseconds later, whether or not a client still waits (the server
// goes on): the same work as without the flag (snapstate.go, the simulator's own method under
// it), with the target locked as the call would have locked it; then the task ends with that
// work's outcome (info.result, e.g. a new snapshot's reference, or info.error). The simulator's
// own task for that work is dropped, so a client sees one task per call, as without the flag.

import (
	"context"
	"flag"
	"fmt"
	"log"
	"reflect"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

var snapshotTaskDelay int

func init() {
	register(Extension{
		Name: "snapshot-task-delay",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&snapshotTaskDelay, "snapshot-task-delay", 0,
				"CreateSnapshot_Task, RemoveSnapshot_Task and RemoveAllSnapshots_Task run this many milliseconds")
		},
		Apply: func(_ *simulator.Model, manifest map[string]interface{}) error {
			if snapshotTaskDelay < 0 {
				return fmt.Errorf("--snapshot-task-delay must be 0 or more milliseconds, got %d", snapshotTaskDelay)
			}
			if snapshotTaskDelay > 0 {
				manifest["snapshot_task_delay_ms"] = snapshotTaskDelay
			}
			return nil
		},
	})
}

// snapshotTask runs a routed snapshot method: run (the harness's version of it) at once without
// --snapshot-task-delay; with it, the call answers with a running task named taskName (the name
// the simulator's own method gives its task) in a body of answer's type, and run is done later.
func (p *harnessProxy) snapshotTask(ctx *simulator.Context, req interface{}, goName, taskName string,
	answer soap.HasFault, run func(obj mo.Reference) soap.HasFault) soap.HasFault {
	if snapshotTaskDelay <= 0 {
		return p.onTarget(ctx, req, goName, run)
	}
	return p.onTarget(ctx, req, goName, func(obj mo.Reference) soap.HasFault {
		task := simulator.CreateTask(obj, taskName, nil)
		ctx.Map.WithLock(task, func() {
			ctx.Map.Update(task, []types.PropertyChange{
				{Name: "info.startTime", Val: time.Now()},
				{Name: "info.state", Val: types.TaskInfoStateRunning},
			})
		})
		// The call's Context ends with the call (its Caller is the target this call holds
		// locked): the work gets one of its own, with the caller's session.
		later := &simulator.Context{Context: context.Background(), Session: ctx.Session, Map: ctx.Map}
		time.AfterFunc(time.Duration(snapshotTaskDelay)*time.Millisecond, func() {
			p.workLater(later, req, goName, task, run)
		})
		return withTask(answer, task.Self)
	})
}

// workLater does a delayed call's work and ends its task with the outcome. onTarget locks the
// target again (or answers ManagedObjectNotFound when it went in the meantime).
func (p *harnessProxy) workLater(ctx *simulator.Context, req interface{}, goName string,
	task *simulator.Task, run func(obj mo.Reference) soap.HasFault) {
	var result types.AnyType
	var fault types.BaseMethodFault
	defer func() {
		if r := recover(); r != nil { // the simulator's panic would end the whole server here
			log.Printf("vcsim: %s on %s panicked: %v", goName, p.target, r)
			result, fault = nil, &types.SystemError{Reason: fmt.Sprint(r)}
		}
		ctx.Caller = nil
		finishTask(ctx, task, result, fault)
	}()
	res := p.onTarget(ctx, req, goName, run)
	if f := res.Fault(); f != nil {
		fault, _ = f.Detail.Fault.(types.BaseMethodFault)
		if fault == nil {
			fault = &types.SystemError{Reason: f.String}
		}
		return
	}
	inner, ok := taskOf(res)
	if !ok {
		return
	}
	if t, ok := ctx.Map.Get(inner).(*simulator.Task); ok {
		ctx.Map.WithLock(t, func() { result = t.Info.Result })
		fault = taskFault(inner)
	}
	dropTask(ctx, inner)
}

// withTask fills a *_TaskBody (methods.RemoveSnapshot_TaskBody, ...) with the task it answers.
func withTask(body soap.HasFault, task types.ManagedObjectReference) soap.HasFault {
	res := reflect.ValueOf(body).Elem().FieldByName("Res")
	res.Set(reflect.New(res.Type().Elem()))
	res.Elem().FieldByName("Returnval").Set(reflect.ValueOf(task))
	return body
}

// taskOf is the task a *_TaskBody answers with (false for a fault or another body).
func taskOf(body soap.HasFault) (types.ManagedObjectReference, bool) {
	v := reflect.ValueOf(body)
	if v.Kind() != reflect.Ptr || v.Elem().Kind() != reflect.Struct {
		return types.ManagedObjectReference{}, false
	}
	res := v.Elem().FieldByName("Res")
	if !res.IsValid() || res.Kind() != reflect.Ptr || res.IsNil() {
		return types.ManagedObjectReference{}, false
	}
	val := res.Elem().FieldByName("Returnval")
	if !val.IsValid() {
		return types.ManagedObjectReference{}, false
	}
	ref, ok := val.Interface().(types.ManagedObjectReference)
	return ref, ok
}
