"""Deploying 50 VMs from a template: the vm_fleet role against a loop of
community.vmware.vmware_guest, on one simulator, in one run.

One vCenter simulator (the default model: one cluster of 3 hosts); a template `bench-tpl` (one
NIC) made by esx_vm. Then:
- ours:      the viapi.esx.vm_fleet role with 50 entries (template, a static address and a
             host name per VM, state powered_on, wait_for [customization]), vm_fleet_parallel
             --parallel (one esx_vm_fleet run, --parallel sessions), with .venv's
             ansible-playbook
- community: a loop of community.vmware.vmware_guest over the same 50 VMs (same template,
             same customization, state poweredon, wait_for_customization: true), with the
             bench environment's ansible-playbook (bench/setup.sh), validate_certs false
The simulator customizes each VM when it powers on (tests/vcsim/customize.go, 300 ms from
power-on to CustomizationSucceeded). The time is the whole ansible-playbook process. Every VM
must exist afterwards, powered on, with the host name and address asked for and a
CustomizationSucceeded event: checked with pyVmomi (the bench environment's), a reader
independent of our client. A side whose VMs do not check out is reported, never timed.

    python bench/provision.py [--vms 50] [--parallel 10] [--skip-peer | --peer-venv DIR]
                              [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, VENV_BIN, bench_venv, env_for, load_harness

GOAL_RATIO = 5
PLACE = {"datacenter": "DC0", "cluster": "DC0_C0", "datastore": "LocalDS_0"}
NETMASK, GATEWAY = "255.255.0.0", "10.20.0.1"


def address(side: str, i: int) -> str:
    return f"10.20.{1 if side == 'ours' else 2}.{i + 1}"


def vm_names(side: str, count: int) -> list[str]:
    return [f"{side}-{i:02d}" for i in range(count)]


def connection(sim) -> dict:
    return {"hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "ca_path": sim.ca_path}  # fmt: skip


def playbook(tmp: Path, plays: list) -> list[str]:
    path = tmp / "play.json"
    path.write_text(json.dumps(plays))
    return ["-i", "localhost,", "-c", "local", str(path)]


def run(bin_dir: Path, args: list[str], tmp: Path) -> dict:
    started = time.monotonic()
    proc = subprocess.run([str(bin_dir / "ansible-playbook"), *args], capture_output=True,
                          text=True, env=env_for(bin_dir), cwd=tmp, check=False)  # fmt: skip
    result = {"seconds": time.monotonic() - started, "rc": proc.returncode}
    if proc.returncode != 0:
        result["error"] = (proc.stdout + proc.stderr)[-2000:].strip()
    return result


def make_template(sim, tmp: Path) -> None:
    task = {"viapi.esx.esx_vm": {**connection(sim), **PLACE, "name": "bench-tpl",
                                 "guest_id": "otherLinux64Guest", "memory_mb": 128,
                                 "networks": [{"name": "VM Network"}], "is_template": True}}  # fmt: skip
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]
    result = run(VENV_BIN, playbook(tmp, play), tmp)
    if "error" in result:
        raise SystemExit(f"making the template failed: {result['error']}")


def ours(sim, count: int, parallel: int, tmp: Path) -> dict:
    vms = [{"name": name, "template": "bench-tpl", "state": "powered_on",
            "customization": {"hostname": name, "domain": "bench.test"},
            "networks": [{"name": "VM Network", "ip": address("ours", i), "netmask": NETMASK,
                          "gateway": GATEWAY}],
            "wait_for": ["customization"]}
           for i, name in enumerate(vm_names("ours", count))]  # fmt: skip
    play = [{"hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "viapi.esx.vm_fleet",
                        "vars": {"vm_fleet_connection": connection(sim), "vm_fleet_defaults": PLACE,
                                 "vm_fleet_vms": vms, "vm_fleet_parallel": parallel}}]}]  # fmt: skip
    return run(VENV_BIN, playbook(tmp, play), tmp)


def community(sim, count: int, venv: Path | None, why: str, tmp: Path) -> dict:
    if venv is None:
        return {"error": why}
    vms = [{"name": name, "ip": address("community", i)}
           for i, name in enumerate(vm_names("community", count))]  # fmt: skip
    task = {
        "community.vmware.vmware_guest": {
            "hostname": sim.host, "port": sim.port, "username": sim.username,
            "password": sim.password, "validate_certs": False,
            "name": "{{ item.name }}", "template": "bench-tpl", "datacenter": "DC0",
            "cluster": "DC0_C0", "datastore": "LocalDS_0", "folder": "/DC0/vm",
            "state": "poweredon",
            "networks": [{"name": "VM Network", "ip": "{{ item.ip }}", "netmask": NETMASK,
                          "gateway": GATEWAY}],
            "customization": {"hostname": "{{ item.name }}", "domain": "bench.test"},
            "wait_for_customization": True,
        },
        "loop": vms,
    }  # fmt: skip
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]
    return run(venv / "bin", playbook(tmp, play), tmp)


CHECK = r"""
import json, ssl, sys
from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim
host, port, user, password, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
si = SmartConnect(host=host, port=port, user=user, pwd=password,
                  sslContext=ssl._create_unverified_context())
