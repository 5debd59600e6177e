// Command vcsim serves a govmomi simulator model over HTTPS for the
// collection's integration tests: its own CA and 2048-bit server certificate,
// real credentials, a JSON manifest of the inventory, and extension hooks.
//
// The first line on stdout is the SDK URL; everything else goes to stderr.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
)

// options holds the parsed command line.
type options struct {
	listen      string
	certDir     string
	certMode    string
	esx         bool
	username    string
	password    string
	manifest    string
	stdinExit   bool
	dsDir       string
	dc          count
	cluster     count
	clusterHost count
	host        count
	vm          count
	ds          count
}

// count is a flag for a number of objects; unset keeps the model's default.
type count struct {
	n   int
	set bool
}

func (c *count) String() string {
	if c == nil || !c.set {
		return ""
	}
	return strconv.Itoa(c.n)
}

func (c *count) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a whole number >= 0")
	}
	c.n, c.set = n, true
	return nil
}

// apply sets *dst when the flag was given.
func (c *count) apply(dst *int) {
	if c.set {
		*dst = c.n
	}
}

func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("vcsim", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&o.certDir, "cert-dir", "", "directory for ca.pem, server.pem, server-key.pem (required)")
	fs.StringVar(&o.certMode, "cert-mode", "good", "server certificate: "+certModeList())
	fs.BoolVar(&o.esx, "esx", false, "standalone ESXi model (ha-datacenter) instead of vCenter")
	fs.StringVar(&o.username, "username", "viapi", "the only user name Login accepts")
	fs.StringVar(&o.password, "password", "viapi-secret", "the only password Login accepts")
	fs.StringVar(&o.manifest, "manifest", "", "write a JSON description of the model to this file")
	fs.StringVar(&o.dsDir, "datastore-dir", "", "parent directory of the datastores' backing dirs (default: system temp)")
	fs.BoolVar(&o.stdinExit, "exit-on-stdin-eof", false, "shut down when stdin reaches EOF (parent died)")
	fs.Var(&o.dc, "dc", "`N` datacenters (VPX only; default 1)")
	fs.Var(&o.cluster, "cluster", "`N` clusters per datacenter (VPX only; default 1)")
	fs.Var(&o.clusterHost, "cluster-host", "`N` hosts per cluster (VPX only; default 3)")
	fs.Var(&o.host, "host", "`N` standalone hosts per datacenter (VPX only; default 1)")
	fs.Var(&o.vm, "vm", "`N` VMs per standalone host, per cluster, or on the ESX host (default 2)")
	fs.Var(&o.ds, "ds", "`N` local datastores per datacenter (default 1)")
	for _, e := range extensions {
		if e.Flags != nil {
			e.Flags(fs)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.certDir == "" {
		return nil, fmt.Errorf("--cert-dir is required")
	}
	if o.username == "" || o.password == "" {
		return nil, fmt.Errorf("--username and --password must not be empty")
	}
	if o.esx && (o.dc.set || o.cluster.set || o.clusterHost.set || o.host.set) {
		return nil, fmt.Errorf("--dc, --cluster, --cluster-host and --host do not apply to --esx")
	}
	return o, nil
}

// newModel returns the VPX or ESX model with the requested counts applied.
func newModel(o *options) *simulator.Model {
	m := simulator.VPX()
	if o.esx {
		m = simulator.ESX()
	}
	o.dc.apply(&m.Datacenter)
	o.cluster.apply(&m.Cluster)
	o.clusterHost.apply(&m.ClusterHost)
	o.host.apply(&m.Host)
	o.vm.apply(&m.Machine)
	o.ds.apply(&m.Datastore)
	return m
}

// startServer listens and serves; the simulator panics on listen errors, so recover them.
func startServer(m *simulator.Model, o *options, cert tls.Certificate) (s *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot serve on %s: %v", o.listen, r)
		}
	}()
	m.Service.Listen = &url.URL{Host: o.listen, User: url.UserPassword(o.username, o.password)}
	m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	installSDKFront(m.Service)
	s = m.Service.NewServer()
	fixServerURLSetting(sdkURL(s))
	return s, nil
}

// sdkURL is the server URL without the credentials the simulator keeps in it, at the
// path clients use (the simulator's own handler sits behind it, see sdk.go).
func sdkURL(s *simulator.Server) *url.URL {
	return &url.URL{Scheme: s.URL.Scheme, Host: s.URL.Host, Path: vim25.Path}
}

// waitForStop blocks until SIGINT/SIGTERM, or stdin EOF when asked to watch it.
func waitForStop(watchStdin bool) string {
	done := make(chan string, 2)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { done <- (<-sig).String() }()
	if watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
			done <- "stdin EOF"
		}()
	}
	return <-done
}

// closeServer stops serving, giving long polls (WaitForUpdatesEx) a few seconds.
func closeServer(s *simulator.Server) {
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		log.Print("vcsim: requests still running after 5s, exiting anyway")
	}
}

func run(args []string) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	started := time.Now()
	certs, err := writeCertificates(o.certDir, o.certMode)
	if err != nil {
		return err
	}
	if o.dsDir != "" {
		// The simulator makes each datastore's backing directory with ioutil.TempDir("", ...).
		if err := os.MkdirAll(o.dsDir, 0o700); err != nil {
			return err
		}
		os.Setenv("TMPDIR", absPath(o.dsDir))
	}
	m := newModel(o)
	if err := m.Create(); err != nil {
		return fmt.Errorf("creating model: %w", err)
	}
	defer m.Remove()
	log.Printf("vcsim: model created in %s", time.Since(started).Round(time.Millisecond))
	installPaging()
	manifest := map[string]interface{}{}
	for _, e := range extensions {
		if err := e.Apply(m, manifest); err != nil {
			return fmt.Errorf("extension %s: %w", e.Name, err)
		}
	}
	s, err := startServer(m, o, certs.server)
	if err != nil {
		return err
	}
	u := sdkURL(s)
	if o.manifest != "" {
		describe(manifest, m, u, o, certs)
		if err := writeJSON(o.manifest, manifest); err != nil {
			closeServer(s)
			return err
		}
	}
	fmt.Println(u.String())
	log.Printf("vcsim: ready at %s in %s", u, time.Since(started).Round(time.Millisecond))
	log.Printf("vcsim: stopping on %s", waitForStop(o.stdinExit))
	closeServer(s)
	return nil
}

func main() {
	log.SetFlags(log.LstdFlags)
	log.SetOutput(os.Stderr)
	if err := run(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		os.Exit(2)
	}
}

// hostPort splits a URL host into host and numeric port.
func hostPort(u *url.URL) (string, int) {
	h, p, err := net.SplitHostPort(u.Host)
	if err != nil {
		return u.Host, 0
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// absPath makes manifest paths usable from any working directory.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
