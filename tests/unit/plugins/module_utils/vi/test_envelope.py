"""vi/envelope.py: request XML from Python values, and typed decoding of recorded answers."""

from __future__ import annotations

import pytest
from lxml import etree
from vi_wire import (
    fault,
    moref,
    object_content,
    response,
    response_raw,
    response_ref,
    retrieve_result,
    soap,
)

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

VIM = "{urn:vim25}"
XSI_TYPE = envelope.XSI_TYPE
PC = MoRef("PropertyCollector", "propertyCollector")


def method_element(body: bytes):
    """The method element of a request envelope (Envelope/Body/<method>)."""
    root = etree.fromstring(body)
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert root[0].tag == "{http://schemas.xmlsoap.org/soap/envelope/}Body"
    return root[0][0]


def names(el) -> list[str]:
    return [etree.QName(c).localname for c in el]


# ------------------------------------------------------------------ building requests


def test_request_names_the_method_and_this():
    el = method_element(
        envelope.build_request("CurrentTime", MoRef("ServiceInstance", "ServiceInstance"), {})
    )
    assert el.tag == VIM + "CurrentTime"
    assert names(el) == ["_this"]
    assert el[0].get("type") == "ServiceInstance" and el[0].text == "ServiceInstance"


def test_arguments_follow_wsdl_order_not_call_order():
    view_manager = MoRef("ViewManager", "ViewManager")
    args = {
        "recursive": True,
        "type": ["VirtualMachine", "HostSystem"],
        "container": MoRef("Folder", "group-d1"),
    }
    el = method_element(envelope.build_request("CreateContainerView", view_manager, args))
    assert names(el) == ["_this", "container", "type", "type", "recursive"]
    assert [c.text for c in el] == [
        "ViewManager",
        "group-d1",
        "VirtualMachine",
        "HostSystem",
        "true",
    ]
    assert el[1].get("type") == "Folder"


def test_data_object_fields_follow_wsdl_order_and_carry_xsi_type():
    spec = {
        "_type": "PropertyFilterSpec",
        "reportMissingObjectsInResults": False,
        "objectSet": [
            {"_type": "ObjectSpec", "skip": True, "obj": MoRef("ContainerView", "session[1]2")}
        ],
        "propSet": [
            {
                "_type": "PropertySpec",
                "pathSet": ["name", "config.uuid"],
                "all": False,
                "type": "VirtualMachine",
            }
        ],
    }
    options = {"_type": "RetrieveOptions", "maxObjects": 1000}
    el = method_element(
        envelope.build_request("RetrievePropertiesEx", PC, {"options": options, "specSet": [spec]})
    )
    assert names(el) == ["_this", "specSet", "options"]
    spec_el, options_el = el[1], el[2]
    assert spec_el.get(XSI_TYPE) == "PropertyFilterSpec"
    assert names(spec_el) == ["propSet", "objectSet", "reportMissingObjectsInResults"]
    prop = spec_el[0]
    assert prop.get(XSI_TYPE) == "PropertySpec"
    assert names(prop) == ["type", "all", "pathSet", "pathSet"]
    assert [c.text for c in prop] == ["VirtualMachine", "false", "name", "config.uuid"]
    assert names(spec_el[1]) == ["obj", "skip"]
    assert options_el.get(XSI_TYPE) == "RetrieveOptions" and options_el[0].text == "1000"


def test_subtype_fields_include_the_parents_first():
    traversal = {"_type": "TraversalSpec", "selectSet": [{"_type": "SelectionSpec", "name": "x"}],
                 "skip": False, "path": "view", "type": "ContainerView", "name": "t"}  # fmt: skip
    spec = {"_type": "ObjectSpec", "obj": MoRef("Folder", "f"), "selectSet": [traversal]}
    el = method_element(
        envelope.build_request(
            "RetrievePropertiesEx",
            PC,
            {"specSet": [{"_type": "PropertyFilterSpec", "objectSet": [spec]}]},
        )
    )
    t_el = el[1][0][1]
    assert t_el.get(XSI_TYPE) == "TraversalSpec"
    assert names(t_el) == ["name", "type", "path", "skip", "selectSet"]
    assert t_el[4].get(XSI_TYPE) == "SelectionSpec"


