"""esx_vm_snapshot's runner: create, remove, revert, rename one snapshot of one VM.

run() reads the VM's snapshot tree once, plans the one call the request needs (with the tree
it predicts), and hands the plan to apply(), the only step check mode skips.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vi.collector import get_one
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, PartialFailure, TaskFailed, TaskTimeout, ViError
from ..vi.find import escape, not_found, unescape
from ..vi.tasks import wait_for_task
from ..vi.values import moid
from . import snapshot_tree as st
from .identify import datacenter_of, find_vm
from .request import VmIdentity

STATES = ("present", "absent", "reverted")
WHICH = ("snapshot_name", "snapshot_path", "snapshot_id")
_VM_PATHS = ["name", "snapshot", "runtime.powerState", "guest.toolsRunningStatus"]


@dataclass(frozen=True)
class SnapshotRequest:
    """One esx_vm_snapshot run, built once from the module's options."""

    identity: VmIdentity
    state: str = "present"
    snapshot_name: str | None = None
    snapshot_path: str | None = None
    snapshot_id: str | None = None
    description: str | None = None
    memory: bool = False
    quiesce: bool = False
    remove_children: bool = False
    consolidate: bool = True
    remove_all: bool = False
    current: bool = False
    suppress_power_on: bool = False
    new_snapshot_name: str | None = None
    new_description: str | None = None
    wait_timeout: float = 3600.0
    check_mode: bool = False

    def which(self) -> tuple[str, str] | None:
        """(option, value) of the one option that names the snapshot, or None."""
        given = [(o, getattr(self, o)) for o in WHICH if getattr(self, o) is not None]
        if len(given) > 1:
            raise InvalidArgument(
                f"{', '.join(option for option, _value in given)}: give only one of them"
            )
        return given[0] if given else None

    def validate(self) -> None:
        """Refuse bad values and combinations: errors name the option and the value."""
        if self.state not in STATES:
            raise InvalidArgument(f"state: '{self.state}' is not one of {', '.join(STATES)}")
        which = self.which()
        for option, value in (("snapshot_name", self.snapshot_name),
                              ("new_snapshot_name", self.new_snapshot_name),
                              ("snapshot_id", self.snapshot_id)):  # fmt: skip
            if value is not None and not value.strip():
                raise InvalidArgument(f"{option}: '{value}' is empty")
        if self.snapshot_id is not None and self.snapshot_id != self.snapshot_id.strip():
            # an id (a moid, or its number) has no spaces: a padded one would match nothing
            raise InvalidArgument(f"snapshot_id: '{self.snapshot_id}' has spaces around it")
        if self.snapshot_path is not None:
            st.split_path(self.snapshot_path)
        _only_with(self.remove_all, "remove_all", self.state == "absent" and not which,
                   "is only for state absent without snapshot_name, snapshot_path or snapshot_id")  # fmt: skip
        _only_with(self.current, "current", self.state == "reverted" and not which,
                   "is only for state reverted without snapshot_name, snapshot_path or snapshot_id")  # fmt: skip
        for option, given, state in (("memory", self.memory, "present"),
                                     ("quiesce", self.quiesce, "present"),
                                     ("description", self.description is not None, "present"),
                                     ("remove_children", self.remove_children, "absent"),
                                     ("consolidate: false", not self.consolidate, "absent"),
                                     ("suppress_power_on", self.suppress_power_on, "reverted")):  # fmt: skip
            # asked for, it would not happen in another state: say so rather than ignore it
            _only_with(given, option, self.state == state, f"is only for state {state}")
        _only_with(self.remove_children, "remove_children", not self.remove_all,
                   "removes the children of one snapshot; remove_all removes every snapshot")  # fmt: skip
        renames = self.new_snapshot_name is not None or self.new_description is not None
        _only_with(renames, "new_snapshot_name/new_description", self.state == "present",
                   "is only for state present")  # fmt: skip
        if not which and not self.remove_all and not self.current:
            extra = {"absent": " (or remove_all)", "reverted": " (or current)"}.get(self.state, "")
            raise InvalidArgument(
                f"state {self.state}: one of snapshot_name, snapshot_path or snapshot_id{extra} "
                "is required"
            )


def _only_with(given: bool, option: str, allowed: bool, rule: str) -> None:
    if given and not allowed:
        raise InvalidArgument(f"{option}: {rule}")


