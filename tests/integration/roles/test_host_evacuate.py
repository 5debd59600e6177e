"""The host_evacuate role on the pre-migration scenario: plan, partial moves, maintenance.

The scenario (tests/vcsim/scenario.go) puts four powered-on VMs on the `source` host: `clean`
can move; `host_cdrom` (host_devices), `missing_network` (networks) and `local_storage`
(shared_storage) are blocked by a check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_run import connection, module_defaults_play, run_playbook
from faultproxy import HOOK, FaultProxy, Request

from ansible_collections.viapi.esx.plugins.module_utils.module import CONNECTION_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.premigration.checks import REGISTRY
from ansible_collections.viapi.esx.plugins.module_utils.premigration.runner import REGRADES
from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task
from ansible_collections.viapi.esx.plugins.modules import esx_migrate

PLAYBOOK = Path(__file__).with_name("host_evacuate.yml")
ROLE = Path(__file__).parents[3] / "roles" / "host_evacuate"
BLOCKERS = {
    "host_cdrom": "host_devices",
    "missing_network": "networks",
    "local_storage": "shared_storage",
}


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory("--scenario", "premigration")


@pytest.fixture(scope="module")
def roles(sim):
    return sim.manifest["premigration"]


def placement(sim) -> tuple[dict, dict]:
    """(VM name -> host name, host name -> in maintenance), read independently of the role."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        hosts = dict(collect(c, {"HostSystem": ["name", "runtime.inMaintenanceMode"]}))
        rows = collect(c, {"VirtualMachine": ["name", "runtime.host"]})
    vms = {p["name"]: hosts[p["runtime.host"]]["name"] for _r, p in rows}
    return vms, {p["name"]: bool(p.get("runtime.inMaintenanceMode")) for p in hosts.values()}


def host_refs(sim) -> dict:
    """Host name -> moref value, read independently of the role."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        return {p["name"]: ref.value for ref, p in collect(c, {"HostSystem": ["name"]})}


def run(sim, host, check=False, **extra):
    """Run the role; return the ansible result and the role's report (by VM name)."""
    variables = {"host_evacuate_connection": connection(sim), "host_evacuate_host": host, **extra}
    res = run_playbook(PLAYBOOK, variables, check=check)
    shown = [
        t["result"]["host_evacuate_report"]
        for t in res.tasks
        if "host_evacuate_report" in t["result"]
    ]
    return res, {line["vm"]: line for line in shown[-1]} if shown else None


def test_check_mode_reports_the_plan_and_moves_nothing(sim, roles):
    before = placement(sim)
    res, report = run(
        sim, roles["hosts"]["source"], check=True, host_evacuate_enter_maintenance=True
    )
    assert res.rc != 0, "blocked VMs must fail the role (after the report)"
    clean = report.pop(roles["vms"]["clean"])
    assert clean["would_move"] and not clean["moved"]
    for role, check in BLOCKERS.items():
        line = report[roles["vms"][role]]
        assert not line["would_move"] and check in line["blocked_by"], line
    # Without named destinations: the rest of the cluster, never the source or a host in maintenance.
    assert clean["destination"] not in (roles["hosts"]["source"], roles["hosts"]["maintenance"])
    assert placement(sim) == before, "check mode changed the server"


def test_blocked_vms_stay_and_the_rest_move(sim, roles):
    source, ok = roles["hosts"]["source"], roles["hosts"]["ok"]
    res, report = run(
        sim, source, host_evacuate_destinations=[ok], host_evacuate_enter_maintenance=True
    )
    assert res.rc != 0
    assert "stayed on " + source in res.stdout
    vms, maintenance = placement(sim)
    assert vms[roles["vms"]["clean"]] == ok and report[roles["vms"]["clean"]]["moved"]
    for role in BLOCKERS:
        assert vms[roles["vms"][role]] == source, f"{role} moved although a check blocked it"
    assert maintenance[source] is False, "maintenance mode entered with VMs left behind"


def test_everything_moves_when_checks_are_skipped_then_maintenance(sim, roles):
    source, ok = roles["hosts"]["source"], roles["hosts"]["ok"]
    res, report = run(
        sim, source, host_evacuate_destinations=[ok], host_evacuate_enter_maintenance=True,
        host_evacuate_checks={"skip": sorted(BLOCKERS.values())},
    )  # fmt: skip
    assert res.rc == 0, res.stdout + res.stderr
    assert report and all(line["moved"] for line in report.values())
    vms, maintenance = placement(sim)
    assert source not in [vms[roles["vms"][role]] for role in BLOCKERS]
    assert maintenance[source] is True