def test_data_object_without_type_key_uses_the_declared_type_without_xsi_type():
    el = method_element(
        envelope.build_request("RetrievePropertiesEx", PC, {"options": {"maxObjects": 5}})
    )
    assert el[1].get(XSI_TYPE) is None
    assert names(el[1]) == ["maxObjects"]


def test_none_is_omitted_everywhere():
    spec = {"_type": "PropertySpec", "type": "VirtualMachine", "all": None, "pathSet": None}
    el = method_element(
        envelope.build_request(
            "RetrievePropertiesEx",
            PC,
            {"specSet": [{"_type": "PropertyFilterSpec", "propSet": [spec]}], "options": None},
        )
    )
    assert names(el) == ["_this", "specSet"]
    assert names(el[1][0]) == ["type"]


def test_false_and_zero_are_sent():
    el = method_element(
        envelope.build_request(
            "RetrievePropertiesEx", PC, {"options": {"_type": "RetrieveOptions", "maxObjects": 0}}
        )
    )
    assert el[1][0].text == "0"
    spec = {"_type": "PropertySpec", "type": "VirtualMachine", "all": False}
    el = method_element(
        envelope.build_request(
            "RetrievePropertiesEx",
            PC,
            {"specSet": [{"_type": "PropertyFilterSpec", "propSet": [spec]}]},
        )
    )
    assert [c.text for c in el[1][0]] == ["VirtualMachine", "false"]


def test_a_list_repeats_the_element_and_a_one_element_list_is_one_element():
    el = method_element(
        envelope.build_request(
            "TerminateSession", MoRef("SessionManager", "SessionManager"), {"sessionId": ["a"]}
        )
    )
    assert names(el) == ["_this", "sessionId"]
    el = method_element(
        envelope.build_request(
            "TerminateSession",
            MoRef("SessionManager", "SessionManager"),
            {"sessionId": ("a", "b", "c")},
        )
    )
    assert [c.text for c in el[1:]] == ["a", "b", "c"]
    el = method_element(
        envelope.build_request(
            "TerminateSession", MoRef("SessionManager", "SessionManager"), {"sessionId": []}
        )
    )
    assert names(el) == ["_this"]


@pytest.mark.parametrize(
    "value, xsd, text",
    [
        ("text", "xsd:string", "text"),
        (True, "xsd:boolean", "true"),
        (False, "xsd:boolean", "false"),
        (42, "xsd:int", "42"),
        (-(2**31), "xsd:int", str(-(2**31))),
        (2**31, "xsd:long", str(2**31)),
        (2**40, "xsd:long", str(2**40)),
        (1.5, "xsd:double", "1.5"),
    ],
)
def test_any_type_scalars_carry_their_xsd_type(value, xsd, text):
    option = {"_type": "OptionValue", "key": "guestinfo.x", "value": value}
    spec = {"_type": "VirtualMachineConfigSpec", "extraConfig": [option]}
    el = method_element(
        envelope.build_request("ReconfigVM_Task", MoRef("VirtualMachine", "vm-1"), {"spec": spec})
    )
    value_el = el[1][0][1]
    assert etree.QName(value_el).localname == "value"
    assert value_el.get(XSI_TYPE) == xsd
    assert value_el.text == text
    assert envelope.decode(value_el) == value  # and it reads back as the same Python value


def test_typed_fields_carry_no_xsi_type_for_scalars():
    el = method_element(
        envelope.build_request(
            "WaitForUpdatesEx",
            PC,
            {"version": "", "options": {"_type": "WaitOptions", "maxWaitSeconds": 10}},
        )
    )
    assert el[1].get(XSI_TYPE) is None and el[1].text is None  # version="" is sent, empty
    assert el[2][0].get(XSI_TYPE) is None and el[2][0].text == "10"


