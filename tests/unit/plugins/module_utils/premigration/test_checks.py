"""Each built-in check on hand-built snapshots: the passing case, the failing case(s), n/a.

The first tests run over the registry itself, so a new check is held to them without an edit
here; CASES gives every check a passing and a failing snapshot, and docs/premigration.md and
esx_migrate's documented choices (and the host_evacuate role's) must list exactly the
registered checks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from premigration_facts import snapshot

from ansible_collections.viapi.esx.plugins.module_utils.premigration import checks, compat
from ansible_collections.viapi.esx.plugins.module_utils.premigration.check import (
    FAILED,
    PASSED,
    SKIPPED,
    WARNING,
    Severity,
)

COLLECTION = Path(checks.__file__).resolve().parents[3]
REGISTERED = [c.name for c in checks.REGISTRY]


def _at(s: dict, part: str):
    for key in part.split("."):
        s = s[key]
    return s


def _edit(part: str, **values):
    """A case: the snapshot with `values` set in snapshot[part] (a dotted path)."""

    def apply(s: dict) -> dict:
        _at(s, part).update(values)
        return s

    return apply


def _first(part: str, **values):
    """A case: the snapshot with `values` set in the first item of the list snapshot[part]."""

    def apply(s: dict) -> dict:
        _at(s, part)[0].update(values)
        return s

    return apply


def _storage_move(**target):
    """A case: web01 stays on esx01 and moves to datastore ds-2 (with `target` set on ds-2)."""

    def apply(_s: dict) -> dict:
        s = snapshot(dest_host="host-1", datastore_moid="ds-2")
        s["datastores"]["ds-2"].update(target)
        return s

    return apply


def _server(**said):
    """A case: the snapshot with the server's own checks answered."""

    def apply(s: dict) -> dict:
        s["server"] = {"available": True, "errors": [], "warnings": [], "calls": [], **said}
        return s

    return apply


def _deep_chain(depth: int):
    """A case: a storage move of a VM whose snapshots are `depth` in a row."""

    def apply(_s: dict) -> dict:
        s = _storage_move()(_s)
        nodes: list = []
        for level in range(depth):
            nodes = [{"name": f"s{level}", "children": nodes}]
        s["vm"].update(snapshots=nodes, snapshot_count=depth)
        return s

    return apply


def _clean(s: dict) -> dict:
    return s


# check name -> (a snapshot it passes, a snapshot it finds a problem in, or None if it never can).
CASES = {
    "vm_state": (_clean, _edit("vm", template=True)),
    "destination_host_state": (_clean, _edit("destination.host", connection_state="disconnected")),
    "same_placement": (_clean, None),  # it says what moves; it never finds a problem
    "vmotion_enabled": (_clean, _edit("destination.host", vmotion_enabled=False)),
    "cpu_compatibility": (_clean, _edit("destination.host", cpu_vendor="amd")),
    "hardware_version": (_clean, _edit("destination.host", version="6.7.0", build="8169922")),
    "product_version": (_clean, _edit("destination.host", version="8.0.2")),
    "shared_storage": (_clean, _edit("destination.host", datastores=["ds-2"])),
    "networks": (_clean, _first("vm.nics", network=None, network_name="gone")),
    "host_devices": (
        _clean,
        _first("vm.devices", host_backed=True, connected=True, device="/vmfs/devices/cdrom/x"),
    ),
    "passthrough": (_clean, _edit("vm", passthrough=["PCI device 0"])),
    "independent_disks": (
        _clean,
        lambda s: _first("vm.disks", mode="independent_nonpersistent")(_storage_move()(s)),
    ),  # a running VM's storage move: Storage vMotion refuses the disk
    "snapshots": (_storage_move(), _deep_chain(9)),
    "destination_memory": (_clean, _edit("destination.host", memory_used_mb=63000)),
    "datastore_space": (_storage_move(), _storage_move(free_bytes=2**30)),
    "server_checks": (_server(), _server(errors=["esx02: Insufficient resources"])),
}


def test_check_names_are_unique_snake_case_identifiers():
    assert len(set(REGISTERED)) == len(REGISTERED)
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", n) for n in REGISTERED), REGISTERED
    assert tuple(REGISTERED) == checks.NAMES


