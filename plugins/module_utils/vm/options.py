"""esx_vm's options, shared with esx_vm_fleet (one VM per entry of its `vms`).

The argument spec as plain dicts (no Ansible import here, as vm/identify.py's IDENTITY_ARGS).
A module file cannot import another, so both modules take the spec from here and cannot drift
apart; each builds its VmRequest with module.typed_request (the option values are read only
in module files and module.py).
"""

from __future__ import annotations

from .identify import IDENTITY_ARGS

STATES = ["present", "absent", "powered_on", "powered_off", "suspended", "restarted",
          "shutdown_guest", "reboot_guest"]  # fmt: skip
CONTROLLERS = ["paravirtual", "lsilogic", "lsilogic_sas", "buslogic", "nvme", "sata", "ide"]
DISK = {
    "size_gb": {"type": "float"}, "size_mb": {"type": "int"},
    "type": {"type": "str", "choices": ["thin", "thick", "eager_zeroed"]},
    "datastore": {"type": "str"},
    "mode": {"type": "str", "choices": ["persistent", "independent_persistent", "independent_nonpersistent"]},
    # devices: placement, attach, I/O allocation, removal
    "controller": {"type": "str", "choices": CONTROLLERS}, "controller_number": {"type": "int"},
    "unit_number": {"type": "int"}, "filename": {"type": "str"}, "shares": {"type": "str"},
    "iops_limit": {"type": "int"}, "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "destroy": {"type": "bool", "default": False},
}  # fmt: skip
NIC = {
    "name": {"type": "str", "required": True},
    "device_type": {"type": "str", "choices": ["vmxnet3", "e1000e", "e1000", "vmxnet2", "sriov"]},
    "connected": {"type": "bool"}, "start_connected": {"type": "bool"}, "mac_address": {"type": "str"},
    "ip": {"type": "str"}, "netmask": {"type": "str"}, "gateway": {"type": "str"},
    "dvswitch": {"type": "str"}, "physical_function": {"type": "str"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}  # fmt: skip
CDROM = {
    "type": {"type": "str", "choices": ["iso", "client"]},
    "iso_path": {"type": "str"}, "connected": {"type": "bool"},
}  # fmt: skip
# Provisioning: template, customization, waits, templates (vm/clone.py, vm/provision.py).
WINDOWS = {
    "password": {"type": "str", "no_log": True}, "org": {"type": "str"}, "full_name": {"type": "str"},
    "product_key": {"type": "str", "no_log": True}, "workgroup": {"type": "str"},
    "join_domain": {"type": "str"}, "domain_admin": {"type": "str"},
    "domain_admin_password": {"type": "str", "no_log": True},
    "run_once": {"type": "list", "elements": "str"}, "auto_logon": {"type": "bool"},
    "auto_logon_count": {"type": "int"},
}  # fmt: skip
CUSTOMIZATION = {
    "hostname": {"type": "str"}, "domain": {"type": "str"},
    "dns_servers": {"type": "list", "elements": "str"}, "dns_suffix": {"type": "list", "elements": "str"},
    "timezone": {"type": "str"},
    "linux": {"type": "dict", "options": {"hw_clock_utc": {"type": "bool"}, "script_text": {"type": "str"}}},
    "windows": {"type": "dict", "options": WINDOWS},
    "existing_vm": {"type": "bool", "default": False},
}  # fmt: skip
PROVISIONING = dict(
    template={"type": "str"}, snapshot_src={"type": "str"},
    linked_clone={"type": "bool", "default": False},
    customization={"type": "dict", "options": CUSTOMIZATION}, customization_spec={"type": "str"},
    wait_for={"type": "list", "elements": "str", "choices": ["customization", "tools", "ip"]},
    is_template={"type": "bool"},
)  # fmt: skip
CDROMS = {
    "type": {"type": "str", "choices": ["iso", "client", "none"]}, "iso_path": {"type": "str"},
    "controller": {"type": "str", "choices": ["ide", "sata"]}, "controller_number": {"type": "int"},
    "unit_number": {"type": "int"}, "connected": {"type": "bool"}, "start_connected": {"type": "bool"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}  # fmt: skip
ARGS = dict(
    IDENTITY_ARGS,
    state={"type": "str", "choices": STATES, "default": "present"},
    new_name={"type": "str"},
    force={"type": "bool", "default": False},
    allow_power_cycle={"type": "bool", "default": False},
    guest_timeout={"type": "int", "default": 300},
    wait_timeout={"type": "int", "default": 3600},
    host={"type": "str"}, cluster={"type": "str"}, resource_pool={"type": "str"},
    datastore={"type": "str"}, guest_id={"type": "str"}, num_cpus={"type": "int"},
    cores_per_socket={"type": "int"}, memory_mb={"type": "int"},
    hardware_version={"type": "str"}, annotation={"type": "str"},
    disks={"type": "list", "elements": "dict", "options": DISK,
           "mutually_exclusive": [("size_gb", "size_mb")]},
    networks={"type": "list", "elements": "dict", "options": NIC},
    cdrom={"type": "dict", "options": CDROM, "required_if": [("type", "iso", ["iso_path"])],
           "removed_in_version": "2.0.0", "removed_from_collection": "viapi.esx"},
    cdroms={"type": "list", "elements": "dict", "options": CDROMS,
            "required_if": [("type", "iso", ["iso_path"])]},
    firmware={"type": "str", "choices": ["bios", "efi"]}, secure_boot={"type": "bool"},
    boot_order={"type": "list", "elements": "str", "choices": ["disk", "cdrom", "network", "floppy"]},
    boot_delay_ms={"type": "int"}, enter_bios_setup={"type": "bool"}, boot_retry_delay_ms={"type": "int"},
    cpu_hot_add={"type": "bool"}, cpu_hot_remove={"type": "bool"}, memory_hot_add={"type": "bool"},
    nested_virtualization={"type": "bool"}, cpu_reservation_mhz={"type": "int"},
    cpu_limit_mhz={"type": "int"}, cpu_shares={"type": "raw"}, memory_reservation_mb={"type": "int"},
    memory_reservation_locked={"type": "bool"}, memory_limit_mb={"type": "int"},
    memory_shares={"type": "raw"}, extra_config={"type": "dict"},
    vapp_properties={"type": "list", "elements": "dict", "options": {
        "id": {"type": "str", "required": True}, "value": {"type": "raw"}, "type": {"type": "str"},
        "label": {"type": "str"}, "default": {"type": "raw"}}},
    custom_attributes={"type": "dict"}, create_custom_attributes={"type": "bool", "default": False},
    answers={"type": "dict"},
    **PROVISIONING,
)  # fmt: skip
# The options that are seconds and must be above zero.
POSITIVE = ("wait_timeout", "guest_timeout")
