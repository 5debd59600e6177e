"""The inventory's read of one endpoint, through one session and through parallel ones, in one run.

One 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100), in-process:
- serial:   inventory/source.read_endpoint with parallel_reads 1 (login to logout: what the
            plugin reports as an endpoint's collection with -v)
- parallel: the same with parallel_reads 4 (the default): 4 parts, 4 sessions
- bare:     bench/collect.py's floor, the peers' properties of every VM with bare requests +
            lxml through one session, nothing decoded (login not counted)
The three run in turn each round; medians of --rounds, wall seconds and this process's CPU
seconds. Goal: parallel at most 0.6 s and below the bare read (exit status 1 when missed).

    python bench/endpoint_read.py [--rounds 5] [--json FILE]
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
from collect import run_floor

from ansible_collections.viapi.esx.plugins.module_utils.inventory import source

GOAL_SECONDS = 0.6


def ours(sim, parallel: int, expected: int) -> tuple[float, float]:
    endpoint = source.Endpoint(
        sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path
    )
    started, cpu = time.perf_counter(), time.process_time()
    result = source.read_endpoint(endpoint, (), False, parallel)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.error or len(result.records) != expected:
        raise RuntimeError(f"parallel_reads {parallel}: {result.error or len(result.records)}")
    return wall, cpu


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    harness = load_harness()
    runs = {"serial": [], "parallel": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="endpoint-read-") as tmp:
        print(f"starting a simulator: {' '.join(MODEL)} ...", flush=True)
        sim = harness.Vcsim.start(*MODEL, cert_dir=Path(tmp) / "sim")
        try:
            expected = sim.manifest["counts"]["vms"]
            for _round in range(args.rounds):
                runs["serial"].append(ours(sim, 1, expected))
                runs["parallel"].append(ours(sim, 4, expected))
                started, cpu = time.perf_counter(), time.process_time()
                _seconds, count = run_floor(sim, 1000)
                runs["bare"].append((time.perf_counter() - started, time.process_time() - cpu))
                if count != expected:
                    raise RuntimeError(f"the bare read saw {count} VMs")
        finally:
            sim.stop()
    report = {
        name: {"seconds": statistics.median(w for w, _c in r),
               "cpu_seconds": statistics.median(c for _w, c in r),
               "rounds": [round(w, 3) for w, _c in r]}
        for name, r in runs.items()
    }  # fmt: skip
    for name, r in report.items():
        print(
            f"  {name:<9} {r['seconds']:6.2f} s wall, {r['cpu_seconds']:5.2f} s CPU {r['rounds']}"
        )
    parallel, bare = report["parallel"]["seconds"], report["bare"]["seconds"]
    met = parallel <= GOAL_SECONDS and parallel < bare
    report["ratio_serial_over_parallel"] = report["serial"]["seconds"] / parallel
    print(
        f"  parallel / bare {parallel / bare:.2f}x, serial / parallel "
        f"{report['ratio_serial_over_parallel']:.2f}x; goal <= {GOAL_SECONDS} s and below the "
        f"bare read: {'met' if met else 'NOT met'}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
