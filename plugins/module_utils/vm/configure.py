"""The reads behind esx_vm's configuration options that one plan cannot make alone: a new VM's
boot order and vApp properties (set once the VM exists, as the boot order names devices by the
keys the server gives them), and what `hardware_version: latest` is on the VM's host.
"""

from __future__ import annotations

from ..vi.collector import get_one
from ..vi.envelope import MoRef
from . import hardware, spec, vapp
from .config_options import ConfigOptions


def new_vm_spec(client, ref: MoRef, want: dict) -> dict:
    """The ReconfigVM_Task spec right after creation: boot order (the first disk and NIC by
    their keys) and vApp properties."""
    props = get_one(client, ref, ["config.hardware.device", "config.bootOptions"])
    config = {"_type": "VirtualMachineConfigSpec"}
    if want.get("boot_order"):
        devices = props.get("config.hardware.device") or []
        boot = {**(props.get("config.bootOptions") or {}), "_type": "VirtualMachineBootOptions"}
        config["bootOptions"] = {
            **boot,
            "bootOrder": hardware.boot_order(want["boot_order"], devices),
        }
    if want.get("vapp_properties"):
        config["vAppConfig"] = vapp.updates(want["vapp_properties"], {})
    return config


def latest(client, props: dict, facts: dict) -> str:
    """The newest hardware version the VM's host upgrades to; the VM's own when that is newer."""
    host = props.get("runtime.host")
    where = f"host '{facts.get('host') or (host.value if host else '?')}'"
    newest = ConfigOptions(client, props.get("environmentBrowser"), host, where).latest(False)
    have = spec.version_number(facts.get("hardware_version"))
    return facts["hardware_version"] if have and have >= spec.version_number(newest) else newest