def test_text_is_escaped_and_reads_back_unchanged():
    name = "a<b> & \"c\" 'd' é ü 日本"
    spec = {"_type": "VirtualMachineConfigSpec", "name": name, "annotation": "]]> <![CDATA[ x"}
    body = envelope.build_request(
        "ReconfigVM_Task", MoRef("VirtualMachine", "vm-<1>"), {"spec": spec}
    )
    assert b"a&lt;b&gt; &amp; &quot;c&quot;" in body
    el = method_element(body)
    assert el[0].text == "vm-<1>"
    assert el[1][0].text == name
    assert el[1][1].text == "]]> <![CDATA[ x"


def test_moref_attribute_is_escaped():
    el = method_element(envelope.build_request("DestroyView", MoRef('Container"View', "v&1"), {}))
    assert el[0].get("type") == 'Container"View' and el[0].text == "v&1"


@pytest.mark.parametrize("bad", ["nul\x00", "bell\x07", "vt\x0b", "esc\x1b", "\ufffe", "\uffff"])
def test_characters_xml_cannot_carry_are_refused(bad):
    with pytest.raises(ValueError, match="XML 1.0 cannot carry"):
        envelope.build_request(
            "Login", MoRef("SessionManager", "SessionManager"), {"userName": "u", "password": bad}
        )


def test_tab_newline_and_carriage_return_are_allowed():
    el = method_element(
        envelope.build_request(
            "Login", MoRef("SessionManager", "SessionManager"), {"userName": "a\tb\nc"}
        )
    )
    assert el[1].text == "a\tb\nc"


def test_fields_the_table_does_not_know_are_sent_after_the_known_ones():
    spec = {"_type": "VirtualMachineConfigSpec", "futureField": "x", "name": "vm1", "numCPUs": 2}
    el = method_element(
        envelope.build_request("ReconfigVM_Task", MoRef("VirtualMachine", "vm-1"), {"spec": spec})
    )
    assert names(el[1]) == ["name", "numCPUs", "futureField"]


def test_a_request_decodes_back_to_its_arguments():
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [
            {"_type": "PropertySpec", "type": "VirtualMachine", "all": False, "pathSet": ["name"]}
        ],
        "objectSet": [
            {"_type": "ObjectSpec", "obj": MoRef("VirtualMachine", "vm-1"), "skip": False}
        ],
    }
    el = method_element(envelope.build_request("RetrievePropertiesEx", PC, {"specSet": [spec]}))
    assert envelope.decode(el[1], "PropertyFilterSpec") == spec


# ------------------------------------------------------------------ decoding answers


def retrieve(objects: list[str], token: str | None = None):
    body = response("RetrievePropertiesEx", retrieve_result(objects, token))
    return envelope.parse_response("RetrievePropertiesEx", 200, body)


def props_of(*vals: tuple[str, str]) -> dict:
    result = retrieve([object_content(("VirtualMachine", "vm-1"), dict(vals))])
    return {p["name"]: p["val"] for p in result["objects"][0]["propSet"]}


def test_property_values_are_typed_by_their_xsi_type():
    got = props_of(
        ("int", '<val xsi:type="xsd:int">4</val>'),
        ("long", '<val xsi:type="xsd:long">386479947776</val>'),
        ("short", '<val xsi:type="xsd:short">-2</val>'),
        ("true", '<val xsi:type="xsd:boolean">true</val>'),
        ("false", '<val xsi:type="xsd:boolean">false</val>'),
        ("double", '<val xsi:type="xsd:double">0.25</val>'),
        ("string", '<val xsi:type="xsd:string">0042</val>'),
        ("empty", '<val xsi:type="xsd:string"></val>'),
        ("when", '<val xsi:type="xsd:dateTime">2023-12-12T10:07:22.614869Z</val>'),
    )
    assert got == {
        "int": 4, "long": 386479947776, "short": -2, "true": True, "false": False, "double": 0.25,
        "string": "0042", "empty": "", "when": "2023-12-12T10:07:22.614869Z",
    }  # fmt: skip
    assert isinstance(got["int"], int) and not isinstance(got["int"], bool)
    assert isinstance(got["true"], bool)


