"""A fleet-wide snapshot report: viapi.esx.esx_vm_info against vmware_all_snapshots_info.

One 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100) with
--snapshots 10: every tenth VM by path (480 VMs) has a chain of 1, 2 or 3 snapshots (960 in
all). "Which VMs have snapshots, and which", on each stack (bench/setup.sh: 12 = `ansible`
12.3, ansible-core 2.19; 14 = `ansible` 14.5, ansible-core 2.21, Python 3.12):
- ours:      viapi.esx.esx_vm_info with has_snapshots: true, one call for the whole vCenter, on
             the stack's ansible-core (stack 12: .venv's); then again with devices: false (a
             snapshot report needs no device lists), and with facts: [snapshots,
             snapshot_count] (the selection the module's EXAMPLES and docs/vm.md recommend: the
             VMs' identity keys and snapshot facts, read from those paths alone)
- floor:     a play of one debug task on the same core: what any module's run pays at least
- community: community.vmware.vmware_all_snapshots_info of the stack, whose `datacenter` is
             required: one task looped over the 2 datacenters, validate_certs false
Each run is an ansible-playbook process of that one task, timed whole; the task's result (the
module's answer, as a report would keep it) is written to a JSON file by a callback
(bench/callback_plugins/bench_answer.py), the same in every play. Every answer must equal the
simulator's manifest: the same VMs, each with the same snapshot names; a run whose answer
differs is reported with the difference, never timed. Ours and the floor run --rounds times
(median), the peer once. Ratios per stack: community / ours, community / floor (the most any
module could reach in this run). Goal: ours, as recommended (the facts selection), at least 20x
faster on the simulator as it is (exit status 1 when missed).

Then the same on simulators of the same model whose every call is answered --delay ms late
(default 1 and 10; tests/vcsim --delay): the simulator answers on loopback in about a
millisecond, where a vCenter across a network adds the round trip to every call (about 1 ms
on a LAN, 10 ms and more to a remote site); this shows what each client's number of round
trips weighs then. Environments bench/setup.sh made already (right `ansible` release) are used
as they are.

    python bench/snapshots.py [--rounds 3] [--stacks 12,14] [--skip-peer] [--vm N]
                              [--delay 1,10] [--json FILE]
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
from pathlib import Path

from _common import (
    MODEL,
    ROOT,
    STACKS,
    VENV_BIN,
    Stack,
    core_version,
    env_for,
    load_harness,
    stacks,
)

GOAL_RATIO, EVERY, DELAYS = 20, 10, "1,10"
# The selection docs/vm.md "Snapshot facts and the fleet report" recommends for the report.
REPORT_FACTS = ["snapshots", "snapshot_count"]
# Our runs: result key, label, the module's devices and facts options.
OURS = (
    ("ours", "ours", True, None),
    ("ours_without_devices", "ours, devices: false", False, None),
    ("ours_facts", "ours, facts: snapshots", True, REPORT_FACTS),
)
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"


def run_play(
    bin_dir: Path, tasks: list, workdir: Path
) -> tuple[float, subprocess.CompletedProcess, object]:
    """One timed `ansible-playbook` of `tasks`: seconds, process, the last task's result.

    The result is written by bench/callback_plugins/bench_answer.py, in every play alike (the
    floor's too), rather than by a task of the play: writing it with copy would cost two more
    module runs and a template of the whole result, in every run but the floor's.
    """
    answer = workdir / "answer.json"
    answer.unlink(missing_ok=True)
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    path = workdir / "play.yml"
    path.write_text(json.dumps(play))
    cmd = [str(bin_dir / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
    env = dict(env_for(bin_dir), BENCH_ANSWER=str(answer), ANSIBLE_CALLBACKS_ENABLED="bench_answer",
               ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS))  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, check=False)
    seconds = time.monotonic() - started
    data = json.loads(answer.read_text()) if answer.exists() else None
    return seconds, proc, data


def ours_tasks(sim, devices: bool, facts: list | None = None) -> list:
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "ca_path": sim.ca_path, "has_snapshots": True,
            "devices": devices}  # fmt: skip
    if facts is not None:
        args["facts"] = facts
    return [{"viapi.esx.esx_vm_info": args}]


def peer_tasks(sim, datacenters: list[str]) -> list:
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "validate_certs": False, "datacenter": "{{ item }}"}  # fmt: skip
    return [{"community.vmware.vmware_all_snapshots_info": args, "loop": datacenters}]


def names_of(tree: list) -> list[str]:
    """The snapshot names of one of our trees, parents before children."""
    out = []
    for node in tree:
        out.append(node["name"])
        out.extend(names_of(node.get("children") or []))
    return out


def ours_answer(result: dict) -> dict:
    return {vm["name"]: sorted(names_of(vm["snapshots"])) for vm in result["vms"]}


def peer_answer(result: dict) -> dict:
    """The snapshots of every loop item (one per datacenter), by VM name."""
    found: dict = {}
    for snapshot in (x for item in result["results"] for x in item["vmware_all_snapshots_info"]):
        found.setdefault(snapshot["vm_name"], []).append(snapshot["name"])
    return {name: sorted(names) for name, names in found.items()}


def expected_answer(manifest: dict) -> dict:
    names = {vm["moid"]: vm["name"] for vm in manifest["vms"]}
    return {names[moid]: sorted(given) for moid, given in manifest["snapshots"].items()}


def difference(got: dict, want: dict) -> str:
    """What `got` gets wrong against `want`, in a line ("" when equal)."""
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    wrong = sorted(name for name in set(got) & set(want) if got[name] != want[name])
    if not (missing or extra or wrong):
        return ""
    return (f"{len(missing)} VMs missing (e.g. {missing[:3]}), {len(extra)} extra "
            f"(e.g. {extra[:3]}), {len(wrong)} with other snapshot names (e.g. {wrong[:3]})")  # fmt: skip


def measure(bin_dir: Path, tasks: list, answer, want: dict, rounds: int, workdir: Path) -> dict:
    """`rounds` runs of one play: the median of the runs whose answer equals `want`."""
    runs = []
    for _round in range(rounds):
        seconds, proc, data = run_play(bin_dir, tasks, workdir)
        run = {"seconds": seconds, "rc": proc.returncode}
        if proc.returncode != 0 or data is None:
            run["error"] = (proc.stdout + proc.stderr)[-1500:].strip() or f"exit {proc.returncode}"
        else:
            got = answer(data)
            run["vms"], run["snapshots"] = len(got), sum(len(n) for n in got.values())
            if difference(got, want):
                run["error"] = f"answer differs from the simulator's: {difference(got, want)}"
        runs.append(run)
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    return dict(good[0], seconds=statistics.median(r["seconds"] for r in good),
                rounds=[round(r["seconds"], 3) for r in runs])  # fmt: skip


def floor(bin_dir: Path, rounds: int, workdir: Path) -> dict:
    """A play of one debug task, which reads nothing: what every run above pays on this core."""
    runs = [run_play(bin_dir, [{"ansible.builtin.debug": {"msg": "floor"}}], workdir)
            for _round in range(rounds)]  # fmt: skip
    failed = [proc for _s, proc, data in runs if proc.returncode != 0 or data is None]
    if failed:
        return {"error": (failed[0].stdout + failed[0].stderr)[-1500:] or "no answer written"}
    return {"seconds": statistics.median(seconds for seconds, _p, _d in runs),
            "rounds": [round(seconds, 3) for seconds, _p, _d in runs]}  # fmt: skip


def show(name: str, result: dict) -> None:
    if "error" not in result and "vms" not in result:
        print(f"  {name:<30} {result['seconds']:8.2f} s  (one debug task)", flush=True)
        return
    if "error" in result:
        state = "" if result["error"].startswith("not run") else "FAILED (not timed): "
        print(f"  {name:<30} {state}{result['error']}", flush=True)
        return
    print(f"  {name:<30} {result['seconds']:8.2f} s  ({result['vms']} VMs, "
          f"{result['snapshots']} snapshots; equal to the simulator's)", flush=True)  # fmt: skip


def one_stack(stack, sim, want: dict, rounds: int, workdir: Path) -> dict:
    print(f"{stack.label}; ours on ansible-core {stack.core}:", flush=True)
    out = {"label": stack.label, "core": stack.core}
    if stack.ours_bin is None:
        out.update((key, {"error": stack.why}) for key, *_rest in OURS)
    else:
        for key, label, devices, facts in OURS:
            out[key] = measure(stack.ours_bin, ours_tasks(sim, devices, facts), ours_answer,
                               want, rounds, workdir)  # fmt: skip
            show(label, out[key])
        out["floor"] = floor(stack.ours_bin, rounds, workdir)
        show("floor", out["floor"])
    if stack.peer_bin is None:
        out["community"] = {"error": stack.why}
    else:
        datacenters = [dc["name"] for dc in sim.manifest["datacenters"]]
        out["community"] = measure(stack.peer_bin, peer_tasks(sim, datacenters), peer_answer,
                                   want, 1, workdir)  # fmt: skip
    show("community", out["community"])
    for key in (*(key for key, *_rest in OURS), "floor"):
        if "error" not in out.get(key, {"error": 1}) and "error" not in out["community"]:
            out[f"ratio_{key}"] = out["community"]["seconds"] / out[key]["seconds"]
    if "ratio_ours_facts" in out:
        verdict = "meets" if out["ratio_ours_facts"] >= GOAL_RATIO else "misses"
        others = "; ".join(f"{label} {out['ratio_' + key]:.1f}x" for key, label, *_rest in OURS
                           if f"ratio_{key}" in out)  # fmt: skip
        print(f"  ratio community / ours, facts selected: {out['ratio_ours_facts']:.1f}x "
              f"({verdict} the goal of {GOAL_RATIO}x); {others}; community / floor "
              f"{out['ratio_floor']:.1f}x (the most any module could reach)", flush=True)  # fmt: skip
    return out


def one_simulator(harness, chosen: list, opts, delay: int) -> dict:
    """Every stack's runs on one simulator whose calls are answered `delay` ms late."""
    results: dict = {"delay_ms": delay, "stacks": {}}
    with tempfile.TemporaryDirectory(prefix="snapshots-bench-") as tmp:
        workdir = Path(tmp)
        model = [*MODEL[:-1], str(opts.vm), "--snapshots", str(EVERY), "--delay", str(delay)]
        print(f"starting a simulator: {' '.join(model)} ...", flush=True)
        sim = harness.Vcsim.start(*model, cert_dir=workdir / "sim")
        try:
            want = expected_answer(sim.manifest)
            results["expected"] = {"vms": len(want), "snapshots": sum(map(len, want.values()))}
            print(f"{len(want)} of {sim.manifest['counts']['vms']} VMs have snapshots "
                  f"({results['expected']['snapshots']} in all)", flush=True)  # fmt: skip
            for stack in chosen:
                results["stacks"][stack.name] = one_stack(stack, sim, want, opts.rounds, workdir)
        finally:
            sim.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stacks", default="12,14", help="the `ansible` packages (bench/setup.sh)")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--vm", type=int, default=100, help="VMs per host (10: a quick 480-VM run)")
    parser.add_argument("--delay", default=DELAYS,
                        help="ms per call of the further simulators, comma-separated (0: none)")  # fmt: skip
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args()
    harness = load_harness()
    chosen = ready_stacks(opts.stacks.split(","), peers=not opts.skip_peer)
    results: dict = {}
    for delay in sorted({0, *(int(d) for d in opts.delay.split(","))}):
        results[f"delay_{delay}ms"] = one_simulator(harness, chosen, opts, delay)
    if opts.json:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if met(results, opts.skip_peer) else 1


