"""What ESXi hosts run, for the pre-migration checks: the newest virtual hardware version per
ESXi release, the EVC baselines in order, and how a VM's CPU feature requirements are met.

Tables of facts, not reads: checks.py asks them about a snapshot's hosts and VM.
"""

from __future__ import annotations

import re

# Newest virtual hardware version each ESXi release runs (Broadcom's Hardware.Version enum,
# "vmx-N first supported in ESXi X", and VMware KB 1003746). (major, minor, update) -> vmx.
HARDWARE_VERSIONS = (
    ((5, 0, 0), 8), ((5, 1, 0), 9), ((5, 5, 0), 10), ((6, 0, 0), 11), ((6, 5, 0), 13),
    ((6, 7, 0), 14), ((6, 7, 2), 15), ((7, 0, 0), 17), ((7, 0, 1), 18), ((7, 0, 2), 19),
    ((8, 0, 0), 20), ((8, 0, 2), 21),
)  # fmt: skip
ESXI_67_U2_BUILD = 13006603  # ESXi 6.7 reports "6.7.0" for every update; U2 is told by build
# EVC baselines per vendor, oldest first (the keys vCenter reports as EVC modes).
EVC_MODES = {
    "intel": (
        "intel-merom", "intel-penryn", "intel-nehalem", "intel-westmere", "intel-sandybridge",
        "intel-ivybridge", "intel-haswell", "intel-broadwell", "intel-skylake",
        "intel-cascadelake", "intel-icelake", "intel-sapphirerapids",
    ),
    "amd": (
        "amd-rev-e", "amd-rev-f", "amd-greyhound-no3dnow", "amd-greyhound", "amd-bulldozer",
        "amd-piledriver", "amd-steamroller", "amd-zen", "amd-zen2", "amd-zen3", "amd-zen4",
    ),
}  # fmt: skip


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """(major, minor, update) of a version string ("8.0.2" -> (8, 0, 2)); None without digits."""
    parts = re.findall(r"\d+", text or "")
    return tuple(int(p) for p in parts[:3]) + (0,) * (3 - len(parts[:3])) if parts else None


def max_hardware_version(version: str | None, build: str | None = None) -> int | None:
    """The newest vmx-N an ESXi version runs; None when the version is older than the table."""
    v = parse_version(version)
    if v is None:
        return None
    if v[:2] == (6, 7) and (build or "").isdigit() and int(build) >= ESXI_67_U2_BUILD:
        v = (6, 7, 2)
    best = None
    for release, vmx in HARDWARE_VERSIONS:
        if release <= v:
            best = vmx
    return best


def evc_issue(vm_mode: str | None, host_mode: str | None) -> str | None:
    """Why the VM's EVC baseline is above what the host offers; None when fine or unknown."""
    if not vm_mode or not host_mode:
        return None
    vm_vendor, host_vendor = vm_mode.split("-")[0], host_mode.split("-")[0]
    if vm_vendor != host_vendor:
        return f"the VM needs EVC mode {vm_mode}, the host offers {host_mode}"
    order = EVC_MODES.get(vm_vendor, ())
    if vm_mode in order and host_mode in order and order.index(vm_mode) > order.index(host_mode):
        return f"the VM needs EVC mode {vm_mode}, the host offers at most {host_mode}"
    return None


def unmet_features(requirements: list, capabilities: dict) -> list[str]:
    """The VM's CPU feature requirements the host's capabilities do not meet."""
    unmet = []
    for req in requirements:
        rest = (req.get("value") or "").partition(":")[2]  # "Bool:Min:1" -> "Min:1"
        op, wanted = rest.partition(":")[::2]
        have = capabilities.get(req.get("key"))
        try:
            need, got = int(wanted, 0), int(have, 0) if have is not None else None
        except ValueError:
            continue  # a value format this check does not know: the server checks judge it
        ok = got is not None and {"Min": got >= need, "Max": got <= need}.get(op, got == need)
        if not ok:
            unmet.append(req.get("name") or req.get("key"))
    return unmet
