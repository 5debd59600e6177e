#!/usr/bin/env python
"""Collect the 17 inventory properties of 4,800 VMs three ways, on one simulator, in one run.

- ours:    viapi.esx's VI client, `collector.collect` (ContainerView + RetrievePropertiesEx pages)
- pyvmomi: the same calls through pyVmomi (run in the bench environment, bench/setup.sh)
- floor:   bare requests + lxml.fromstring: the same SOAP requests, each answer parsed, nothing
           decoded. No client can do less work than this, so it is the floor to compare with.

Each round runs the three in turn; the median of the rounds is reported with the ratios. Then a
decode micro-benchmark: ~10 MB of RetrievePropertiesEx answers (recorded in this run) decoded by
envelope.parse_response against a bare lxml parse of the same bytes.

    python bench/collect.py [--rounds 5] [--vm 100] [--page-size 1000] [--no-pyvmomi] [--json F]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from _common import MODEL, PEER_PROPERTIES, bench_venv, load_harness
from lxml import etree

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

# What community.vmware's vmware_vm_inventory reads by default: its default `properties` and
# runtime.connectionState, which it always adds.
PATHS = [*PEER_PROPERTIES, "runtime.connectionState"]
# A second corpus for the decode benchmark: nested data objects (devices, guest, runtime).
NESTED_PATHS = ["name", "config.hardware.device", "guest", "runtime"]
VIM = "{urn:vim25}"
MiB = 1024 * 1024


# ------------------------------------------------------------------ ours


def run_ours(sim, page_size: int) -> tuple[float, int]:
    """Seconds to collect, and the number of VMs, with our client (logged in beforehand)."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as c:
        started = time.perf_counter()
        rows = collector.collect(c, {"VirtualMachine": PATHS}, page_size=page_size)
        return time.perf_counter() - started, len(rows)


# ------------------------------------------------------------------ the floor

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope'
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{}'
    "</soapenv:Body></soapenv:Envelope>"
)


def ref(tag: str, type_name: str, value: str) -> str:
    return f'<{tag} type="{type_name}">{escape(value)}</{tag}>'


class Floor:
    """Bare requests + lxml: hand-written SOAP, answers parsed and not decoded."""

    def __init__(self, sim):
        self.http = requests.Session()
        self.http.verify = sim.ca_path
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify
        self.url = sim.url
        this = ref("_this", "ServiceInstance", "ServiceInstance")
        content = self.call(
            f'<RetrieveServiceContent xmlns="urn:vim25">{this}</RetrieveServiceContent>'
        )
        self.ids = {el.tag[len(VIM) :]: (el.get("type"), el.text) for el in content}
        user, pwd = escape(sim.username), escape(sim.password)
        self.call(
            f'<Login xmlns="urn:vim25">{self.this("sessionManager")}<userName>{user}</userName>'
            f"<password>{pwd}</password></Login>"
        )

    def this(self, name: str, tag: str = "_this") -> str:
        return ref(tag, *self.ids[name])

    def post(self, body: str) -> bytes:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "urn:vim25/6.5"}
        resp = self.http.post(self.url, data=ENVELOPE.format(body).encode(), headers=headers)
        resp.raise_for_status()
        return resp.content

    def call(self, body: str):
        """The returnval element of the answer."""
        return etree.fromstring(self.post(body))[0][0][0]

    def collect(self, page_size: int, paths: list[str], keep: list | None = None) -> int:
        """Every VM's `paths` through a view, page by page; the number of objects seen."""
        view = self.call(
            f'<CreateContainerView xmlns="urn:vim25">{self.this("viewManager")}'
            f"{self.this('rootFolder', 'container')}<type>VirtualMachine</type>"
            "<recursive>true</recursive></CreateContainerView>"
        )
        view_ref = ref("_this", "ContainerView", view.text)
        path_set = "".join(f"<pathSet>{p}</pathSet>" for p in paths)
        spec = (
            "<specSet><propSet><type>VirtualMachine</type><all>false</all>"
            f"{path_set}</propSet><objectSet>{ref('obj', 'ContainerView', view.text)}"
            '<skip>true</skip><selectSet xsi:type="TraversalSpec"><type>ContainerView</type>'
            "<path>view</path><skip>false</skip></selectSet></objectSet></specSet>"
        )
        pc = self.this("propertyCollector")
        body = (
            f'<RetrievePropertiesEx xmlns="urn:vim25">{pc}{spec}'
            f"<options><maxObjects>{page_size}</maxObjects></options></RetrievePropertiesEx>"
        )
        count = 0
        while body:
            raw = self.post(body)
            if keep is not None:
                keep.append(raw)
            page = etree.fromstring(raw)[0][0]
            result = page[0] if len(page) else None
            token = result.findtext(VIM + "token") if result is not None else None
            count += 0 if result is None else len(result) - (token is not None)
            body = token and (
                f'<ContinueRetrievePropertiesEx xmlns="urn:vim25">{pc}<token>{token}</token>'
                "</ContinueRetrievePropertiesEx>"
            )
        self.post(f'<DestroyView xmlns="urn:vim25">{view_ref}</DestroyView>')
        return count

    def logout(self) -> None:
        self.post(f'<Logout xmlns="urn:vim25">{self.this("sessionManager")}</Logout>')
        self.http.close()


