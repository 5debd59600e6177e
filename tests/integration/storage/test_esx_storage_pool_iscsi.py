"""esx_storage_pool with type iscsi on the simulator: a static target with CHAP on a software
adapter it enables, a send target whose targets the rescan discovers, removal; check mode
compared on the server, second runs, the CHAP secret never shown. The hosts' storage devices
are read with the collector (storage_reads), never through the module under test."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module

from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import POOL_FIELDS
from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect

IQN = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e"  # a target of the simulated SAN
SECRET = "chap-S3cret-value"
PORTAL = "192.168.60.20:3260"  # a send target of the simulated SAN, named as hosts name it
NETAPP = "iqn.1992-08.com.netapp:sn.4082367740:vs.3"  # the target it discovers
STATIC = {"name": IQN, "type": "iscsi", "address": "192.168.50.10", "hosts": ["DC0_H0", "DC0_C0_H0"],
          "enable_software_adapter": True, "chap_name": "esx", "chap_secret": SECRET}  # fmt: skip


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter without iSCSI adapters; these tests change it."""
    return vcsim_factory()


def pool(sim, args: dict, check=False, diff=False, ok=True, verbosity=0):
    """A run with a verbosity checks what the controller shows: it goes through it."""
    result = run_module(
        "esx_storage_pool", args, sim, check=check, diff=diff, verbosity=verbosity,
        cli=True if verbosity else None,
    )  # fmt: skip
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result


def storage(sim) -> dict[str, dict]:
    """host name -> its iSCSI adapters (device -> static targets, send targets, CHAP) and LUN names."""
    with reads.client(sim) as c:
        rows = collect(c, {"HostSystem": ["name", "config.storageDevice"]})
    out = {}
    for _ref, props in rows:
        dev = props.get("config.storageDevice") or {}
        adapters = {
            a["device"]: {
                "static": sorted((t["iScsiName"], t["address"], t.get("port"), t.get("discoveryMethod"))
                                 for t in a.get("configuredStaticTarget") or []),
                "send": sorted((t["address"], t.get("port")) for t in a.get("configuredSendTarget") or []),
                "chap": [((t.get("authenticationProperties") or {}).get("chapName"),
                          (t.get("authenticationProperties") or {}).get("chapSecret"))
                         for t in a.get("configuredStaticTarget") or []],
            }
            for a in dev.get("hostBusAdapter") or [] if a["_type"] == "HostInternetScsiHba"
        }  # fmt: skip
        luns = sorted(
            lun["canonicalName"] for lun in dev.get("scsiLun") or [] if lun.get("canonicalName")
        )
        out[props["name"]] = {
            "adapters": adapters,
            "luns": luns,
            "software": dev.get("softwareInternetScsiEnabled"),
        }
    return out


def test_static_target_with_chap(sim):
    before = storage(sim)
    check = pool(sim, STATIC, check=True, diff=True).result
    assert check["changed"] and storage(sim) == before
    assert [a["action"] for a in check["actions"] if a["host"] == "DC0_H0"] == [
        "enable software adapter", "add target", "set CHAP", "rescan"]  # fmt: skip
    assert check["diff"]["before"] == {} and check["diff"]["after"]["hosts"] == [
        "DC0_C0_H0",
        "DC0_H0",
    ]

    run = pool(sim, STATIC, verbosity=3)
    assert SECRET not in run.stdout + run.stderr
    made = run.result
    assert made["changed"] and made["pool"]["hosts"] == ["DC0_C0_H0", "DC0_H0"]
    after = storage(sim)
    for host in ("DC0_H0", "DC0_C0_H0"):
        assert after[host]["software"] is True
        assert after[host]["adapters"]["vmhba65"]["static"] == [
            (IQN, "192.168.50.10", 3260, "staticMethod")
        ]
        assert after[host]["adapters"]["vmhba65"]["chap"] == [
            ("esx", None)
        ]  # the secret is never read back
        assert (
            len(set(after[host]["luns"]) - set(before[host]["luns"])) == 2
        )  # the target's LUNs appeared
    assert after["DC0_C0_H1"] == before["DC0_C0_H1"]
    volumes = run_module("esx_volume_info", {"pool": IQN}, sim).result["volumes"]
    assert {v["canonical_name"] for v in volumes} == set(after["DC0_H0"]["luns"]) - set(
        before["DC0_H0"]["luns"]
    )

    again = pool(sim, STATIC).result
    assert again["changed"] is False and storage(sim) == after

    gone = {"name": IQN, "type": "iscsi", "address": "192.168.50.10", "state": "absent"}
    check = pool(sim, gone, check=True).result
    assert check["changed"] and storage(sim) == after
    pool(sim, gone)
    removed = storage(sim)
    assert removed["DC0_H0"]["adapters"]["vmhba65"]["static"] == []
    assert removed["DC0_H0"]["luns"] == before["DC0_H0"]["luns"]
    assert pool(sim, gone).result["changed"] is False


