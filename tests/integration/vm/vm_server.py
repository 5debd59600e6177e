"""Independent reads of the simulator for the VM tests: pyVmomi, none of the collection's code.

`Server(sim)` keeps one pyVmomi session open; every read goes straight to the PropertyCollector
with the raw VI paths, so a bug in our VI client, vm/facts.py or the modules cannot hide in the
expectations. Values come back as plain Python values in the shapes of the wire: data objects
as dicts of their set fields plus `_type` (the WSDL type name), references as `Ref`, arrays as
lists, dateTimes as the ISO 8601 text the server sent.
"""

from __future__ import annotations

import ssl
from datetime import datetime, timezone
from typing import NamedTuple

from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import VmomiSupport, vim, vmodl

# What "the server state of a VM" means for check-mode comparisons.
STATE_PATHS = (
    "name", "parent", "resourcePool", "config.hardware.numCPU", "config.hardware.memoryMB",
    "config.hardware.numCoresPerSocket", "config.hardware.device", "config.version",
    "config.annotation", "config.guestId", "config.template", "runtime.powerState",
)  # fmt: skip


def wsdl(name: str) -> type:
    """The pyVmomi type of a vim25 WSDL type name ("VirtualMachineSnapshot")."""
    return VmomiSupport.GetWsdlType("urn:vim25", name)


class Ref(NamedTuple):
    """A managed object reference: its type ("VirtualMachine") and id ("vm-42")."""

    type: str
    value: str


def plain(value):
    """A pyVmomi value as plain Python: dicts (set fields + `_type`), Ref, lists, scalars."""
    if isinstance(value, VmomiSupport.ManagedObject):
        return Ref(value._wsdlName, value._moId)
    if isinstance(value, VmomiSupport.DataObject):
        out = {"_type": value._wsdlName}
        for prop in value._GetPropertyList():
            field = plain(getattr(value, prop.name))
            if field is not None and field != []:  # unset on the wire: absent
                out[prop.name] = field
        return out
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)  # pyVmomi's long, short, byte
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, type):  # a type name (vmodl.TypeName)
        return value._wsdlName
    if isinstance(value, str):
        return str(value)  # enums and vmodl.TypeName are str subclasses
    if isinstance(value, bytes):
        return bytes(value)
    return value


