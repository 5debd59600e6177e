package main

// PropertyCollector.Fetch, the internal method pyVmomi sends to read one property of a
// managed object (vim.PropertyCollector.Fetch; every `vm.resourcePool` is one). vcsim 0.24
// indexes the first result's missingSet when the property comes back without a value, so
// an unset property (a template's resourcePool, an empty guest.ipAddress) panics the
// handler and the client sees the connection closed. vCenter answers an unset optional
// property with no value (pyVmomi then returns None); the harness does the same, and a
// Fetch on an object that does not exist is ManagedObjectNotFound.

import (
	"bytes"
	"net/http"
	"net/http/httptest"

	"github.com/vmware/govmomi/simulator"
)

// serveFetch serves r through next, turning the simulator's panic on an unset property into
// the empty answer vCenter gives. Requests other than Fetch go straight to next.
func serveFetch(w http.ResponseWriter, r *http.Request, body []byte, next func(http.ResponseWriter, *http.Request)) {
	if !bytes.Contains(body, []byte("Fetch")) {
		next(w, r)
		return
	}
	method, err := simulator.UnmarshalBody(typeFunc, body)
	if err != nil || method.Name != "Fetch" {
		next(w, r)
		return
	}
	rec := httptest.NewRecorder()
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		next(rec, r)
		return false
	}()
	if !panicked {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	if simulator.Map.Get(method.This) == nil {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(soapEnvelope(`<soapenv:Fault><faultcode>ServerFaultCode</faultcode>` +
			`<faultstring>The object has already been deleted or has not been completely created</faultstring>` +
			`<detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound">` +
			`<obj type="` + method.This.Type + `">` + method.This.Value + `</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>`)))
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(soapEnvelope(`<FetchResponse xmlns="urn:vim25"></FetchResponse>`)))
}

func soapEnvelope(inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"` +
		` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Body>` + inner + `</soapenv:Body></soapenv:Envelope>`
}