def test_the_host_being_emptied_is_never_a_destination(vcsim_factory):
    """Named among the destinations, the source would "take" every VM: they would stay on it
    and be reported as moved, and maintenance mode would be entered with them running."""
    sim = vcsim_factory("--scenario", "premigration")  # the module's simulator has moved VMs
    roles = sim.manifest["premigration"]
    source, ok = roles["hosts"]["source"], roles["hosts"]["ok"]
    before = placement(sim)
    res, report = run(
        sim, source, check=True, host_evacuate_destinations=[source, ok],
        host_evacuate_enter_maintenance=True,
    )  # fmt: skip
    assert res.rc != 0, "blocked VMs must fail the role (after the report)"
    clean = report.pop(roles["vms"]["clean"])
    assert clean["would_move"] and clean["destination"] == ok, clean
    for role, check in BLOCKERS.items():
        line = report[roles["vms"][role]]
        assert not line["would_move"] and line["destination"] is None, line
        assert line["refused"] == {ok: [check]}, line
    entered = [t for t in res.tasks if t["task"].endswith("Enter maintenance mode")]
    assert entered and all(t["status"] == "skipped" for t in entered), entered
    alone = run(sim, source, check=True, host_evacuate_destinations=[source])[0]
    assert alone.rc != 0
    assert (
        f"No destination for the VMs of {source}: host_evacuate_destinations names no other host"
        in alone.stdout
    )
    assert placement(sim) == before, "check mode changed the server"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"host_evacuate_checks": {"fail_on": "warnings"}},
         "value of fail_on must be one of: critical, warning, got: warnings"),
        ({"host_evacuate_checks": {"skipp": ["host_devices"]}}, "skipp"),
        ({"host_evacuate_checks": {"skip": ["host_device"]}}, "host_device"),
        ({"host_evacuate_wait_timeout": 0},
         "host_evacuate_wait_timeout must be a positive number of seconds, got 0"),
        ({"host_evacuate_checks": {"severity": {"host_device": "info", "networks": "info"}}},
         "host_evacuate_checks.severity: unknown check(s) host_device (known: vm_state, "),
        ({"host_evacuate_checks": {"severity": {"networks": "warn", "snapshots": "info"}}},
         "host_evacuate_checks.severity: networks: not one of critical, warning, info, ignore"),
        ({"host_evacuate_checks": {"skip": ["networks"], "severity": {"networks": "info"}}},
         "host_evacuate_checks.severity: networks also in skip; skip a check or regrade it"),
    ],
)  # fmt: skip
def test_a_bad_option_fails_before_any_vm_is_tried(sim, roles, extra, needle):
    """esx_migrate refused such a value for each VM; each was reported as "stayed", and with
    host_evacuate_fail_on_blocked false the role succeeded having tried nothing."""
    before = placement(sim)
    res, report = run(sim, roles["hosts"]["source"], host_evacuate_fail_on_blocked=False, **extra)
    assert res.rc != 0 and report is None, res.stdout[-3000:]
    (failed,) = [t for t in res.tasks if t["status"] == "failed"]
    assert needle in failed["result"]["msg"], failed["result"]
    if "host_evacuate_checks" in extra:
        assert "host_evacuate_checks" in failed["result"]["msg"], failed["result"]
    assert not [t for t in res.tasks if t["task"].endswith("Check and migrate each VM")]
    assert placement(sim) == before


def test_an_unknown_connection_option_fails_before_anything_is_read(sim, roles):
    """Each module refused it under its own name; the message now names the role variable."""
    before = placement(sim)
    res, report = run(
        sim, roles["hosts"]["source"],
        host_evacuate_connection={**connection(sim), "hostnme": "vc.example.com"},
    )  # fmt: skip
    assert res.rc != 0 and report is None, res.stdout[-3000:]
    (failed,) = [t for t in res.tasks if t["status"] == "failed"]
    assert failed["task"].endswith("Check the connection options"), failed
    assert failed["result"]["msg"].startswith(
        "host_evacuate_connection: unknown option(s) hostnme; it takes hostname, port,"
    ), failed["result"]
    assert connection(sim)["password"] not in res.stdout + res.stderr
    assert placement(sim) == before


def test_a_destination_no_host_has_fails_before_any_vm_is_tried(sim, roles):
    """esx_migrate failed for every VM (also those the other destination would take), each
    was reported as stayed, and with host_evacuate_fail_on_blocked false the role succeeded."""
    before = placement(sim)
    res, report = run(
        sim, roles["hosts"]["source"], host_evacuate_fail_on_blocked=False,
        host_evacuate_destinations=[roles["hosts"]["ok"], "esx-typo", "esx-typo2"],
    )  # fmt: skip
    assert res.rc != 0 and report is None, res.stdout[-3000:]
    (failed,) = [t for t in res.tasks if t["status"] == "failed"]
    assert failed["result"]["msg"] == (
        "host_evacuate_destinations: no host is called esx-typo, esx-typo2"
    ), failed["result"]
    assert placement(sim) == before