@pytest.mark.parametrize("check", checks.REGISTRY, ids=REGISTERED)
def test_every_check_has_a_severity_a_description_and_a_documented_function(check):
    assert check.severity in Severity.ALL
    assert check.description.strip() and "\n" not in check.description
    assert callable(check.function) and (check.function.__doc__ or "").strip()


@pytest.mark.parametrize("check", checks.REGISTRY, ids=REGISTERED)
def test_every_check_passes_one_snapshot_and_finds_the_problem_in_another(check):
    assert check.name in CASES, f"give {check.name} a passing and a failing snapshot in CASES"
    passing, failing = CASES[check.name]
    finding = check.function(passing(snapshot()))
    assert finding.status == PASSED, finding
    assert finding.message
    if failing is not None:
        finding = check.function(failing(snapshot()))
        assert finding.status == FAILED, finding
        assert finding.message


def test_the_cases_are_of_registered_checks_only():
    assert set(CASES) <= set(REGISTERED)


def test_docs_list_every_registered_check_with_its_default_severity():
    text = (COLLECTION / "docs" / "premigration.md").read_text()
    table = text.split("\n## The checks\n", 1)[1].split("\n## ", 1)[0]
    documented = dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", table, re.MULTILINE))
    assert documented == {c.name: c.severity for c in checks.REGISTRY}


