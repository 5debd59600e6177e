package main

// A fresh CA and server certificate per run. The simulator's built-in
// certificate has a 1024-bit key, which OpenSSL at its default security level
// refuses; --cert-mode asks for deliberately bad server certificates instead.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// certModes maps each --cert-mode to how it changes the good server certificate.
var certModes = map[string]func(*serverSpec){
	"good": func(*serverSpec) {},
	"expired": func(s *serverSpec) {
		s.tmpl.NotBefore = time.Now().Add(-30 * 24 * time.Hour)
		s.tmpl.NotAfter = time.Now().Add(-24 * time.Hour)
	},
	"wrong-host": func(s *serverSpec) {
		s.tmpl.Subject.CommonName = "wrong.example"
		s.tmpl.DNSNames = []string{"wrong.example"}
		s.tmpl.IPAddresses = nil
	},
	"self-signed":  func(s *serverSpec) { s.selfSigned = true },
	"weak-rsa1024": func(s *serverSpec) { s.bits = 1024 },
}

func certModeList() string {
	var names []string
	for k := range certModes {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, "|")
}

// serverSpec is what a cert mode may change before the server certificate is signed.
type serverSpec struct {
	tmpl       *x509.Certificate
	bits       int
	selfSigned bool
}

// certificates is what writeCertificates produced.
type certificates struct {
	server                    tls.Certificate
	caFile, certFile, keyFile string
}

// validity is long enough for a demo left running, short enough to be obviously a test CA.
const validity = 90 * 24 * time.Hour

func writeCertificates(dir, mode string) (*certificates, error) {
	change, ok := certModes[mode]
	if !ok {
		return nil, fmt.Errorf("--cert-mode %q: want one of %s", mode, certModeList())
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	caKey, caCert, caDER, err := newCA()
	if err != nil {
		return nil, err
	}
	spec := &serverSpec{tmpl: serverTemplate(), bits: 2048}
	change(spec)
	key, err := rsa.GenerateKey(rand.Reader, spec.bits)
	if err != nil {
		return nil, err
	}
	spec.tmpl.SubjectKeyId = keyID(&key.PublicKey)
	parent, signer := caCert, crypto.Signer(caKey)
	if spec.selfSigned {
		parent, signer = spec.tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, spec.tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("signing server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	c := &certificates{
		server:   tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		caFile:   filepath.Join(dir, "ca.pem"),
		certFile: filepath.Join(dir, "server.pem"),
		keyFile:  filepath.Join(dir, "server-key.pem"),
	}
	for _, f := range []struct {
		path, kind string
		der        []byte
		mode       os.FileMode
	}{
		{c.caFile, "CERTIFICATE", caDER, 0o644},
		{c.certFile, "CERTIFICATE", der, 0o644},
		{c.keyFile, "PRIVATE KEY", keyDER, 0o600},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der})
		if err := os.WriteFile(f.path, data, f.mode); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// newCA returns a self-signed 2048-bit RSA CA that may sign end-entity certificates only.
func newCA() (*rsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"viapi.esx vcsim"}, CommonName: "viapi.esx vcsim test CA " + fmt.Sprintf("%032x", serial)[:8]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, der, err
}

// serverTemplate is the good server certificate: 127.0.0.1, ::1 and localhost.
func serverTemplate() *x509.Certificate {
	serial, err := newSerial()
	if err != nil {
		panic(err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"viapi.esx vcsim"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// keyID is the RFC 5280 method 1 key identifier: SHA-1 of the public key bits.
func keyID(pub *rsa.PublicKey) []byte {
	sum := sha1.Sum(x509.MarshalPKCS1PublicKey(pub))
	return sum[:]
}
