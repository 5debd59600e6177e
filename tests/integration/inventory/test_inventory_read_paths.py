"""The inventory reads only the paths its host variables need (inventory/hostvars.read_paths):
without device facts it leaves out the VMs' advanced settings and vApp properties, and the host
variables are those a read of every path gives."""

from __future__ import annotations

import pytest
from inventory_run import reconfigure

from ansible_collections.viapi.esx.plugins.module_utils.inventory import hostvars, source
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk, facts


@pytest.fixture(scope="module")
def shaped(vcsim_factory):
    """The default model; its first VM has an advanced setting and a vApp property."""
    sim = vcsim_factory()
    reconfigure(
        sim, sim.manifest["vms"][0]["moid"],
        extraConfig=[{"_type": "OptionValue", "key": "guestinfo.role", "value": "web"}],
        vAppConfig={"_type": "VmConfigSpec", "property": [{
            "_type": "VAppPropertySpec", "operation": "add",
            "info": {"_type": "VAppPropertyInfo", "key": 0, "id": "app.mode", "value": "blue",
                     "type": "string"},
        }]},
    )  # fmt: skip
    return sim


def at(sim) -> source.Endpoint:
    return source.Endpoint(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)


def every_path(sim, paths, devices: bool) -> list:
    """The records the plugin's conversion makes of a read of `paths`, in the plugin's order."""
    endpoint = at(sim)

    def convert(_ref, props, found):
        return hostvars.vm_variables(found, props, endpoint.label, (), devices)

    with endpoint.client() as client:
        read = bulk.read(client, convert, paths)
    return sorted(read.items, key=hostvars.sort_key)


def test_without_devices_the_settings_are_not_read_and_the_variables_do_not_change(shaped):
    paths = hostvars.read_paths(devices=False)
    assert "config.extraConfig" not in paths and "config.vAppConfig" not in paths
    result = source.read_endpoint(at(shaped), (), False, 1)
    assert result.error is None and len(result.records) == shaped.manifest["counts"]["vms"]
    assert result.records == every_path(shaped, facts.SUMMARY_PATHS, False)
    assert not any("esx_extra_config" in r or "esx_vapp_properties" in r for r in result.records)


def test_with_devices_the_settings_are_read(shaped):
    result = source.read_endpoint(at(shaped), (), True, 1)
    assert result.error is None
    assert result.records == every_path(shaped, facts.PATHS, True)
    first = next(r for r in result.records if r["esx_moid"] == shaped.manifest["vms"][0]["moid"])
    assert first["esx_extra_config"]["guestinfo.role"] == "web"
    assert [(p["id"], p["value"]) for p in first["esx_vapp_properties"]] == [("app.mode", "blue")]


def test_a_left_out_path_named_in_properties_is_read(shaped):
    result = source.read_endpoint(at(shaped), ["config.extraConfig"], False, 1)
    assert result.error is None
    first = next(r for r in result.records if r["esx_moid"] == shaped.manifest["vms"][0]["moid"])
    assert {"key": "guestinfo.role", "value": "web"} in [
        {k: o[k] for k in ("key", "value")} for o in first["esx_vi_config_extraConfig"]
    ]
    assert "esx_extra_config" not in first


SECRET = "Inv3ntory-s3cret"


@pytest.fixture(scope="module")
def with_password(shaped):
    """The second VM of `shaped` with a password vApp property (value and default)."""
    moid = shaped.manifest["vms"][1]["moid"]
    reconfigure(
        shaped, moid,
        vAppConfig={"_type": "VmConfigSpec", "property": [{
            "_type": "VAppPropertySpec", "operation": "add",
            "info": {"_type": "VAppPropertyInfo", "key": 7, "id": "app.token", "value": SECRET,
                     "defaultValue": SECRET, "type": "password"},
        }]},
    )  # fmt: skip
    return moid


@pytest.mark.parametrize("path", ["config.vAppConfig", "config.vAppConfig.property", "config"])
def test_raw_properties_hide_a_password_property_s_value_as_the_facts_do(
    shaped, with_password, path
):
    result = source.read_endpoint(at(shaped), [path], False, 1)
    assert result.error is None and SECRET not in repr(result.records)
    record = next(r for r in result.records if r["esx_moid"] == with_password)
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in repr(record[hostvars.extra_variable(path)])
