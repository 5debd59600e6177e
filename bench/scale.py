"""How the inventory and esx_vm_info cost grows with the fleet: 5,000 to 50,000 VMs, in one run.

Simulators of 5,000 VMs each (bench/inventory.py's fleet model: --dc 2 --cluster 5
--cluster-host 4 --host 20 --vm 100, each with its own --vm-prefix so the VMs are distinct),
started at once; a size of N VMs reads the first N / 5,000 of them as that many endpoints.
Per size, each timed as a whole process (/usr/bin/time: wall seconds and peak RSS):
- list:    `ansible-inventory --list` with viapi.esx.esx, defaults (max_workers 4)
- loaded:  the same inventory only loaded, as a playbook holds it (`--host` of one VM)
- names_only: the host names `list` listed, as a YAML inventory: no plugin, no variable
- vm_info: one `ansible-playbook` task looping viapi.esx.esx_vm_info over the endpoints
           (defaults: device lists included), registering the result and printing its size
Every run must see every VM or it is reported as failed, not timed. Then seconds and MB per
1,000 VMs, a table, and a PNG plot (bench/_scale_plot.py, matplotlib in the bench environment
that bench/setup.sh makes). With --baseline REF the list and loaded runs are repeated with the
collection as it was at git REF (exported into .cache/scale-baseline), and so is vm_info, in
the same run: before and after on the same simulators.

    python bench/scale.py [--sizes 5000,10000,20000,50000] [--baseline REF]
        [--baseline-sizes 20000] [--skip-vm-info] [--json FILE] [--plot FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from _common import ROOT, STACKS, VENV_BIN, bench_venv, core_version, env_for, load_harness
from inventory import FLEET_MODEL, PEERS, listed, ours_config, peer_config

PER_SIMULATOR = 5000
SIZES = (5000, 10000, 20000, 50000)
BASELINE_DIR = ROOT / ".cache" / "scale-baseline"
HOST = "s1-DC0_H0_VM0"  # the VM the loaded runs ask for (--host)
# Where ours runs: .venv (ansible-core 2.19), or a stack's bench environment (--stack 14: 2.21).
BIN = VENV_BIN


def start(harness, workdir: Path, count: int) -> list:
    """`count` simulators of 5,000 distinct VMs, started at once."""
    print(f"starting {count} simulators: {' '.join(FLEET_MODEL)} --vm-prefix sN- ...", flush=True)

    def one(n):
        return harness.Vcsim.start(
            *FLEET_MODEL, "--vm-prefix", f"s{n}-", cert_dir=workdir / f"sim{n}", ready_timeout=900
        )

    with ThreadPoolExecutor(min(count, 4)) as pool:
        return list(pool.map(one, range(1, count + 1)))


def timed(cmd: list, env: dict, cwd: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `cmd` under /usr/bin/time: (process, wall seconds, peak RSS in MB)."""
    report = cwd / "time.out"
    report.unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%M", *cmd],
        capture_output=True, text=True, env=env, cwd=cwd, check=False,
    )  # fmt: skip
    wall = time.monotonic() - started
    text = report.read_text().split() if report.exists() else []
    return proc, wall, (int(text[-1]) / 1024 if text else 0.0)


def vm_info(workdir: Path, sims: list, expected: int, env: dict) -> dict:
    """esx_vm_info over every endpoint, one looped task; the VMs returned are counted."""
    endpoints = [
        {"hostname": s.host, "port": s.port, "username": s.username, "password": s.password,
         "ca_path": s.ca_path}
        for s in sims
    ]  # fmt: skip
    play = [{
        "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {"viapi.esx.esx_vm_info": "{{ item }}", "loop": endpoints, "register": "r",
             "loop_control": {"label": "{{ item.port }}"}, "no_log": True},
            {"ansible.builtin.debug": {
                "msg": "VMS={{ r.results | map(attribute='vms') | map('length') | sum }}"}},
        ],
    }]  # fmt: skip
    path = workdir / "vm_info.yml"
    path.write_text(json.dumps(play))
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
    proc, wall, rss = timed(cmd, env, workdir)
    found = re.search(r"VMS=(\d+)", proc.stdout)
    result = {"seconds": wall, "max_rss_mb": rss, "vms": int(found.group(1)) if found else 0}
    if proc.returncode != 0 or result["vms"] != expected:
        result["error"] = (proc.stdout + proc.stderr)[-1500:].strip() or f"exit {proc.returncode}"
    return result