@dataclass(frozen=True)
class Step:
    """The one call a plan makes: what it does (in messages), on which object, with what."""

    what: str
    obj: MoRef
    method: str
    args: dict
    is_task: bool = True


@dataclass
class Plan:
    """The VM, its tree now and as predicted, the snapshot meant (predicted), and the step."""

    vm: MoRef
    vm_name: str
    before: list
    after: list
    snapshot: dict | None = None
    step: Step | None = None
    current_moid: str | None = None
    before_moid: str | None = None

    def diff(self, current: dict | None = None) -> dict:
        """The tree and the current snapshot before and after (`current`: the one after, when
        the tree cannot give it - a new snapshot predicted in check mode has no id)."""
        after = current if current is not None else st.current(self.after, self.current_moid)
        return {
            "before": {"snapshots": self.before,
                       "current_snapshot": st.current(self.before, self.before_moid)},
            "after": {"snapshots": self.after, "current_snapshot": after},
        }  # fmt: skip


def read(client, vm: MoRef) -> dict:
    """The VM's name, snapshot info and power state: one read."""
    return get_one(client, vm, _VM_PATHS)


def plan(client, request: SnapshotRequest) -> Plan:
    """Read the VM's tree; the step (if any) and the tree it leaves."""
    vm = find_vm(client, request.identity, datacenter_of(client, request.identity))
    props = read(client, vm)
    info = props.get("snapshot")
    nodes = st.tree(info)
    base = Plan(vm, unescape(props.get("name")) or vm.value, nodes, nodes,
                current_moid=st.current_id(info), before_moid=st.current_id(info))  # fmt: skip
    if request.state == "absent":
        return _plan_absent(base, request)
    if request.state == "reverted":
        return _plan_revert(base, request)
    return _plan_present(base, request, props)


def _target(planned: Plan, request: SnapshotRequest, which=None) -> dict | None:
    """The node the request names (None: none), an error when the name is ambiguous."""
    option, value = which or request.which()
    if option == "snapshot_id":
        return st.find_id(planned.before, value)
    if option == "snapshot_path":
        return st.find_path(planned.before, value)
    return st.find_name(planned.before, value)


def _plan_absent(planned: Plan, request: SnapshotRequest) -> Plan:
    if request.remove_all:
        if planned.before:
            planned.after, planned.current_moid = [], None
            planned.step = Step(f"removing every snapshot of VM '{planned.vm_name}'", planned.vm,
                                "RemoveAllSnapshots_Task", {"consolidate": request.consolidate})  # fmt: skip
        return planned
    node = _target(planned, request)
    if node is None:
        return planned
    planned.after = st.removed(planned.before, node["id"], request.remove_children)
    gone = {n["id"] for n in st.walk([node])} if request.remove_children else {node["id"]}
    if planned.current_moid in gone:  # the server makes the parent current
        planned.current_moid = _parent_id(planned.before, node["id"])
    args = {"removeChildren": request.remove_children, "consolidate": request.consolidate}
    planned.step = Step(f"removing snapshot '{node['path']}' of VM '{planned.vm_name}'",
                        _ref(node), "RemoveSnapshot_Task", args)  # fmt: skip
    return planned


def _plan_revert(planned: Plan, request: SnapshotRequest) -> Plan:
    suppress = {"suppressPowerOn": request.suppress_power_on}
    if request.current:
        node = st.find_id(planned.before, planned.current_moid) if planned.current_moid else None
        if node is None:
            raise NotFound(f"current: VM '{planned.vm_name}' has no current snapshot")
        planned.step = Step(f"reverting VM '{planned.vm_name}' to its current snapshot",
                            planned.vm, "RevertToCurrentSnapshot_Task", suppress)  # fmt: skip
    else:
        option, value = request.which()
        node = st.require(_target(planned, request), option, value, planned.vm_name)
        planned.step = Step(f"reverting VM '{planned.vm_name}' to snapshot '{node['path']}'",
                            _ref(node), "RevertToSnapshot_Task", suppress)  # fmt: skip
    planned.snapshot, planned.current_moid = node, node["id"]
    return planned