def test_the_checks_the_role_accepts_are_esx_migrates():
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    role = spec["argument_specs"]["main"]["options"]["host_evacuate_checks"]["options"]
    module = esx_migrate.ARGUMENT_SPEC["checks"]["options"]
    assert set(role) == set(module)
    for name, option in module.items():
        for key in ("type", "elements", "choices", "default"):
            assert role[name].get(key) == option.get(key), (name, key)


def test_the_lists_the_role_checks_against_are_the_modules():
    accepted = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    assert set(accepted["host_evacuate_connection_options"]) == set(CONNECTION_ARGS)
    assert accepted["host_evacuate_check_names"] == [c.name for c in REGISTRY]
    assert tuple(accepted["host_evacuate_severities"]) == REGRADES
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    skip = spec["argument_specs"]["main"]["options"]["host_evacuate_checks"]["options"]["skip"]
    assert skip["choices"] == accepted["host_evacuate_check_names"]


def test_without_destination_fails_clearly(vcsim_factory):
    sim = vcsim_factory()
    standalone = next(h["name"] for h in sim.manifest["hosts"] if not h.get("cluster"))
    res = run(sim, standalone)[0]
    assert res.rc != 0
    assert "set host_evacuate_destinations" in res.stdout


MODULE_DEFAULTS_PLAY = module_defaults_play(
    "The connection only through module_defaults",
    """\
  roles:
    - role: viapi.esx.host_evacuate
""",
)


def test_the_play_module_defaults_give_the_connection(sim, roles, tmp_path):
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(MODULE_DEFAULTS_PLAY)
    before = placement(sim)
    res = run_playbook(
        playbook, {"esx": connection(sim), "host_evacuate_host": roles["hosts"]["source"]},
        check=True,
    )  # fmt: skip
    assert "missing required arguments" not in res.stdout, res.stdout[-3000:]
    reports = [t["result"]["host_evacuate_report"] for t in res.tasks
               if "host_evacuate_report" in t["result"]]  # fmt: skip
    # Every read and every check ran with the play's connection: each VM on the source is
    # in the report (which VMs can move depends on what the other tests moved before).
    source = roles["hosts"]["source"]
    assert reports, res.stdout[-3000:]
    assert {line["vm"] for line in reports[-1]} == {
        vm for vm, host in before[0].items() if host == source
    }
    assert placement(sim) == before


# ---------------------------------------------------------------- the destination choice


def test_a_vm_refused_by_its_first_host_lands_on_a_third_that_passes(vcsim_factory):
    """Dealt in turn, VMs went to incompatible and no_vmotion and stayed; now all land on ok."""
    sim = vcsim_factory("--scenario", "premigration")
    roles = sim.manifest["premigration"]
    hosts = roles["hosts"]
    targets = [hosts["incompatible"], hosts["no_vmotion"], hosts["ok"]]
    res, report = run(
        sim, hosts["source"], host_evacuate_destinations=targets,
        host_evacuate_enter_maintenance=True,
        host_evacuate_checks={"skip": sorted(BLOCKERS.values())},
    )  # fmt: skip
    assert res.rc == 0, res.stdout[-3000:] + res.stderr[-2000:]
    vms, maintenance = placement(sim)
    for vm in roles["vms"].values():
        assert vms[vm] == hosts["ok"], f"{vm} is on {vms[vm]}"
        assert report[vm]["moved"] and report[vm]["destination"] == hosts["ok"]
    clean = report[roles["vms"]["clean"]]
    assert clean["refused"] == {
        hosts["incompatible"]: ["cpu_compatibility", "hardware_version"],
        hosts["no_vmotion"]: ["vmotion_enabled"],
    }
    assert maintenance[hosts["source"]] is True


def test_a_vm_no_host_accepts_stays_and_the_report_names_each_hosts_reason(vcsim_factory):
    sim = vcsim_factory("--scenario", "premigration")  # the module's simulator has moved VMs
    roles = sim.manifest["premigration"]
    hosts = roles["hosts"]
    targets = [hosts["incompatible"], hosts["no_vmotion"], hosts["maintenance"]]
    before = placement(sim)
    res, report = run(sim, hosts["source"], host_evacuate_destinations=targets)
    assert res.rc != 0 and "stayed on " + hosts["source"] in res.stdout
    clean = report[roles["vms"]["clean"]]
    assert not clean["would_move"] and clean["destination"] is None
    assert clean["refused"] == {
        hosts["incompatible"]: ["cpu_compatibility", "hardware_version"],
        hosts["no_vmotion"]: ["vmotion_enabled"],
        hosts["maintenance"]: ["destination_host_state"],
    }
    assert (
        f"{hosts['incompatible']}: cpu_compatibility, hardware_version; "
        f"{hosts['no_vmotion']}: vmotion_enabled; {hosts['maintenance']}: destination_host_state"
    ) in clean["message"]
    assert placement(sim) == before, "a blocked evacuation changed the server"


