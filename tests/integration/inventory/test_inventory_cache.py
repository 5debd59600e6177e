"""viapi.esx.esx with the jsonfile cache: a cache hit answers with the simulator stopped."""

from __future__ import annotations

import json

from inventory_run import endpoint, label, run_inventory, write_config


def test_a_cache_hit_makes_no_request(vcsim_factory, tmp_path):
    sim = vcsim_factory("--guest-ips", "1")
    cache_dir = tmp_path / "cache"
    options = dict(
        endpoint(sim),
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(cache_dir),
        cache_timeout=3600,
        compose={"where": "esx_endpoint"},
    )
    config = write_config(tmp_path, options)
    first = run_inventory(config, "-v")
    assert first.rc == 0 and len(first.hosts) == 4, first.output
    assert f"{label(sim)}: 4 VMs in " in first.stdout
    (cached,) = list(cache_dir.iterdir())
    assert sim.password not in cached.read_text()
    stored = json.loads(cached.read_text())
    if "__payload__" in stored:  # ansible-core 2.19 wraps what it stores
        stored = json.loads(stored["__payload__"])
    assert len(stored["records"]) == 4

    sim.stop()
    second = run_inventory(config, "-v")
    assert second.rc == 0, second.output
    assert "4 VMs from the cache" in second.stdout and "could not be read" not in second.output
    assert second.raw == first.raw  # hosts, variables, composed variables and groups alike

    flushed = run_inventory(config, "--flush-cache")
    assert flushed.hosts == [] and f"endpoint {label(sim)} could not be read" in flushed.stderr
    assert "the cache was not updated" in flushed.stderr
    again = run_inventory(config)
    assert again.raw == first.raw  # the failed read did not overwrite the cache


def test_without_cache_every_run_reads_the_server(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    config = write_config(tmp_path, dict(endpoint(sim), cache=False, cache_plugin="ansible.builtin.jsonfile",
                                         cache_connection=str(tmp_path / "cache")))  # fmt: skip
    assert len(run_inventory(config).hosts) == 4
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())
    sim.stop()
    assert run_inventory(config).hosts == []


def test_a_cache_read_for_other_endpoints_or_properties_is_not_an_answer(
    fleet_vpx, fleet_esx, tmp_path
):
    """The cache answers only the read it holds: a new endpoint, property or device_facts reads."""
    cache = dict(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_timeout=3600,
                 cache_connection=str(tmp_path / "cache"))  # fmt: skip
    first = run_inventory(write_config(tmp_path, dict(endpoint(fleet_esx), **cache)), "-v")
    assert first.rc == 0 and len(first.hosts) == 2, first.output
    assert (
        run_inventory(write_config(tmp_path, dict(endpoint(fleet_esx), **cache))).raw == first.raw
    )

    more = dict(endpoint(fleet_esx), properties=["config.cpuHotAddEnabled"], device_facts=True)
    shaped = run_inventory(write_config(tmp_path, dict(more, **cache)), "-v")
    assert "VMs from the cache" not in shaped.stdout, shaped.output
    assert "the cache was read with other endpoints, properties or device_facts" in shaped.stdout
    for variables in shaped.hostvars.values():
        assert "esx_vi_config_cpuHotAddEnabled" in variables and "esx_disks" in variables
    again = run_inventory(write_config(tmp_path, dict(more, **cache)), "-v")
    assert "2 VMs from the cache" in again.stdout and again.raw == shaped.raw

    both = {"endpoints": [endpoint(fleet_esx), endpoint(fleet_vpx)], **cache}
    fleet = run_inventory(write_config(tmp_path, both), "-v")
    assert "VMs from the cache" not in fleet.stdout and len(fleet.hosts) == 6, fleet.output
    other_user = dict(endpoint(fleet_vpx, username="someone-else"), **cache)
    refused = run_inventory(write_config(tmp_path, other_user))
    assert refused.hosts == [] and "could not be read" in refused.stderr, refused.output


def test_a_cache_read_by_another_templated_user_is_not_an_answer(vcsim_factory, tmp_path):
    """username (or hostname) from a lookup: the cache holds the read of the value the lookup
    gave, and a run whose lookup gives another reads again (that user may not log in, and
    must not be shown the VMs another user read)."""
    sim = vcsim_factory()
    options = dict(endpoint(sim), username="{{ lookup('env', 'ESX_TEST_USER') }}", cache=True,
                   cache_plugin="ansible.builtin.jsonfile", cache_timeout=3600,
                   cache_connection=str(tmp_path / "cache"))  # fmt: skip
    config = write_config(tmp_path, options)
    first = run_inventory(config, "-v", env={"ESX_TEST_USER": sim.username})
    assert first.rc == 0 and len(first.hosts) == 4, first.output
    assert "VMs from the cache" not in first.stdout
    again = run_inventory(config, "-v", env={"ESX_TEST_USER": sim.username})
    assert "4 VMs from the cache" in again.stdout and again.raw == first.raw
    other = run_inventory(config, "-v", env={"ESX_TEST_USER": "someone-else"})
    assert "VMs from the cache" not in other.stdout, other.output
    assert other.hosts == [] and "could not be read" in other.stderr, other.output