def test_send_target_discovers_its_targets(sim):
    send = {"name": "netapp-portal", "type": "iscsi", "discovery": "send_targets", "address": "192.168.60.20",
            "hosts": ["DC0_C0_H1"], "enable_software_adapter": True}  # fmt: skip
    before = storage(sim)
    check = pool(sim, send, check=True, diff=True).result
    assert check["changed"] and storage(sim) == before
    assert check["diff"]["before"] == {}
    assert check["diff"]["after"] == dict.fromkeys(POOL_FIELDS) | {
        "name": PORTAL, "backend": "iscsi", "type": "iscsi_send_target", "hosts": ["DC0_C0_H1"],
        "address": "192.168.60.20", "port": 3260, "targets": []}  # fmt: skip

    made = pool(sim, send).result
    assert [p["name"] for p in made["discovered"]] == [NETAPP]
    adapter = storage(sim)["DC0_C0_H1"]["adapters"]["vmhba65"]
    assert adapter["send"] == [("192.168.60.20", 3260)]
    assert adapter["static"] == [(NETAPP, "192.168.60.20", 3260, "sendTargetMethod")]
    # The send target is a pool of esx_storage_pool_info, linked with the target it found.
    listed = {p["name"]: p for p in run_module("esx_storage_pool_info", {}, sim).result["pools"]}
    portal = listed[PORTAL]
    assert list(portal) == list(POOL_FIELDS) and made["pool"] == portal
    assert portal["uuid"] == reads.libvirt_uuid(PORTAL)
    assert (portal["type"], portal["backend"], portal["iqn"], portal["targets"]) == (
        "iscsi_send_target", "iscsi", None, [NETAPP])  # fmt: skip
    assert (portal["hosts"], portal["address"], portal["port"], portal["adapter"]) == (
        ["DC0_C0_H1"], "192.168.60.20", 3260, "vmhba65")  # fmt: skip
    assert portal["capacity_bytes"] == listed[NETAPP]["capacity_bytes"] > 0
    assert listed[NETAPP]["send_target"] == PORTAL and listed[NETAPP]["type"] == "iscsi"
    by_type = run_module("esx_storage_pool_info", {"type": ["iscsi_send_target"]}, sim).result
    assert [p["name"] for p in by_type["pools"]] == [PORTAL]
    assert run_module("esx_volume_info", {"pool": PORTAL}, sim).result["volumes"] == []
    again = pool(sim, send, diff=True).result
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"] == portal

    pool(sim, dict(send, state="absent"))
    adapter = storage(sim)["DC0_C0_H1"]["adapters"]["vmhba65"]
    assert adapter["send"] == [] and adapter["static"] == []
    listed = [p["name"] for p in run_module("esx_storage_pool_info", {}, sim).result["pools"]]
    assert PORTAL not in listed and NETAPP not in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (dict(STATIC, enable_software_adapter=False, hosts=["DC0_C0_H2"]),
         "host 'DC0_C0_H2' has no software iSCSI adapter; set enable_software_adapter: true or give adapter"),
        (dict(STATIC, adapter="vmhba99"), "adapter: iSCSI adapter 'vmhba99' not found on host 'DC0_C0_H0'"),
        (dict(STATIC, chap_secret=None), "chap_secret is required with chap_name"),
        (dict(STATIC, mutual_chap_name="t"), "mutual_chap_secret is required with mutual_chap_name"),
        (dict(STATIC, address=None), "address is required for an iSCSI pool"),
        (dict(STATIC, target_port=70000), "target_port: 70000 is not a TCP port (1-65535)"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(sim, args, message):
    result = pool(sim, {k: v for k, v in args.items() if v is not None}, ok=False)
    assert result.result["msg"] == message
    assert SECRET not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def san(vcsim_factory):
    """vCenter with a software (vmhba65) and a hardware (vmhba33) iSCSI adapter on DC0_H0,
    IQN configured on vmhba65; these tests change it."""
    return vcsim_factory("--iscsi-hosts", "DC0_H0")


def test_absent_with_adapter_removes_the_target_from_that_adapter_only(san):
    on_both = {"name": IQN, "type": "iscsi", "address": "192.168.50.10", "hosts": ["DC0_H0"],
               "adapter": "vmhba33"}  # fmt: skip
    pool(san, on_both)
    before = storage(san)["DC0_H0"]["adapters"]
    assert [t[0] for t in before["vmhba33"]["static"]].count(IQN) == 1
    assert [t[0] for t in before["vmhba65"]["static"]].count(IQN) == 1

    # A typo'd adapter is an error naming it, with or without hosts; nothing is removed.
    typo = dict(on_both, adapter="vmhba99", state="absent")
    failed = pool(san, typo, ok=False).result
    assert failed["msg"] == "adapter: iSCSI adapter 'vmhba99' not found on host 'DC0_H0'"
    failed = pool(san, {k: v for k, v in typo.items() if k != "hosts"}, ok=False).result
    assert failed["msg"] == "adapter: iSCSI adapter 'vmhba99' not found on any host"
    assert storage(san)["DC0_H0"]["adapters"] == before

    gone = dict(on_both, state="absent")
    check = pool(san, gone, check=True).result
    assert [(a["action"], a["method"]) for a in check["actions"]] == [
        ("remove target", "RemoveInternetScsiStaticTargets"), ("rescan", "RescanHba")]  # fmt: skip
    assert storage(san)["DC0_H0"]["adapters"] == before
    assert pool(san, gone).result["changed"] is True
    after = storage(san)["DC0_H0"]["adapters"]
    assert IQN not in [t[0] for t in after["vmhba33"]["static"]]
    assert after["vmhba65"] == before["vmhba65"]  # the other adapter keeps its target
    assert pool(san, gone).result["changed"] is False
    assert pool(san, {k: v for k, v in gone.items() if k != "hosts"}).result["changed"] is False


def test_an_iqn_in_another_case_is_the_configured_target(sim):
    """iSCSI names compare case-insensitively (RFC 3722). Spelled otherwise, the IQN was added
    again beside the configured target on each host: two targets, two pools of one array."""
    other_case = IQN.replace("iqn.", "IQN.").replace(":sn.1f6a", ":SN.1F6A")
    pool(sim, dict(STATIC, hosts=["DC0_H0"]))
    before = storage(sim)
    both = dict(STATIC, name=other_case, hosts=["DC0_H0", "DC0_C0_H0"])
    check = pool(sim, both, check=True).result
    assert [(a["host"], a["action"]) for a in check["actions"]] == [
        ("DC0_C0_H0", "add target"), ("DC0_C0_H0", "set CHAP"), ("DC0_C0_H0", "rescan")]  # fmt: skip
    assert storage(sim) == before

    made = pool(sim, both).result
    assert made["changed"] and made["pool"]["name"] == IQN
    assert made["pool"]["hosts"] == ["DC0_C0_H0", "DC0_H0"]
    after = storage(sim)
    for host in ("DC0_H0", "DC0_C0_H0"):  # one target, as the first host spells it
        assert after[host]["adapters"]["vmhba65"]["static"] == [
            (IQN, "192.168.50.10", 3260, "staticMethod")
        ]
    assert pool(sim, both).result["changed"] is False and storage(sim) == after
    volumes = run_module("esx_volume_info", {"pool": other_case}, sim).result["volumes"]
    assert len(volumes) == 2 and {v["pool"] for v in volumes} == {IQN}

    gone = {"name": other_case, "type": "iscsi", "address": "192.168.50.10", "state": "absent"}
    assert pool(sim, gone).result["changed"] is True
    for host in ("DC0_H0", "DC0_C0_H0"):
        assert storage(sim)[host]["adapters"]["vmhba65"]["static"] == []
    assert pool(sim, gone).result["changed"] is False
