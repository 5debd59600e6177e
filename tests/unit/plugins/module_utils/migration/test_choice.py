"""Choosing the destination host: the checks against each candidate, vMotion, free memory."""

from __future__ import annotations

import pytest
from premigration_facts import host, snapshot

from ansible_collections.viapi.esx.plugins.module_utils.migration import choice, result
from ansible_collections.viapi.esx.plugins.module_utils.premigration import checks
from ansible_collections.viapi.esx.plugins.module_utils.premigration.runner import Options
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument

VM = MoRef("VirtualMachine", "vm-42")
NO_SERVER = Options(skip=("server_checks",))  # the server is not asked: no client needed


def towards(*hosts: dict) -> list[dict]:
    """One snapshot of web01 (on esx01) per candidate host."""
    snaps = []
    for h in hosts:
        s = snapshot()
        s["destination"]["host"] = h
        snaps.append(s)
    return snaps


def choose(monkeypatch, snaps, options=NO_SERVER):
    monkeypatch.setattr(choice, "gather", lambda *a: snaps)
    hosts = [MoRef("HostSystem", s["destination"]["host"]["moid"]) for s in snaps]
    return choice.plan(None, VM, {"candidates": hosts}, options, 60)


AMD = host("host-3", "esx03", cpu_vendor="amd")
NO_VMOTION = host("host-4", "esx04", vmotion_enabled=False)
OK = host("host-2", "esx02")


def test_a_host_refused_first_is_passed_over_for_one_that_passes(monkeypatch):
    outcome = choose(monkeypatch, towards(AMD, NO_VMOTION, OK))
    assert outcome.choice.host == "esx02" and outcome.changed is True
    assert outcome.spec == {
        "_type": "VirtualMachineRelocateSpec",
        "host": MoRef("HostSystem", "host-2"),
    }
    assert outcome.blocked_by == ()
    by_host = {c["host"]: c for c in outcome.choice.as_dict()["candidates"]}
    assert by_host["esx03"]["blocked_by"] == ["cpu_compatibility"]
    assert by_host["esx04"]["blocked_by"] == ["vmotion_enabled"]
    assert by_host["esx02"]["accepted"] is True and by_host["esx02"]["blocked_by"] == []
    assert outcome.choice.reason == "the only one of 3 candidate hosts whose checks pass; 2 refused"


def test_the_most_free_memory_wins_and_a_tie_goes_to_the_first(monkeypatch):
    roomy = host("host-5", "esx05", memory_used_mb=1024)  # 64 GiB, 63 GiB free
    tight = host("host-6", "esx06", memory_used_mb=60000)
    outcome = choose(monkeypatch, towards(tight, roomy))
    assert outcome.choice.host == "esx05"
    assert outcome.choice.reason.startswith("the most free memory (64512 MiB) of the 2")
    assert choose(monkeypatch, towards(roomy, tight)).choice.host == "esx05"
    twin = host("host-7", "esx07", memory_used_mb=1024)
    assert choose(monkeypatch, towards(twin, roomy)).choice.host == "esx07"
    unknown = host("host-8", "esx08", memory_used_mb=None)
    assert choose(monkeypatch, towards(unknown, tight)).choice.host == "esx06"


def test_no_host_accepting_fails_naming_each_hosts_checks(monkeypatch):
    maintenance = host("host-9", "esx09", maintenance_mode=True)
    outcome = choose(monkeypatch, towards(AMD, NO_VMOTION, maintenance))
    assert outcome.choice.host is None and outcome.changed is False
    # Every check that refused some host, in the registry's order.
    assert outcome.blocked_by == ("destination_host_state", "vmotion_enabled", "cpu_compatibility")
    assert list(outcome.blocked_by) == [n for n in checks.NAMES if n in outcome.blocked_by]
    msg = result.message(outcome)
    assert msg == (
        "VM 'web01' cannot move to any of 3 hosts: esx03: cpu_compatibility; "
        "esx04: vmotion_enabled; esx09: destination_host_state"
    )
    values = result.result(outcome, {"host": "esx01"})
    assert values["destination"]["host"] is None and values["changed"] is False
    assert values["blocked_by"] == list(outcome.blocked_by)
    reasons = {c["host"]: c["reasons"] for c in values["choice"]["candidates"]}
    assert reasons["esx09"] == [
        "destination_host_state: host 'esx09' cannot take VMs: it is in maintenance mode"
    ]


def test_a_host_without_vmotion_is_left_out_even_when_the_check_is_skipped(monkeypatch):
    options = Options(skip=("server_checks", "vmotion_enabled"))
    outcome = choose(monkeypatch, towards(NO_VMOTION, OK), options)
    assert outcome.choice.host == "esx02"
    refused = outcome.choice.candidates[0]
    assert refused.blocked_by == ("vmotion_enabled",)
    assert refused.reasons == ("vmotion_enabled: vMotion is not enabled on host 'esx04'",)


def test_a_powered_off_vm_may_go_to_a_host_without_vmotion(monkeypatch):
    snaps = towards(NO_VMOTION)
    snaps[0]["vm"]["power_state"] = "powered_off"
    outcome = choose(monkeypatch, snaps)
    assert outcome.choice.host == "esx04" and outcome.changed is True


def test_a_vm_already_on_a_candidate_stays(monkeypatch):
    snaps = towards(OK, host("host-1", "esx01"))
    outcome = choose(monkeypatch, snaps)
    assert outcome.choice.host == "esx01" and outcome.spec is None and outcome.changed is False
    assert result.message(outcome) == "VM 'web01' is already on host 'esx01'; nothing to do"