def _plan_present(planned: Plan, request: SnapshotRequest, props: dict) -> Plan:
    option, value = request.which()
    node = _target(planned, request)
    if node is None and request.new_snapshot_name is not None and option != "snapshot_id":
        node = _already_renamed(planned, request, option, value)
    if node is not None:
        return _plan_update(planned, request, node)
    if option == "snapshot_id" or request.new_snapshot_name is not None:
        raise not_found("snapshot", value, f"VM '{planned.vm_name}'", option)
    return _plan_create(planned, request, option, value, props)


def _already_renamed(planned: Plan, request: SnapshotRequest, option: str, value: str):
    """The snapshot under its new name when a rename already happened (None: not found)."""
    if option == "snapshot_path":
        parent = st.split_path(value)[:-1]
        path = "/".join([escape(p) for p in parent] + [escape(request.new_snapshot_name)])
        return st.find_path(planned.before, path, "new_snapshot_name")
    return st.find_name(planned.before, request.new_snapshot_name, "new_snapshot_name")


def _plan_update(planned: Plan, request: SnapshotRequest, node: dict) -> Plan:
    """Rename or re-describe an existing snapshot (nothing to do: no step)."""
    args = {}
    new_name = request.new_snapshot_name
    if new_name is not None and new_name != node["name"]:
        _refuse_clash(planned, node, new_name, by_name=request.which()[0] == "snapshot_name")
        args["name"] = escape(new_name)
    description = (
        request.new_description if request.new_description is not None else request.description
    )
    # vSphere keeps the old description when the new one is empty: an empty one is not managed.
    if description and description != node["description"]:
        args["description"] = description
    planned.snapshot = node
    if args:
        planned.after = st.renamed(planned.before, node["id"], new_name, args.get("description"))
        planned.snapshot = st.find_id(planned.after, node["id"])
        planned.step = Step(f"renaming snapshot '{node['path']}' of VM '{planned.vm_name}'",
                            _ref(node), "RenameSnapshot", args, is_task=False)  # fmt: skip
    return planned


def _refuse_clash(planned: Plan, node: dict, new_name: str, by_name: bool) -> None:
    """A sibling of that name would give two snapshots one path. Addressed by snapshot_name,
    the new name must be unique in the whole tree too: the next run finds the renamed snapshot
    by its new name (the old one is gone), and two of that name would be ambiguous."""
    parent = node["path"].rpartition("/")[0]
    path = f"{parent}/{escape(new_name)}" if parent else escape(new_name)
    other = st.find_path(planned.before, path, "new_snapshot_name")
    hint = ""
    if other is None and by_name:
        other = next((n for n in st.walk(planned.before) if n["name"] == new_name), None)
        hint = " (give snapshot_path or snapshot_id to rename it to a name used elsewhere)"
    if other is not None and other["id"] != node["id"]:
        raise InvalidArgument(
            f"new_snapshot_name: VM '{planned.vm_name}' already has a snapshot '{new_name}' "
            f"({other['path']}); snapshot '{node['path']}' is not renamed{hint}"
        )


def _plan_create(planned: Plan, request: SnapshotRequest, option, value, props: dict) -> Plan:
    """A new snapshot, below the current one (where vSphere puts it)."""
    current = st.find_id(planned.before, planned.current_moid) if planned.current_moid else None
    name = value
    if option == "snapshot_path":
        parts = st.split_path(value)
        name, parent = parts[-1], "/".join(escape(p) for p in parts[:-1])
        here = current["path"] if current else ""
        if parent != here:
            raise InvalidArgument(
                f"snapshot_path: '{value}' cannot be created: vSphere creates a snapshot below "
                f"the current one ({here or 'none'}); {_how_to_create(planned, parent)}"
            )
    state, quiesced = captured(props, request.memory, request.quiesce)
    # new_description overrides description here too: else the next run would change it.
    description = (
        request.new_description if request.new_description is not None else request.description
    ) or ""
    planned.after, planned.snapshot = st.created(
        planned.before, current, name, description, state, quiesced
    )
    args = {"name": escape(name), "description": description,
            "memory": request.memory, "quiesce": request.quiesce}  # fmt: skip
    planned.step = Step(f"creating snapshot '{planned.snapshot['path']}' of VM '{planned.vm_name}'",
                        planned.vm, "CreateSnapshot_Task", args)  # fmt: skip
    return planned