def test_fields_are_typed_by_the_table():
    config = (
        '<val xsi:type="VirtualMachineConfigInfo"><changeVersion>2023-12-12T10:07:22.614869Z</changeVersion>'
        "<modified>1970-01-01T00:00:00Z</modified><name>web01</name><uuid>4224a2f0</uuid>"
        "<template>false</template><guestId>otherGuest</guestId>"
        "<hardware><numCPU>4</numCPU><numCoresPerSocket>2</numCoresPerSocket><memoryMB>8192</memoryMB>"
        "<virtualICH7MPresent>false</virtualICH7MPresent></hardware>"
        "<cpuHotAddEnabled>true</cpuHotAddEnabled><hotPlugMemoryLimit>8589934592</hotPlugMemoryLimit></val>"
    )
    got = props_of(("config", config))["config"]
    assert got["_type"] == "VirtualMachineConfigInfo"
    assert got["template"] is False and got["cpuHotAddEnabled"] is True
    assert got["hardware"] == {"_type": "VirtualHardware", "numCPU": 4, "numCoresPerSocket": 2,
                               "memoryMB": 8192, "virtualICH7MPresent": False}  # fmt: skip
    assert got["hotPlugMemoryLimit"] == 8589934592
    assert got["changeVersion"] == "2023-12-12T10:07:22.614869Z"  # a string field stays a string
    assert got["modified"] == "1970-01-01T00:00:00Z"


def test_byte_arrays_and_base64_fields():
    lun = (
        '<val xsi:type="ScsiLunDurableName"><namespace>SERIALNUM</namespace><namespaceId>5</namespaceId>'
        "<data>-12</data><data>0</data><data>127</data></val>"
    )
    got = props_of(("durableName", lun))["durableName"]
    assert (got["namespaceId"], got["data"]) == (5, [-12, 0, 127])
    # vmxConfigChecksum is xsd:base64Binary: one value, its base64 text (not a list of bytes).
    config = (
        '<val xsi:type="VirtualMachineConfigInfo"><name>web</name>'
        "<vmxConfigChecksum>q83vEjRWeJA=</vmxConfigChecksum></val>"
    )
    assert props_of(("config", config))["config"]["vmxConfigChecksum"] == "q83vEjRWeJA="


def test_array_fields_with_one_element_stay_lists():
    hardware = (
        '<val xsi:type="VirtualHardware"><numCPU>1</numCPU>'
        '<device xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label>'
        "<summary>VM Network</summary></deviceInfo><controllerKey>100</controllerKey><unitNumber>7</unitNumber>"
        "<macAddress>00:50:56:9a:3c:11</macAddress><wakeOnLanEnabled>true</wakeOnLanEnabled></device></val>"
    )
    got = props_of(("config.hardware", hardware))["config.hardware"]
    assert isinstance(got["device"], list) and len(got["device"]) == 1
    nic = got["device"][0]
    assert nic["_type"] == "VirtualVmxnet3"
    assert nic["key"] == 4000 and nic["unitNumber"] == 7 and nic["wakeOnLanEnabled"] is True
    assert nic["macAddress"] == "00:50:56:9a:3c:11"
    assert nic["deviceInfo"] == {
        "_type": "Description",
        "label": "Network adapter 1",
        "summary": "VM Network",
    }
    # and a RetrieveResult with one object has a list of one object
    result = retrieve(
        [object_content(("VirtualMachine", "vm-7"), {"name": '<val xsi:type="xsd:string">a</val>'})]
    )
    assert isinstance(result["objects"], list) and len(result["objects"]) == 1
    assert isinstance(result["objects"][0]["propSet"], list)


def _ref_item(type_name: str, value: str) -> str:
    """An item of an ArrayOfManagedObjectReference, as vCenter writes it."""
    return (
        f'<ManagedObjectReference type="{type_name}" xsi:type="ManagedObjectReference">'
        f"{value}</ManagedObjectReference>"
    )