def test_the_chosen_host_is_in_the_message_and_the_result(monkeypatch):
    outcome = choose(monkeypatch, towards(AMD, OK))
    msg = result.message(outcome, check_mode=True)
    assert msg.startswith("VM 'web01' would move to host 'esx02' (checks: ")
    assert msg.endswith(
        "; chosen as the only one of 2 candidate hosts whose checks pass; 1 refused"
    )
    values = result.result(outcome, {"host": "esx01"}, check_mode=True)
    assert values["destination"]["host"] == "esx02" and values["choice"]["host"] == "esx02"


def test_a_cluster_without_hosts_is_an_error():
    with pytest.raises(InvalidArgument, match="no host"):
        choice.plan(None, VM, {"candidates": []}, NO_SERVER, 60)


def test_free_memory_is_unknown_without_both_figures():
    assert choice.free_memory_mb(host("h", "h")) == 65536 - 16384
    assert choice.free_memory_mb(host("h", "h", memory_mb=None)) is None


def test_every_candidate_comes_from_the_same_reads(monkeypatch):
    reads = []

    def read(client, refs):
        reads.append(list(refs))
        return relocate_rows(refs)

    monkeypatch.setattr(choice.snapshot, "read", read)
    monkeypatch.setattr(choice.snapshot, "build", lambda rows, vm, dest: dest)
    hosts = [MoRef("HostSystem", f"host-{i}") for i in (2, 3, 4)]
    cluster = MoRef("ClusterComputeResource", "domain-c1")
    built = choice.gather(None, VM, {"cluster": cluster, "host": None}, hosts)
    assert reads == [[VM, *hosts, cluster], [MoRef("HostSystem", "host-1")]]
    assert [b["host"] for b in built] == hosts and all(b["cluster"] == cluster for b in built)


def relocate_rows(refs) -> dict:
    """Rows as snapshot.read returns them: the VM runs on host-1."""
    return {r: ({"runtime.host": MoRef("HostSystem", "host-1")} if r == VM else {}) for r in refs}


def outside(name: str, moid: str, option: str = "resource_pool") -> choice.Candidate:
    """What gather gives for a host outside the resource pool's compute resource."""
    message = f"resource_pool 'gold' does not belong to '{name}'"
    return choice.Candidate(name, None, (option,), (f"{option}: {message}",))


def test_a_host_outside_the_pools_compute_resource_is_refused_not_the_run(monkeypatch):
    snaps = [outside("esx09", "host-9"), *towards(OK)]
    monkeypatch.setattr(choice, "gather", lambda *a: snaps)
    hosts = [MoRef("HostSystem", "host-9"), MoRef("HostSystem", "host-2")]
    outcome = choice.plan(None, VM, {"candidates": hosts}, NO_SERVER, 60)
    assert outcome.choice.host == "esx02" and outcome.changed is True
    (refused, chosen) = outcome.choice.as_dict()["candidates"]
    assert refused == {"host": "esx09", "accepted": False, "free_memory_mb": None,
                       "blocked_by": ["resource_pool"],
                       "reasons": ["resource_pool: resource_pool 'gold' does not belong to "
                                   "'esx09'"]}  # fmt: skip
    assert chosen["host"] == "esx02" and chosen["accepted"] is True
    assert outcome.choice.reason == "the only one of 2 candidate hosts whose checks pass; 1 refused"


def test_when_no_judged_host_accepts_the_outside_one_is_named_too(monkeypatch):
    snaps = [outside("esx09", "host-9"), *towards(AMD)]
    monkeypatch.setattr(choice, "gather", lambda *a: snaps)
    hosts = [MoRef("HostSystem", "host-9"), MoRef("HostSystem", "host-3")]
    outcome = choice.plan(None, VM, {"candidates": hosts}, NO_SERVER, 60)
    assert outcome.choice.host is None and outcome.changed is False
    assert outcome.choice.blocked_by == ("cpu_compatibility", "resource_pool")
    assert outcome.snapshot["destination"]["host"]["name"] == "esx03"  # the closest judged


def test_every_host_outside_fails_naming_each(monkeypatch):
    snaps = [outside("esx08", "host-8"), outside("esx09", "host-9")]
    monkeypatch.setattr(choice, "gather", lambda *a: snaps)
    hosts = [MoRef("HostSystem", "host-8"), MoRef("HostSystem", "host-9")]
    with pytest.raises(InvalidArgument) as err:
        choice.plan(None, VM, {"candidates": hosts}, NO_SERVER, 60)
    assert str(err.value) == (
        "hosts: no candidate host can take the VM there: "
        "esx08: resource_pool: resource_pool 'gold' does not belong to 'esx08'; "
        "esx09: resource_pool: resource_pool 'gold' does not belong to 'esx09'"
    )


def test_gather_turns_a_host_outside_into_its_refusal(monkeypatch):
    def build(rows, vm, dest):
        if dest["host"].value == "host-9":
            raise choice.OutsideDestination("resource_pool 'gold' does not belong to 'c2'",
                                            "resource_pool")  # fmt: skip
        return dest

    def read(client, refs):
        return {**relocate_rows(refs), MoRef("HostSystem", "host-9"): {"name": "esx%2f09"}}

    monkeypatch.setattr(choice.snapshot, "read", read)
    monkeypatch.setattr(choice.snapshot, "build", build)
    hosts = [MoRef("HostSystem", "host-2"), MoRef("HostSystem", "host-9")]
    built = choice.gather(None, VM, {"pool": MoRef("ResourcePool", "resgroup-7")}, hosts)
    assert built[0]["host"] == hosts[0]
    assert built[1] == choice.Candidate(
        "esx/09", None, ("resource_pool",),
        ("resource_pool: resource_pool 'gold' does not belong to 'c2'",),
    )  # fmt: skip
