"""Run `ansible-inventory` with a viapi.esx.esx config, and read the server independently.

The inventory runs as users run it: the real CLI in a subprocess (tests/integration/ansible_run.py
environment). The independent read uses the VI client's collector with raw property paths and
the simulator's manifest, never the facts code the plugin uses.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from ansible_run import ROOT, ansible_env, connection

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

POWER = {"poweredOn": "powered_on", "poweredOff": "powered_off", "suspended": "suspended"}
RAW_PATHS = [
    "name", "config.uuid", "config.instanceUuid", "config.guestId", "config.hardware.numCPU",
    "config.hardware.memoryMB", "config.template", "runtime.powerState", "guest.ipAddress",
    "guest.hostName",
]  # fmt: skip


# An `endpoints` entry (or the top-level options) has the keys of the connection options.
endpoint = connection


def label(sim, hostname=None) -> str:
    """The esx_endpoint value of a simulator."""
    return f"{hostname or sim.host}:{sim.port}"


def write_config(directory: Path, options: dict, name: str = "inventory.esx.yml") -> Path:
    """A config file for the plugin with these options."""
    path = Path(directory) / name
    path.write_text(yaml.safe_dump({"plugin": "viapi.esx.esx", **options}, sort_keys=False))
    return path


def unwrap(value):
    """Inventory JSON without ansible-core 2.19's {"__ansible_unsafe": ...} markers."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return unwrap(value["__ansible_unsafe"])
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


@dataclass
class Inventory:
    """What one `ansible-inventory --list` gave."""

    rc: int
    stdout: str
    stderr: str
    raw: dict = field(default_factory=dict)

    @property
    def hostvars(self) -> dict:
        return unwrap((self.raw.get("_meta") or {}).get("hostvars") or {})

    @property
    def hosts(self) -> list[str]:
        return sorted(self.hostvars)

    @property
    def groups(self) -> dict[str, list[str]]:
        """Group name -> sorted hosts, for groups that hold hosts directly."""
        return {
            name: sorted(body["hosts"])
            for name, body in self.raw.items()
            if name != "_meta" and isinstance(body, dict) and body.get("hosts")
        }

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_inventory(config: Path, *args: str, env: dict | None = None) -> Inventory:
    """`ansible-inventory -i CONFIG --list [args]`; JSON goes to a file so -v cannot mix in."""
    out = Path(config).with_suffix(".out.json")
    out.unlink(missing_ok=True)
    cmd = ["ansible-inventory", "-i", str(config), "--list", "--output", str(out), *args]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=ansible_env(env), cwd=ROOT, check=False
    )
    raw = json.loads(out.read_text()) if out.exists() else {}
    return Inventory(proc.returncode, proc.stdout, proc.stderr, raw)


def client(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)


def server_vms(sim) -> dict[str, dict]:
    """name -> the server's raw properties of every VM, plus the manifest's placement."""
    with client(sim) as c:
        rows = collect(c, {"VirtualMachine": RAW_PATHS})
    placement = {vm["moid"]: vm for vm in sim.manifest["vms"]}
    found = {}
    for ref, props in rows:
        entry = dict(props, moid=ref.value)
        entry["placement"] = placement.get(ref.value)
        found[props["name"]] = entry
    return found


def expected_vars(vm: dict, sim) -> dict:
    """The esx_* variables the plugin must give for one server VM (from the raw read)."""
    place = vm["placement"]
    return {
        "esx_name": vm["name"],
        "esx_moid": vm["moid"],
        "esx_uuid": vm["config.uuid"],
        "esx_instance_uuid": vm["config.instanceUuid"],
        "esx_guest_id": vm["config.guestId"],
        "esx_num_cpus": vm["config.hardware.numCPU"],
        "esx_memory_mb": vm["config.hardware.memoryMB"],
        "esx_template": vm["config.template"],
        "esx_power_state": POWER[vm["runtime.powerState"]],
        "esx_ip_address": vm.get("guest.ipAddress") or None,
        "esx_guest_hostname": vm.get("guest.hostName") or None,
        "esx_datacenter": place["datacenter"],
        "esx_folder": place["path"].rsplit("/", 1)[0],
        "esx_host": place["host_name"],
        "esx_cluster": place["cluster"],
        "esx_endpoint": label(sim),
    }


def reconfigure(sim, moid: str, **spec) -> None:
    """ReconfigVM_Task on one VM of the simulator (to shape the model for a test)."""
    with client(sim) as c:
        task = c.call(
            MoRef("VirtualMachine", moid), "ReconfigVM_Task",
            spec={"_type": "VirtualMachineConfigSpec", **spec},
        )  # fmt: skip
        wait_for_task(c, task, 60)


def call_task(sim, moid: str, method: str, **args) -> None:
    """Run one *_Task method on a VM and wait for it."""
    with client(sim) as c:
        wait_for_task(c, c.call(MoRef("VirtualMachine", moid), method, **args), 60)
