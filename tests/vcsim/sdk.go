package main

// The SOAP front: the harness adds or corrects a few methods without copying the
// simulator. The simulator dispatches a call by reflection on the Go type registered
// for _this, and much of its code type-asserts those objects (*Folder, *VirtualMachine),
// so they cannot be replaced by wrapper types. Instead its /sdk handler is moved to an
// internal path and /sdk is served here: a call listed in routes is decoded, its _this
// is pointed at a harness proxy object for the same target, and the request is handed
// on. The simulator still checks the session, then calls the proxy's method (a real
// simulator.Context); the proxy locks the real target and runs the harness's version,
// which calls the simulator's own method where it is right. Everything else is handed
// on byte for byte.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	vimxml "github.com/vmware/govmomi/vim25/xml"
)

// simulatorSDKPath is where the simulator's own SOAP handler is moved to.
const simulatorSDKPath = "/sdk-simulator"

// proxyType is the managed object type of the harness proxies (never shown to clients).
const proxyType = "VcsimHarness"

// routes: SOAP method -> the _this type the harness handles it for.
var routes = map[string]string{
	"CreateVM_Task":   "Folder",
	"CloneVM_Task":    "VirtualMachine",
	"ReconfigVM_Task": "VirtualMachine",
	"Rename_Task":     "VirtualMachine",
	"RenameSnapshot":  "VirtualMachineSnapshot",
	"UpgradeVM_Task":  "VirtualMachine",
	// snapstate.go
	"CreateSnapshot_Task":          "VirtualMachine",
	"RevertToSnapshot_Task":        "VirtualMachineSnapshot",
	"RevertToCurrentSnapshot_Task": "VirtualMachine",
	"RemoveSnapshot_Task":          "VirtualMachineSnapshot",
	"RemoveAllSnapshots_Task":      "VirtualMachine",
	"ConsolidateVMDisks_Task":      "VirtualMachine",
	// eventcollector.go
	"DestroyCollector": "EventHistoryCollector",
}

// sessionRoutes: routed methods whose _this lives in the caller's session, not in the
// simulator's global registry (the proxy finds it through the session).
var sessionRoutes = map[string]bool{"DestroyCollector": true}

// installSDKFront moves the simulator's /sdk handler and serves /sdk in front of it.
// Call before Service.NewServer.
func installSDKFront(svc *simulator.Service) {
	simulator.Map.Path = simulatorSDKPath
	mux := http.NewServeMux()
	svc.ServeMux = mux
	front := &sdkFront{svc: svc}
	mux.Handle(vim25.Path, front)
	mux.Handle(vim25.Path+"/", front)
}

type sdkFront struct{ svc *simulator.Service }

func (f *sdkFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case vim25.Path, vim25.Path + "/vimService":
	case vim25.Path + "/vimServiceVersions.xml":
		f.svc.ServiceVersions(w, r)
		return
	default:
		http.NotFound(w, r)
		return
	}
	var body []byte
	rerouted := false
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		routed := reroute(body)
		rerouted = !bytes.Equal(routed, body)
		body = routed
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	r.URL.Path = simulatorSDKPath
	if rerouted {
		serveUnproxied(f.svc, w, r) // proxytrace.go
		return
	}
	f.svc.ServeSDK(w, r)
}

// reroute points a routed call's _this at its proxy; other bodies come back unchanged.
func reroute(body []byte) []byte {
	if !mentionsRoute(body) {
		return body // most calls: not decoded twice
	}
	method, err := simulator.UnmarshalBody(typeFunc, body)
	if err != nil || routes[method.Name] != method.This.Type {
		return body
	}
	if !sessionRoutes[method.Name] && simulator.Map.Get(method.This) == nil {
		return body
	}
	variant := ""
	if method.Name == "ReconfigVM_Task" && annotationCleared(method, body) {
		variant = clearAnnotation
	}
	setThis(method.Body, proxies.get(method.This, variant).Self)
	out, err := encodeRequest(method)
	if err != nil {
		log.Printf("vcsim: cannot re-encode %s: %v", method.Name, err)
		return body
	}
	return out
}

func mentionsRoute(body []byte) bool {
	for name := range routes {
		if bytes.Contains(body, []byte(name)) {
			return true
		}
	}
	return false
}

// typeFunc resolves vim25 type names as the simulator does, also with a namespace prefix.
func typeFunc(name string) (reflect.Type, bool) {
	if t, ok := types.TypeFunc()(name); ok {
		return t, ok
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return types.TypeFunc()(name[i+1:])
	}
	return nil, false
}

