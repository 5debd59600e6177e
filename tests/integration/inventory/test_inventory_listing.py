"""viapi.esx.esx through ansible-inventory against vcsim: every VM with its facts, several
endpoints merged, unreachable endpoints, strict, and dedup of VMs seen twice."""

from __future__ import annotations

import socket

from inventory_run import (
    endpoint,
    expected_vars,
    label,
    reconfigure,
    run_inventory,
    server_vms,
    write_config,
)

GROUP_PREFIXES = ("power_state_", "guest_", "datacenter_", "cluster_", "host_")


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_listed(inventory, sim, names=None):
    """The inventory holds every VM of `sim` (or `names` of them) with the server's values."""
    vms = server_vms(sim)
    for name in names or vms:
        vars_ = inventory.hostvars[name]
        for key, value in expected_vars(vms[name], sim).items():
            assert vars_[key] == value, (name, key)
        if vms[name].get("guest.ipAddress"):
            assert vars_["ansible_host"] == vms[name]["guest.ipAddress"]
        else:
            assert "ansible_host" not in vars_
    return vms


def test_every_vm_is_a_host_with_the_servers_values(fleet_vpx, tmp_path):
    inventory = run_inventory(write_config(tmp_path, endpoint(fleet_vpx)), "-v")
    assert inventory.rc == 0, inventory.output
    vms = assert_listed(inventory, fleet_vpx)
    assert inventory.hosts == sorted(vms)
    assert len(vms) == fleet_vpx.manifest["counts"]["vms"] == 4
    assert sum(1 for v in inventory.hostvars.values() if "ansible_host" in v) == 2
    one = inventory.hostvars["DC0_H0_VM0"]
    assert one["esx_resource_pool"] == "Resources" and one["esx_datastores"] == ["LocalDS_0"]
    assert one["esx_hardware_version"].startswith("vmx-") and one["esx_cores_per_socket"] == 1
    assert one["esx_custom_attributes"] == {} and one["esx_connection_state"] == "connected"
    assert not {"esx_disks", "esx_nics", "esx_cdroms"} & set(one)  # device_facts is off
    assert f"{label(fleet_vpx)}: 4 VMs in " in inventory.stdout
    # login, content, the reference table (view made, read, destroyed), the VMs (view made,
    # read, destroyed), logout
    assert "9 requests (VMware vCenter Server" in inventory.stdout, inventory.stdout
    assert "Traceback" not in inventory.output


def test_default_groups_follow_power_state_guest_datacenter_cluster_host(fleet_vpx, tmp_path):
    inventory = run_inventory(write_config(tmp_path, endpoint(fleet_vpx)))
    vms = server_vms(fleet_vpx)
    expected: dict[str, set] = {}
    for name, vm in vms.items():
        place = vm["placement"]
        keys = {
            "power_state_" + expected_vars(vm, fleet_vpx)["esx_power_state"],
            "guest_" + vm["config.guestId"],
            "datacenter_" + place["datacenter"],
            "host_" + place["host_name"],
        }
        if place["cluster"]:
            keys.add("cluster_" + place["cluster"])
        for group in keys:
            expected.setdefault(group, set()).add(name)
    groups = {g: set(h) for g, h in inventory.groups.items() if g.startswith(GROUP_PREFIXES)}
    assert groups == expected
    assert "cluster_DC0_C0" in groups and len(groups["cluster_DC0_C0"]) == 2


def test_a_vcenter_and_an_esxi_host_are_merged(fleet_vpx, fleet_esx, tmp_path):
    config = write_config(tmp_path, {"endpoints": [endpoint(fleet_vpx), endpoint(fleet_esx)]})
    inventory = run_inventory(config, "-v")
    assert inventory.rc == 0, inventory.output
    vpx, esx = assert_listed(inventory, fleet_vpx), assert_listed(inventory, fleet_esx)
    assert inventory.hosts == sorted([*vpx, *esx]) and len(inventory.hosts) == 6
    assert inventory.hostvars["ha-host_VM0"]["esx_datacenter"] == "ha-datacenter"
    assert inventory.hostvars["ha-host_VM0"]["esx_custom_attributes"] is None  # ESXi has none
    assert f"{label(fleet_esx)}: 2 VMs in " in inventory.stdout
    assert "6 VMs from 2 endpoint(s)" in inventory.stdout