class Server:
    """A pyVmomi session on a simulator, with the reads the tests compare against."""

    def __init__(self, sim):
        context = ssl.create_default_context(cafile=str(sim.ca_path))
        self.si = SmartConnect(
            host=sim.host, port=sim.port, user=sim.username, pwd=sim.password,
            sslContext=context,
        )  # fmt: skip
        self.content = self.si.RetrieveContent()
        self._sim, self._client = sim, None

    @property
    def client(self):
        """The project's own VI client on the same simulator, for test set-up calls whose
        arguments are written as the client's dicts (a DVS to create, an event filter). What a
        test compares a module's work against is read through pyVmomi, above."""
        if self._client is None:
            from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

            sim = self._sim
            self._client = Client(
                sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path
            ).connect()
        return self._client

    def setup_call(self, ref, method: str, **args):
        """A call through the project's client (set-up only); Refs become its MoRefs."""
        from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

        def own(value):
            if isinstance(value, (Ref, MoRef)):
                return MoRef(value.type, value.value)
            if isinstance(value, dict):
                return {k: own(v) for k, v in value.items()}
            if isinstance(value, list):
                return [own(v) for v in value]
            return value

        return self.client.call(own(ref), method, **own(args))

    def setup_task(self, ref, method: str, **args):
        """A *_Task through the project's client (set-up only), waited for; its result."""
        from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

        return wait_for_task(self.client, self.setup_call(ref, method, **args), 300)

    def close(self) -> None:
        if self._client is not None:
            self._client.logout()
        Disconnect(self.si)

    def _mo(self, ref: Ref):
        return wsdl(ref.type)(ref.value, self.si._stub)

    def _retrieve(self, specs: list, paths_by_type: dict) -> dict[Ref, dict]:
        """RetrievePropertiesEx (and its continuation pages) for object specs."""
        prop_set = [
            vmodl.query.PropertyCollector.PropertySpec(type=wsdl(t), pathSet=list(p))
            for t, p in paths_by_type.items()
        ]
        spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=specs, propSet=prop_set)
        collector = self.content.propertyCollector
        options = vmodl.query.PropertyCollector.RetrieveOptions()
        page = collector.RetrievePropertiesEx([spec], options)
        rows = {}
        while page is not None:
            for obj in page.objects:
                rows[plain(obj.obj)] = {p.name: plain(p.val) for p in obj.propSet or []}
            page = collector.ContinueRetrievePropertiesEx(page.token) if page.token else None
        return rows

    def collect(self, paths_by_type: dict) -> dict[Ref, dict]:
        """Every object of the types (below the root folder) with their paths: one view."""
        view = self.content.viewManager.CreateContainerView(
            self.content.rootFolder, [wsdl(t) for t in paths_by_type], True
        )
        try:
            traverse = vmodl.query.PropertyCollector.TraversalSpec(
                name="view", path="view", skip=False, type=vim.view.ContainerView
            )
            start = vmodl.query.PropertyCollector.ObjectSpec(
                obj=view, skip=True, selectSet=[traverse]
            )
            return self._retrieve([start], paths_by_type)
        finally:
            view.Destroy()

    def vms(self, paths=("name",)) -> dict[Ref, dict]:
        """Every VM (templates included) with `paths`."""
        return self.collect({"VirtualMachine": list(paths)})

    def vm(self, name: str) -> Ref | None:
        """The VM called `name` (None if there is none; an error if there are several)."""
        found = [r for r, p in self.vms().items() if p.get("name") == name]
        assert len(found) <= 1, f"{len(found)} VMs are named {name}"
        return found[0] if found else None

    def props(self, ref: Ref, paths=STATE_PATHS) -> dict:
        """The paths of one object (those the server has no value for are absent)."""
        spec = vmodl.query.PropertyCollector.ObjectSpec(obj=self._mo(ref), skip=False)
        return self._retrieve([spec], {ref.type: paths}).get(ref, {})

    def snapshot(self) -> dict:
        """The state of every VM: what check mode must leave exactly as it was."""
        return {r.value: p for r, p in self.vms(STATE_PATHS).items()}

    def tasks(self) -> dict[str, tuple]:
        """TaskManager.recentTask: task id -> (name, descriptionId, entity id)."""
        manager = self.content.taskManager
        refs = self.props(plain(manager), ["recentTask"]).get("recentTask") or []
        if not refs:
            return {}
        specs = [vmodl.query.PropertyCollector.ObjectSpec(obj=self._mo(r)) for r in refs]
        rows = self._retrieve(specs, {"Task": ["info.name", "info.descriptionId", "info.entity"]})
        return {
            r.value: (
                p.get("info.name"),
                p.get("info.descriptionId"),
                (p.get("info.entity") or r).value,
            )
            for r, p in rows.items()
        }

    def names(self, type_name: str) -> dict[Ref, str]:
        return {r: p["name"] for r, p in self.collect({type_name: ["name"]}).items()}

    def call(self, ref: Ref, method: str, **args):
        """A method of the object `ref` (Ref arguments become managed objects); plain result."""
        args = {k: self._mo(v) if isinstance(v, Ref) else v for k, v in args.items()}
        return plain(getattr(self._mo(ref), method)(**args))

    def task(self, ref: Ref, method: str, **args):
        """Run a *_Task method and wait for it; its result, plain."""
        args = {k: self._mo(v) if isinstance(v, Ref) else v for k, v in args.items()}
        task = getattr(self._mo(ref), method)(**args)
        WaitForTask(task)
        return plain(task.info.result)

    def set_tools_running(self, ref: Ref) -> None:
        """Make the simulator report running VMware Tools for one VM (its SET.* extraConfig)."""
        values = {
            "SET.guest.toolsStatus": "toolsOk",
            "SET.guest.toolsRunningStatus": "guestToolsRunning",
        }
        spec = vim.vm.ConfigSpec(
            extraConfig=[vim.option.OptionValue(key=k, value=v) for k, v in values.items()]
        )
        self.task(ref, "ReconfigVM_Task", spec=spec)

    def power(self, ref: Ref) -> str:
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
