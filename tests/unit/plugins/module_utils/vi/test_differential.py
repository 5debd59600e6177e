"""Our decoder against pyVmomi's on the same bytes (issue 17, item 4).

Over every answer recorded from real vCenter servers (../shared/fixtures/real-vsphere; skipped
when absent), and over a directory of answers the integration suite recorded through the
transport's hook when VIAPI_ESX_WIRE_DIR names one (docs/reliability.md has the commands).
Each leaf must agree apart from the representation choices tests/unit/wire_diff.py lists.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import real_vsphere
from vi_wire import object_content, response, retrieve_result, user_session

pytest.importorskip("pyVmomi")
import wire_diff  # noqa: E402

WIRE_DIR = os.environ.get("VIAPI_ESX_WIRE_DIR")


def _report(answers: list[wire_diff.Answer]) -> list[str]:
    failures = []
    for answer in answers:
        failures += [f"{answer.source} {answer.method}: {m}" for m in wire_diff.check(answer)]
    return failures


def test_real_vcenter_answers_decode_as_pyvmomi_decodes_them(real_vsphere_cassettes):
    answers = [
        wire_diff.Answer(i.id, i.soap_method, i.status, i.body)
        for i in real_vsphere.soap_interactions()
    ]
    assert len(answers) > 40
    failures = _report(answers)
    assert not failures, "\n".join(failures[:50])


@pytest.mark.skipif(not WIRE_DIR, reason="VIAPI_ESX_WIRE_DIR unset (no recorded suite traffic)")
def test_recorded_suite_answers_decode_as_pyvmomi_decodes_them():
    answers = wire_diff.recorded_dir(Path(WIRE_DIR))
    assert answers, f"no recorded answers in {WIRE_DIR}"
    failures = _report(answers)
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:50])


def props(val: str) -> bytes:
    obj = object_content(("VirtualMachine", "vm-1"), {"config": val})
    return response("RetrievePropertiesEx", retrieve_result([obj]))


CONFIG = (
    '<val xsi:type="VirtualMachineConfigInfo"><changeVersion>1</changeVersion>'
    "<modified>2024-01-02T03:04:05.5Z</modified><name>web</name><guestFullName>g</guestFullName>"
    "<version>vmx-21</version><uuid>u</uuid><template>{template}</template><guestId>o</guestId>"
    "<alternateGuestName></alternateGuestName><files><vmPathName>[ds] web/web.vmx</vmPathName>"
    "</files><hardware><numCPU>{cpus}</numCPU><memoryMB>1024</memoryMB>"
    '<device xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label>'
    '<summary>1 KB</summary></deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo">'
    "<fileName>[ds] web/web.vmdk</fileName><diskMode>persistent</diskMode></backing>"
    "<controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>1</capacityInKB>"
    "</device></hardware><vmxConfigChecksum>q83vEjRWeJA=</vmxConfigChecksum></val>"
)


def test_a_nested_answer_agrees_leaf_by_leaf():
    body = props(CONFIG.format(template="false", cpus=2))
    answer = wire_diff.Answer("hand-written", "RetrievePropertiesEx", 200, body)
    assert wire_diff.check(answer) == []


def test_a_difference_is_reported_with_path_values_and_type():
    ours = wire_diff.ours_decode(
        "RetrievePropertiesEx", 200, props(CONFIG.format(template="false", cpus=2))
    )
    theirs = wire_diff.pyvmomi_decode(
        "RetrievePropertiesEx", props(CONFIG.format(template="true", cpus=4))
    )
    got = sorted(str(m) for m in wire_diff.differences(ours, theirs))
    assert got == [
        "returnval.objects[0].propSet[0].val.hardware.numCPU (int): ours 2, pyVmomi 4",
        "returnval.objects[0].propSet[0].val.template (bool): ours False, pyVmomi True",
    ]
    # A value typed differently (a string where pyVmomi has an int) is a difference too.
    ours["objects"][0]["propSet"][0]["val"]["hardware"]["memoryMB"] = "1024"
    got = [str(m) for m in wire_diff.differences(ours, theirs) if "memoryMB" in m.path]
    assert got == ["returnval.objects[0].propSet[0].val.hardware.memoryMB (int): ours '1024', "
                   "pyVmomi 1024"]  # fmt: skip


def test_a_required_long_the_server_left_out_is_absent_where_pyvmomi_has_zero():
    # The simulator's Login answer has no UserSession.callCount (xsd:long, required): ours leaves
    # it out, pyVmomi reads 0; that is the documented difference, and no other.
    body = response("Login", user_session().replace("<callCount>0</callCount>", ""))
    assert b"callCount" not in body
    answer = wire_diff.Answer("hand-written", "Login", 200, body)
    assert "callCount" not in wire_diff.ours_decode("Login", 200, body)
    assert wire_diff.pyvmomi_decode("Login", body).callCount == 0
    assert wire_diff.check(answer) == []
    # A callCount that is sent must agree.
    sent = response("Login", user_session().replace(">0</callCount>", ">7</callCount>"))
    ours = wire_diff.ours_decode("Login", 200, sent)
    assert ours["callCount"] == 7
    theirs = wire_diff.pyvmomi_decode("Login", sent.replace(b">7<", b">8<"))
    assert [str(m) for m in wire_diff.differences(ours, theirs)] == [
        "returnval.callCount (long): ours 7, pyVmomi 8"
    ]