def test_array_of_wrappers_are_unwrapped():
    got = props_of(
        ("datastore", '<val xsi:type="ArrayOfManagedObjectReference">'
                      f'{_ref_item("Datastore", "datastore-17")}{_ref_item("Datastore", "datastore-18")}</val>'),
        ("one", f'<val xsi:type="ArrayOfManagedObjectReference">{_ref_item("HostSystem", "host-1")}</val>'),
        ("role", '<val xsi:type="ArrayOfInt"><int xsi:type="xsd:int">-1</int></val>'),
        ("methods", '<val xsi:type="ArrayOfString"><string xsi:type="xsd:string">Destroy_Task</string>'
                    '<string xsi:type="xsd:string">PowerOnVM_Task</string></val>'),
        ("empty", '<val xsi:type="ArrayOfCustomFieldValue"></val>'),
        ("values", '<val xsi:type="ArrayOfCustomFieldValue"><CustomFieldValue xsi:type="CustomFieldStringValue">'
                   "<key>101</key><value>prod</value></CustomFieldValue></val>"),
        ("longs", '<val xsi:type="ArrayOfLong"><long>1</long><long>9223372036854775807</long></val>'),
        ("flags", '<val xsi:type="ArrayOfBoolean"><boolean>true</boolean><boolean>false</boolean></val>'),
    )  # fmt: skip
    assert got["datastore"] == [
        MoRef("Datastore", "datastore-17"),
        MoRef("Datastore", "datastore-18"),
    ]
    assert got["one"] == [MoRef("HostSystem", "host-1")]
    assert got["role"] == [-1]
    assert got["methods"] == ["Destroy_Task", "PowerOnVM_Task"]
    assert got["empty"] == []
    assert got["values"] == [{"_type": "CustomFieldStringValue", "key": 101, "value": "prod"}]
    assert got["longs"] == [1, 9223372036854775807]
    assert got["flags"] == [True, False]


def test_array_of_data_objects_decodes_each_by_its_type():
    nics = (
        '<val xsi:type="ArrayOfGuestNicInfo"><GuestNicInfo><network>VM Network</network>'
        "<ipAddress>10.0.0.5</ipAddress><macAddress>00:50:56:aa:bb:cc</macAddress>"
        "<connected>true</connected><deviceConfigId>4000</deviceConfigId></GuestNicInfo></val>"
    )
    got = props_of(("guest.net", nics))["guest.net"]
    assert got == [{"_type": "GuestNicInfo", "network": "VM Network", "ipAddress": ["10.0.0.5"],
                    "macAddress": "00:50:56:aa:bb:cc", "connected": True, "deviceConfigId": 4000}]  # fmt: skip


def test_enums_with_an_xsi_type_decode_to_their_text():
    got = props_of(
        ("power", '<val xsi:type="VirtualMachinePowerState">poweredOn</val>'),
        ("conn", '<val xsi:type="VirtualMachineConnectionState">connected</val>'),
        ("status", '<val xsi:type="ManagedEntityStatus">green</val>'),
    )
    assert got == {"power": "poweredOn", "conn": "connected", "status": "green"}


def test_morefs_decode_to_moref_tuples():
    got = props_of(
        ("host", '<val type="HostSystem" xsi:type="ManagedObjectReference">host-15</val>'),
        ("parent", '<val xsi:type="ManagedObjectReference" type="Folder">group-v3</val>'),
    )
    assert got["host"] == MoRef("HostSystem", "host-15")
    assert got["host"].type == "HostSystem" and got["host"].value == "host-15"
    assert str(got["parent"]) == "Folder:group-v3"
    result = retrieve([object_content(("VirtualMachine", "vm-9"), {})])
    assert result["objects"][0]["obj"] == MoRef("VirtualMachine", "vm-9")


def test_missing_properties_are_decoded_with_their_fault():
    result = retrieve(
        [object_content(("VirtualMachine", "vm-1"), {}, missing=("guest.ipAddress",))]
    )
    missing = result["objects"][0]["missingSet"]
    assert missing[0]["path"] == "guest.ipAddress"
    assert missing[0]["fault"]["fault"]["_type"] == "NoPermission"


