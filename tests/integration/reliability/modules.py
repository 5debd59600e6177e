"""The modules under test, each with success and failure runs and a table of bad input.

Every module in plugins/modules must have an entry (test_bad_input checks that), so a new module
is covered by the secrets sweep, the session-leak count and the bad-input table from the start.

Strings may hold "{n}": it is replaced by a per-run token, so runs that create things do not
collide. The default simulator model (vcsim VPX) is assumed: DC0, hosts DC0_H0 and
DC0_C0_H0..2, datastore LocalDS_0, VMs DC0_H0_VM0/1 and DC0_C0_RP0_VM0/1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MODULES_DIR = Path(__file__).resolve().parents[3] / "plugins" / "modules"


@dataclass(frozen=True)
class Case:
    """One run: its arguments, and either the option the failure must name or None (success)."""

    id: str
    args: dict
    option: str | None = None


@dataclass(frozen=True)
class ModuleSpec:
    """How to run one module well, how to make it fail on the server, and its bad input."""

    success: list = field(default_factory=list)  # args dicts
    failure: list = field(default_factory=list)  # args dicts that fail after login
    bad: list = field(default_factory=list)  # Cases
    check_mode: bool = False  # run success args in check mode (they would change the model)


def fill(value, n: str):
    """`value` with "{n}" replaced by `n` in every string."""
    if isinstance(value, str):
        return value.replace("{n}", n)
    if isinstance(value, dict):
        return {k: fill(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, n) for v in value]
    return value


# Options every module has (the connection), and how to get them wrong.
CONNECTION_BAD = [
    Case("port-not-int", {"port": "https"}, "port"),
    Case("timeout-negative", {"timeout": -5}, "timeout"),
    Case("timeout-not-int", {"timeout": "soon"}, "timeout"),
    Case("validate-certs-not-bool", {"validate_certs": "maybe"}, "validate_certs"),
    Case("unknown-option", {"bogus_option": 1}, "bogus_option"),
    Case("ca-path-missing-file", {"ca_path": "/nonexistent/ca.pem"}, "ca_path"),
]
ODD_NAME = "ü/名 a%2fb\\c"  # unicode, a slash, an escaped slash, a backslash

VM_CREATE = {"name": "rel-{n}", "guest_id": "otherGuest", "memory_mb": 64, "host": "DC0_H0"}

MODULES: dict[str, ModuleSpec] = {
    "esx_about_info": ModuleSpec(success=[{}]),
    "esx_vm_snapshot": ModuleSpec(
        success=[
            {"name": "DC0_H0_VM1", "snapshot_name": "rel-{n}", "state": "present"},
            {"name": "DC0_H0_VM1", "snapshot_name": "rel-{n}", "state": "absent"},
        ],
        failure=[{"moid": "vm-424242", "snapshot_name": "s", "state": "present"}],
        bad=[
            Case(
                "state-unknown-choice",
                {"name": "x", "snapshot_name": "s", "state": "kept"},
                "state",
            ),
            Case("no-identifier", {"snapshot_name": "s"}, "name"),
            Case(
                "timeout-zero",
                {"name": "x", "snapshot_name": "s", "wait_timeout": 0},
                "wait_timeout",
            ),
            Case("name-odd", {"name": ODD_NAME, "snapshot_name": "s"}, "name"),
        ],
    ),
    "esx_vm_info": ModuleSpec(
        success=[{}, {"name": "DC0_H0_VM0"}],
        failure=[{"datacenter": "NoSuchDC"}],
        bad=[
            Case("power-state-unknown-choice", {"power_state": "on"}, "power_state"),
            # Identifiers are filters here (documented: they combine), so no conflict to refuse.
            Case("name-and-moid-filters", {"name": "DC0_H0_VM0", "moid": "vm-1"}),
            Case("include-templates-not-bool", {"include_templates": "maybe"}, "include_templates"),
            Case("properties-impossible-path", {"properties": ["config bad"]}, "properties"),
            Case("datacenter-odd-name", {"datacenter": ODD_NAME}, "datacenter"),
            Case("host-odd-name", {"host": ODD_NAME}, "host"),
            Case("name-odd", {"name": ODD_NAME}),
            Case("folder-odd", {"folder": ODD_NAME}, "folder"),
            Case("facts-unknown-name", {"facts": ["disk"]}, "facts"),
            Case(
                "facts-device-list-without-devices", {"facts": ["nics"], "devices": False}, "facts"
            ),
            Case("facts-not-a-list-of-names", {"facts": [{"name": 1}]}, "facts"),
        ],
    ),
    "esx_vm": ModuleSpec(
        success=[VM_CREATE, dict(VM_CREATE, state="absent")],
        failure=[{"moid": "vm-424242", "state": "powered_on"}],
        bad=[
            Case("state-unknown-choice", {"name": "x", "state": "running"}, "state"),
            Case("no-identifier", {"guest_id": "otherGuest"}, "name"),
            Case("name-and-uuid", {"name": "x", "uuid": "4211-x"}, "uuid"),
            Case("num-cpus-not-int", {"name": "x", "num_cpus": "two"}, "num_cpus"),
            Case("memory-negative", dict(VM_CREATE, memory_mb=-4), "memory_mb"),
            Case("cpus-negative", dict(VM_CREATE, num_cpus=-1), "num_cpus"),
            Case("disk-size-negative", dict(VM_CREATE, disks=[{"size_gb": -1}]), "size_gb"),
            Case(
                "disk-two-sizes",
                dict(VM_CREATE, disks=[{"size_gb": 1, "size_mb": 1024}]),
                "size_mb",
            ),  # fmt: skip
            Case("disk-no-size", dict(VM_CREATE, disks=[{"type": "thin"}]), "size_gb"),
            Case(
                "disk-type-unknown",
                dict(VM_CREATE, disks=[{"size_gb": 1, "type": "sparse"}]),
                "type",
            ),  # fmt: skip
            Case("nic-without-name", dict(VM_CREATE, networks=[{"device_type": "e1000"}]), "name"),
            Case(
                "nic-unknown-network",
                dict(VM_CREATE, networks=[{"name": "no-such-net"}]),
                "no-such-net",
            ),  # fmt: skip
            Case("cdrom-type-unknown", dict(VM_CREATE, cdrom={"type": "floppy"}), "type"),
            Case(
                "cores-not-dividing",
                dict(VM_CREATE, num_cpus=4, cores_per_socket=3),
                "cores_per_socket",
            ),  # fmt: skip
            Case("create-without-guest-id", {"name": "rel-{n}", "host": "DC0_H0"}, "guest_id"),
            Case(
                "hardware-version-bad",
                dict(VM_CREATE, hardware_version="vmx-abc"),
                "hardware_version",
            ),  # fmt: skip
            Case("host-odd-name", dict(VM_CREATE, host=ODD_NAME), "host"),
            Case("absent-odd-name", {"name": ODD_NAME, "state": "absent"}),
        ],
    ),
    "esx_vm_fleet": ModuleSpec(
        success=[{"vms": [VM_CREATE]}, {"vms": [dict(VM_CREATE, state="absent")]}],
        failure=[{"vms": [{"moid": "vm-424242", "state": "powered_on"}]}],
        bad=[
            Case("vms-missing", {}, "vms"),
            Case("vms-not-dicts", {"vms": ["rel-{n}"]}, "vms"),
            Case("parallel-zero", {"vms": [VM_CREATE], "parallel": 0}, "parallel"),
            Case("parallel-not-int", {"vms": [VM_CREATE], "parallel": "many"}, "parallel"),
            Case("entry-state-unknown", {"vms": [{"name": "x", "state": "running"}]}, "state"),
            Case("entry-no-identifier", {"vms": [{"guest_id": "otherGuest"}]}, "name"),
            Case(
                "entry-unknown-option", {"vms": [dict(VM_CREATE, bogus_option=1)]}, "bogus_option"
            ),
            Case(
                "entry-wait-timeout-negative",
                {"vms": [dict(VM_CREATE, wait_timeout=-1)]},
                "wait_timeout",
            ),  # fmt: skip
            Case("entry-memory-negative", {"vms": [dict(VM_CREATE, memory_mb=-4)]}, "memory_mb"),
            Case("entry-host-odd-name", {"vms": [dict(VM_CREATE, host=ODD_NAME)]}, "host"),
        ],
    ),
    "esx_storage_pool_info": ModuleSpec(
        success=[{}, {"type": ["local"]}],
        failure=[{"name": "no-such-pool"}],
        bad=[
            Case("type-unknown-choice", {"type": ["tape"]}, "type"),
            Case("name-odd", {"name": ODD_NAME}, "name"),
            Case("host-odd", {"host": ODD_NAME}, "host"),
        ],
    ),
    "esx_volume_info": ModuleSpec(
        success=[{"pool": "LocalDS_0"}],
        failure=[{"pool": "no-such-pool"}],
        bad=[
            Case("nothing-to-look-up", {}, "pool"),
            Case("type-unknown-choice", {"pool": "LocalDS_0", "type": "tape"}, "type"),
            Case("path-odd", {"path": f"[LocalDS_0] {ODD_NAME}.vmdk"}, "path"),
            Case("path-not-a-path", {"path": "LocalDS_0 disk.vmdk"}, "path"),
        ],
    ),
    "esx_volume": ModuleSpec(
        success=[{"pool": "LocalDS_0", "name": "rel-{n}/disk.vmdk", "size_mb": 1}],
        failure=[{"pool": "no-such-pool", "name": "disk.vmdk", "size_mb": 1}],
        check_mode=True,
        bad=[
            Case("missing-name", {"pool": "LocalDS_0"}, "name"),
            Case(
                "size-not-int", {"pool": "LocalDS_0", "name": "a.vmdk", "size_mb": "big"}, "size_mb"
            ),
            Case(
                "size-negative", {"pool": "LocalDS_0", "name": "a.vmdk", "size_gb": -1}, "size_gb"
            ),
            Case(
                "format-unknown-choice",
                {"pool": "LocalDS_0", "name": "a.vmdk", "format": "raw"},
                "format",
            ),
            Case("no-pool", {"name": "a.vmdk", "size_mb": 1}, "pool"),
            Case(
                "src-missing",
                {"pool": "LocalDS_0", "name": "a.iso", "src": "/nonexistent/a.iso"},
                "src",
            ),
            Case(
                "wait-timeout-negative",
                {"pool": "LocalDS_0", "name": "a.vmdk", "wait_timeout": -1},
                "wait_timeout",
            ),
            Case("name-odd", {"pool": "LocalDS_0", "name": f"{ODD_NAME}.iso"}, "name"),
        ],
    ),
    "esx_storage_pool": ModuleSpec(
        success=[
            {
                "name": "rel-{n}",
                "server": "nas.example.com",
                "path": "/exports/{n}",
                "hosts": ["DC0_H0"],
            }
        ],
        failure=[
            {
                "name": "rel-{n}",
                "server": "nas.example.com",
                "path": "/exports/{n}",
                "hosts": ["no-such-host"],
            }
        ],
        check_mode=True,
        bad=[
            Case("missing-name", {"server": "s", "path": "/p", "hosts": ["DC0_H0"]}, "name"),
            Case("type-unknown-choice", {"name": "n", "type": "tape"}, "type"),
            Case("no-path", {"name": "n", "server": "s", "hosts": ["DC0_H0"]}, "path"),
            Case("nfs-version-unknown", {"name": "n", "nfs_version": "2"}, "nfs_version"),
            Case(
                "hosts-and-cluster",
                {"name": "n", "hosts": ["DC0_H0"], "cluster": "DC0_C0"},
                "cluster",
            ),
            Case("name-odd", {"name": ODD_NAME, "state": "refreshed"}, "name"),
            Case(
                "chap-without-secret",
                {
                    "name": "iqn.2000-01.example:t1",
                    "type": "iscsi",
                    "address": "a",
                    "hosts": ["DC0_H0"],
                    "chap_name": "n",
                },
                "chap_secret",
            ),
            Case(
                "iscsi-name-not-iqn",
                {"name": "storage1", "type": "iscsi", "address": "a", "hosts": ["DC0_H0"]},
                "name",
            ),
        ],
    ),
    "esx_host_info": ModuleSpec(
        success=[{}, {"cluster": "DC0_C0"}],
        failure=[{"name": "no-such-host"}],
        bad=[
            Case("name-odd", {"name": ODD_NAME}, "name"),
            Case("datacenter-odd", {"datacenter": ODD_NAME}, "datacenter"),
        ],
    ),
    "esx_host_maintenance": ModuleSpec(
        success=[{"name": "DC0_H0", "state": "present"}],
        failure=[{"name": "no-such-host"}],
        check_mode=True,
        bad=[
            Case("missing-name", {}, "name"),
            Case("state-unknown-choice", {"name": "DC0_H0", "state": "on"}, "state"),
            Case("wait-timeout-negative", {"name": "DC0_H0", "wait_timeout": -1}, "wait_timeout"),
            Case("name-odd", {"name": ODD_NAME}, "name"),
            Case(
                "evacuate-when-exiting",
                {"name": "DC0_H0", "state": "absent", "evacuate_powered_off_vms": True},
                "evacuate_powered_off_vms",
            ),
        ],
    ),
    "esx_migrate": ModuleSpec(
        success=[{"name": "DC0_C0_RP0_VM0", "host": "DC0_C0_H1"}],
        failure=[{"name": "DC0_C0_RP0_VM0", "host": "no-such-host"}],
        check_mode=True,
        bad=[
            Case("no-identifier", {"host": "DC0_C0_H1"}, "name"),
            Case("name-and-moid", {"name": "x", "moid": "vm-1", "host": "DC0_C0_H1"}, "moid"),
            Case(
                "priority-unknown-choice",
                {"name": "DC0_C0_RP0_VM0", "host": "DC0_C0_H1", "priority": "urgent"},
                "priority",
            ),  # fmt: skip
            Case(
                "wait-timeout-negative",
                {"name": "DC0_C0_RP0_VM0", "host": "DC0_C0_H1", "wait_timeout": -1},
                "wait_timeout",
            ),  # fmt: skip
            Case(
                "fail-on-unknown-choice",
                {
                    "name": "DC0_C0_RP0_VM0",
                    "host": "DC0_C0_H1",
                    "checks": {"fail_on": "everything"},
                },
                "fail_on",
            ),  # fmt: skip
            Case("vm-odd-name", {"name": ODD_NAME, "host": "DC0_C0_H1"}, "name"),
            Case("host-odd-name", {"name": "DC0_C0_RP0_VM0", "host": ODD_NAME}, "host"),
        ],
    ),
}


def present() -> list[str]:
    """The modules that exist in plugins/modules, in name order."""
    return sorted(p.stem for p in MODULES_DIR.glob("esx_*.py"))


def covered() -> list[str]:
    """The modules that exist and have an entry here."""
    return [m for m in present() if m in MODULES]