def met(results: dict, skip_peer: bool) -> bool:
    """Every run answered right and, with the peer, ours as recommended (facts selected) is
    GOAL_RATIO times faster on each stack of the simulator without delay (the others show what
    round trips weigh)."""
    ok = True
    for sim_name, one in results.items():
        for name, out in one["stacks"].items():
            wanted = [key for key, *_rest in OURS] + ([] if skip_peer else ["community"])
            for key in wanted:
                if "error" in out[key]:
                    print(f"  missed: {sim_name}, stack {name}, {key}")
                    ok = False
            ratio = out.get("ratio_ours_facts", 0)
            if sim_name == "delay_0ms" and not skip_peer and ratio < GOAL_RATIO:
                print(f"  missed: stack {name}, goal {GOAL_RATIO}x community.vmware")
                ok = False
    return ok


def ready_venv(name: str) -> Path | None:
    """The stack's environment when bench/setup.sh made it already with the `ansible` release
    STACKS names (None otherwise): the benchmark then uses it as it is, without setup.sh, which
    would make again an environment whose stamp file differs from its pins."""
    venv = ROOT / ".cache" / ("bench-venv" if name == "12" else f"bench-venv-{name}")
    release = re.match(r"ansible (\S+)", STACKS.get(name, ""))
    if release is None or not (venv / "bin" / "ansible-playbook").exists():
        return None
    code = "import importlib.metadata as m; print(m.version('ansible'))"
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    return venv if proc.stdout.strip() == release.group(1) else None


def ready_stacks(names: list[str], peers: bool) -> list[Stack]:
    """The stacks to measure: from environments that are ready, else through bench/setup.sh."""
    out = []
    for name in names:
        venv = ready_venv(name)
        if venv is None:
            out.extend(stacks([name], peers=peers))
            continue
        bin_dir = venv / "bin"
        ours_bin = VENV_BIN if name == "12" else bin_dir
        why = "" if peers else "not run (--skip-peer)"
        peer_bin = bin_dir if peers else None
        out.append(Stack(name, STACKS[name], ours_bin, peer_bin, why, core_version(ours_bin)))
    return out


if __name__ == "__main__":
    sys.exit(main())
