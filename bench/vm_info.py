"""viapi.esx.esx_vm_info against community.vmware.vmware_vm_info, on one simulator, in one run.

One 4,800-VM simulator (--dc 2 --cluster 4 --cluster-host 4 --host 20 --vm 100):
- ours:      viapi.esx.esx_vm_info (every VM), with .venv's ansible-playbook; then again with
             devices: false (no disks / nics / cdroms lists: the peer returns none either)
- community: community.vmware.vmware_vm_info (every VM), with the bench environment's
             ansible-playbook (bench/setup.sh: the `ansible` package + pyVmomi), validate_certs
             false
Each is a one-task play that registers the result and prints the number of VMs; the time is the
whole ansible-playbook process (start-up, the module, Ansible's handling of the result).
Both must return all 4,800 VMs; a peer that fails is reported with why, never timed. Ours runs
--rounds times (median); the peer once (it takes minutes). Then the SOAP round trips of
esx_vm_info for one VM by name, counted by the client (in-process: the module's runner with a
Client, login and logout included).

    python bench/vm_info.py [--rounds 3] [--skip-peer] [--json FILE]
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

from _common import MODEL, VENV_BIN, bench_venv, env_for, load_harness

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


def ours(sim, rounds: int, expected: int, devices: bool = True) -> dict:
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "ca_path": sim.ca_path, "devices": devices}  # fmt: skip
    runs = [run_module(VENV_BIN, "viapi.esx.esx_vm_info", args, "vms") for _round in range(rounds)]
    good = [r for r in runs if "error" not in r and r["vms"] == expected]
    if not good:
        return runs[0]
    return {"seconds": statistics.median(r["seconds"] for r in good), "vms": expected,
            "rounds": [round(r["seconds"], 3) for r in runs]}  # fmt: skip


def peer(sim, venv: Path | None, why: str) -> dict:
    if venv is None:
        return {"error": why}
    args = {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "validate_certs": False}  # fmt: skip
    return run_module(venv / "bin", "community.vmware.vmware_vm_info", args, "virtual_machines")


def round_trips(sim, name: str) -> dict:
    """SOAP requests for esx_vm_info's runner on one VM by name, login and logout included."""
    query = VmQuery(VmIdentity(name=name))
    client = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    with client:
        vms = vm_query.run(client, query)["vms"]
    return {"round_trips": client.round_trips, "vms": len(vms), "name": name}


def show(name: str, result: dict, expected: int) -> None:
    if "error" in result or result.get("vms") != expected:
        why = result.get("error") or f"returned {result.get('vms')} VMs, expected {expected}"
        print(f"  {name:<22} FAILED (not timed): {why}", flush=True)
        return
    print(f"  {name:<22} {result['seconds']:8.2f} s  ({result['vms']} VMs)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args()
    harness = load_harness()
    venv, why = (None, "not run (--skip-peer)") if opts.skip_peer else bench_venv()
    with tempfile.TemporaryDirectory(prefix="vm-info-sim-") as workdir:
        print(f"starting a simulator: {' '.join(MODEL)} ...", flush=True)
        sim = harness.Vcsim.start(*MODEL, cert_dir=Path(workdir) / "sim")
        try:
            expected = sim.manifest["counts"]["vms"]
            print(f"esx_vm_info, all {expected} VMs:", flush=True)
            results = {"expected_vms": expected, "ours": ours(sim, opts.rounds, expected)}
            show("ours", results["ours"], expected)
            light = ours(sim, opts.rounds, expected, devices=False)
            results["ours_without_devices"] = light
            show("ours, devices: false", light, expected)
            results["community"] = peer(sim, venv, why)
            show("community", results["community"], expected)
            results["one_vm"] = round_trips(sim, "DC0_H0_VM0")
        finally:
            sim.stop()
    met = report(results, expected)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2))
    return 0 if met else 1


def report(results: dict, expected: int) -> bool:
    """Print the ratio and the round trips; whether both goals are met."""
    a, b = results["ours"], results["community"]
    met = False
    if "error" not in a and "error" not in b and a["vms"] == b["vms"] == expected:
        results["ratio"] = b["seconds"] / a["seconds"]
        met = results["ratio"] >= GOAL_RATIO
        verdict = "meets" if met else "misses"
        print(
            f"  ratio community / ours: {results['ratio']:.1f}x ({verdict} the goal of {GOAL_RATIO}x)"
        )
        light = results.get("ours_without_devices", {})
        if "error" not in light and light.get("vms") == expected:
            results["ratio_without_devices"] = b["seconds"] / light["seconds"]
            print(
                f"  ratio community / ours with devices false: {results['ratio_without_devices']:.1f}x"
            )
    else:
        print("  ratio: not available (a run failed; see above)")
    trips = results["one_vm"]
    trips_met = trips["round_trips"] <= GOAL_TRIPS and trips["vms"] == 1
    verdict = "meets" if trips_met else "misses"
    print(f"one VM by name ({trips['name']}): {trips['round_trips']} SOAP round trips, login and "
          f"logout included ({verdict} the goal of <= {GOAL_TRIPS})")  # fmt: skip
    return met and trips_met


if __name__ == "__main__":
    sys.exit(main())
