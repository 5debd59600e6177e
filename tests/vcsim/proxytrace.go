package main

// A routed call (sdk.go) reaches the simulator with _this pointed at a harness proxy, so a
// fault the simulator raises before the proxy runs (NotAuthenticated for a dead session) names
// the proxy: <object type="VcsimHarness">Folder:group-v3</object>. A real server names the
// object the call was made on (NotAuthenticated.object: "The object on which the privilege
// check failed"; NoPermission.object likewise), and a client that knows every vim25 type
// refuses VcsimHarness. The answer to a routed call is therefore held back, and every proxy
// reference in it is written as its target's before it is sent.

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"

	"github.com/vmware/govmomi/simulator"
)

var proxyRef = regexp.MustCompile(`type="` + proxyType + `">([^<]*)<`)

// serveUnproxied serves a rerouted request, naming each proxy by its target in the answer.
func serveUnproxied(svc *simulator.Service, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	svc.ServeSDK(rec, r)
	body := rec.Body.Bytes()
	if bytes.Contains(body, []byte(proxyType)) {
		body = proxyRef.ReplaceAllFunc(body, unproxy)
	}
	for name, values := range rec.Header() {
		w.Header()[name] = values
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// unproxy rewrites one `type="VcsimHarness">key<` as the target's type and moid.
func unproxy(match []byte) []byte {
	key := string(proxyRef.FindSubmatch(match)[1])
	var unescaped string
	if err := xml.Unmarshal([]byte("<k>"+key+"</k>"), &unescaped); err == nil {
		key = unescaped
	}
	proxies.mu.Lock()
	p, ok := proxies.all[key]
	proxies.mu.Unlock()
	if !ok {
		return match
	}
	var value bytes.Buffer
	_ = xml.EscapeText(&value, []byte(p.target.Value))
	return []byte(`type="` + p.target.Type + `">` + value.String() + `<`)
}