def test_the_choice_prefers_the_host_with_the_most_free_memory(vcsim_factory):
    """Both pass for clean; ok has more free memory than the standalone host listed first."""
    sim = vcsim_factory("--scenario", "premigration")
    roles = sim.manifest["premigration"]
    standalone = next(h["name"] for h in sim.manifest["hosts"] if not h.get("cluster"))
    hosts = roles["hosts"]
    before = placement(sim)
    res, report = run(
        sim, hosts["source"], check=True, host_evacuate_destinations=[standalone, hosts["ok"]]
    )
    clean = report[roles["vms"]["clean"]]
    assert clean["would_move"] and clean["destination"] == hosts["ok"], clean
    assert clean["refused"] == {}
    assert "the most free memory" in clean["message"]
    assert placement(sim) == before, "check mode changed the server"


def test_the_cluster_is_read_in_the_source_hosts_datacenter(vcsim_factory):
    """Clusters of two datacenters may share a name; the lookup by name alone found both and
    failed the role before it read a VM."""
    sim = vcsim_factory("--dc", "2")
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path)) as c:
        clusters = collect(c, {"ClusterComputeResource": ["name"]})
        other = next(ref for ref, p in clusters if p["name"] == "DC1_C0")
        wait_for_task(c, c.call(other, "Rename_Task", newName="DC0_C0"), 60)
    hosts = {h["name"]: h for h in sim.manifest["hosts"]}
    source = "DC0_C0_H0"
    assert hosts[source]["cluster"] == "DC0_C0" and hosts[source]["datacenter"] == "DC0"
    before = placement(sim)
    # The default model's checks refuse its VMs (vmotion_enabled, host_devices): what counts
    # here is which hosts were asked.
    res, report = run(sim, source, check=True, host_evacuate_fail_on_blocked=False)
    assert res.rc == 0, res.stdout[-3000:]
    assert set(report) == {vm for vm, host in before[0].items() if host == source}
    peers = {h for h, facts in hosts.items() if facts["cluster"] == "DC0_C0" and h != source}
    for line in report.values():
        assert set(line["refused"]) | {line["destination"]} - {None} == peers, line
    assert placement(sim) == before, "check mode changed the server"


def test_a_vm_that_left_for_another_host_than_chosen_is_misplaced_not_stayed(vcsim_factory):
    """A server may run a VM elsewhere than the relocation asked (another admin, DRS at once);
    vcsim always obeys, so the proxy rewrites the first RelocateVM_Task's host from ok to
    no_vmotion. esx_migrate fails that VM (changed, "was not moved ... as asked"); the role
    reported it as stayed, kept the host out of maintenance mode and failed, though the host
    was empty."""
    sim = vcsim_factory("--scenario", "premigration")
    roles = sim.manifest["premigration"]
    hosts, refs = roles["hosts"], host_refs(sim)
    asked, elsewhere = refs[hosts["ok"]], refs[hosts["no_vmotion"]]

    def redirect(req: Request) -> None:
        req.body = req.body.replace(
            f'type="HostSystem">{asked}<'.encode(), f'type="HostSystem">{elsewhere}<'.encode()
        )

    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path) as proxy:
        proxy.next(HOOK, method="RelocateVM_Task", hook=redirect)
        at_proxy = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        res, report = run(
            sim, hosts["source"], host_evacuate_destinations=[hosts["ok"]],
            host_evacuate_enter_maintenance=True,
            host_evacuate_checks={"skip": sorted(BLOCKERS.values())},
            host_evacuate_connection=connection(sim, **at_proxy),
        )  # fmt: skip
        assert proxy.count("RelocateVM_Task") == len(roles["vms"])
    assert res.rc == 0, res.stdout[-3000:] + res.stderr[-2000:]
    vms, maintenance = placement(sim)
    (misplaced,) = [line for line in report.values() if line["misplaced"]]
    assert vms[misplaced["vm"]] == hosts["no_vmotion"]
    assert misplaced["moved"] and misplaced["would_move"], misplaced
    assert (misplaced["destination"], misplaced["host"]) == (hosts["ok"], hosts["no_vmotion"])
    assert "was not moved to" in misplaced["message"], misplaced
    assert f"instead of host '{hosts['ok']}'" in misplaced["message"], misplaced
    for line in report.values():
        if line is not misplaced:
            assert line["moved"] and not line["misplaced"], line
            assert line["host"] == line["destination"] == vms[line["vm"]] == hosts["ok"], line
    blocked = [t for t in res.tasks if t["task"].endswith("Record the VMs that did not move")]
    assert blocked[-1]["result"]["ansible_facts"]["host_evacuate_blocked"] == []
    assert maintenance[hosts["source"]] is True