def run_floor(sim, page_size: int, paths=None) -> tuple[float, int]:
    """Seconds and objects of the bare read of `paths` (default: the peers' PATHS), login not
    counted."""
    paths = PATHS if paths is None else paths
    floor = Floor(sim)
    try:
        started = time.perf_counter()
        count = floor.collect(page_size, paths)
        return time.perf_counter() - started, count
    finally:
        floor.logout()


# ------------------------------------------------------------------ pyVmomi (bench environment)

PYVMOMI = r"""
import json, ssl, sys, time
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

host, port, user, pwd, ca, page_size = sys.argv[1:7]
paths = json.loads(sys.argv[7])
si = SmartConnect(host=host, port=int(port), user=user, pwd=pwd,
                  sslContext=ssl.create_default_context(cafile=ca))
try:
    content = si.RetrieveContent()
    started = time.perf_counter()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[
            vmodl.query.PropertyCollector.TraversalSpec(type=vim.view.ContainerView, path="view")])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=paths)])
    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=int(page_size))
    pc = content.propertyCollector
    result, rows = pc.RetrievePropertiesEx([spec], options), []
    while result:
        rows += [(o.obj, {p.name: p.val for p in o.propSet}) for o in result.objects]
        result = pc.ContinueRetrievePropertiesEx(result.token) if result.token else None
    view.Destroy()
    print(json.dumps({"seconds": time.perf_counter() - started, "count": len(rows)}))
finally:
    Disconnect(si)
"""