def test_unknown_types_and_fields_still_decode():
    future = (
        '<val xsi:type="VsanFutureInfo"><enabled>true</enabled><capacity>100</capacity>'
        '<tag>a</tag><tag>b</tag><tag>c</tag><owner type="HostSystem">host-1</owner>'
        "<nested><x>1</x></nested></val>"
    )
    got = props_of(("vsan", future))["vsan"]
    assert got == {
        "_type": "VsanFutureInfo", "enabled": "true", "capacity": "100", "tag": ["a", "b", "c"],
        "owner": MoRef("HostSystem", "host-1"), "nested": {"x": "1"},
    }  # fmt: skip
    guest = (
        '<val xsi:type="GuestInfo"><toolsStatus>toolsOk</toolsStatus><hwVersion>vmx-21</hwVersion>'
        "<newThing>x</newThing></val>"
    )
    got = props_of(("guest", guest))["guest"]
    assert got == {
        "_type": "GuestInfo",
        "toolsStatus": "toolsOk",
        "hwVersion": "vmx-21",
        "newThing": "x",
    }


def test_an_empty_object_of_an_unknown_type_keeps_its_type():
    # A saved customization spec names the host name kind by an empty typed element only.
    spec = (
        '<val xsi:type="CustomizationFutureSpec"><hostName xsi:type="CustomizationFutureName"/>'
        '<options xsi:type="CustomizationFutureOptions"></options><domain>x.test</domain></val>'
    )
    got = props_of(("spec", spec))["spec"]
    assert got == {
        "_type": "CustomizationFutureSpec", "hostName": {"_type": "CustomizationFutureName"},
        "options": {"_type": "CustomizationFutureOptions"}, "domain": "x.test",
    }  # fmt: skip


def test_an_untyped_returnval_of_an_unknown_method_decodes():
    body = response_raw("FutureMethod", "<returnval><a>1</a><b>2</b></returnval>")
    assert envelope.parse_response("FutureMethod", 200, body) == {"a": "1", "b": "2"}
    # Several returnvals of a method the table does not know: an array, every element kept.
    body = response_raw("FutureMethod", "<returnval>x</returnval><returnval>y</returnval>")
    assert envelope.parse_response("FutureMethod", 200, body) == ["x", "y"]


def test_void_and_array_returns():
    assert envelope.parse_response("DestroyView", 200, response("DestroyView")) is None
    assert envelope.parse_response("RetrieveProperties", 200, response("RetrieveProperties")) == []
    one = response_raw(
        "RetrieveProperties", f"<returnval>{moref('VirtualMachine', 'vm-1', 'obj')}</returnval>"
    )
    assert envelope.parse_response("RetrieveProperties", 200, one) == [
        {"_type": "ObjectContent", "obj": MoRef("VirtualMachine", "vm-1")}
    ]
    assert (
        envelope.parse_response("SessionIsActive", 200, response("SessionIsActive", "true")) is True
    )
    assert (
        envelope.parse_response("CurrentTime", 200, response("CurrentTime", "2024-01-02T03:04:05Z"))
        == "2024-01-02T03:04:05Z"
    )
    ref = envelope.parse_response(
        "PowerOnVM_Task", 200, response_ref("PowerOnVM_Task", "Task", "task-42")
    )
    assert ref == MoRef("Task", "task-42")


def test_a_value_that_does_not_decode_is_a_response_error():
    with pytest.raises(faults.ResponseError, match="RetrievePropertiesEx.*does not decode"):
        props_of(("n", '<val xsi:type="xsd:int"></val>'))
    with pytest.raises(faults.ResponseError, match="does not decode"):
        props_of(("n", '<val xsi:type="xsd:int">many</val>'))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-02T03:04:05Z", 1704164645.0),
        ("2024-01-02T03:04:05.5Z", 1704164645.5),
        ("2024-01-02T03:04:05.123456789Z", 1704164645.123456789),
        ("2024-01-02T05:04:05+02:00", 1704164645.0),
        ("2024-01-02T03:04:05", 1704164645.0),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_to_timestamp(text, expected):
    got = envelope.to_timestamp(text)
    assert got == pytest.approx(expected) if expected is not None else got is None