def inventory_runs(workdir: Path, sims: list, expected: int, tag: str, env_dir=None) -> dict:
    """--list and loaded (--host) of the inventory over `sims`; `env_dir`: another collection."""
    config = workdir / f"{tag}.esx.yml"
    config.write_text(yaml.safe_dump(ours_config(sims), sort_keys=False))
    env = env_for(BIN)
    if env_dir is not None:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(env_dir)
    runs = {}
    for what, extra, want in (("list", ["--list"], expected), ("loaded", ["--host", HOST], 1)):
        out = workdir / f"{tag}-{what}.json"
        out.unlink(missing_ok=True)
        cmd = [str(BIN / "ansible-inventory"), "-i", str(config), "--output", str(out), "-v"]
        proc, wall, rss = timed(cmd + extra, env, workdir)
        data = json.loads(out.read_text()) if out.exists() else {}
        hosts = (1 if data.get("esx_name") else 0) if what == "loaded" else len(listed(data))
        if what == "list" and env_dir is None:
            runs["names_only"] = names_only(workdir, sorted(listed(data)), tag)
        result = {"seconds": wall, "max_rss_mb": rss, "hosts": hosts}
        collected = re.findall(r"VMs from \d+ endpoint\(s\) in ([\d.]+)s", proc.stdout)
        if collected:
            result["collect_seconds"] = float(collected[-1])
        if proc.returncode != 0 or hosts != want:
            why = (proc.stderr or proc.stdout)[-1500:].strip()
            result["error"] = f"listed {hosts} hosts, expected {want}: {why}"
        runs[what] = result
        out.unlink(missing_ok=True)  # tens of MB at the larger sizes
    return runs


def names_only(workdir: Path, names: list, tag: str) -> dict:
    """The same host names as a YAML inventory, --list: no plugin, no request, no variable."""
    source = workdir / f"{tag}-names.yml"
    source.write_text(yaml.safe_dump({"all": {"hosts": dict.fromkeys(names)}}))
    out = workdir / f"{tag}-names.json"
    cmd = [str(BIN / "ansible-inventory"), "-i", str(source), "--list", "--output", str(out)]
    proc, wall, rss = timed(cmd, env_for(BIN), workdir)
    hosts = len(listed(json.loads(out.read_text()))) if out.exists() else 0
    out.unlink(missing_ok=True)
    result = {"seconds": wall, "max_rss_mb": rss, "hosts": hosts}
    if proc.returncode != 0 or hosts != len(names):
        result["error"] = (proc.stderr or proc.stdout)[-1500:].strip() or f"{hosts} hosts"
    return result


def per_thousand(result: dict, size: int) -> None:
    if "error" not in result:
        result["seconds_per_1000"] = result["seconds"] * 1000 / size
        result["mb_per_1000"] = result["max_rss_mb"] * 1000 / size


def baseline(ref: str) -> Path:
    """The collection as it was at git `ref`, exported once into .cache/scale-baseline."""
    target = BASELINE_DIR / ref / "ansible_collections" / "viapi" / "esx"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return BASELINE_DIR / ref


