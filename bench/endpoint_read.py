"""The inventory's read of one endpoint: one session, parallel sessions, and bare reads, in one run.

One simulator per --models entry (default the 4,800-VM one, --dc 2 --cluster 4 --cluster-host 4
--host 20 --vm 100), each read in turn each round by a fresh Python process with no other thread
(as ansible-inventory or a module reads it; bench/_endpoint_worker.py), timing only the read:
- serial:    inventory/source.read_endpoint with parallel_reads 1 (login to logout: what the
             plugin reports as an endpoint's collection with -v)
- parallel:  parallel_reads 4 (the default): the parts read by sessions in threads
- bare:      bench/collect.py's floor, the peers' properties of every VM with bare requests +
             lxml through one session, nothing decoded (login not counted)
- bare_ours: the same bare read of the paths the inventory reads (inventory/hostvars.read_paths):
             the server's and the transfer's share of ours, with no decode
- table:     the reference table alone (vm/bulk.reference_table, login not counted), which the
             serial and parallel reads make before their VMs
With --baseline REF, serial, parallel and table also run as the collection was at git REF
(exported as bench/scale.py does), in the same rounds: an A/B on the same simulator.
Medians of --rounds: wall seconds, the reading process's CPU seconds and its children's. Also,
once, what pickling the serial read's records costs (what reading parts in worker processes
would send back). Goal, on the first model: parallel at most 0.6 s and below the bare read
(exit status 1 when missed).

    python bench/endpoint_read.py [--rounds 5] [--models "ARGS;ARGS"] [--baseline REF]
        [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import MODEL, ROOT, load_harness

GOAL_SECONDS = 0.6
WORKER = ROOT / "bench" / "_endpoint_worker.py"
MODES = ("serial", "parallel", "bare", "bare_ours", "table")
BEFORE = ("serial", "parallel", "table")  # also run as the --baseline ref, as MODE_before
BASE = {"dir": None, "ref": None}


def run_worker(sim, mode: str) -> dict:
    """One read in a new process; its figures (the credentials go through stdin)."""
    where = {"host": sim.host, "port": sim.port, "username": sim.username,
             "password": sim.password, "ca_path": sim.ca_path, "url": sim.url}  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bench"))
    if mode.endswith("_before"):
        mode, env["VIAPI_BENCH_COLLECTIONS"] = mode[: -len("_before")], str(BASE["dir"])
    proc = subprocess.run(
        [sys.executable, str(WORKER), mode], input=json.dumps(where), capture_output=True,
        text=True, check=False, env=env,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"{mode}: {proc.stderr[-1500:]}")
    return json.loads(proc.stdout)


def modes() -> list[str]:
    """Each round's runs, each version's next to the other's."""
    if BASE["dir"] is None:
        return list(MODES)
    return [m for mode in MODES for m in ((mode, f"{mode}_before") if mode in BEFORE else (mode,))]


def one_model(harness, model: list, rounds: int, workdir: Path) -> dict:
    print(f"starting a simulator: {' '.join(model)} ...", flush=True)
    sim = harness.Vcsim.start(*model, cert_dir=workdir / "sim")
    runs = {mode: [] for mode in modes()}
    try:
        expected = sim.manifest["counts"]["vms"]
        for _round in range(rounds):
            for mode in runs:
                found = run_worker(sim, mode)
                if found["vms"] != expected and not mode.startswith("table"):
                    raise RuntimeError(f"{mode} read {found['vms']} VMs, expected {expected}")
                runs[mode].append(found)
        pickling = run_worker(sim, "pickle")
    finally:
        sim.stop()
    report = {"model": model, "vms": expected, "pickle": pickling, "baseline": BASE["ref"]}
    for mode, found in runs.items():
        report[mode] = {
            key: statistics.median(f[key] for f in found)
            for key in ("seconds", "cpu_seconds", "children_cpu_seconds")
        }
        report[mode]["rounds"] = [round(f["seconds"], 3) for f in found]
        report[mode]["parts"] = found[0].get("parts")
        report[mode]["objects"] = found[0].get("objects")
    return report


def show(report: dict) -> None:
    print(f"  {report['vms']} VMs ({' '.join(report['model'])}):")
    for mode in modes():
        r = report[mode]
        print(
            f"    {mode:<16} {r['seconds']:6.2f} s wall, {r['cpu_seconds']:5.2f} s CPU, "
            f"children {r['children_cpu_seconds']:5.2f} s CPU {r['rounds']}"
            + (f" ({r['objects']} objects)" if r["objects"] else "")
        )
    p = report["pickle"]
    print(
        f"    pickling the {report['vms']} records: dumps {p['dumps_seconds']:.3f} s, loads "
        f"{p['loads_seconds']:.3f} s, {p['bytes'] / 1e6:.1f} MB"
    )
    serial, done = report["serial"]["seconds"], report["parallel"]["seconds"]
    bare, ours = report["bare"]["seconds"], report["bare_ours"]["seconds"]
    print(
        f"    parallel / bare {done / bare:.2f}x, serial / parallel {serial / done:.2f}x, "
        f"bare of our paths / bare {ours / bare:.2f}x"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--models", default=" ".join(MODEL), help="simulator models, ';' between")
    p.add_argument("--baseline", help="also run serial, parallel and table as at this git ref")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    if args.baseline:
        from scale import baseline  # the collection at the ref, exported once

        BASE.update(dir=baseline(args.baseline), ref=args.baseline)
    harness = load_harness()
    reports = []
    for n, model in enumerate(args.models.split(";")):
        with tempfile.TemporaryDirectory(prefix=f"endpoint-read-{n}-") as tmp:
            reports.append(one_model(harness, model.split(), args.rounds, Path(tmp)))
        show(reports[-1])
    first = reports[0]
    done, bare = first["parallel"]["seconds"], first["bare"]["seconds"]
    met = done <= GOAL_SECONDS and done < bare
    print(
        f"  goal: parallel <= {GOAL_SECONDS} s and below the bare read on {first['vms']} VMs: "
        f"{'met' if met else 'NOT met'} ({done:.2f} s, bare {bare:.2f} s); load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