content = si.RetrieveContent()
view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
vms = {vm.name: vm for vm in view.view}
bad = []
for name, ip in wanted.items():
    vm = vms.get(name)
    if vm is None:
        bad.append(f"{name}: missing"); continue
    spec = vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
                                     eventTypeId=["CustomizationSucceeded"])
    succeeded = content.eventManager.QueryEvents(spec)
    seen = (vm.runtime.powerState, vm.guest.hostName, vm.guest.ipAddress, bool(succeeded))
    if seen != ("poweredOn", name, ip, True):
        bad.append(f"{name}: {seen}")
Disconnect(si)
print(json.dumps(bad))
"""


def check(sim, side: str, count: int, python: Path) -> list[str]:
    """What is wrong with the side's VMs, read with pyVmomi ([] when all are as asked)."""
    wanted = {name: address(side, i) for i, name in enumerate(vm_names(side, count))}
    proc = subprocess.run(
        [str(python), "-c", CHECK, sim.host, str(sim.port), sim.username, sim.password,
         json.dumps(wanted)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        return [f"the pyVmomi check failed: {proc.stderr[-1000:]}"]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=10)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        help="an existing peer environment to use as it is (no bench/setup.sh)",
    )
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args()
    harness = load_harness()
    if opts.skip_peer:
        venv, why = None, "not run (--skip-peer)"
    elif opts.peer_venv:
        venv, why = opts.peer_venv.absolute(), ""
        if not (venv / "bin" / "ansible-playbook").exists():
            raise SystemExit(f"--peer-venv {opts.peer_venv}: no bin/ansible-playbook in it")
    else:
        venv, why = bench_venv()
    reader = (venv / "bin" / "python") if venv else ROOT / ".venv" / "bin" / "python"
    results = {"vms": opts.vms, "parallel": opts.parallel}
    with tempfile.TemporaryDirectory(prefix="provision-bench-") as workdir:
        tmp = Path(workdir)
        sim = harness.Vcsim.start(cert_dir=tmp / "sim")
        try:
            make_template(sim, tmp)
            print(f"{opts.vms} VMs from a template, customized, waited for:", flush=True)
            results["ours"] = measured(sim, "ours", opts, reader,
                                       lambda: ours(sim, opts.vms, opts.parallel, tmp))  # fmt: skip
            results["community"] = measured(sim, "community", opts, reader,
                                            lambda: community(sim, opts.vms, venv, why, tmp))  # fmt: skip
        finally:
            sim.stop()
    met = report(results)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2))
    return 0 if met else 1


def measured(sim, side: str, opts, reader: Path, deploy) -> dict:
    result = deploy()
    if "error" not in result:
        bad = check(sim, side, opts.vms, reader)
        if bad:
            result["error"] = f"{len(bad)} VMs not as asked: {'; '.join(bad[:5])}"
    if "error" in result:
        print(f"  {side:<10} FAILED (not timed): {result['error'][-1500:]}", flush=True)
    else:
        print(
            f"  {side:<10} {result['seconds']:8.1f} s  (every VM checked with pyVmomi)", flush=True
        )
    return result


def report(results: dict) -> bool:
    a, b = results["ours"], results["community"]
    if "error" in a or "error" in b:
        print("  ratio: not available (a side failed; see above)")
        return False
    results["ratio"] = b["seconds"] / a["seconds"]
    met = results["ratio"] >= GOAL_RATIO
    verdict = "meets" if met else "misses"
    print(
        f"  ratio community / ours: {results['ratio']:.1f}x ({verdict} the goal of {GOAL_RATIO}x)"
    )
    return met


if __name__ == "__main__":
    sys.exit(main())
