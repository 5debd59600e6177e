"""viapi.esx.esx_vm_info against community.vmware.vmware_vm_info, on one simulator, in one run.

One 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100), and for each
stack (bench/setup.sh: 12 = `ansible` 12.3, ansible-core 2.19; 14 = `ansible` 14.5,
ansible-core 2.21, Python 3.12):
- ours:      viapi.esx.esx_vm_info (every VM) on the stack's ansible-core (stack 12: .venv's);
             then again with devices: false (no disks / nics / cdroms lists: the peer returns
             none either)
- floor:     the same one-task play with ansible.builtin.debug, which reads nothing: the
             ansible-playbook start-up and play every run pays on that core
- community: community.vmware.vmware_vm_info (every VM) from the stack's `ansible` package
             (+ pyVmomi), validate_certs false
Each is a one-task play that registers the result and prints the number of VMs; the time is the
whole ansible-playbook process (start-up, the module, Ansible's handling of the result).
Every run must return all 4,800 VMs; a peer that fails is reported with why, never timed. Ours
and the floor run --rounds times (median); the peer once (it takes minutes). Then the SOAP
round trips of esx_vm_info for one VM by name, counted by the client (in-process: the module's
runner with a Client, login and logout included).

    python bench/vm_info.py [--rounds 3] [--stacks 12,14] [--skip-peer] [--json FILE]
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

from _common import MODEL, env_for, load_harness, stacks

from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, VmQuery

GOAL_RATIO, GOAL_TRIPS = 40, 5


def run_module(bin_dir: Path, module: str, args: dict, result_key: str) -> dict:
    """One timed `ansible-playbook` running `module` once: seconds and VMs returned, or an error.

    The play registers the result and prints only its length, as a playbook that uses the VMs
    would: the time is the module's plus Ansible's own handling of the result, not a dump of it.
    """
    play = [{
        "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {module: args, "register": "r"},
            {"ansible.builtin.debug": {"msg": f"VMS={{{{ r.{result_key} | length }}}}"}},
        ],
    }]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="vm-info-bench-") as tmp:
        path = Path(tmp) / "play.yml"
        path.write_text(json.dumps(play))
        cmd = [str(bin_dir / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
        started = time.monotonic()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env_for(bin_dir), cwd=tmp, check=False
        )
        seconds = time.monotonic() - started
    found = re.search(r"VMS=(\d+)", proc.stdout)
    result = {"seconds": seconds, "rc": proc.returncode, "vms": int(found.group(1)) if found else 0}
    if proc.returncode != 0 or not found:
        result["error"] = (proc.stdout + proc.stderr)[-1500:].strip() or f"exit {proc.returncode}"
    return result


def ours(sim, bin_dir: Path, rounds: int, expected: int, devices: bool = True) -> dict:
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "ca_path": sim.ca_path, "devices": devices}  # fmt: skip
    runs = [run_module(bin_dir, "viapi.esx.esx_vm_info", args, "vms") for _round in range(rounds)]
    return median_of(runs, expected)


def median_of(runs: list, expected: int) -> dict:
    """The median of the runs that returned `expected` VMs (the first run when none did)."""
    good = [r for r in runs if "error" not in r and r["vms"] == expected]
    if not good:
        return runs[0]
    return {"seconds": statistics.median(r["seconds"] for r in good), "vms": expected,
            "rounds": [round(r["seconds"], 3) for r in runs]}  # fmt: skip


def floor(bin_dir: Path, rounds: int) -> dict:
    """ansible-playbook running one task that reads nothing: the least every run above costs."""
    runs = [run_module(bin_dir, "ansible.builtin.debug", {"msg": "floor"}, "msg")
            for _round in range(rounds)]  # fmt: skip
    result = median_of(runs, len("floor"))
    result.pop("vms", None)
    return result


def peer(sim, bin_dir: Path | None, why: str) -> dict:
    if bin_dir is None:
        return {"error": why}
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "validate_certs": False}  # fmt: skip
    return run_module(bin_dir, "community.vmware.vmware_vm_info", args, "virtual_machines")


def round_trips(sim, name: str) -> dict:
    """SOAP requests for esx_vm_info's runner on one VM by name, login and logout included."""
    query = VmQuery(VmIdentity(name=name))
    client = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    with client:
        vms = vm_query.run(client, query)["vms"]
    return {"round_trips": client.round_trips, "vms": len(vms), "name": name}