func setThis(req interface{}, ref types.ManagedObjectReference) {
	reflect.ValueOf(req).Elem().FieldByName("This").Set(reflect.ValueOf(ref))
}

// encodeRequest writes the call back as a SOAP envelope, the way govmomi's client does.
func encodeRequest(method *simulator.Method) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"` +
		` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Body>`)
	enc := vimxml.NewEncoder(&buf)
	start := vimxml.StartElement{Name: vimxml.Name{Space: vim25.Namespace, Local: method.Name}}
	if err := enc.EncodeElement(method.Body, start); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	buf.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return buf.Bytes(), nil
}

// annotationCleared: the ReconfigVM_Task spec carries an empty <annotation/> element,
// which the decoded spec cannot tell from no annotation at all.
func annotationCleared(method *simulator.Method, body []byte) bool {
	req, ok := method.Body.(*types.ReconfigVM_Task)
	if !ok || req.Spec.Annotation != "" {
		return false
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var path []string
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			n := len(path)
			if n >= 3 && path[n-1] == "annotation" && path[n-2] == "spec" && path[n-3] == method.Name {
				return true
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

// harnessProxy stands for one target object (and one variant of a call on it). It sits in the
// simulator's registry, whose walks over every object (SearchIndex.FindByUuid, for one) dig
// the managed object out of the first field and panic without one: hence the embedded
// ExtensibleManagedObject, which no such walk takes for a VM, host or entity.
type harnessProxy struct {
	mo.ExtensibleManagedObject
	target  types.ManagedObjectReference
	variant string
}

func (p *harnessProxy) Reference() types.ManagedObjectReference { return p.Self }

// proxyRegistry makes each proxy once and keeps it: registering objects notifies every
// property collector, so proxies are not made per call.
type proxyRegistry struct {
	mu  sync.Mutex
	all map[string]*harnessProxy
}

var proxies = &proxyRegistry{all: map[string]*harnessProxy{}}

func (r *proxyRegistry) get(target types.ManagedObjectReference, variant string) *harnessProxy {
	key := target.Type + ":" + target.Value
	if variant != "" {
		key += "/" + variant
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.all[key]; ok {
		return p
	}
	self := types.ManagedObjectReference{Type: proxyType, Value: key}
	p := &harnessProxy{ExtensibleManagedObject: mo.ExtensibleManagedObject{Self: self}, target: target, variant: variant}
	simulator.Map.Put(p)
	r.all[key] = p
	return p
}

// drop forgets a proxy whose target is gone (a destroyed session object).
func (r *proxyRegistry) drop(p *harnessProxy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.all, p.Self.Value)
	simulator.Map.Remove(p.Self)
}

// faultBody answers a call with a SOAP fault.
type faultBody struct{ fault *soap.Fault }

func (b *faultBody) Fault() *soap.Fault { return b.fault }

// onTarget runs a routed call on the real target, locked as the simulator would lock it.
func (p *harnessProxy) onTarget(ctx *simulator.Context, req interface{}, goName string, run func(obj mo.Reference) soap.HasFault) soap.HasFault {
	setThis(req, p.target)
	obj := ctx.Map.Get(p.target)
	if obj == nil {
		return &faultBody{simulator.Fault("", &types.ManagedObjectNotFound{Obj: p.target})}
	}
	if e, ok := obj.(mo.Entity); ok {
		for _, dm := range e.Entity().DisabledMethod {
			if dm == goName {
				return &faultBody{simulator.Fault("method is disabled", &types.MethodDisabled{})}
			}
		}
	}
	var res soap.HasFault
	ctx.Caller = &p.target // the simulator's own nested locks see the target as locked
	ctx.Map.WithLock(obj, func() { res = run(obj) })
	return res
}

// failedTask starts and ends a task on obj that fails with fault, and returns its reference.
func failedTask(obj mo.Reference, name string, fault types.BaseMethodFault) types.ManagedObjectReference {
	return simulator.CreateTask(obj, name, func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, fault
	}).Run()
}

// taskFault is the fault a finished task recorded, or nil.
func taskFault(ref types.ManagedObjectReference) types.BaseMethodFault {
	if t, ok := simulator.Map.Get(ref).(*simulator.Task); ok && t.Info.Error != nil {
		return t.Info.Error.Fault
	}
	return nil
}

// fixServerURLSetting gives the OptionManager's vcsim.server.url the public /sdk path.
func fixServerURLSetting(u fmt.Stringer) {
	m := simulator.Map.OptionManager()
	simulator.Map.WithLock(m, func() {
		for _, s := range m.Setting {
			if v := s.GetOptionValue(); v.Key == "vcsim.server.url" {
				v.Value = u.String()
			}
		}
	})
}