# ------------------------------------------------------------------ faults


def test_a_fault_is_raised_as_its_typed_class_with_the_servers_message():
    status, body = fault(
        "InvalidPowerState",
        "The attempted operation cannot be performed in the current state (Powered off).",
        "<requestedState>poweredOn</requestedState><existingState>poweredOff</existingState>",
    )
    with pytest.raises(faults.InvalidPowerState) as info:
        envelope.parse_response("PowerOffVM_Task", status, body)
    e = info.value
    assert isinstance(e, faults.Fault) and isinstance(e, faults.ViError)
    assert e.name == "InvalidPowerState"
    assert (
        e.message
        == "The attempted operation cannot be performed in the current state (Powered off)."
    )
    assert str(e) == f"InvalidPowerState: {e.message}"
    assert e.detail["_type"] == "InvalidPowerState"
    assert e.detail["requestedState"] == "poweredOn" and e.detail["existingState"] == "poweredOff"


def test_fault_detail_of_a_known_type_is_typed():
    status, body = fault(
        "ManagedObjectNotFound",
        "The object 'vim.VirtualMachine:vm-99' has already been deleted or has not been completely created",
        '<obj type="VirtualMachine">vm-99</obj>',
    )
    with pytest.raises(faults.fault("ManagedObjectNotFound")) as info:
        envelope.parse_response("RetrievePropertiesEx", status, body)
    assert info.value.detail["obj"] == MoRef("VirtualMachine", "vm-99")


def test_a_fault_without_detail_keeps_the_servers_message():
    body = soap(
        "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
        "<faultstring>Unable to parse the request</faultstring></soapenv:Fault>"
    )
    with pytest.raises(faults.Fault) as info:
        envelope.parse_response("Login", 500, body)
    assert info.value.message == "Unable to parse the request"
    assert info.value.name == "ServerFaultCode"
    assert info.value.detail == {}


def test_a_fault_of_an_unknown_type_is_still_typed_by_name():
    status, body = fault("VsanFutureFault", "vSAN said no", "<reason>disk group offline</reason>")
    with pytest.raises(faults.fault("VsanFutureFault")) as info:
        envelope.parse_response("ReconfigVM_Task", status, body)
    e = info.value
    assert type(e).__name__ == "VsanFutureFault"
    assert isinstance(e, faults.Fault)
    assert e.message == "vSAN said no"
    assert e.detail == {"_type": "VsanFutureFault", "reason": "disk group offline"}
    assert not isinstance(e, faults.InvalidPowerState)


def test_a_fault_detail_without_xsi_type_is_named_by_its_element():
    body = soap(
        "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>no</faultstring>"
        '<detail><InvalidLoginFault xmlns="urn:vim25"></InvalidLoginFault></detail></soapenv:Fault>'
    )
    with pytest.raises(faults.InvalidLogin):
        envelope.parse_response("Login", 500, body)


def test_a_fault_in_an_http_200_answer_is_still_raised():
    _status, body = fault("NotAuthenticated", "The session is not authenticated.")
    with pytest.raises(faults.NotAuthenticated):
        envelope.parse_response("RetrievePropertiesEx", 200, body)


def test_http_500_without_a_fault_is_a_response_error():
    with pytest.raises(faults.ResponseError, match="HTTP 500 without a SOAP fault"):
        envelope.parse_response("CurrentTime", 500, response("CurrentTime", "2024-01-02T03:04:05Z"))