def run_pyvmomi(python: str, sim, page_size: int) -> tuple[float, int]:
    args = [sim.host, str(sim.port), sim.username, sim.password, sim.ca_path, str(page_size)]
    proc = subprocess.run(
        [python, "-c", PYVMOMI, *args, json.dumps(PATHS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pyVmomi run failed:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["seconds"], out["count"]


# ------------------------------------------------------------------ decode micro-benchmark


def ten_mib(pages: list[bytes], size: int = 10 * MiB) -> bytes:
    """One RetrievePropertiesEx answer of about `size` bytes, made of the recorded objects."""
    first = pages[0]
    head, tail = first.index(b"<objects>"), first.rindex(b"</objects>") + len(b"</objects>")
    objects = b"".join(p[p.index(b"<objects>") : p.rindex(b"</objects>") + 10] for p in pages)
    body = objects * (size // len(objects) + 1)
    cut = body.rfind(b"<objects>", 0, size - head - (len(first) - tail))
    return first[:head] + body[:cut] + first[tail:]


def median_seconds(fn, rounds: int) -> float:
    times = []
    for _round in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def decode_bench(sim, page_size: int, rounds: int) -> dict:
    """Decode ~10 MB answers (the 17 paths; nested objects) vs a bare lxml parse."""
    floor, results = Floor(sim), {}
    try:
        for name, paths in (("inventory", PATHS), ("nested", NESTED_PATHS)):
            pages: list[bytes] = []
            floor.collect(page_size, paths, keep=pages)
            doc = ten_mib(pages)
            objects = len(envelope.parse_response("RetrievePropertiesEx", 200, doc)["objects"])
            bare = median_seconds(lambda d=doc: etree.fromstring(d), rounds)
            ours = median_seconds(
                lambda d=doc: envelope.parse_response("RetrievePropertiesEx", 200, d), rounds
            )
            results[name] = {"bytes": len(doc), "objects": objects, "lxml": bare, "ours": ours}
    finally:
        floor.logout()
    return results


# ------------------------------------------------------------------ main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--rounds", type=int, default=5, help="repetitions of each client (median)")
    p.add_argument("--vm", type=int, default=100, help="VMs per host (100: 4,800 VMs)")
    p.add_argument("--page-size", type=int, default=1000, help="maxObjects per page")
    p.add_argument("--no-pyvmomi", action="store_true", help="skip pyVmomi (no bench venv)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    return p.parse_args(argv)


def report(times: dict, counts: dict, decode: dict, model: str) -> dict:
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"\nCollect 17 properties of {counts['ours']} VMs ({model}), median of {len(times['ours'])}:"
    )
    for name in med:
        print(f"  {name:8} {med[name]:7.3f} s   {med[name] / med['floor']:5.2f}x floor")
    if "pyvmomi" in med:
        print(f"  ours is {med['pyvmomi'] / med['ours']:.2f}x faster than pyVmomi")
    print("\nDecode ~10 MB of RetrievePropertiesEx (median):")
    for name, d in decode.items():
        print(f"  {name:9} {d['bytes'] / MiB:5.1f} MiB, {d['objects']} objects: lxml parse "
              f"{d['lxml'] * 1000:6.1f} ms, ours {d['ours'] * 1000:6.1f} ms, "
              f"{d['ours'] / d['lxml']:.2f}x")  # fmt: skip
    ok = med["ours"] <= 1.5 * med["floor"] and med["ours"] < med.get("pyvmomi", float("inf"))
    print(f"\ngoal (ours <= 1.5x floor, faster than pyVmomi): {'met' if ok else 'MISSED'}")
    return {
        "model": model,
        "seconds": times,
        "median": med,
        "counts": counts,
        "decode": decode,
        "goal_met": ok,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    harness = load_harness()
    model = [*MODEL[:-1], str(args.vm)]  # the shared model, with --vm from the command line
    python = None
    if not args.no_pyvmomi:
        venv, why = bench_venv()
        if venv is None:
            print(f"pyvmomi: {why}", file=sys.stderr)
        python = str(venv / "bin" / "python") if venv else None
    print(f"starting vcsim {' '.join(model)} ...", flush=True)
    with harness.Vcsim.start(*model) as sim:
        expected = sim.manifest["counts"]["vms"]
        runs = {"ours": run_ours, "floor": run_floor}
        if python:
            runs["pyvmomi"] = lambda s, n: run_pyvmomi(python, s, n)
        times = {name: [] for name in runs}
        counts = {}
        for r in range(args.rounds):
            for name, run in runs.items():
                seconds, counts[name] = run(sim, args.page_size)
                if counts[name] != expected:
                    raise SystemExit(f"{name} saw {counts[name]} VMs, the simulator has {expected}")
                times[name].append(seconds)
            print(
                f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()),
                flush=True,
            )
        decode = decode_bench(sim, args.page_size, args.rounds)
    result = report(times, counts, decode, " ".join(model))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
