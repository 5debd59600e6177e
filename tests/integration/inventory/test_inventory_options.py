"""viapi.esx.esx options against vcsim: filters, compose, groups, keyed_groups, hostnames,
properties, templates, device facts, environment variables, bad configs, untrusted values."""

from __future__ import annotations

import json
import os
import subprocess

from ansible_run import ROOT, ansible_env
from inventory_run import (
    call_task,
    client,
    endpoint,
    label,
    reconfigure,
    run_inventory,
    server_vms,
    write_config,
)

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


def test_filters_compose_groups_and_keyed_groups(fleet_vpx, tmp_path):
    options = endpoint(fleet_vpx)
    options.update(
        filters=["esx_cluster is not none", "esx_name.endswith('VM0') or esx_ip_address"],
        compose={"ansible_user": "'admin'", "cpu_total": "esx_num_cpus * 4"},
        groups={"small": "esx_memory_mb < 64", "named": "esx_guest_hostname is not none"},
        keyed_groups=[
            {"key": "esx_cluster", "prefix": "c"},
            {"key": "cpu_total | string", "prefix": "cpus"},
        ],
    )
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0, inventory.output
    vms = server_vms(fleet_vpx)
    kept = sorted(
        name for name, vm in vms.items()
        if vm["placement"]["cluster"] and (name.endswith("VM0") or vm.get("guest.ipAddress"))
    )  # fmt: skip
    assert inventory.hosts == kept == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"], inventory.output
    for name in kept:
        vars_ = inventory.hostvars[name]
        assert vars_["ansible_user"] == "admin"
        assert vars_["cpu_total"] == vms[name]["config.hardware.numCPU"] * 4
    groups = inventory.groups
    assert groups["small"] == kept  # the simulator's VMs have 32 MB
    assert groups["named"] == sorted(n for n in kept if vms[n].get("guest.hostName"))
    assert groups["c_DC0_C0"] == kept
    assert groups["cpus_4"] == kept
    assert "cluster_DC0_C0" not in groups  # keyed_groups given: the defaults are replaced


def test_filters_and_hostnames_see_ansible_host(fleet_vpx, tmp_path):
    """ansible_host is a host variable like the esx_* ones (filters saw no VM with it)."""
    vms = server_vms(fleet_vpx)
    with_ip = sorted(n for n, vm in vms.items() if vm.get("guest.ipAddress"))
    options = dict(endpoint(fleet_vpx), filters=["ansible_host is defined"])
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.hosts == with_ip and len(with_ip) == 2, inventory.output
    named = dict(endpoint(fleet_vpx), hostnames=["ansible_host"], filters=["esx_ip_address"])
    inventory = run_inventory(write_config(tmp_path, named))
    assert inventory.hosts == sorted(vms[n]["guest.ipAddress"] for n in with_ip), inventory.output
    assert "could not be evaluated" not in inventory.stderr


def test_compose_sees_inventory_hostname_as_groups_do(fleet_vpx, tmp_path):
    """compose over the host's variables with its magic ones, as groups and keyed_groups."""
    options = dict(endpoint(fleet_vpx), hostnames=["moid"], strict=True)
    options.update(
        compose={"upper": "inventory_hostname | upper", "short": "inventory_hostname_short"},
        groups={"composed": "upper == inventory_hostname | upper"},
    )
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0 and len(inventory.hosts) == 4, inventory.output
    for moid, variables in inventory.hostvars.items():
        assert (variables["upper"], variables["short"]) == (moid.upper(), moid)
        assert "inventory_hostname" not in variables and "group_names" not in variables
    assert inventory.groups["composed"] == inventory.hosts


def test_a_filter_that_fails_leaves_vms_out_with_a_warning_or_fails_with_strict(
    fleet_vpx, tmp_path
):
    options = dict(endpoint(fleet_vpx), filters=["esx_cluster.startswith('DC0')"])
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.hosts == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"]
    assert "could not be evaluated for 2 VM(s), which were left out" in inventory.stderr
    strict = run_inventory(write_config(tmp_path, dict(options, strict=True)))
    assert strict.hosts == [] and "failed for VM DC0_H0_VM0" in strict.stderr


def test_hostnames_first_non_empty_wins_and_duplicates_get_a_suffix(fleet_vpx, tmp_path):
    options = dict(endpoint(fleet_vpx), hostnames=["guest_hostname", "esx_moid"])
    inventory = run_inventory(write_config(tmp_path, options))
    vms = server_vms(fleet_vpx)
    expected = sorted(vm.get("guest.hostName") or vm["moid"] for vm in vms.values())
    assert inventory.hosts == expected
    assert sum(name.endswith(".example.test") for name in inventory.hosts) == 2

    clash = run_inventory(
        write_config(tmp_path, dict(endpoint(fleet_vpx), hostnames=["esx_datacenter"]))
    )
    assert clash.rc == 0
    first = "DC0_C0_RP0_VM0"  # by datacenter, folder, name: the first VM keeps the bare name
    assert clash.hosts == sorted(
        ["DC0"] + [f"DC0_{vm['config.instanceUuid']}" for name, vm in vms.items() if name != first]
    )
    assert clash.hostvars["DC0"]["esx_name"] == first
    assert "3 VM(s) got a hostname already taken (DC0)" in clash.stderr


