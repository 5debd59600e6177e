"""esx_vm with `template`: one CloneVM_Task makes the new VM.

Its VirtualMachineCloneSpec carries the placement (RelocateSpec: pool, host, datastore, and
diskMoveType for a linked clone), the changes the other options ask for relative to the
source (its `config`, planned by vm/spec.py as for an existing VM), the customization
(vm/customization.py), `template` and `powerOn`. Called by vm/lifecycle.py only for a VM that
does not exist; the result and the steps are a runplan.RunPlan, so check mode runs nothing.
"""

from __future__ import annotations

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, fault
from ..vi.find import escape, find_datacenter, find_vm_by_name, in_datacenter, split_path
from ..vi.tasks import wait_for_task
from . import customization as cust
from . import snapshot_tree, spec
from .attach_check import check_attached
from .clone_place import place_clone
from .config_options import ConfigOptions
from .create import describe, new_vm_failed
from .facts import gather_one
from .provision import check_waits, wait_steps
from .request import VmRequest
from .runplan import RunPlan, Step, make_result

LINKED = "createNewChildDiskBacking"


def needs_vcenter(client) -> InvalidArgument:
    """The error for a clone asked of a standalone ESXi host (the server said what it is)."""
    kind = client.about.get("apiType") or "HostAgent"
    return InvalidArgument(
        f"template: cloning needs vCenter; {client.hostname} is a standalone ESXi host "
        f"(apiType {kind}), which has no CloneVM_Task"
    )


def plan(client, request: VmRequest, want: dict) -> RunPlan:
    """The clone of a VM that does not exist yet: the result and the CloneVM_Task step."""
    name, state, clone = request.identity.name, request.state, request.clone
    if client.about.get("apiType") == "HostAgent":
        raise needs_vcenter(client)
    if state not in ("present", "powered_on", "powered_off"):
        raise NotFound(f"VM '{name}' not found; state {state} needs an existing VM")
    if clone.linked_clone and not clone.snapshot_src:
        raise InvalidArgument(
            "linked_clone: a linked clone is made from a snapshot of the source (its disks "
            "become the parents of the clone's); set snapshot_src"
        )
    if clone.is_template and state == "powered_on":
        raise InvalidArgument("is_template: a template cannot be powered on (state: powered_on)")
    check_waits(request, "powered_on" if state == "powered_on" else "powered_off", name)
    ref, props, facts = _source(client, request)
    where = place_clone(client, request.placement, facts, props)
    if facts["datacenter"] != where.datacenter:
        raise InvalidArgument(
            f"template: '{clone.template}' is in datacenter '{facts['datacenter']}', the new VM "
            f"in '{where.datacenter}'; a template is used in its own datacenter"
        )
    if want["hardware_version"] == "latest":  # the newest the clone's host offers
        options = ConfigOptions(client, where.browser, where.host, where.where)
        want = dict(want, hardware_version=options.latest(creating=False))
    config = spec.plan(want, dict(facts, template=False), props, where.catalog, powered_on=False)
    check_attached(client, where.catalog, config.devices, want["disks"])
    nics = max(len(facts["nics"]), len(want["networks"] or []))
    clone_spec = _clone_spec(client, request, want, config, props, where, facts, nics)
    after = _after(request, facts, props, config, where)
    return _run_plan(client, request, ref, clone_spec, config, where, after)


def _source(client, request: VmRequest) -> tuple[MoRef, dict, dict]:
    """The template or VM to clone: by name, or by inventory path ('/DC0/vm/tpl/rhel9')."""
    template = request.clone.template
    dc_name = request.placement.datacenter
    datacenter = find_datacenter(client, dc_name, option="datacenter") if dc_name else None
    folder, name = None, template
    if "/" in template.strip("/"):
        parts = split_path(template)
        folder, name = "/" + "/".join(escape(p) for p in parts[:-1]), parts[-1]
    where = in_datacenter(dc_name)
    ref = find_vm_by_name(client, name, folder, datacenter, where=where, option="template")
    props, facts = gather_one(client, ref, (*spec.EXTRA_PATHS, "snapshot"))
    return ref, props, facts


def _clone_spec(client, request, want, config, props, where, facts, nics: int) -> dict:
    clone = request.clone
    location = {
        "_type": "VirtualMachineRelocateSpec",
        "datastore": where.catalog.datastore(where.datastore, "datastore"),
        "diskMoveType": LINKED if clone.linked_clone else None,
        "pool": where.pool,
        "host": where.host,
    }
    return {
        "_type": "VirtualMachineCloneSpec",
        "location": location,
        "template": bool(clone.is_template),
        "config": config.config_spec(),
        "customization": _customization(client, clone, want, facts, nics),
        "powerOn": request.state == "powered_on" and not config.upgrade,
        "snapshot": _snapshot(clone.snapshot_src, props, facts) if clone.snapshot_src else None,
    }


