"""`ansible-inventory --list` with viapi.esx.esx and its peers, on the same simulators, in one run.

Part 1, one 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100), and
for each stack (bench/setup.sh: 12 = `ansible` 12.3, ansible-core 2.19; 14 = `ansible` 14.5,
ansible-core 2.21, Python 3.12), ours on the stack's ansible-core (stack 12: .venv's):
- ours:      viapi.esx.esx with its defaults
- ours+16:   viapi.esx.esx also reading the 16 properties the peers read by default
- community: community.vmware.vmware_vm_inventory of the stack, defaults
- vmware:    vmware.vmware.vms of the stack, defaults
- ours, cache hit: ours answered from the jsonfile cache (no request: Ansible's own work)
- floor:     the same 4,800 host names given to ansible-inventory as a host list, with no
             variables and no plugin: the least any inventory plugin's run can cost on that core
and once for both:
- bare read: bench/collect.py's floor (the peers' properties of every VM, requests + lxml,
             nothing decoded): the least reading the VMs can cost
Every run must list all 4,800 VMs; a peer that fails is reported with why, never timed.
Ours, the floor and the bare read run --rounds times (median); each peer once (they take
minutes). Ratios, per stack: peer / ours; community / floor and community / (floor + bare
read): the most any plugin could reach in this run, without and with reading the VMs.
Exit status 1 when a run failed or a goal was missed.

Part 2, 20,000 VMs across 4 simulators (5,000 each, distinct VMs: --vm-prefix): ours (.venv, or
the --fleet-stack's ansible-core), wall
time and peak RSS of the ansible-inventory process (/usr/bin/time), with --list and with the
inventory only loaded (--host), for max_workers 4, 1 and 2. The --list run also reports the
memory held when parsing ended and the peak while ansible-inventory writes its JSON
(bench/_inventory_stages.py); the same --list answered from the cache has its JSON output
traced (tracemalloc: what ansible-core's encoder allocates for these variables); and the same
20,000 names with no variables hold what any plugin's process holds at least. The two add up
to the least peak any plugin listing these hosts with these variables can have; the goals
are --list at most that floor (and the names-only floor) plus 40 MB, and loaded at most 150 MB.

With --baseline REF, ours also runs as the collection was at git REF (exported as bench/scale.py
does), in the same rounds in part 1 (interleaved) and for --list and loaded in part 2.

    python bench/inventory.py [--rounds 3] [--stacks 12,14] [--skip-peers] [--skip-fleet]
        [--baseline REF] [--fleet-stack 12|14] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from _common import (
    MODEL,
    PEER_PROPERTIES,
    ROOT,
    VENV_BIN,
    core_version,
    env_for,
    load_harness,
    stacks,
)
from _inventory_stages import least_list_memory, show_stages
from collect import run_floor

FLEET_MODEL = ["--dc", "2", "--cluster", "5", "--cluster-host", "4", "--host", "20", "--vm", "100"]
BASE = {"dir": None, "ref": None}  # --baseline: the collection at another git ref
PEERS = {
    "community": ("community.vmware.vmware_vm_inventory", "bench.vmware.yml"),
    "vmware": ("vmware.vmware.vms", "bench.vms.yml"),
}


def ours_config(sims, properties=()) -> dict:
    endpoints = [
        {"hostname": s.host, "port": s.port, "username": s.username, "password": s.password,
         "ca_path": s.ca_path}
        for s in sims
    ]  # fmt: skip
    config = {"plugin": "viapi.esx.esx", "endpoints": endpoints}
    if properties:
        config["properties"] = list(properties)
    return config


def peer_config(plugin: str, sim) -> dict:
    return {
        "plugin": plugin, "hostname": sim.host, "port": sim.port, "username": sim.username,
        "password": sim.password, "validate_certs": False,
    }  # fmt: skip


def run_inventory(
    workdir: Path,
    name: str,
    source,
    bin_dir: Path,
    verbose=False,
    host=None,
    stages=False,
    collections=None,
) -> dict:
    """One timed `ansible-inventory --list` (or `--host HOST`): seconds, peak RSS, hosts listed.

    `source` is a plugin config (written to workdir/name) or an inventory source given as is
    (a host list). With `stages`, ansible-inventory runs through bench/_inventory_stages.py and
    the result also has the memory of each stage of --list; "trace" also traces the JSON output.
    `collections`: another ANSIBLE_COLLECTIONS_PATH (the collection at another git ref).
    """
    out, timing, report = (workdir / f"{name}.{what}" for what in ("out.json", "time", "stages"))
    if isinstance(source, dict):
        (workdir / name).write_text(yaml.safe_dump(source, sort_keys=False))
        source = str(workdir / name)
    for stale in (out, timing, report):
        stale.unlink(missing_ok=True)
    cmd = ["/usr/bin/time", "-o", str(timing), "-f", "%e %M"]
    if stages:
        cmd += [str(bin_dir / "python"), str(ROOT / "bench/_inventory_stages.py"), str(report)]
        cmd += ["--trace-dump"] if stages == "trace" else []
    else:
        cmd += [str(bin_dir / "ansible-inventory")]
    cmd += ["-i", source, "--output", str(out)]
    cmd += ["--host", host] if host else ["--list"]
    cmd += ["-v"] * verbose
    env = env_for(bin_dir)
    if collections is not None:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, check=False)
    wall = time.monotonic() - started
    result = {"seconds": wall, "rc": proc.returncode}
    if timing.exists() and timing.read_text().split():
        result["max_rss_mb"] = int(timing.read_text().split()[-1]) / 1024
    if report.exists():
        result["stages"] = json.loads(report.read_text())
    data = json.loads(out.read_text()) if out.exists() else {}
    result["hosts"] = (1 if data.get("esx_name") else 0) if host else len(listed(data))
    collected = re.findall(r"VMs from \d+ endpoint\(s\) in ([\d.]+)s", proc.stdout)
    if collected:
        result["collect_seconds"] = float(collected[-1])
    if proc.returncode != 0 or result["hosts"] == 0:
        result["error"] = (proc.stderr or proc.stdout)[-1500:].strip() or f"exit {proc.returncode}"
    return result


def listed(data: dict) -> set:
    """The host names of `ansible-inventory --list` output: with variables or in a group."""
    names = set(data.get("_meta", {}).get("hostvars", {}))
    for group, content in data.items():
        if group != "_meta" and isinstance(content, dict):
            names.update(content.get("hosts") or ())
    return names


def startup(workdir: Path, bin_dir: Path) -> float:
    """ansible-inventory on an empty source: the CLI's own start-up."""
    cmd = [str(bin_dir / "ansible-inventory"), "-i", "localhost,", "--list"]
    times = []
    for _round in range(3):
        started = time.monotonic()
        subprocess.run(cmd, capture_output=True, env=env_for(bin_dir), cwd=workdir, check=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def part_one(harness, workdir: Path, rounds: int, chosen: list) -> dict:
    print(f"starting a simulator: {' '.join(MODEL)} ...", flush=True)
    sim = harness.Vcsim.start(*MODEL, cert_dir=workdir / "sim")
    expected = sim.manifest["counts"]["vms"]
    try:
        results = {"expected_hosts": expected, "stacks": {}}
        results["bare_read_seconds"] = bare_read(sim, rounds)
        print(
            f"  {'bare read':<20} {results['bare_read_seconds']:8.2f} s  (the peers' properties "
            "of every VM with requests + lxml, nothing decoded: bench/collect.py's floor)",
            flush=True,
        )
        for stack in chosen:
            where = workdir / f"stack-{stack.name}"
            where.mkdir()
            results["stacks"][stack.name] = one_stack(stack, sim, where, rounds, expected)
        return results
    finally:
        sim.stop()


def one_stack(stack, sim, workdir: Path, rounds: int, expected: int) -> dict:
    """Ours, its cache hit and the floor on the stack's ansible-core; the stack's peers."""
    print(f"{stack.label}; ours on ansible-core {stack.core}:", flush=True)
    results = {"label": stack.label, "core": stack.core}
    if stack.ours_bin is None:
        for name in ("ours", "ours+16", "ours, cache hit", "floor"):
            results[name] = {"error": stack.why}
    else:
        results["startup"] = startup(workdir, stack.ours_bin)
        variants = [("ours", (), None), ("ours+16", PEER_PROPERTIES, None)]
        if BASE["dir"] is not None:
            variants.append(("ours, before", (), BASE["dir"]))
        every = {name: [] for name, _props, _dir in variants}
        for _round in range(rounds):  # rounds interleaved: the load slows each variant alike
            for name, props, where in variants:
                filename = f"{name}.esx.yml".replace("+", "_").replace(", ", "_")
                every[name].append(run_inventory(workdir, filename, ours_config([sim], props),
                                                 stack.ours_bin, verbose=True, collections=where))  # fmt: skip
        for name, _props, _dir in variants:
            runs = every[name]
            good = [r for r in runs if "error" not in r and r["hosts"] == expected]
            results[name] = dict(min(good, key=lambda r: r["seconds"]) if good else runs[0])
            if good:
                results[name]["seconds"] = statistics.median(r["seconds"] for r in good)
                results[name]["collect_seconds"] = statistics.median(
                    r.get("collect_seconds", 0) for r in good
                )
            show(name, results[name], expected)
        results["ours, cache hit"] = cache_hit(workdir, sim, rounds, stack.ours_bin)
        show("ours, cache hit", results["ours, cache hit"], expected)
        results["floor"] = floor(workdir, rounds, stack.ours_bin)
        show("floor (names only)", results["floor"], expected)
    for name, (plugin, filename) in PEERS.items():
        if stack.peer_bin is None:
            results[name] = {"error": stack.why}
        else:
            results[name] = run_inventory(
                workdir, filename, peer_config(plugin, sim), stack.peer_bin
            )
        show(name, results[name], expected)
    return results


def cache_hit(workdir: Path, sim, rounds: int, bin_dir: Path) -> dict:
    """Ours answered from the jsonfile cache: everything but the collection (no request)."""
    config = dict(ours_config([sim]), cache=True, cache_plugin="ansible.builtin.jsonfile")
    config["cache_connection"] = str(workdir / "cache")
    run_inventory(workdir, "cached.esx.yml", config, bin_dir)  # fills the cache
    runs = [run_inventory(workdir, "cached.esx.yml", config, bin_dir) for _round in range(rounds)]
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    return best


def floor(workdir: Path, rounds: int, bin_dir: Path) -> dict:
    """The host names ours listed, as a host list: no plugin, no request, no variable."""
    listing = workdir / "ours.esx.yml.out.json"
    if not listing.exists():
        return {"error": "ours listed nothing, so there are no names to list"}
    names = sorted(listed(json.loads(listing.read_text())))
    source = ",".join(names) + ","  # host_list: ~80 KB for 4,800 names, within one argument
    runs = [run_inventory(workdir, "floor", source, bin_dir) for _round in range(rounds)]
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    return best


def bare_read(sim, rounds: int) -> float:
    """Median seconds of bench/collect.py's floor: the least reading the VMs can cost."""
    times = []
    for _round in range(rounds):
        seconds, count = run_floor(sim, 1000)
        if count != sim.manifest["counts"]["vms"]:
            raise RuntimeError(f"the bare read saw {count} VMs")
        times.append(seconds)
    return statistics.median(times)


def part_two(harness, workdir: Path, bin_dir: Path = VENV_BIN) -> dict:
    print(f"starting 4 simulators: {' '.join(FLEET_MODEL)} --vm-prefix fN- ...", flush=True)
    with ThreadPoolExecutor(4) as pool:
        sims = list(pool.map(
            lambda n: harness.Vcsim.start(*FLEET_MODEL, "--vm-prefix", f"f{n}-",
                                          cert_dir=workdir / f"fleet{n}"),
            range(1, 5),
        ))  # fmt: skip
    try:
        expected = sum(s.manifest["counts"]["vms"] for s in sims)
        config = ours_config(sims)
        result = run_inventory(workdir, "fleet.esx.yml", config, bin_dir, verbose=True, stages=True)
        result["expected_hosts"] = expected
        show("ours, 4 simulators", result, expected)
        show_stages(result)
        names = listed(json.loads((workdir / "fleet.esx.yml.out.json").read_text()))
        # The same --list from the cache: the process holds the inventory and nothing left over
        # from reading the endpoints; the JSON output is traced to see what it allocates.
        cached = dict(config, cache=True, cache_plugin="ansible.builtin.jsonfile")
        cached["cache_connection"] = str(workdir / "fleet-cache")
        run_inventory(workdir, "fleet-cached.esx.yml", cached, bin_dir, host="f1-DC0_H0_VM0")
        result["cache_hit_traced"] = run_inventory(
            workdir, "fleet-cached.esx.yml", cached, bin_dir, stages="trace"
        )
        show("  from the cache, traced", result["cache_hit_traced"], expected)
        show_stages(result["cache_hit_traced"])
        bare = {"all": {"hosts": dict.fromkeys(sorted(names))}}
        result["names_only"] = run_inventory(workdir, "floor.yml", bare, bin_dir, stages=True)
        show("  the names only", result["names_only"], expected)
        show_stages(result["names_only"])
        bound = least_list_memory(result)
        if bound is not None:
            result["least_list_mb"] = bound
            print(
                f"    any plugin listing these hosts with these variables: at least {bound:.0f} MB "
                "(what the names alone hold, plus what writing the variables' JSON allocates)",
                flush=True,
            )
        # The inventory loaded as a playbook holds it, without --list's JSON of every host.
        loaded = run_inventory(workdir, "fleet.esx.yml", config, bin_dir, host="f1-DC0_H0_VM0")
        result["loaded"] = loaded
        show("  loaded (--host)", loaded, 1)
        if BASE["dir"] is not None:
            for what, host in (("list", None), ("loaded", "f1-DC0_H0_VM0")):
                before = run_inventory(workdir, "fleet-before.esx.yml", config, bin_dir,
                                       host=host, collections=BASE["dir"])  # fmt: skip
                result[f"{what}_before"] = before
                show(f"  {what}, before", before, 1 if host else expected)
        for workers in (1, 2):
            config["max_workers"] = workers
            one = run_inventory(workdir, "fleet.esx.yml", config, bin_dir, host="f1-DC0_H0_VM0")
            result[f"loaded_max_workers_{workers}"] = one
            show(f"  loaded, max_workers {workers}", one, 1)
        return result
    finally:
        for sim in sims:
            sim.stop()


def show(name: str, result: dict, expected: int) -> None:
    if "error" in result or result.get("hosts") != expected:
        why = result.get("error") or f"listed {result.get('hosts')} hosts, expected {expected}"
        state = "" if why.startswith("not run") else "FAILED: "
        print(f"  {name:<20} {state}{why}", flush=True)
        return
    extra = f", collection {result['collect_seconds']:.2f} s" if "collect_seconds" in result else ""
    rss = f", peak RSS {result['max_rss_mb']:.0f} MB" if "max_rss_mb" in result else ""
    print(
        f"  {name:<20} {result['seconds']:8.2f} s  ({result['hosts']} hosts{extra}{rss})",
        flush=True,
    )


def ratios(results: dict, bare_read_seconds: float | None) -> dict:
    """One stack's peer seconds / ours seconds, for ours with its defaults and with the peers'
    properties; community / floor and community / (floor + bare read)."""
    out = {}
    for base in ("ours+16", "ours"):
        if "error" in results.get(base, {"error": 1}):
            continue
        for name in PEERS:
            if "error" not in results.get(name, {"error": 1}):
                out[f"{name} / {base}"] = results[name]["seconds"] / results[base]["seconds"]
    if "error" not in results.get("floor", {"error": 1}) and "error" not in results.get(
        "community", {"error": 1}
    ):
        community, names_only = results["community"]["seconds"], results["floor"]["seconds"]
        out["community / floor"] = community / names_only
        if bare_read_seconds:
            out["community / (floor + bare read)"] = community / (names_only + bare_read_seconds)
    return out


def report_stack(name: str, results: dict, found: dict) -> None:
    print(f"stack {name}, {results['label']}, ours on ansible-core {results['core']}:")
    if "startup" in results:
        print(f"  ansible-inventory start-up: {results['startup']:.2f} s")
    for what, ratio in found.items():
        print(f"  ratio {what}: {ratio:.1f}x")
    if "community / ours+16" in found:
        verdict = "met" if found["community / ours+16"] >= 40 else "NOT met"
        print(f"  goal ours >= 40x faster than community.vmware: {verdict}")
    if "community / floor" in found:
        print(
            "  the most any inventory plugin could reach in this run (community / floor): "
            f"{found['community / floor']:.1f}x"
        )
    if "community / (floor + bare read)" in found:
        print(
            "  ... and for one that also reads the VMs, at the bare read's speed, and sets no "
            f"variable: {found['community / (floor + bare read)']:.1f}x"
        )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--rounds", type=int, default=3, help="runs of ours on the 4,800 VMs (median)")
    p.add_argument("--skip-peers", action="store_true", help="do not run the two peers")
    p.add_argument("--stacks", default="12,14", help="the `ansible` packages (bench/setup.sh)")
    p.add_argument("--skip-fleet", action="store_true", help="skip the 20,000-VM part")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--baseline", help="also run ours as it was at this git ref (same run)")
    p.add_argument("--fleet-stack", default="12", help="the stack whose ansible-core runs part 2")
    args = p.parse_args(argv)
    if args.baseline:
        from scale import baseline  # scale.py imports this file: imported here, when needed

        BASE.update(dir=baseline(args.baseline), ref=args.baseline)
    if not Path("/usr/bin/time").exists():
        print("/usr/bin/time is missing (Debian package 'time'): peak RSS cannot be measured")
        return 1
    harness = load_harness()
    chosen = stacks(args.stacks.split(","), peers=not args.skip_peers)
    report = {}
    with tempfile.TemporaryDirectory(prefix="inventory-bench-") as tmp:
        workdir = Path(tmp)
        one = report["one_simulator"] = part_one(harness, workdir, args.rounds, chosen)
        report["ratios"] = {}
        for name, results in one["stacks"].items():
            found = report["ratios"][name] = ratios(results, one.get("bare_read_seconds"))
            report_stack(name, results, found)
        if not args.skip_fleet:
            fleet_bin = next(
                (s.ours_bin for s in chosen if s.name == args.fleet_stack and s.ours_bin), VENV_BIN
            )
            fleet = report["fleet"] = part_two(harness, workdir, fleet_bin)
            fleet["core"] = core_version(fleet_bin)
            print(f"  (part 2 on ansible-core {fleet['core']})")
            for what, run in (("--list", fleet), ("loaded", fleet.get("loaded", {}))):
                if "max_rss_mb" in run:
                    verdict = "met" if run["max_rss_mb"] <= 300 else "NOT met"
                    print(
                        f"  goal peak RSS <= 300 MB ({what}): {run['max_rss_mb']:.0f} MB, {verdict}"
                    )
            memory_goals(fleet)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failures(report, args) else 0


def memory_goals(fleet: dict) -> None:
    """The scale goals on memory: loaded <= 150 MB, --list <= its floor + 40 MB (same run)."""
    loaded = fleet.get("loaded", {}).get("max_rss_mb")
    if loaded:
        print(f"  goal loaded <= 150 MB: {loaded:.0f} MB, {'met' if loaded <= 150 else 'NOT met'}")
    listing, names = fleet.get("max_rss_mb"), fleet.get("names_only", {}).get("max_rss_mb")
    for label, bound in (("the names only", names), ("the least for these variables",
                                                     fleet.get("least_list_mb"))):  # fmt: skip
        if listing and bound:
            verdict = "met" if listing <= bound + 40 else "NOT met"
            print(
                f"  goal --list <= {label} + 40 MB: {listing:.0f} MB against {bound:.0f} + 40 MB, "
                f"{verdict}"
            )


def failures(report: dict, args) -> list[str]:
    """What failed or missed its goal (the exit status of `make bench` reflects it)."""
    missed = []
    for stack, one in report["one_simulator"]["stacks"].items():
        wanted = ["ours", "ours+16", "floor"] + ([] if args.skip_peers else list(PEERS))
        missed += [
            f"stack {stack}: {name}" for name in wanted if "error" in one.get(name, {"error": 1})
        ]
        if not args.skip_peers and report["ratios"][stack].get("community / ours+16", 0) < 40:
            missed.append(f"stack {stack}: goal 40x community.vmware")
    fleet = report.get("fleet", {})
    if not args.skip_fleet and ("error" in fleet or fleet.get("max_rss_mb", 1e9) > 300):
        missed.append("goal: peak RSS of --list <= 300 MB")
    for name in missed:
        print(f"  missed: {name}")
    return missed


if __name__ == "__main__":
    sys.exit(main())
