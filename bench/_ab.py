#!/usr/bin/env python
"""A/B of the decoder: this checkout against another, on one simulator, rounds interleaved.

collect.py's figures (collect ratio over the bare-lxml floor; the ~10 MB decode corpora over a
bare lxml parse) for two versions of the collection in one run: each round runs A, then B, then
the floor, so a loaded machine slows all of them alike and the ratios stay comparable. Within a
round each decode is the fastest of three; the figures are medians over the rounds.

    git archive main | tar -x -C /tmp/main            # the other version, unpacked
    python bench/_ab.py --base /tmp/main [--vm 10] [--rounds 7]

A helper (bench/run.sh skips files starting with _): its figures are in docs/performance.md.
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
from collect import NESTED_PATHS, PATHS, Floor, run_floor, ten_mib

WORKER = r"""
import json, sys, time
from lxml import etree
from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

host, port, user, pwd, ca, page_size, paths, *corpora = sys.argv[1:]
out = {}
def best(fn, doc, times=3):
    # The fastest of a few: on a loaded machine the others measure the load, not the code.
    seconds = []
    for _ in range(times):
        started = time.perf_counter(); fn(doc); seconds.append(time.perf_counter() - started)
    return min(seconds)

for path in corpora:
    doc = open(path, "rb").read()
    bare = best(etree.fromstring, doc)
    ours = best(lambda d: envelope.parse_response("RetrievePropertiesEx", 200, d), doc)
    out[path.rsplit("/", 1)[-1]] = {"ours": ours, "lxml": bare}
with Client(host, user, pwd, port=int(port), ca_path=ca) as c:
    started = time.perf_counter()
    rows = collector.collect(c, {"VirtualMachine": json.loads(paths)}, page_size=int(page_size))
    out["collect"] = time.perf_counter() - started
    out["count"] = len(rows)
print(json.dumps(out))
"""


def collections_of(checkout: Path) -> Path:
    """A directory holding ansible_collections/viapi/esx -> checkout (made once)."""
    link = ROOT / ".cache" / "ab" / checkout.name / "ansible_collections" / "viapi" / "esx"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(checkout.resolve())
    return link.parents[2]


def run_worker(coll: Path, sim, page_size: int, corpora: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(coll)}
    args = [sim.host, str(sim.port), sim.username, sim.password, sim.ca_path, str(page_size)]
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, *args, json.dumps(PATHS), *corpora],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({coll}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--base", type=Path, required=True, help="the other checkout (A)")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--vm", type=int, default=10, help="VMs per host (10: 480 VMs)")
    p.add_argument("--page-size", type=int, default=1000)
    p.add_argument("--keep", type=Path, help="also copy the decode corpora to this directory")
    args = p.parse_args(argv)
    variants = {"A (base)": collections_of(args.base), "B (this)": ROOT / ".cache/collections"}
    model = [*MODEL[:-1], str(args.vm)]
    with load_harness().Vcsim.start(*model) as sim, tempfile.TemporaryDirectory() as tmp:
        floor, corpora = Floor(sim), []
        for name, paths in (("inventory", PATHS), ("nested", NESTED_PATHS)):
            pages: list[bytes] = []
            floor.collect(args.page_size, paths, keep=pages)
            Path(tmp, name).write_bytes(ten_mib(pages))
            corpora.append(str(Path(tmp, name)))
        floor.logout()
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for corpus in corpora:
                (args.keep / Path(corpus).name).write_bytes(Path(corpus).read_bytes())
        runs: dict[str, list] = {v: [] for v in variants}
        floors = []
        for r in range(args.rounds):
            for name, coll in variants.items():
                runs[name].append(run_worker(coll, sim, args.page_size, corpora))
            floors.append(run_floor(sim, args.page_size)[0])
            print(f"round {r + 1} done", flush=True)
    report(runs, floors)
    return 0


def report(runs: dict, floors: list) -> None:
    """Medians; both versions decode the same bytes, so one parse time (the median of every
    parse of that corpus) is the denominator of both ratios."""
    floor = statistics.median(floors)
    every = [r for rounds in runs.values() for r in rounds]
    parse = {c: statistics.median(r[c]["lxml"] for r in every) for c in ("inventory", "nested")}
    print(f"\nmedians of {len(floors)} interleaved rounds; floor collect {floor:.3f} s; lxml parse "
          f"{parse['inventory'] * 1000:.0f} / {parse['nested'] * 1000:.0f} ms")  # fmt: skip
    for name, rounds in runs.items():
        collect = statistics.median(r["collect"] for r in rounds)
        line = [f"{name}: collect {collect:.3f} s = {collect / floor:.2f}x floor"]
        for corpus in ("inventory", "nested"):
            ours = statistics.median(r[corpus]["ours"] for r in rounds)
            line.append(f"decode {corpus} {ours * 1000:.0f} ms = {ours / parse[corpus]:.2f}x parse")
        print("; ".join(line))


if __name__ == "__main__":
    sys.exit(main())