def test_an_unreachable_endpoint_is_a_warning_and_the_others_are_listed(
    fleet_vpx, fleet_esx, tmp_path
):
    port = closed_port()
    endpoints = [endpoint(fleet_vpx), endpoint(fleet_esx), endpoint(fleet_vpx, port=port)]
    inventory = run_inventory(write_config(tmp_path, {"endpoints": endpoints, "timeout": 5}))
    assert inventory.rc == 0, inventory.output
    assert len(inventory.hosts) == 6
    assert f"endpoint 127.0.0.1:{port} could not be read" in inventory.stderr
    assert "its VMs are not listed" in inventory.stderr
    assert fleet_vpx.password not in inventory.output


def test_strict_makes_an_unreachable_endpoint_fatal(fleet_vpx, tmp_path):
    port = closed_port()
    options = {"endpoints": [endpoint(fleet_vpx), endpoint(fleet_vpx, port=port)], "strict": True}
    config = write_config(tmp_path, options)
    inventory = run_inventory(config)
    assert inventory.hosts == []
    assert f"endpoint 127.0.0.1:{port} could not be read" in inventory.stderr
    failed = run_inventory(config, env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert failed.rc != 0 and f"127.0.0.1:{port} could not be read" in failed.stderr
    assert "Traceback" not in failed.output and fleet_vpx.password not in failed.output


def test_a_wrong_password_is_a_warning_that_does_not_show_it(fleet_vpx, fleet_esx, tmp_path):
    bad = endpoint(fleet_esx, password="not-the-password-123")
    inventory = run_inventory(write_config(tmp_path, {"endpoints": [endpoint(fleet_vpx), bad]}))
    assert inventory.rc == 0 and len(inventory.hosts) == 4
    assert f"endpoint {label(fleet_esx)} could not be read" in inventory.stderr
    assert "not-the-password-123" not in inventory.output


def test_the_same_vcenter_twice_lists_each_vm_once_from_the_first(fleet_vpx, tmp_path):
    """Two endpoints on one simulator (as 127.0.0.1 and as localhost) see the same VMs, with
    the same instance uuids: each is one host, from the first endpoint (both are vCenters)."""
    twice = [endpoint(fleet_vpx), endpoint(fleet_vpx, hostname="localhost")]
    inventory = run_inventory(write_config(tmp_path, {"endpoints": twice}), "-v")
    assert inventory.rc == 0, inventory.output
    assert len(inventory.hosts) == 4
    assert {v["esx_endpoint"] for v in inventory.hostvars.values()} == {label(fleet_vpx)}
    assert "(4 also seen through another endpoint)" in inventory.stdout
    assert "already taken" not in inventory.output


def test_a_vm_seen_through_vcenter_and_its_esxi_host_is_listed_once_as_vcenter_shows_it(
    vcsim_factory, tmp_path
):
    """vCenter and the ESXi host it manages show the same VM with one instance uuid (and name),
    but different moids, datacenters and folders. The model: a vCenter simulator, and an ESXi
    simulator whose first VM is given the name and instance uuid of the vCenter's DC0_H0_VM0.
    The ESXi endpoint is listed first, so the vCenter view wins by kind, not by order."""
    vpx, esx = vcsim_factory(), vcsim_factory("--esx")
    twin = next(vm for vm in vpx.manifest["vms"] if vm["name"] == "DC0_H0_VM0")
    esx_vm = next(vm for vm in esx.manifest["vms"] if vm["name"] == "ha-host_VM0")
    reconfigure(esx, esx_vm["moid"], name=twin["name"], instanceUuid=twin["instance_uuid"])
    assert server_vms(esx)["DC0_H0_VM0"]["config.instanceUuid"] == twin["instance_uuid"]

    inventory = run_inventory(
        write_config(tmp_path, {"endpoints": [endpoint(esx), endpoint(vpx)]}), "-v"
    )
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts == sorted(["ha-host_VM1", *(vm["name"] for vm in vpx.manifest["vms"])])
    seen_twice = inventory.hostvars["DC0_H0_VM0"]
    assert seen_twice["esx_endpoint"] == label(vpx)
    assert (seen_twice["esx_moid"], seen_twice["esx_datacenter"]) == (twin["moid"], "DC0")
    assert seen_twice["esx_instance_uuid"] == twin["instance_uuid"]
    assert inventory.hostvars["ha-host_VM1"]["esx_endpoint"] == label(esx)
    assert "(1 also seen through another endpoint)" in inventory.stdout
    assert "already taken" not in inventory.output
