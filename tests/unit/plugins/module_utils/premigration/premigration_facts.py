"""Hand-built pre-migration snapshots: a VM on esx01 that moves to esx02 in the same cluster.

`snapshot()` returns the shape snapshot.build() produces (plain dicts keyed by moid); tests
change the one fact they are about.
"""

from __future__ import annotations


def host(moid: str, name: str, **changes) -> dict:
    """A connected ESXi 7.0 U3 host with vMotion on, on Intel, mounting ds-1 and net-1."""
    facts = {
        "moid": moid, "name": name, "compute": "domain-c1", "connection_state": "connected",
        "power_state": "powered_on", "maintenance_mode": False, "quarantine_mode": False,
        "vmotion_enabled": True, "version": "7.0.3", "build": "21930508",
        "product": "VMware ESXi", "cpu_vendor": "intel",
        "max_evc": "intel-cascadelake", "evc_mode": None, "features": {},
        "memory_mb": 65536, "memory_used_mb": 16384,
        "datastores": ["ds-1", "ds-2"], "networks": ["dvportgroup-1"],
    }  # fmt: skip
    facts.update(changes)
    return facts


def vm(**changes) -> dict:
    """A powered-on vmx-19 VM with one disk on ds-1 and one NIC on dvportgroup-1."""
    facts = {
        "moid": "vm-42", "name": "web01", "power_state": "powered_on",
        "connection_state": "connected", "template": False, "question": None,
        "running_tasks": [], "hardware_version": "vmx-19", "memory_mb": 4096,
        "min_evc": None, "feature_requirements": [], "host": "host-1", "pool": "resgroup-1",
        "datastores": ["ds-1"], "config_datastore": "ds-1", "networks": ["dvportgroup-1"],
        "committed_bytes": 10 * 2**30,
        "devices": [{"label": "CD/DVD drive 1", "kind": "cdrom", "host_backed": False,
                     "client_backed": False, "device": None, "connected": False}],
        "nics": [{"label": "Network adapter 1", "network": "dvportgroup-1",
                  "network_name": "prod", "opaque": False, "distributed": True,
                  "connected": True}],
        "disks": [{"label": "Hard disk 1", "datastore": "ds-1", "capacity_bytes": 40 * 2**30,
                   "mode": "persistent", "rdm": None}],
        "passthrough": [], "shared_buses": [], "snapshots": [], "current_snapshot": None,
        "snapshot_count": 0,
    }  # fmt: skip
    facts.update(changes)
    return facts


def datastore(moid: str, name: str, **changes) -> dict:
    facts = {
        "moid": moid, "name": name, "accessible": True, "maintenance_mode": "normal",
        "type": "VMFS", "free_bytes": 500 * 2**30, "capacity_bytes": 1000 * 2**30,
        "mounts": {"host-1": {"mounted": True, "accessible": True},
                   "host-2": {"mounted": True, "accessible": True}},
    }  # fmt: skip
    facts.update(changes)
    return facts


CLUSTER = {"moid": "domain-c1", "name": "prod", "type": "cluster", "pool": "resgroup-1",
           "hosts": ["host-1", "host-2"]}  # fmt: skip


def snapshot(dest_host: str | None = "host-2", datastore_moid: str | None = None) -> dict:
    """web01 on esx01 (cluster prod), asked to go to esx02 (and datastore_moid if given)."""
    source, target = host("host-1", "esx01"), host("host-2", "esx02")
    pool = {"moid": "resgroup-1", "type": "ResourcePool", "name": "Resources", "owner": "domain-c1"}
    return {
        "vm": vm(),
        "source": {"host": source, "compute": dict(CLUSTER), "pool": dict(pool)},
        "destination": {
            "host": {"host-1": source, "host-2": target}.get(dest_host),
            "compute": dict(CLUSTER),
            "pool": None,
            "datastore": datastore_moid,
        },
        "pools": {"resgroup-1": pool},
        "datastores": {"ds-1": datastore("ds-1", "ssd-01"), "ds-2": datastore("ds-2", "ssd-02")},
        "networks": {"dvportgroup-1": {"moid": "dvportgroup-1", "name": "prod",
                                       "type": "DistributedVirtualPortgroup"}},
    }  # fmt: skip