def test_a_hostnames_entry_that_fails_is_a_warning_and_the_next_entry_names_the_vms(
    fleet_vpx, tmp_path
):
    options = dict(endpoint(fleet_vpx), hostnames=["esx_nothing.upper()", "esx_moid"])
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0, inventory.output
    vms = server_vms(fleet_vpx)
    assert inventory.hosts == sorted(vm["moid"] for vm in vms.values())
    stderr = " ".join(inventory.stderr.split())  # however the warning was wrapped
    assert (
        f"hostnames: 'esx_nothing.upper()' could not be evaluated for {len(vms)} VM(s), "
        "which were named by the next entry" in stderr
    ), inventory.stderr
    assert stderr.count("could not be evaluated") == 1  # one warning, not one per VM


def test_extra_properties_become_esx_vi_variables(fleet_vpx, tmp_path):
    paths = [
        "config.cpuHotAddEnabled",
        "runtime.host",
        "summary.runtime.powerState",
        "config.hardware",
    ]
    inventory = run_inventory(write_config(tmp_path, dict(endpoint(fleet_vpx), properties=paths)))
    assert inventory.rc == 0, inventory.output
    with client(fleet_vpx) as c:
        raw = {
            props["name"]: props for _ref, props in collect(c, {"VirtualMachine": ["name", *paths]})
        }
    for name, vars_ in inventory.hostvars.items():
        host = raw[name]["runtime.host"]
        assert vars_["esx_vi_runtime_host"] == {
            "_type": "ManagedObjectReference",
            "type": "HostSystem",
            "value": host.value,
        }
        assert vars_["esx_vi_summary_runtime_powerState"] == raw[name]["summary.runtime.powerState"]
        assert vars_["esx_vi_config_cpuHotAddEnabled"] == raw[name].get("config.cpuHotAddEnabled")
        hardware = vars_["esx_vi_config_hardware"]
        assert hardware["_type"] == "VirtualHardware"
        assert hardware["memoryMB"] == raw[name]["config.hardware"]["memoryMB"]
        assert len(hardware["device"]) == len(raw[name]["config.hardware"]["device"])


def test_requests_do_not_grow_with_the_number_of_vms(vcsim_factory, tmp_path):
    sim = vcsim_factory("--host", "3", "--cluster", "0", "--vm", "60")
    options = dict(endpoint(sim), device_facts=True)
    inventory = run_inventory(write_config(tmp_path, options), "-v")
    assert len(inventory.hosts) == 180
    assert f"{label(sim)}: 180 VMs in " in inventory.stdout
    # As for 4 VMs: login, the reference table (a view made, read, destroyed), the VMs (the
    # same), logout.
    assert "s, 9 requests (" in inventory.stdout, inventory.stdout
    vars_ = inventory.hostvars["DC0_H2_VM59"]
    (disk,) = vars_["esx_disks"]
    assert (
        disk["file"] == "[LocalDS_0] DC0_H2_VM59/disk1.vmdk"
        and disk["capacity_bytes"] == 1024 * 1024
    )
    assert [nic["device_type"] for nic in vars_["esx_nics"]] == ["e1000"]
    assert len(vars_["esx_cdroms"]) == 1