def _customization(client, clone, want: dict, facts: dict, count: int) -> dict | None:
    cust.check_named(clone.customization, clone.customization_spec)
    if clone.customization_spec:
        return cust.named_spec(client, clone.customization_spec)
    if clone.customization is None:
        return None
    listed = want["networks"] or []
    nics = [listed[i] if i < len(listed) else None for i in range(count)]
    guest = want["guest_id"] or facts["guest_id"]
    return cust.inline_spec(clone.customization, nics, guest)


def _snapshot(value: str, props: dict, facts: dict) -> MoRef:
    nodes = snapshot_tree.tree(props.get("snapshot"))
    # esx_vm names a snapshot by name or path only: twins of one parent are told apart by
    # renaming one (esx_vm_snapshot, by its snapshot_id)
    twins = "where two have one path, rename one of them with esx_vm_snapshot"
    if "/" in value:
        node = snapshot_tree.find_path(
            nodes, value, "snapshot_src", f"a path no other has ({twins})"
        )
    else:
        node = snapshot_tree.find_name(
            nodes, value, "snapshot_src", f"its path (like base/patched; {twins})"
        )
    node = snapshot_tree.require(node, "snapshot_src", value, facts["name"])
    return MoRef("VirtualMachineSnapshot", node["id"])


def _after(request: VmRequest, facts: dict, props: dict, config, where) -> dict:
    """The diff's after: the VM as it will be made, and where it comes from."""
    clone = request.clone
    after = {"name": request.identity.name, **spec.project(facts, spec.MANAGED), **config.after}
    _made_anew(after, facts, props, where.datastore)
    after["power_state"] = "powered_on" if request.state == "powered_on" else "powered_off"
    after["template"] = bool(clone.is_template)
    source = {"template": clone.template, "moid": facts["moid"], "snapshot": clone.snapshot_src,
              "linked_clone": clone.linked_clone}  # fmt: skip
    after["source"] = source
    after["folder"] = where.folder_path
    after["host"] = where.catalog.label(where.host) if where.host else None
    after["resource_pool"] = where.catalog.label(where.pool)
    after["datastore"] = where.datastore
    if clone.customization_spec:
        after["customization_spec"] = clone.customization_spec
    elif clone.customization:
        after["customization"] = cust.shown(clone.customization, request.config.networks)
    return after


def _made_anew(after: dict, facts: dict, props: dict, datastore: str | None) -> None:
    """The clone's disk files and generated MAC addresses are new ones the server picks, so the
    diff shows them unknown (null) as for a new VM, not the source's; its disks go to the
    clone's datastore. A manual MAC address is kept by the clone."""
    files = {d["file"] for d in facts["disks"] if d.get("file")}
    devices = props.get("config.hardware.device") or []
    manual = {d.get("macAddress") for d in devices if d.get("addressType") == "manual"}
    macs = {n["mac_address"] for n in facts["nics"] if n["mac_address"] not in manual}
    after["disks"] = [
        dict(d, file=None, datastore=datastore or d["datastore"]) if d.get("file") in files else d
        for d in after.get("disks") or []
    ]
    after["nics"] = [
        dict(n, mac_address=None) if n.get("mac_address") in macs else n
        for n in after.get("nics") or []
    ]


def _run_plan(client, request: VmRequest, source: MoRef, clone_spec, config, where, after):
    name = request.identity.name
    made: list[MoRef] = []

    def clone() -> None:
        try:
            task = client.call(source, "CloneVM_Task", folder=where.folder, name=escape(name),
                               spec=clone_spec)  # fmt: skip
        except fault("NotSupported"):
            raise needs_vcenter(client) from None
        made.append(wait_for_task(client, task, request.wait_timeout))

    def task(method: str, **args):
        return lambda: wait_for_task(client, client.call(made[0], method, **args),
                                     request.wait_timeout)  # fmt: skip

    steps = [Step("created", clone)]
    if config.upgrade:
        steps.append(Step("upgrade", task("UpgradeVM_Task", version=config.upgrade)))
        if request.state == "powered_on":
            steps.append(Step("power_on", task("PowerOnVM_Task")))
    steps += wait_steps(client, request, lambda: made[0], name)

    def message(error, _done: list) -> str:
        return (
            f"VM '{name}' was created ({made[0].value}) from '{request.clone.template}', "
            f"then: {describe(error)}"
        )

    failed = new_vm_failed(client, name, made, where, message)
    result = make_result(True, None, ["created"], {}, after)
    return RunPlan(result, steps, failed, lambda: gather_one(client, made[0])[1])