def show(name: str, result: dict, expected: int) -> None:
    if "error" not in result and "vms" not in result:  # the floor
        print(f"  {name:<22} {result['seconds']:8.2f} s  (one debug task)", flush=True)
        return
    if "error" in result or result.get("vms") != expected:
        why = result.get("error") or f"returned {result.get('vms')} VMs, expected {expected}"
        state = "" if why.startswith("not run") else "FAILED (not timed): "
        print(f"  {name:<22} {state}{why}", flush=True)
        return
    print(f"  {name:<22} {result['seconds']:8.2f} s  ({result['vms']} VMs)", flush=True)


def one_stack(stack, sim, rounds: int, expected: int) -> dict:
    """Ours on the stack's ansible-core (with and without devices), its floor, its peer."""
    print(f"{stack.label}; ours on ansible-core {stack.core}:", flush=True)
    out = {"label": stack.label, "core": stack.core}
    if stack.ours_bin is None:
        out["ours"] = out["ours_without_devices"] = out["floor"] = {"error": stack.why}
    else:
        out["ours"] = ours(sim, stack.ours_bin, rounds, expected)
        show("ours", out["ours"], expected)
        out["ours_without_devices"] = ours(sim, stack.ours_bin, rounds, expected, devices=False)
        show("ours, devices: false", out["ours_without_devices"], expected)
        out["floor"] = floor(stack.ours_bin, rounds)
        show("floor", out["floor"], expected)
    out["community"] = peer(sim, stack.peer_bin, stack.why)
    show("community", out["community"], expected)
    ratios(out, expected)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stacks", default="12,14", help="the `ansible` packages (bench/setup.sh)")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args()
    harness = load_harness()
    chosen = stacks(opts.stacks.split(","), peers=not opts.skip_peer)
    with tempfile.TemporaryDirectory(prefix="vm-info-sim-") as workdir:
        print(f"starting a simulator: {' '.join(MODEL)} ...", flush=True)
        sim = harness.Vcsim.start(*MODEL, cert_dir=Path(workdir) / "sim")
        try:
            expected = sim.manifest["counts"]["vms"]
            print(f"esx_vm_info, all {expected} VMs:", flush=True)
            results = {"expected_vms": expected, "stacks": {}}
            for stack in chosen:
                results["stacks"][stack.name] = one_stack(stack, sim, opts.rounds, expected)
            results["one_vm"] = round_trips(sim, "DC0_H0_VM0")
        finally:
            sim.stop()
    met = report(results, opts.skip_peer)
    if opts.json:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if met else 1


def ratios(out: dict, expected: int) -> None:
    """community / ours (with and without devices) and community / floor, printed and kept."""
    peer_run = out["community"]
    if "error" in peer_run or peer_run.get("vms") != expected:
        print("  ratio: not available (a run failed or was not run; see above)", flush=True)
        return
    for key, name in (("ours", "ours"), ("ours_without_devices", "ours with devices false"),
                      ("floor", "floor")):  # fmt: skip
        run = out[key]
        if "error" not in run and run.get("vms", expected) == expected:
            out[f"ratio_{key}"] = peer_run["seconds"] / run["seconds"]
            print(f"  ratio community / {name}: {out[f'ratio_{key}']:.1f}x", flush=True)


def report(results: dict, skip_peer: bool) -> bool:
    """Print the goals' verdicts: 40x community.vmware on each stack, the round trips."""
    met = True
    for name, out in results["stacks"].items():
        for key in ("ours", "ours_without_devices"):
            if "error" in out[key]:
                print(f"  missed: stack {name}, {key} failed")
                met = False
        if skip_peer:
            continue
        ratio = out.get("ratio_ours")
        verdict = "meets" if ratio and ratio >= GOAL_RATIO else "misses"
        shown = f"{ratio:.1f}x" if ratio else "not measured"
        print(f"  stack {name}: community / ours {shown} ({verdict} the goal of {GOAL_RATIO}x)")
        met = met and verdict == "meets"
    trips = results["one_vm"]
    trips_met = trips["round_trips"] <= GOAL_TRIPS and trips["vms"] == 1
    verdict = "meets" if trips_met else "misses"
    print(f"one VM by name ({trips['name']}): {trips['round_trips']} SOAP round trips, login and "
          f"logout included ({verdict} the goal of <= {GOAL_TRIPS})")  # fmt: skip
    return met and trips_met


if __name__ == "__main__":
    sys.exit(main())
