"""vi/decoder.py: what the wire gets wrong is either read right or refused with the method and
the path (issue 17, item 2); a newer server's types still decode."""

from __future__ import annotations

import pytest
from vi_wire import SERVICE_CONTENT, object_content, response, response_raw, retrieve_result

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import ResponseError

VM = ("VirtualMachine", "vm-42")


def retrieve(props: dict[str, str]):
    body = response("RetrievePropertiesEx", retrieve_result([object_content(VM, props)]))
    return envelope.parse_response("RetrievePropertiesEx", 200, body)


def values(props: dict[str, str]) -> dict:
    return {p["name"]: p["val"] for p in retrieve(props)["objects"][0]["propSet"]}


def config(inner: str) -> dict[str, str]:
    return {"config": f'<val xsi:type="VirtualMachineConfigInfo">{inner}</val>'}


@pytest.mark.parametrize("text, expected", [("true", True), ("false", False), ("1", True),
                                            ("0", False), (" true\n", True)])  # fmt: skip
def test_xsd_boolean_forms_decode(text, expected):
    assert values(config(f"<template>{text}</template>"))["config"]["template"] is expected
    val = f'<val xsi:type="xsd:boolean">{text}</val>'
    assert values({"summary.config.template": val})["summary.config.template"] is expected


@pytest.mark.parametrize("text", ["TRUE", "yes", "False", "", "2"])
def test_a_boolean_that_is_not_xsd_boolean_is_refused_with_its_path(text):
    with pytest.raises(ResponseError) as e:
        values(config(f"<name>web</name><template>{text}</template>"))
    assert str(e.value) == (
        "the answer to RetrievePropertiesEx holds a value that does not decode at "
        "returnval.objects.propSet[config].val.template: "
        f"{text!r} is not an xsd:boolean (true, false, 1 or 0)"
    )
    with pytest.raises(ResponseError, match=r"propSet\[runtime.x\]\.val: 'yes' is not an xsd"):
        values({"runtime.x": '<val xsi:type="xsd:boolean">yes</val>'})


def test_the_path_counts_repeated_elements():
    hw = (
        '<val xsi:type="VirtualHardware"><numCPU>1</numCPU>'
        '<device xsi:type="VirtualDisk"><key>2000</key><capacityInKB>1</capacityInKB></device>'
        '<device xsi:type="VirtualDisk"><key>2001</key><capacityInKB>lots</capacityInKB></device>'
        "</val>"
    )
    with pytest.raises(ResponseError, match=r"propSet\[config.hardware\]\.val\.device\[1\]\."
                       r"capacityInKB: invalid literal for int"):  # fmt: skip
        values({"config.hardware": hw})


def test_an_unknown_element_before_the_return_value_is_refused():
    body = response_raw(
        "RetrieveServiceContent", f"<note>hello</note><returnval>{SERVICE_CONTENT}</returnval>"
    )
    with pytest.raises(ResponseError, match=r"RetrieveServiceContent holds <note> where only "
                       r"<returnval> elements belong"):  # fmt: skip
        envelope.parse_response("RetrieveServiceContent", 200, body)


def test_a_wrong_known_xsi_type_on_a_return_value_is_refused():
    body = response_raw(
        "RetrieveServiceContent",
        '<returnval xsi:type="AboutInfo"><name>x</name></returnval>',
    )
    with pytest.raises(ResponseError, match=r"RetrieveServiceContent .* at returnval: "
                       r"xsi:type AboutInfo is not a ServiceContent"):  # fmt: skip
        envelope.parse_response("RetrieveServiceContent", 200, body)
    # A subtype is right: QueryConfigOptionEx returns a VirtualMachineConfigOption.
    ok = response_raw(
        "RetrieveServiceContent",
        f'<returnval xsi:type="ServiceContent">{SERVICE_CONTENT}</returnval>',
    )
    assert envelope.parse_response("RetrieveServiceContent", 200, ok)["about"]["apiType"]


def test_a_wrong_known_xsi_type_in_a_field_is_refused():
    hw = '<val xsi:type="VirtualHardware"><device xsi:type="HostSystemInfo"><key>1</key></device></val>'
    with pytest.raises(ResponseError, match=r"val\.device: xsi:type HostSystemInfo is not a "
                       r"VirtualDevice"):  # fmt: skip
        values({"config.hardware": hw})


def test_a_moref_without_type_is_refused():
    body = response_raw("PowerOnVM_Task", "<returnval>task-42</returnval>")
    with pytest.raises(ResponseError, match="PowerOnVM_Task .* at returnval: a "
                       "ManagedObjectReference without its type attribute"):  # fmt: skip
        envelope.parse_response("PowerOnVM_Task", 200, body)
    with pytest.raises(ResponseError, match=r"at returnval.objects.obj: a ManagedObjectReference"):
        envelope.parse_response(
            "RetrievePropertiesEx", 200,
            response("RetrievePropertiesEx", "<objects><obj>vm-1</obj></objects>"),
        )  # fmt: skip
    val = '<val xsi:type="VirtualMachineRuntimeInfo"><host>host-1</host></val>'
    with pytest.raises(ResponseError, match=r"val\.host: a ManagedObjectReference without"):
        values({"runtime": val})


