package main

// --delay MS: every SOAP call is answered MS milliseconds later, as vcsim's own -delay flag
// does (govmomi simulator.DelayConfig.Delay, "the number of milliseconds to delay serving a
// SOAP call"; the simulator sleeps before it takes the object's lock). The simulator answers
// on loopback in about a millisecond, where a real vCenter's answer costs the network and the
// server's own work: benchmarks use this to see how a client's number of round trips weighs.

import (
	"flag"
	"fmt"

	"github.com/vmware/govmomi/simulator"
)

var callDelay int

func init() {
	register(Extension{
		Name: "latency",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&callDelay, "delay", 0, "answer every SOAP call this many milliseconds later")
		},
		Apply: func(m *simulator.Model, manifest map[string]interface{}) error {
			if callDelay < 0 {
				return fmt.Errorf("--delay must be 0 or more milliseconds, got %d", callDelay)
			}
			if callDelay > 0 {
				m.DelayConfig.Delay = callDelay // the service reads it on every call
				manifest["delay_ms"] = callDelay
			}
			return nil
		},
	})
}