def _how_to_create(planned: Plan, parent: str) -> str:
    """What makes a path creatable: a revert to its parent, when there is one to revert to."""
    if not parent:
        return "a snapshot at the top can only be made while the VM has no current snapshot"
    if st.find_path(planned.before, parent) is None:
        return f"'{parent}' is not a snapshot of VM '{planned.vm_name}'"
    return f"revert to '{parent}' first"


def captured(props: dict, memory: bool, quiesce: bool) -> tuple[str, bool]:
    """The state a new snapshot records, and whether it is quiesced (CreateSnapshot_Task: without
    memory "the power state of the snapshot is set to powered off" (a suspended VM's memory is
    always included); quiesce is "ignored" unless the VM is on with VMware Tools running)."""
    power = props.get("runtime.powerState")
    state = "poweredOff" if power == "poweredOn" and not memory else power
    running = props.get("guest.toolsRunningStatus") == "guestToolsRunning"
    return st.POWER_STATES.get(state, state), quiesce and power == "poweredOn" and running


def _parent_id(nodes: list[dict], moid: str) -> str | None:
    parent = next((n for n in st.walk(nodes) if any(c["id"] == moid for c in n["children"])), None)
    return parent["id"] if parent else None


def _ref(node: dict) -> MoRef:
    return MoRef("VirtualMachineSnapshot", node["id"])


# ------------------------------------------------------------------ apply and run


def apply(client, planned: Plan, timeout: float) -> str | None:
    """Make the plan's call and wait for its task; the new snapshot's moid when it made one."""
    step = planned.step
    try:
        result = client.call(step.obj, step.method, **step.args)
        if step.is_task:
            result = wait_for_task(client, result, timeout)
    except TaskTimeout as e:
        raise PartialFailure(
            f"{step.what}: the task {e.task} is still running on the server "
            f"(gave up waiting after {timeout:g}s)",
            e, changed=True, task=e.task, diff=planned.diff(),
        ) from None  # fmt: skip
    return moid(result)


def _failed_after(client, planned: Plan, error: TaskFailed) -> None:
    """A task that failed may still have changed the tree (a removal whose consolidation fails
    after the snapshot is gone): then the run changed something, and says what it left."""
    try:
        info = read(client, planned.vm).get("snapshot")
    except ViError:
        return  # the failure stands as it is; nothing shows a change
    tree, current_moid = st.tree(info), st.current_id(info)
    if tree == planned.before and current_moid == planned.before_moid:
        return
    planned.after, planned.current_moid = tree, current_moid
    raise PartialFailure(
        f"{planned.step.what}: the task {error.task} failed ({error.fault}), but the VM's "
        "snapshot tree changed; see snapshots",
        error, changed=True, task=error.task, diff=planned.diff(), snapshots=tree,
        current_snapshot=st.current(tree, current_moid), snapshot_count=st.count(tree),
    ) from None  # fmt: skip


def run(client, request: SnapshotRequest) -> dict:
    """The module's result: changed, diff, the snapshot meant and the VM's tree."""
    planned = plan(client, request)
    tree, current_moid, snapshot = planned.after, planned.current_moid, planned.snapshot
    if planned.step and not request.check_mode:
        try:
            made = apply(client, planned, request.wait_timeout)
        except TaskFailed as e:
            _failed_after(client, planned, e)
            raise
        try:
            info = read(client, planned.vm).get("snapshot")
        except ViError as e:
            raise PartialFailure(f"{planned.step.what}: done, but the tree did not read back",
                                 e, changed=True) from None  # fmt: skip
        tree, current_moid = st.tree(info), st.current_id(info)
        moid = made or (snapshot or {}).get("id")
        snapshot = st.find_id(tree, moid) if moid else None
    current = st.current(tree, current_moid)
    if request.check_mode and planned.step and planned.step.method == "CreateSnapshot_Task":
        current = {k: snapshot[k] for k in ("name", "path", "id")}  # the new one, not made yet
    if request.state == "absent":
        snapshot = None
    planned.after, planned.current_moid = tree, current_moid
    return {
        "changed": planned.step is not None,
        "diff": planned.diff(current),
        "snapshot": snapshot,
        "snapshots": tree,
        "current_snapshot": current,
        "snapshot_count": st.count(tree),
    }