def test_templates_are_left_out_unless_asked_for(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    vm = next(v for v in sim.manifest["vms"] if v["name"] == "DC0_H0_VM1")
    call_task(sim, vm["moid"], "PowerOffVM_Task")
    with client(sim) as c:
        c.call(MoRef("VirtualMachine", vm["moid"]), "MarkAsTemplate")
    assert server_vms(sim)["DC0_H0_VM1"]["config.template"] is True
    default = run_inventory(write_config(tmp_path, endpoint(sim)))
    assert "DC0_H0_VM1" not in default.hosts and len(default.hosts) == 3
    listed = run_inventory(write_config(tmp_path, dict(endpoint(sim), include_templates=True)))
    assert listed.hostvars["DC0_H0_VM1"]["esx_template"] is True
    assert listed.hostvars["DC0_H0_VM1"]["esx_power_state"] == "powered_off"
    assert "DC0_H0_VM1" in listed.groups["power_state_powered_off"]


def test_server_values_are_data_never_templates(vcsim_factory, tmp_path):
    """A VM name or annotation that looks like a template is shown as is, never evaluated."""
    sim = vcsim_factory()
    vm = next(v for v in sim.manifest["vms"] if v["name"] == "DC0_H0_VM0")
    reconfigure(sim, vm["moid"], name="evil-{{ 6 * 7 }}", annotation="{{ lookup('env', 'HOME') }}")
    config = write_config(tmp_path, dict(endpoint(sim), hostnames=["esx_moid"]))
    inventory = run_inventory(config)
    assert inventory.hostvars[vm["moid"]]["esx_name"] == "evil-{{ 6 * 7 }}"
    assert inventory.raw["_meta"]["hostvars"][vm["moid"]]["esx_annotation"] == {
        "__ansible_unsafe": "{{ lookup('env', 'HOME') }}"
    }
    cmd = [
        "ansible",
        vm["moid"],
        "-i",
        str(config),
        "-m",
        "ansible.builtin.debug",
        "-a",
        "var=esx_annotation",
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=ansible_env(), cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shown = json.loads(proc.stdout.split("=>", 1)[1])
    assert shown["esx_annotation"] == "{{ lookup('env', 'HOME') }}"


def test_expressions_over_server_values_never_template_them(vcsim_factory, tmp_path):
    """filters, hostnames, compose, groups and keyed_groups read an annotation that is a
    template as a string: before ansible-core 2.19 the filter below ran its lookup."""
    sim = vcsim_factory()
    vm = next(v for v in sim.manifest["vms"] if v["name"] == "DC0_H0_VM0")
    ran = tmp_path / "ran"
    notes = f"{{{{ lookup('pipe', 'touch {ran}') }}}}"
    reconfigure(sim, vm["moid"], annotation=notes)
    options = dict(
        endpoint(sim),
        filters=["esx_annotation is none or esx_annotation != ''"],
        hostnames=["(esx_annotation or '')[:0] ~ esx_name"],
        compose={"notes": "esx_annotation", "notes_upper": "esx_annotation | upper"},
        groups={"noted": "esx_annotation is not none and esx_annotation.startswith('{')"},
        keyed_groups=[{"key": "(esx_annotation or '') | length | string", "prefix": "len"}],
    )
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.rc == 0 and "DC0_H0_VM0" in inventory.hosts, inventory.output
    assert "could not be evaluated" not in inventory.stderr, inventory.stderr
    assert not ran.exists()
    variables = inventory.hostvars["DC0_H0_VM0"]
    assert variables["notes"] == notes and variables["notes_upper"] == notes.upper()
    assert inventory.groups["noted"] == ["DC0_H0_VM0"]
    assert inventory.groups[f"len_{len(notes)}"] == ["DC0_H0_VM0"]


def test_connection_options_from_vmware_environment_variables(fleet_esx, tmp_path):
    env = {
        "VMWARE_HOST": fleet_esx.host, "VMWARE_PORT": str(fleet_esx.port),
        "VMWARE_USER": fleet_esx.username, "VMWARE_PASSWORD": fleet_esx.password,
        "VMWARE_CA_PATH": str(fleet_esx.ca_path),
    }  # fmt: skip
    inventory = run_inventory(write_config(tmp_path, {}), env=env)
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts == ["ha-host_VM0", "ha-host_VM1"]
    env.update(VMWARE_VALIDATE_CERTS="false", VMWARE_CA_PATH="")
    unchecked = run_inventory(write_config(tmp_path, {}), env=env)
    assert unchecked.hosts == ["ha-host_VM0", "ha-host_VM1"]
    assert "validate_certs is false" in unchecked.stderr


def test_connection_options_may_be_templates(fleet_esx, tmp_path):
    secret = "{{ lookup('ansible.builtin.env', 'SIM_PASSWORD') }}"
    options = {"endpoints": [endpoint(fleet_esx, password=secret)], "username": "ignored"}
    inventory = run_inventory(
        write_config(tmp_path, options), env={"SIM_PASSWORD": fleet_esx.password}
    )
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts == ["ha-host_VM0", "ha-host_VM1"]


def test_bad_configs_name_the_option(fleet_esx, tmp_path):
    secret = endpoint(fleet_esx, password="hush-hush-42")
    cases = [
        (
            {"endpoints": [dict(secret, datacenter="x")]},
            "endpoints[1] has unknown keys ['datacenter']",
        ),
        ({"username": "u", "password": "hush-hush-42"}, "hostname is required"),
        ({"endpoints": [secret], "max_workers": 0}, "max_workers must be at least 1, got 0"),
        (
            {"endpoints": [dict(secret, port="x1")]},
            "endpoints[1]: port must be an integer, got 'x1'",
        ),
        (
            {"endpoints": [dict(secret, validate_certs="maybe")]},
            "endpoints[1]: validate_certs must be a boolean, got 'maybe'",
        ),
        (
            {"endpoints": [dict(secret, password=["hush-hush-42"])]},
            "endpoints[1]: password must be a string",
        ),
        ({"endpoints": [dict(secret, password="")]}, "endpoints[1]: password is required"),
        (
            {"endpoints": [secret], "hostnames": [5, "name"]},
            "hostnames[1] must be a string, got 5 (int)",
        ),
        (
            {"endpoints": [secret], "filters": [False]},
            "filters[1] must be a string, got False (bool)",
        ),
        (
            {"endpoints": [secret], "properties": [{"a": 1}]},
            "properties[1] must be a string, got {'a': 1} (dict)",
        ),
        ({"endpoints": [secret], "properties": [""]}, "properties: '' is not a VI property path"),
        (
            {"endpoints": [secret], "properties": ["config.name", "config."]},
            "properties: 'config.' is not a VI property path",
        ),
        (
            {"endpoints": [dict(secret, password="{{ no_such_var }}")]},
            "could not template endpoints[1].password (the error is not shown",
        ),
    ]
    for options, message in cases:
        inventory = run_inventory(write_config(tmp_path, options))
        assert inventory.hosts == [] and message in inventory.stderr, inventory.stderr
        assert "hush-hush-42" not in inventory.output and "Traceback" not in inventory.output
        assert "could not be read" not in inventory.output  # refused before any request
        if "endpoints" in options:  # "set endpoints" is advice for the top-level options only
            assert "or set endpoints" not in inventory.output


def test_a_password_that_fails_to_template_is_not_quoted(fleet_esx, tmp_path):
    """Jinja2's error quotes the template: "Encountered unknown tag 'Secr3t'"."""
    for options in (
        {"endpoints": [endpoint(fleet_esx, password="Sup3r{%Secr3t")]},
        dict(endpoint(fleet_esx), password="Sup3r{{ Secr3t }}"),
    ):
        inventory = run_inventory(write_config(tmp_path, options))
        assert inventory.hosts == [] and "password (the error is not shown" in inventory.stderr
        assert "Secr3t" not in inventory.output, inventory.output
    username = run_inventory(
        write_config(tmp_path, dict(endpoint(fleet_esx), username="{{ who }}"))
    )
    assert "could not template username: 'who' is undefined" in username.stderr, username.output


def test_an_unknown_option_is_a_warning_naming_it(fleet_esx, tmp_path):
    """Ansible ignores keys no option has: `filter` for `filters` listed every VM unseen."""
    options = dict(endpoint(fleet_esx), filter=["esx_name == 'x'"], max_worker=2)
    options["pwd"] = options.pop("password")  # an alias is known
    inventory = run_inventory(write_config(tmp_path, options))
    assert inventory.hosts == ["ha-host_VM0", "ha-host_VM1"], inventory.output
    assert "unknown option(s) filter, max_worker, ignored" in inventory.stderr
    known = run_inventory(write_config(tmp_path, dict(endpoint(fleet_esx), cache_timeout=5)))
    assert known.hosts and "unknown option" not in known.stderr, known.output


def test_endpoint_entries_take_the_values_the_top_level_options_take(fleet_esx, tmp_path):
    """Ansible converts the top-level options only: an entry's "443" and "false" are converted
    here ("false" was a true string, so the certificate was checked)."""
    unchecked = endpoint(fleet_esx, validate_certs="false", ca_path=None)
    inventory = run_inventory(write_config(tmp_path, {"endpoints": [unchecked]}))
    assert inventory.hosts == ["ha-host_VM0", "ha-host_VM1"], inventory.output
    assert "validate_certs is false" in inventory.stderr
    ca_dir = os.path.dirname(fleet_esx.ca_path)
    from_env = endpoint(fleet_esx, ca_path="$SIM_CA_DIR/" + os.path.basename(fleet_esx.ca_path))
    inventory = run_inventory(
        write_config(tmp_path, {"endpoints": [from_env]}), env={"SIM_CA_DIR": ca_dir}
    )
    assert inventory.hosts == ["ha-host_VM0", "ha-host_VM1"], inventory.output
    quoted = endpoint(fleet_esx, port=str(fleet_esx.port))
    inventory = run_inventory(write_config(tmp_path, {"endpoints": [quoted]}))
    assert inventory.rc == 0 and inventory.hosts == ["ha-host_VM0", "ha-host_VM1"], inventory.output
    checked = endpoint(fleet_esx, validate_certs="yes", timeout="30", ca_path=None)
    refused = run_inventory(write_config(tmp_path, {"endpoints": [checked]}))
    assert refused.hosts == [] and "certificate" in refused.stderr, refused.output