def measure(workdir: Path, sims: list, sizes: list, ref, ref_sizes=(), only=("vm_info",)) -> dict:
    report = {"sizes": {}, "baseline": ref}
    base = baseline(ref) if ref else None
    for size in sizes:
        part = sims[: size // PER_SIMULATOR]
        expected = sum(s.manifest["counts"]["vms"] for s in part)
        print(f"{expected} VMs over {len(part)} endpoint(s):", flush=True)
        runs = inventory_runs(workdir, part, expected, f"n{size}")
        if "vm_info" in only:
            runs["vm_info"] = vm_info(workdir, part, expected, env_for(BIN))
        if base is not None and size in ref_sizes:
            for what, result in inventory_runs(workdir, part, expected, f"b{size}", base).items():
                runs[f"baseline_{what}"] = result
            env = dict(env_for(BIN), ANSIBLE_COLLECTIONS_PATH=str(base))
            if "vm_info" in only:
                runs["baseline_vm_info"] = vm_info(workdir, part, expected, env)
        for name, result in runs.items():
            per_thousand(result, expected)
            show(name, result)
        report["sizes"][str(expected)] = runs
    return report


def peer_runs(workdir: Path, sim, expected: int, stack: str) -> dict:
    """The peers' `ansible-inventory --list` of one endpoint, from the stack's environment."""
    venv, why = bench_venv(stack)
    runs = {}
    for name, (plugin, filename) in PEERS.items():
        if venv is None:
            runs[name] = {"error": why}
            continue
        config = workdir / filename
        config.write_text(yaml.safe_dump(peer_config(plugin, sim), sort_keys=False))
        out = workdir / f"{name}.json"
        cmd = [
            str(venv / "bin/ansible-inventory"),
            "-i",
            str(config),
            "--list",
            "--output",
            str(out),
        ]
        proc, wall, rss = timed(cmd, env_for(venv / "bin"), workdir)
        hosts = len(listed(json.loads(out.read_text()))) if out.exists() else 0
        runs[name] = {"seconds": wall, "max_rss_mb": rss, "hosts": hosts}
        if proc.returncode != 0 or hosts != expected:
            why = (proc.stderr or proc.stdout)[-1500:].strip()
            runs[name]["error"] = f"listed {hosts} hosts, expected {expected}: {why}"
        out.unlink(missing_ok=True)
    return runs


def show(name: str, result: dict) -> None:
    if "error" in result:
        print(f"  {name:<16} FAILED: {result['error'][-600:]}", flush=True)
        return
    collect = (
        f", collection {result['collect_seconds']:.2f} s" if "collect_seconds" in result else ""
    )
    print(
        f"  {name:<16} {result['seconds']:8.2f} s  peak RSS {result['max_rss_mb']:6.0f} MB  "
        f"per 1,000 VMs: {result['seconds_per_1000']:.2f} s, {result['mb_per_1000']:.1f} MB"
        f"{collect}",
        flush=True,
    )


def table(report: dict) -> str:
    """The figures as a Markdown table (what docs/performance.md shows)."""
    names = ("list", "names_only", "loaded", "vm_info", "baseline_list", "baseline_loaded",
             "baseline_vm_info", "community", "vmware")  # fmt: skip
    lines = [
        "| VMs | run | seconds | s per 1,000 | peak RSS, MB | MB per 1,000 |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size, runs in report["sizes"].items():
        for name in names:
            r = runs.get(name)
            if r is None:
                continue
            if "error" in r:
                lines.append(f"| {int(size):,} | {name} | failed | | | |")
                continue
            lines.append(
                f"| {int(size):,} | {name} | {r['seconds']:.2f} | {r['seconds_per_1000']:.2f} | "
                f"{r['max_rss_mb']:.0f} | {r['mb_per_1000']:.1f} |"
            )
    return "\n".join(lines)


def plot(report_path: Path, png: Path) -> str | None:
    """Draw the PNG with a bench environment's matplotlib; None, or why it was not drawn."""
    for stack in ("14", "12"):
        venv, why = bench_venv(stack)
        if (
            venv is not None
            and subprocess.run(
                [str(venv / "bin/python"), "-c", "import matplotlib"],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        ):
            break
    if venv is None:
        return why
    proc = subprocess.run(
        [str(venv / "bin/python"), str(ROOT / "bench/_scale_plot.py"), str(report_path), str(png)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return None if proc.returncode == 0 else (proc.stdout + proc.stderr)[-1500:]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="VM counts, 5,000 each")
    p.add_argument("--baseline", help="also run the inventory as it was at this git ref")
    p.add_argument("--baseline-sizes", default="20000", help="the sizes the baseline runs at")
    p.add_argument("--skip-vm-info", action="store_true", help="only the inventory runs")
    p.add_argument("--json", type=Path, help="write the figures as JSON here")
    p.add_argument("--plot", type=Path, default=ROOT / "docs/images/scale.png")
    p.add_argument("--stack", default="12", help="run ours on this stack's ansible-core (12, 14)")
    p.add_argument("--peers", action="store_true", help="the peers too, at the smallest size")
    args = p.parse_args(argv)
    global BIN  # noqa: PLW0603 - every run of this process uses the one stack
    if args.stack != "12":
        venv, why = bench_venv(args.stack)
        if venv is None:
            p.error(f"--stack {args.stack}: {why}")
        BIN = venv / "bin"
    print(f"ours on ansible-core {core_version(BIN)} ({STACKS.get(args.stack)})", flush=True)
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if any(s % PER_SIMULATOR or s <= 0 for s in sizes):
        p.error(f"--sizes: each must be a positive multiple of {PER_SIMULATOR}, got {args.sizes}")
    harness = load_harness()
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        workdir = Path(tmp)
        sims = start(harness, workdir, max(sizes) // PER_SIMULATOR)
        try:
            ref_sizes = {int(n) for n in args.baseline_sizes.split(",")}
            only = () if args.skip_vm_info else ("vm_info",)
            report = measure(workdir, sims, sizes, args.baseline, ref_sizes, only)
            report["stack"], report["core"] = args.stack, core_version(BIN)
            if args.peers:
                first = str(sizes[0] if sizes[0] == PER_SIMULATOR else PER_SIMULATOR)
                expected = sims[0].manifest["counts"]["vms"]
                found = peer_runs(workdir, sims[0], expected, args.stack)
                for name, result in found.items():
                    per_thousand(result, expected)
                    show(name, result)
                report["sizes"].setdefault(first, {}).update(found)
        finally:
            for sim in sims:
                sim.stop()
    print(table(report))
    json_path = args.json or workdir.with_suffix(".json")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    why = plot(json_path, args.plot)
    print(f"plot: {args.plot}" if why is None else f"plot not drawn: {why}")
    failed = [
        f"{size} {name}"
        for size, runs in report["sizes"].items()
        for name, r in runs.items()
        if "error" in r
    ]
    for what in failed:
        print(f"  failed: {what}")
    return 1 if failed or why else 0


if __name__ == "__main__":
    sys.exit(main())