def test_an_answer_to_another_method_is_a_response_error():
    with pytest.raises(
        faults.ResponseError, match="expected LoginResponse, the server answered LogoutResponse"
    ):
        envelope.parse_response("Login", 200, response("Logout"))


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"Service Unavailable", "not XML"),
        (b"<html><body><h1>502 Bad Gateway</h1><br></body></html>", "not well-formed"),
        (b"<html><body>ok</body></html>", "not a SOAP envelope"),
        (soap(""), "empty SOAP body"),
    ],
)
def test_answers_that_are_not_soap_are_response_errors(body, message):
    with pytest.raises(faults.ResponseError, match=message):
        envelope.parse_response("CurrentTime", 200, body)


# ------------------------------------------------------------------ hostile and broken XML

XXE = """<?xml version="1.0" encoding="UTF-8"?>
{prolog}<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file://{path}">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<CurrentTimeResponse xmlns="urn:vim25"><returnval>&xxe;</returnval></CurrentTimeResponse>
</soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize("prolog", ["", "<!-- <a> hides the DTD from a quick look -->\n"])
def test_external_entities_are_refused_and_no_file_is_read(tmp_path, prolog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = XXE.format(prolog=prolog, path=secret).encode()
    with pytest.raises(faults.ResponseError, match="DTD; refused") as info:
        envelope.parse_response("CurrentTime", 200, body)
    assert "TOP-SECRET" not in str(info.value)


def test_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<CurrentTimeResponse xmlns="urn:vim25"><returnval>&lol9;</returnval></CurrentTimeResponse>'
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()
    with pytest.raises(faults.ResponseError, match="DTD"):
        envelope.parse_response("CurrentTime", 200, body)


def test_an_internal_entity_behind_a_comment_is_not_expanded():
    body = (
        b'<?xml version="1.0"?><!-- <x> --><!DOCTYPE e [<!ENTITY a "expanded">]>'
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        b'<CurrentTimeResponse xmlns="urn:vim25"><returnval>&a;</returnval></CurrentTimeResponse>'
        b"</soapenv:Body></soapenv:Envelope>"
    )
    with pytest.raises(faults.ResponseError, match="DTD"):
        envelope.parse_response("CurrentTime", 200, body)


def test_deep_nesting_is_refused():
    deep = "<a>" * 5000 + "x" + "</a>" * 5000
    body = response("RetrievePropertiesEx", deep)
    with pytest.raises(faults.ResponseError, match="depth"):
        envelope.parse_response("RetrievePropertiesEx", 200, body)


def test_nesting_within_the_limit_decodes():
    nested = "<a>" * 200 + "x" + "</a>" * 200
    value = envelope.parse_response("FutureMethod", 200, response("FutureMethod", nested))
    depth = 0
    while isinstance(value, dict):
        value, depth = value["a"], depth + 1
    assert (depth, value) == (200, "x")


SAMPLE_PROPS = {
    "name": '<val xsi:type="xsd:string">web-é</val>',
    "config.hardware.numCPU": '<val xsi:type="xsd:int">2</val>',
}
SAMPLE = response(
    "RetrievePropertiesEx",
    retrieve_result([object_content(("VirtualMachine", "vm-1"), SAMPLE_PROPS)], token="1"),
)


def test_every_cut_of_an_answer_is_reported_as_truncated():
    assert envelope.parse_response("RetrievePropertiesEx", 200, SAMPLE)["token"] == "1"
    for n in range(1, len(SAMPLE) - len(b"</soapenv:Envelope>")):
        with pytest.raises(faults.ResponseError, match="truncated") as info:
            envelope.parse_response("RetrievePropertiesEx", 200, SAMPLE[:n])
        assert f"after {n} bytes" in str(info.value), SAMPLE[:n]


def test_invalid_utf8_is_a_clear_error():
    body = SAMPLE.replace("web-é".encode(), b"web-\xff\xfe")
    with pytest.raises(faults.ResponseError, match="not well-formed XML"):
        envelope.parse_response("RetrievePropertiesEx", 200, body)


def test_malformed_xml_that_is_complete_is_not_called_truncated():
    body = SAMPLE.replace(b"</name>", b"</nam>")
    with pytest.raises(faults.ResponseError, match="not well-formed XML"):
        envelope.parse_response("RetrievePropertiesEx", 200, body)