def test_several_return_values():
    two = (
        '<returnval><obj type="VirtualMachine">vm-1</obj></returnval>'
        '<returnval><obj type="VirtualMachine">vm-2</obj></returnval>'
    )
    got = envelope.parse_response(
        "RetrieveProperties", 200, response_raw("RetrieveProperties", two)
    )
    assert [o["obj"].value for o in got] == ["vm-1", "vm-2"]
    # No RETURNS entry (a method newer than the table): several returnvals are an array.
    body = response_raw("FutureQuery", "<returnval>a</returnval><returnval>b</returnval>")
    assert envelope.parse_response("FutureQuery", 200, body) == ["a", "b"]
    # A method that returns one value answering two is refused, not cut to the first.
    with pytest.raises(ResponseError, match="RetrieveServiceContent holds 2 return values; "
                       "RetrieveServiceContent returns one ServiceContent"):  # fmt: skip
        envelope.parse_response(
            "RetrieveServiceContent", 200,
            response_raw("RetrieveServiceContent", f"<returnval>{SERVICE_CONTENT}</returnval>" * 2),
        )  # fmt: skip
    with pytest.raises(ResponseError, match="DestroyView holds a return value; DestroyView "
                       "returns none"):  # fmt: skip
        envelope.parse_response("DestroyView", 200, response("DestroyView", "x"))


def test_base64_binary_is_one_string():
    got = values(config("<vmxConfigChecksum>q83v\nEjRWeJA=</vmxConfigChecksum>"))
    assert got["config"]["vmxConfigChecksum"] == "q83vEjRWeJA="
    val = '<val xsi:type="xsd:base64Binary">AAEC</val>'
    assert values({"x": val})["x"] == "AAEC"
    with pytest.raises(ResponseError, match=r"vmxConfigChecksum: '\*\*' is not xsd:base64Binary"):
        values(config("<vmxConfigChecksum>**</vmxConfigChecksum>"))


def test_an_empty_data_object_is_a_dict_with_its_type():
    assert values({"x": '<val xsi:type="VirtualMachineDefaultProfileSpec"/>'})["x"] == {
        "_type": "VirtualMachineDefaultProfileSpec"
    }
    got = values(config('<name>web</name><bootOptions xsi:type="VirtualMachineBootOptions"/>'))
    assert got["config"]["bootOptions"] == {"_type": "VirtualMachineBootOptions"}
    got = values(config("<name>web</name><flags></flags>"))
    assert got["config"]["flags"] == {"_type": "VirtualMachineFlagInfo"}
    # A newer server's type with nothing set: still an object, not ''.
    assert values({"x": '<val xsi:type="FutureSpec"/>'})["x"] == {"_type": "FutureSpec"}


def test_a_newer_servers_subtype_decodes_as_its_known_parent():
    hw = (
        '<val xsi:type="VirtualHardware"><device xsi:type="VirtualFutureController">'
        "<key>1000</key><deviceInfo><label>F</label><summary>s</summary></deviceInfo>"
        "<controllerKey>100</controllerKey><unitNumber>3</unitNumber>"
        "<futureField>7</futureField></device></val>"
    )
    device = values({"config.hardware": hw})["config.hardware"]["device"][0]
    assert device == {
        "_type": "VirtualFutureController", "key": 1000,
        "deviceInfo": {"_type": "Description", "label": "F", "summary": "s"},
        "controllerKey": 100, "unitNumber": 3, "futureField": "7",
    }  # fmt: skip


def test_a_newer_servers_enum_and_array_decode():
    assert values({"s": '<val xsi:type="FuturePowerState">hibernated</val>'})["s"] == "hibernated"
    arr = (
        '<val xsi:type="ArrayOfFutureThing"><FutureThing xsi:type="FutureThing"><a>1</a>'
        "</FutureThing></val>"
    )
    assert values({"a": arr})["a"] == [{"_type": "FutureThing", "a": "1"}]


def test_known_enums_in_any_type_decode_to_their_text():
    val = '<val xsi:type="VirtualMachinePowerState">poweredOn</val>'
    assert values({"runtime.powerState": val})["runtime.powerState"] == "poweredOn"
    arr = (
        '<val xsi:type="ArrayOfManagedObjectReference">'
        '<ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">ds-1'
        "</ManagedObjectReference></val>"
    )
    assert values({"datastore": arr})["datastore"] == [MoRef("Datastore", "ds-1")]
