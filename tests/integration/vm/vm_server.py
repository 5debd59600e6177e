"""Independent reads of the simulator for the VM tests: the VI client's collector, no facts code.

`Server(sim)` keeps one session open; every read goes straight to the PropertyCollector with the
raw VI paths, so a bug in vm/facts.py or the modules cannot hide in the expectations.
"""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import (
    collect,
    get_one,
    retrieve_one_hop,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

# What "the server state of a VM" means for check-mode comparisons.
STATE_PATHS = (
    "name", "parent", "resourcePool", "config.hardware.numCPU", "config.hardware.memoryMB",
    "config.hardware.numCoresPerSocket", "config.hardware.device", "config.version",
    "config.annotation", "config.guestId", "config.template", "runtime.powerState",
)  # fmt: skip


class Server:
    """A logged-in VI client on a simulator, with the reads the tests compare against."""

    def __init__(self, sim):
        self.client = Client(
            sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path
        )
        self.client.connect()

    def close(self) -> None:
        self.client.logout()

    def vms(self, paths=("name",)) -> dict[MoRef, dict]:
        """Every VM (templates included) with `paths`."""
        return dict(collect(self.client, {"VirtualMachine": list(paths)}))

    def vm(self, name: str) -> MoRef | None:
        """The VM called `name` (None if there is none; an error if there are several)."""
        found = [r for r, p in self.vms().items() if p.get("name") == name]
        assert len(found) <= 1, f"{len(found)} VMs are named {name}"
        return found[0] if found else None

    def props(self, ref: MoRef, paths=STATE_PATHS) -> dict:
        return get_one(self.client, ref, list(paths))

    def snapshot(self) -> dict:
        """The state of every VM: what check mode must leave exactly as it was."""
        return {r.value: p for r, p in self.vms(STATE_PATHS).items()}

    def tasks(self) -> dict[str, tuple]:
        """TaskManager.recentTask: task id -> (name, descriptionId, entity id)."""
        rows = retrieve_one_hop(
            self.client, self.client.content["taskManager"], "recentTask", "Task",
            ["info.name", "info.descriptionId", "info.entity"],
        )  # fmt: skip
        return {
            r.value: (
                p.get("info.name"),
                p.get("info.descriptionId"),
                (p.get("info.entity") or r).value,
            )
            for r, p in rows
        }

    def names(self, type_name: str) -> dict[MoRef, str]:
        return {r: p["name"] for r, p in collect(self.client, {type_name: ["name"]})}

    def task(self, ref: MoRef, method: str, **args):
        return wait_for_task(self.client, self.client.call(ref, method, **args), 60)

    def set_tools_running(self, ref: MoRef) -> None:
        """Make the simulator report running VMware Tools for one VM (its SET.* extraConfig)."""
        values = {
            "SET.guest.toolsStatus": "toolsOk",
            "SET.guest.toolsRunningStatus": "guestToolsRunning",
        }
        spec = {
            "_type": "VirtualMachineConfigSpec",
            "extraConfig": [
                {"_type": "OptionValue", "key": k, "value": v} for k, v in values.items()
            ],
        }
        self.task(ref, "ReconfigVM_Task", spec=spec)

    def power(self, ref: MoRef) -> str:
        return self.props(ref, ["runtime.powerState"])["runtime.powerState"]


def new_tasks(before: dict, after: dict) -> list[tuple]:
    """The tasks that appeared between two Server.tasks() reads."""
    return [after[t] for t in sorted(after, key=lambda t: int(t.split("-")[-1])) if t not in before]


# The simulator names tasks by descriptionId "<Type>.<id>"; these are the methods behind them.
METHODS = {
    "Folder.createVm": "CreateVM_Task", "VirtualMachine.reconfigVm": "ReconfigVM_Task",
    "VirtualMachine.powerOn": "PowerOnVM_Task", "VirtualMachine.powerOff": "PowerOffVM_Task",
    "VirtualMachine.suspend": "SuspendVM_Task", "VirtualMachine.reset": "ResetVM_Task",
    "VirtualMachine.upgradeVm": "UpgradeVM_Task", "VirtualMachine.destroy": "Destroy_Task",
    "VirtualMachine.rename": "Rename_Task",
}  # fmt: skip


def task_names(before: dict, after: dict) -> list[str]:
    """The methods of the new tasks, in order, e.g. ['ReconfigVM_Task', 'PowerOnVM_Task']."""
    return [METHODS.get(desc, desc) for _name, desc, _entity in new_tasks(before, after)]
