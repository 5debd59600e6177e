"""Where esx_vm_info's time goes, with and without device lists: server, transfer, decode, facts.

One 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100). esx_vm_info's
runner (vm/query.run, every VM, one session) runs in-process with the client's transport
timed: each request's wall time from sending to the last byte read is the server and the
transfer; the answers are recorded and decoded again alone (envelope.parse_response: the
decode); the facts are built again alone from the decoded pages (vm/facts.vm_facts). Then what
the module does with the result before Ansible has it: AnsibleModule's no_log masking
(remove_values over the whole result) and its JSON serialisation. The in-process parts are
CPU seconds of this process (on a shared machine their wall time is mostly waiting for a
core); the requests are wall seconds. Medians of --rounds, with and without the device lists
one after the other in each round.

    python bench/vm_info_split.py [--rounds 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import MODEL, load_harness
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk, facts
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmQuery


class Recorder:
    """Wraps a Transport: times each post and keeps (method body, status, answer)."""

    def __init__(self, transport):
        self.inner, self.seconds, self.bytes, self.answers = transport, 0.0, 0, []

    def post(self, body, action):
        started = time.perf_counter()
        status, content = self.inner.post(body, action)
        self.seconds += time.perf_counter() - started
        self.bytes += len(content)
        self.answers.append((body, status, content))
        return status, content

    def __getattr__(self, name):
        return getattr(self.inner, name)


def method(body: bytes) -> str | None:
    """The property collector read a request body makes, if it is one."""
    for name in ("ContinueRetrievePropertiesEx", "RetrievePropertiesEx"):
        if f"<{name}".encode() in body or f":{name}".encode() in body:
            return name
    return None


def one_round(sim, devices: bool) -> dict:
    client = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    with client:
        recorder = client.transport = Recorder(client.transport)
        started, cpu = time.perf_counter(), time.process_time()
        result = vm_query.run(client, VmQuery(devices=devices, parallel_reads=1))
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
        client.transport = recorder.inner
        names = bulk.reference_table(client)
    pages = [(method(b), s, c) for b, s, c in recorder.answers if method(b)]
    started = time.process_time()
    decoded = [envelope.parse_response(m, s, c) for m, s, c in pages]
    decode = time.process_time() - started
    rows = [
        (o["obj"], {p["name"]: p.get("val") for p in o.get("propSet") or ()})
        for page in decoded
        for o in (page or {}).get("objects") or ()
        if o["obj"].type == "VirtualMachine"
    ]
    started = time.process_time()
    for ref, props in rows:
        facts.vm_facts(ref, props, names)
    build = time.process_time() - started
    started = time.process_time()
    masked = remove_values(result, {sim.password})
    mask = time.process_time() - started
    started = time.process_time()
    text = json.dumps(masked)
    dump = time.process_time() - started
    return {
        "vms": len(result["vms"]), "runner_seconds": total, "runner_cpu_seconds": total_cpu,
        "requests_seconds": recorder.seconds, "answer_mb": recorder.bytes / 2**20,
        "decode_seconds": decode, "facts_seconds": build, "mask_seconds": mask,
        "json_seconds": dump, "result_mb": len(text) / 2**20,
    }  # fmt: skip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    harness = load_harness()
    report = {}
    with tempfile.TemporaryDirectory(prefix="vm-info-split-") as tmp:
        print(f"starting a simulator: {' '.join(MODEL)} ...", flush=True)
        sim = harness.Vcsim.start(*MODEL, cert_dir=Path(tmp) / "sim")
        try:
            every = {True: [], False: []}
            for _round in range(args.rounds):  # interleaved: a change of load slows both alike
                for devices in every:
                    every[devices].append(one_round(sim, devices))
            for devices, runs in every.items():
                report[f"devices_{str(devices).lower()}"] = {
                    k: statistics.median(r[k] for r in runs) for k in runs[0]
                }
        finally:
            sim.stop()
    for name, r in report.items():
        print(
            f"{name}: {r['vms']:.0f} VMs, runner {r['runner_seconds']:.2f} s "
            f"(our CPU {r['runner_cpu_seconds']:.2f} s); requests {r['requests_seconds']:.2f} s "
            f"for {r['answer_mb']:.1f} MB (server and transfer); "
            f"CPU: decode alone {r['decode_seconds']:.2f} s, facts alone {r['facts_seconds']:.2f} s, "
            f"no_log masking {r['mask_seconds']:.2f} s, JSON {r['json_seconds']:.2f} s "
            f"({r['result_mb']:.1f} MB)",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