def test_esx_migrate_documents_every_registered_check_as_a_skip_choice():
    source = (COLLECTION / "plugins" / "modules" / "esx_migrate.py").read_text()
    doc = next(
        yaml.safe_load(node.value.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION"
    )
    choices = doc["options"]["checks"]["suboptions"]["skip"]["choices"]
    assert sorted(choices) == sorted(REGISTERED)


def test_the_host_evacuate_role_takes_every_registered_check_as_a_skip_choice():
    """The role checks host_evacuate_checks before it reads anything (its argument_specs)."""
    spec = yaml.safe_load(
        (COLLECTION / "roles" / "host_evacuate" / "meta" / "argument_specs.yml").read_text()
    )
    checks_option = spec["argument_specs"]["main"]["options"]["host_evacuate_checks"]
    assert sorted(checks_option["options"]["skip"]["choices"]) == sorted(REGISTERED)


def test_a_clean_move_passes_every_client_side_check(snap):
    for check in checks.REGISTRY:
        finding = check.function(snap)
        assert finding.status in (PASSED, SKIPPED), (check.name, finding)
    assert checks.datastore_space(snap).status == SKIPPED  # no storage move
    assert checks.server_checks(snap).status == SKIPPED  # the server was not asked


# ---------------------------------------------------------------- vm_state


def test_vm_state_passes_for_an_idle_connected_vm(snap):
    assert checks.vm_state(snap).status == PASSED


@pytest.mark.parametrize(
    "change, words",
    [
        ({"connection_state": "orphaned"}, "connection state is orphaned"),
        ({"template": True}, "is a template"),
        (
            {"running_tasks": ["VirtualMachine.clone"]},
            "task is running on it (VirtualMachine.clone)",
        ),
        ({"question": "The disk is full. Retry?"}, "question: The disk is full. Retry?"),
    ],
)
def test_vm_state_fails_and_says_why(snap, change, words):
    snap["vm"].update(change)
    finding = checks.vm_state(snap)
    assert finding.status == FAILED
    assert words in finding.message and "web01" in finding.message


def test_vm_state_lists_every_problem(snap):
    snap["vm"].update(template=True, question="Continue?")
    assert len(checks.vm_state(snap).details["issues"]) == 2


# ---------------------------------------------------------------- destination_host_state


@pytest.mark.parametrize(
    "change, words",
    [
        ({"maintenance_mode": True}, "maintenance mode"),
        ({"quarantine_mode": True}, "quarantine mode"),
        ({"connection_state": "disconnected"}, "it is disconnected"),
        ({"power_state": "standby"}, "power state is standby"),
    ],
)
def test_destination_host_state_fails(snap, change, words):
    snap["destination"]["host"].update(change)
    finding = checks.destination_host_state(snap)
    assert finding.status == FAILED and words in finding.message and "esx02" in finding.message


def test_destination_host_state_passes_and_is_na_when_the_host_stays(snap):
    assert checks.destination_host_state(snap).status == PASSED
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    assert checks.destination_host_state(s).status == SKIPPED


def test_host_checks_do_not_apply_when_drs_picks_the_host(snap):
    snap["destination"]["host"] = None
    snap["destination"]["compute"] = {
        "moid": "domain-c9", "name": "dr", "type": "cluster", "pool": "resgroup-9", "hosts": ["host-7"]
    }  # fmt: skip
    finding = checks.destination_host_state(snap)
    assert finding.status == SKIPPED and "DRS in 'dr'" in finding.message


def test_checks_of_the_vm_and_its_source_host_apply_when_drs_picks_the_host(snap):
    """The VM leaves its host whichever host DRS picks: its host devices, passthrough
    devices and the source host's vMotion matter all the same."""
    snap["destination"]["host"] = None
    snap["destination"]["compute"] = {
        "moid": "domain-c9", "name": "dr", "type": "cluster", "pool": "resgroup-9", "hosts": ["host-7"]
    }  # fmt: skip
    finding = checks.vmotion_enabled(snap)
    assert finding.status == PASSED and finding.message == (
        "vMotion is enabled on host 'esx01'; DRS in 'dr' picks the destination"
    )
    assert checks.host_devices(snap).status == PASSED
    assert checks.passthrough(snap).status == PASSED
    snap["source"]["host"]["vmotion_enabled"] = False
    snap["vm"]["devices"][0].update(
        host_backed=True, connected=True, device="/vmfs/devices/cdrom/x"
    )
    snap["vm"]["passthrough"] = ["PCI device 0"]
    finding = checks.vmotion_enabled(snap)
    assert finding.status == FAILED and finding.details["hosts"] == ["esx01"]
    assert checks.host_devices(snap).status == FAILED
    assert checks.passthrough(snap).details["devices"] == ["PCI device 0"]


# ---------------------------------------------------------------- same_placement


def test_same_placement_says_what_moves_or_that_nothing_does(snap):
    assert checks.same_placement(snap).details["changes"] == ["host"]
    s = snapshot(dest_host="host-1")
    finding = checks.same_placement(s)
    assert finding.status == PASSED and finding.details["changes"] == []
    assert "nothing to do" in finding.message


# ---------------------------------------------------------------- vmotion_enabled


def test_vmotion_enabled_fails_on_either_host(snap):
    assert checks.vmotion_enabled(snap).status == PASSED
    snap["destination"]["host"]["vmotion_enabled"] = False
    finding = checks.vmotion_enabled(snap)
    assert finding.status == FAILED and finding.details["hosts"] == ["esx02"]
    snap["source"]["host"]["vmotion_enabled"] = False
    assert checks.vmotion_enabled(snap).details["hosts"] == ["esx01", "esx02"]


def test_vmotion_enabled_does_not_apply_to_a_powered_off_vm(snap):
    snap["destination"]["host"]["vmotion_enabled"] = False
    snap["vm"]["power_state"] = "powered_off"
    finding = checks.vmotion_enabled(snap)
    assert finding.status == SKIPPED and "cold migration" in finding.message


# ---------------------------------------------------------------- cpu_compatibility


def test_cpu_compatibility_fails_on_another_vendor(snap):
    assert checks.cpu_compatibility(snap).status == PASSED
    snap["destination"]["host"]["cpu_vendor"] = "amd"
    finding = checks.cpu_compatibility(snap)
    assert (
        finding.status == FAILED
        and "vendor differs (intel on the source, amd there)" in finding.message
    )


def test_cpu_compatibility_compares_evc_baselines(snap):
    snap["vm"]["min_evc"] = "intel-icelake"
    finding = checks.cpu_compatibility(snap)
    assert finding.status == FAILED and "at most intel-cascadelake" in finding.message
    snap["vm"]["min_evc"] = "intel-haswell"
    assert checks.cpu_compatibility(snap).status == PASSED
    snap["vm"]["min_evc"] = "amd-zen2"
    assert "the host offers intel-cascadelake" in checks.cpu_compatibility(snap).message
    snap["vm"]["min_evc"] = "intel-someday"  # unknown to the table: not judged here
    assert checks.cpu_compatibility(snap).status == PASSED
    snap["vm"]["min_evc"] = "intel-skylake"  # an EVC cluster presents its mode, not the host's best
    snap["destination"]["host"]["evc_mode"] = "intel-broadwell"
    assert "offers at most intel-broadwell" in checks.cpu_compatibility(snap).message


def test_cpu_compatibility_checks_feature_requirements(snap):
    snap["vm"]["feature_requirements"] = [
        {"key": "cpuid.AVX512F", "name": "cpuid.AVX512F", "value": "Bool:Min:1"},
        {"key": "cpuid.SSE3", "name": "cpuid.SSE3", "value": "Bool:Min:1"},
        {"key": "cpuid.NUMLEVELS", "name": "cpuid.NUMLEVELS", "value": "Num:Min:0x16"},
    ]
    snap["destination"]["host"]["features"] = {
        "cpuid.AVX512F": "0",
        "cpuid.SSE3": "1",
        "cpuid.NUMLEVELS": "0x1b",
    }
    finding = checks.cpu_compatibility(snap)
    assert finding.status == FAILED and finding.details["unmet"] == ["cpuid.AVX512F"]
    snap["destination"]["host"]["features"]["cpuid.AVX512F"] = "1"
    assert checks.cpu_compatibility(snap).status == PASSED
    del snap["destination"]["host"]["features"]["cpuid.SSE3"]  # the host lacks the feature
    assert checks.cpu_compatibility(snap).details["unmet"] == ["cpuid.SSE3"]


def test_cpu_compatibility_does_not_apply_to_a_cold_migration(snap):
    snap["destination"]["host"]["cpu_vendor"] = "amd"
    snap["vm"]["power_state"] = "powered_off"
    assert checks.cpu_compatibility(snap).status == SKIPPED


def test_cpu_compatibility_applies_to_a_suspended_vm(snap):
    """It resumes its instructions on the new host; vCenter checks running or suspended VMs."""
    snap["destination"]["host"]["cpu_vendor"] = "amd"
    snap["vm"]["power_state"] = "suspended"
    assert checks.cpu_compatibility(snap).status == FAILED
    assert checks.vmotion_enabled(snap).status == SKIPPED  # not a vMotion


# ---------------------------------------------------------------- hardware_version


@pytest.mark.parametrize(
    "version, build, expected",
    [
        ("5.0.0", "", 8), ("5.5.0", "", 10), ("6.0.0", "3620759", 11), ("6.5.0", "5969303", 13),
        ("6.7.0", "8169922", 14), ("6.7.0", "13006603", 15), ("6.7.0", "14320388", 15),
        ("7.0.0", "15843807", 17), ("7.0.1", "16850804", 18), ("7.0.2", "17630552", 19),
        ("7.0.3", "21930508", 19), ("8.0.0", "20513097", 20), ("8.0.1", "21495797", 20),
        ("8.0.2", "22380479", 21), ("8.0.3", "24022510", 21), ("4.1.0", "", None),
        (None, None, None),
    ],
)  # fmt: skip
def test_max_hardware_version_table(version, build, expected):
    assert compat.max_hardware_version(version, build) == expected


def test_hardware_version_fails_on_an_older_host(snap):
    assert checks.hardware_version(snap).status == PASSED
    snap["destination"]["host"].update(version="6.7.0", build="8169922")
    finding = checks.hardware_version(snap)
    assert finding.status == FAILED and "runs up to vmx-14" in finding.message
    assert finding.details == {"vm": "vmx-19", "host_version": "6.7.0", "max": 14}


def test_hardware_version_applies_to_powered_off_vms_and_knows_its_limits(snap):
    snap["vm"]["power_state"] = "powered_off"
    snap["destination"]["host"]["version"] = "6.0.0"
    assert checks.hardware_version(snap).status == FAILED
    snap["destination"]["host"]["version"] = "9.0.0"  # newer than the table
    assert checks.hardware_version(snap).status == PASSED
    snap["vm"]["hardware_version"] = "vmx-22"
    assert checks.hardware_version(snap).status == SKIPPED
    snap["destination"]["host"]["version"] = None
    assert checks.hardware_version(snap).status == SKIPPED


# ---------------------------------------------------------------- product_version


def test_product_version_flags_a_difference(snap):
    assert checks.product_version(snap).status == PASSED
    snap["destination"]["host"]["version"] = "8.0.2"
    finding = checks.product_version(snap)
    assert finding.status == FAILED  # a problem; its default severity (warning) grades it
    assert "7.0.3 on 'esx01', 8.0.2 on 'esx02'" in finding.message


# ---------------------------------------------------------------- shared_storage


def test_shared_storage_fails_when_the_destination_lacks_a_datastore(snap):
    assert checks.shared_storage(snap).status == PASSED
    snap["destination"]["host"]["datastores"] = ["ds-2"]
    finding = checks.shared_storage(snap)
    assert finding.status == FAILED and finding.details["datastores"] == ["ssd-01"]


def test_shared_storage_reads_the_mount_state(snap):
    snap["datastores"]["ds-1"]["mounts"]["host-2"]["accessible"] = False
    assert checks.shared_storage(snap).status == FAILED
    snap["datastores"]["ds-1"]["mounts"]["host-2"]["accessible"] = True
    snap["datastores"]["ds-1"]["accessible"] = False
    assert checks.shared_storage(snap).status == FAILED


def test_shared_storage_ignores_datastores_a_storage_move_leaves(snap):
    s = snapshot(datastore_moid="ds-2")
    s["destination"]["host"]["datastores"] = ["ds-2"]  # esx02 does not see ds-1: fine
    assert checks.shared_storage(s).status == PASSED
    s["vm"]["datastores"] = ["ds-1", "ds-3"]  # ds-3 holds an ISO: it stays and must be reachable
    s["datastores"]["ds-3"] = dict(s["datastores"]["ds-1"], moid="ds-3", name="iso-lib")
    finding = checks.shared_storage(s)
    assert finding.status == FAILED and finding.details["datastores"] == ["iso-lib"]


def test_shared_storage_checks_the_target_datastore_from_the_same_host():
    s = snapshot(dest_host=None, datastore_moid="ds-2")
    s["destination"]["compute"] = None
    s["source"]["host"]["datastores"] = ["ds-1"]
    finding = checks.shared_storage(s)
    assert finding.status == FAILED and "esx01" in finding.message and "ssd-02" in finding.message


# ---------------------------------------------------------------- networks


def test_networks_fails_for_a_network_the_destination_lacks(snap):
    assert checks.networks(snap).status == PASSED
    snap["vm"]["nics"].append(
        {
            "label": "Network adapter 2",
            "network": "network-9",
            "network_name": "backup",
            "opaque": False,
            "distributed": False,
            "connected": True,
        }
    )
    finding = checks.networks(snap)
    assert finding.status == FAILED and finding.details["missing"] == [
        "Network adapter 2 on 'backup'"
    ]


def test_a_missing_standard_network_of_a_nic_not_connected_is_a_warning(snap):
    """As the server grades CannotAccessNetwork: the standard network of a connected NIC, or
    any distributed portgroup, is an error; a standard one of a NIC not connected (a powered-off
    VM's, say) a warning. Every such NIC was an error: a cold move was blocked."""
    nic = {"label": "Network adapter 2", "network": "network-9", "network_name": "backup",
           "opaque": False, "distributed": False, "connected": False}  # fmt: skip
    snap["vm"]["nics"].append(nic)
    finding = checks.networks(snap)
    assert finding.status == WARNING and "(not connected)" in finding.message
    assert finding.details["missing"] == ["Network adapter 2 on 'backup'"]
    nic.update(network="dvportgroup-9", distributed=True)  # the host is not on that switch
    assert checks.networks(snap).status == FAILED


def test_networks_fails_for_an_unresolved_network_and_leaves_opaque_ones_to_the_server(snap):
    snap["vm"]["nics"][0].update(network=None, network_name="gone")
    assert checks.networks(snap).status == FAILED
    snap["vm"]["nics"][0].update(network=None, network_name="nsx-seg-1", opaque=True)
    finding = checks.networks(snap)
    assert finding.status == PASSED and finding.details["unchecked"] == ["Network adapter 1"]


# ---------------------------------------------------------------- host_devices


def device(label, kind, host_backed, name, connected, client_backed=False):
    return {
        "label": label,
        "kind": kind,
        "host_backed": host_backed,
        "client_backed": client_backed,
        "device": name,
        "connected": connected,
    }


def test_host_devices_fails_on_a_connected_host_cdrom(snap):
    assert checks.host_devices(snap).status == PASSED
    snap["vm"]["devices"] = [
        device("CD/DVD drive 1", "cdrom", True, "/vmfs/devices/cdrom/x", True),
        device("Serial port 1", "serial", True, "/dev/char/serial/uart0", False),
        device("Floppy drive 1", "floppy", False, "[ds] f.flp", True),
    ]
    finding = checks.host_devices(snap)
    assert finding.status == FAILED
    assert finding.details["devices"] == ["CD/DVD drive 1 (cdrom on /vmfs/devices/cdrom/x)"]


def test_host_devices_fails_on_a_connected_client_device_of_a_running_vm(snap):
    """vMotion does not move "a virtual device backed by a device on the client computer"."""
    snap["vm"]["devices"] = [
        device("CD/DVD drive 1", "cdrom", False, None, True, client_backed=True),
        device("Floppy drive 1", "floppy", False, None, False, client_backed=True),
    ]
    finding = checks.host_devices(snap)
    assert finding.status == FAILED
    assert finding.details["devices"] == ["CD/DVD drive 1 (cdrom on the client computer)"]
    snap["vm"]["power_state"] = "suspended"  # not a vMotion: nothing runs on the client device
    assert checks.host_devices(snap).status == PASSED


def test_host_devices_do_not_matter_for_a_storage_only_move():
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    s["vm"]["devices"][0].update(host_backed=True, connected=True)
    assert checks.host_devices(s).status == SKIPPED


# ---------------------------------------------------------------- passthrough


def test_passthrough_fails_on_pci_devices_and_shared_scsi_buses_of_a_running_vm(snap):
    assert checks.passthrough(snap).status == PASSED
    snap["vm"]["passthrough"] = ["PCI device 0"]
    snap["vm"]["shared_buses"] = ["SCSI controller 1 (physicalSharing)"]
    finding = checks.passthrough(snap)
    assert finding.status == FAILED
    assert finding.details["devices"] == ["PCI device 0", "SCSI controller 1 (physicalSharing)"]
    assert finding.message == (
        "VM 'web01' is tied to its host: PCI device 0, SCSI controller 1 (physicalSharing)"
    )
    snap["vm"]["power_state"] = "powered_off"  # a cold migration takes both
    assert checks.passthrough(snap).status == PASSED


def test_a_physical_rdm_is_a_notice_that_its_lun_must_be_on_the_new_host(snap):
    snap["vm"]["disks"][0]["rdm"] = "physical"
    finding = checks.passthrough(snap)
    assert finding.status == WARNING and finding.details["devices"] == [
        "Hard disk 1 (physical-mode RDM)"
    ]
    assert finding.message == (
        "VM 'web01' has Hard disk 1 (physical-mode RDM): the LUN must be presented to the new "
        "host too"
    )
    snap["vm"]["disks"][0]["rdm"] = "virtual"
    assert checks.passthrough(snap).status == PASSED


# ---------------------------------------------------------------- independent_disks


def test_independent_disks_are_flagged(snap):
    assert checks.independent_disks(snap).status == PASSED
    snap["vm"]["disks"][0]["mode"] = "independent_nonpersistent"
    finding = checks.independent_disks(snap)  # a host move: a warning at most
    assert finding.status == WARNING and finding.details["disks"] == [
        "Hard disk 1 (independent_nonpersistent)"
    ]
    assert checks.independent_disks(snapshot(dest_host="host-1")).status == SKIPPED


@pytest.mark.parametrize(
    "mode", ["independent_nonpersistent", "nonpersistent", "undoable", "append"]
)
def test_a_disk_not_in_persistent_mode_blocks_a_live_storage_move(mode):
    """Storage vMotion moves disks in persistent mode or RDMs only; this was a warning."""
    snap = snapshot(dest_host="host-1", datastore_moid="ds-2")
    snap["vm"]["disks"][0]["mode"] = mode
    finding = checks.independent_disks(snap)
    assert finding.status == FAILED and "Storage vMotion moves only disks in persistent mode" in (
        finding.message
    )
    assert finding.details["disks"] == [f"Hard disk 1 ({mode})"]
    snap["vm"]["disks"][0]["mode"] = "independent_persistent"
    assert checks.independent_disks(snap).status == WARNING
    snap["vm"]["disks"][0]["mode"] = mode
    snap["vm"]["power_state"] = "powered_off"  # a cold storage move copies any disk
    assert checks.independent_disks(snap).status in (WARNING, PASSED)


# ---------------------------------------------------------------- destination_memory


def test_destination_memory_compares_free_memory_with_the_vm(snap):
    assert checks.destination_memory(snap).details == {"vm_mb": 4096, "free_mb": 49152}
    snap["destination"]["host"]["memory_used_mb"] = 63000
    finding = checks.destination_memory(snap)
    assert finding.status == FAILED and "2536 MiB free" in finding.message
    snap["destination"]["host"]["memory_mb"] = None
    assert checks.destination_memory(snap).status == SKIPPED


# ---------------------------------------------------------------- datastore_space


def test_datastore_space_needs_room_for_the_committed_bytes():
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    finding = checks.datastore_space(s)
    assert finding.status == PASSED and finding.details["needed_bytes"] == 10 * 2**30
    s["datastores"]["ds-2"]["free_bytes"] = 2**30
    finding = checks.datastore_space(s)
    assert finding.status == FAILED and "ssd-02" in finding.message


def test_datastore_space_leaves_out_what_the_vm_already_keeps_on_the_target():
    """Disks of one VM on two datastores, moved onto one of them: only the other is copied."""
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    s["vm"]["committed_bytes"] = 110 * 2**30
    s["vm"]["committed_by_datastore"] = {"ds-1": 10 * 2**30, "ds-2": 100 * 2**30}
    s["vm"]["disks"].append(dict(s["vm"]["disks"][0], label="Hard disk 2", datastore="ds-2"))
    s["datastores"]["ds-2"]["free_bytes"] = 50 * 2**30
    finding = checks.datastore_space(s)
    assert finding.status == PASSED and finding.details["needed_bytes"] == 10 * 2**30
    s["datastores"]["ds-2"]["free_bytes"] = 2**30
    assert checks.datastore_space(s).status == FAILED
    # Usage reported as 0 (the simulator's): the sizes of the disks not on the target count.
    s["vm"]["committed_by_datastore"] = {"ds-1": 0, "ds-2": 0}
    assert checks.datastore_space(s).details["needed_bytes"] == 40 * 2**30


def test_datastore_space_falls_back_on_disk_sizes_and_checks_the_state():
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    s["vm"]["committed_bytes"] = 0
    assert checks.datastore_space(s).details["needed_bytes"] == 40 * 2**30
    s["datastores"]["ds-2"]["maintenance_mode"] = "inMaintenance"
    assert checks.datastore_space(s).status == FAILED


# ---------------------------------------------------------------- server_checks


def test_server_checks_report_what_the_server_said(snap):
    snap["server"] = {"available": False, "reason": "the server has no checker (ESXi)", "calls": []}
    finding = checks.server_checks(snap)
    assert finding.status == SKIPPED and finding.message == "the server has no checker (ESXi)"
    snap["server"] = {"available": True, "errors": [], "warnings": [], "calls": []}
    assert checks.server_checks(snap).status == PASSED
    snap["server"]["warnings"] = ["esx02: the VM's network is not redundant"]
    assert checks.server_checks(snap).status == WARNING
    snap["server"]["errors"] = ["esx02: Insufficient resources"]
    finding = checks.server_checks(snap)
    assert finding.status == FAILED and "Insufficient resources" in finding.message


def test_snapshots_flags_a_chain_deeper_than_eight_on_a_storage_move_only():
    at_limit = checks.snapshots(_deep_chain(8)(snapshot()))
    assert at_limit.status == PASSED and at_limit.details["depth"] == 8
    deep = checks.snapshots(_deep_chain(9)(snapshot()))
    assert deep.message == (
        "VM 'web01' has a snapshot chain 9 deep (more than 8): remove or consolidate snapshots "
        "before the storage move"
    )
    assert deep.details == {"depth": 9, "limit": 8, "count": 9}
    host_only = snapshot()
    host_only["vm"].update(_deep_chain(9)(snapshot())["vm"])
    assert checks.snapshots(host_only).status == "skipped"
