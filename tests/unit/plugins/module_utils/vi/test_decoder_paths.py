"""vi/decoder.py's fast paths: a field found by its full tag or by its local name, the xsi:type
pairs remembered per declared type, the property values read by a remembered xsi:type, strings
read inline. Each path gives the value the general one gives, the first time (when it learns)
and the next (when it uses what it learnt), and a bad value is refused with the same path.

The caches are per process: a test that must see the first decode of an xsi:type writes it
with a prefix no other test uses (xsi:type="pN:VirtualDisk" with xmlns:pN="urn:vim25"), which
is the same type to the decoder and a new key to its caches.
"""

from __future__ import annotations

import itertools

import pytest
from vi_wire import object_content, response, retrieve_result

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import ResponseError

VM = ("VirtualMachine", "vm-42")
_prefixes = itertools.count()


def fresh() -> str:
    """A namespace prefix for urn:vim25 that no decode has seen (see the module docstring)."""
    return f"p{next(_prefixes)}x"


def values(props: dict[str, str], prefix: str = "") -> dict:
    """The decoded {path: val} of one object whose <val>s may use `prefix` for urn:vim25."""
    objects = object_content(VM, props)
    if prefix:
        objects = objects.replace("<objects>", f'<objects xmlns:{prefix}="urn:vim25">', 1)
    body = response("RetrievePropertiesEx", retrieve_result([objects]))
    got = envelope.parse_response("RetrievePropertiesEx", 200, body)
    return {p["name"]: p["val"] for p in got["objects"][0]["propSet"]}


DISK = (
    "<key>2000</key><deviceInfo><label>Hard disk 1</label><summary>1 KB</summary></deviceInfo>"
    '<backing xsi:type="{p}VirtualDiskFlatVer2BackingInfo"><fileName>[ds] a.vmdk</fileName>'
    '<datastore type="Datastore">ds-1</datastore><diskMode>persistent</diskMode>'
    "<thinProvisioned>true</thinProvisioned></backing>"
    "<controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>1</capacityInKB>"
)
DISK_VALUE = {
    "_type": "VirtualDisk", "key": 2000,
    "deviceInfo": {"_type": "Description", "label": "Hard disk 1", "summary": "1 KB"},
    "backing": {"_type": "VirtualDiskFlatVer2BackingInfo", "fileName": "[ds] a.vmdk",
                "datastore": MoRef("Datastore", "ds-1"), "diskMode": "persistent",
                "thinProvisioned": True},
    "controllerKey": 1000, "unitNumber": 0, "capacityInKB": 1,
}  # fmt: skip


def hardware(prefix: str, devices: int = 2) -> str:
    p = f"{prefix}:" if prefix else ""
    one = f'<device xsi:type="{p}VirtualDisk">{DISK.format(p=p)}</device>'
    return f'<val xsi:type="{p}VirtualHardware"><numCPU>2</numCPU>{one * devices}</val>'


@pytest.mark.parametrize("prefix", ["", "fresh"])
def test_subtypes_in_an_array_and_a_field_decode_alike_first_and_after(prefix):
    prefix = fresh() if prefix else ""
    for _round in range(2):  # the second decode reads every xsi:type from what the first learnt
        got = values({"config.hardware": hardware(prefix)}, prefix)["config.hardware"]
        assert got == {"_type": "VirtualHardware", "numCPU": 2, "device": [DISK_VALUE] * 2}
        assert [type(d["key"]) for d in got["device"]] == [int, int]


def test_a_remembered_xsi_type_is_still_refused_where_another_type_is_declared():
    prefix = fresh()
    p = f"{prefix}:"
    ok = hardware(prefix)  # teaches VirtualDisk as a VirtualDevice, in the array
    assert values({"config.hardware": ok}, prefix)["config.hardware"]["device"][0] == DISK_VALUE
    # A VirtualDisk where a backing (VirtualDeviceBackingInfo) belongs is wrong all the same.
    wrong = (
        f'<val xsi:type="{p}VirtualHardware"><device xsi:type="{p}VirtualCdrom"><key>3000</key>'
        f'<backing xsi:type="{p}VirtualDisk"><key>1</key></backing></device></val>'
    )
    for _round in range(2):
        with pytest.raises(ResponseError, match=r"propSet\[config.hardware\]\.val\.device\."
                           r"backing: xsi:type VirtualDisk is not a VirtualDeviceBackingInfo"):  # fmt: skip
            values({"config.hardware": wrong}, prefix)
    # And in the array where its type is not the item type: a Description is no VirtualDevice.
    arr = f'<val xsi:type="{p}ArrayOfVirtualDevice"><VirtualDevice xsi:type="{p}Description">'
    for _round in range(2):
        with pytest.raises(ResponseError, match=r"propSet\[d\]\.val\.VirtualDevice: xsi:type "
                           r"Description is not a VirtualDevice"):  # fmt: skip
            values({"d": arr + "<label>x</label></VirtualDevice></val>"}, prefix)


def test_a_bad_value_below_a_remembered_type_is_refused_with_its_path():
    prefix = fresh()
    good = hardware(prefix, devices=1)
    values({"config.hardware": good}, prefix)
    bad = good.replace("<capacityInKB>1<", "<capacityInKB>lots<")
    for _round in range(2):
        with pytest.raises(ResponseError, match=r"propSet\[config.hardware\]\.val\.device\."
                           r"capacityInKB: invalid literal for int"):  # fmt: skip
            values({"config.hardware": bad}, prefix)


# Every kind of property value, first seen (fresh prefix) and then again: (xsi local, text, value)
VALUES = [
    ("xsd:int", "7", 7), ("xsd:long", "-8", -8), ("xsd:boolean", "true", True),
    ("xsd:string", "", ""), ("xsd:string", "a&amp;b", "a&b"), ("xsd:double", "1.5", 1.5),
    ("xsd:dateTime", "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z"),
    ("ManagedObjectReference", None, MoRef("HostSystem", "host-9")),
    ("VirtualMachinePowerState", "poweredOn", "poweredOn"),  # an enum
    ("FuturePowerState", "hibernated", "hibernated"),  # a newer server's enum
    ("FutureSpec", "", {"_type": "FutureSpec"}),  # a newer server's empty object
    ("ArrayOfString", "<string>a</string><string>b</string>", ["a", "b"]),
    ("ArrayOfInt", "<int>1</int><int>2</int>", [1, 2]),
    ("VirtualMachineDefaultProfileSpec", "", {"_type": "VirtualMachineDefaultProfileSpec"}),
    ("Description", "<label>l</label><summary></summary>",
     {"_type": "Description", "label": "l", "summary": ""}),
]  # fmt: skip


@pytest.mark.parametrize("xsi, text, expected", VALUES)
def test_property_values_decode_alike_first_and_after(xsi, text, expected):
    prefix = fresh()
    local = xsi.startswith("xsd:")
    name = xsi if local else f"{prefix}:{xsi}"
    if isinstance(expected, MoRef):
        val = f'<val type="{expected.type}" xsi:type="{name}">{expected.value}</val>'
    else:
        val = f'<val xsi:type="{name}">{text}</val>'
    for _round in range(2):
        got = values({"x": val}, prefix)["x"]
        assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("xsi, text, why", [
    ("xsd:int", "x", "invalid literal for int"), ("xsd:boolean", "yes", "'yes' is not an xsd"),
    ("ArrayOfInt", "<int>1</int><int>two</int>", "invalid literal for int"),
    ("ManagedObjectReference", "host-1", "a ManagedObjectReference without its type"),
])  # fmt: skip
def test_a_bad_property_value_is_refused_at_val_first_and_after(xsi, text, why):
    prefix = fresh()
    name = xsi if xsi.startswith("xsd:") else f"{prefix}:{xsi}"
    for _round in range(2):
        with pytest.raises(
            ResponseError, match=rf"at returnval\.objects\.propSet\[x\]\.val: {why}"
        ):
            values({"x": f'<val xsi:type="{name}">{text}</val>'}, prefix)


def test_an_empty_xsi_type_local_name_reads_as_any_type():
    prefix = fresh()
    for _round in range(2):
        got = values({"x": f'<val xsi:type="{prefix}:"><a>1</a></val>'}, prefix)["x"]
        assert got == {"a": "1"}


def test_a_field_in_another_namespace_or_none_is_read_by_its_local_name():
    for _round in range(2):
        val = (
            '<val xsi:type="VirtualMachineConfigInfo"><o:name xmlns:o="urn:other">web</o:name>'
            '<template xmlns="">true</template><o:futureField xmlns:o="urn:other">1'
            "</o:futureField><!-- a comment --><?pi here?><version>vmx-19</version></val>"
        )
        got = values({"config": val})["config"]
        assert got == {
            "_type": "VirtualMachineConfigInfo", "name": "web", "template": True,
            "futureField": "1", "version": "vmx-19",
        }  # fmt: skip
    with pytest.raises(ResponseError, match=r"propSet\[config\]\.val\.template: 'yes' is not"):
        values({"config": '<val xsi:type="VirtualMachineConfigInfo"><template xmlns="">yes'
                "</template></val>"})  # fmt: skip


def test_strings_read_inline_are_text_or_empty():
    val = (
        '<val xsi:type="VirtualMachineConfigInfo"><name></name><guestFullName>Other &lt;x&gt;'
        "</guestFullName><locationId>  </locationId></val>"
    )
    got = values({"config": val})["config"]
    assert got == {"_type": "VirtualMachineConfigInfo", "name": "", "guestFullName": "Other <x>",
                   "locationId": "  "}  # fmt: skip


def test_arrays_of_scalars_without_xsi_types_and_a_bad_item():
    val = '<val xsi:type="ArrayOfLong"><long>1</long><long xsi:type="xsd:int">2</long></val>'
    assert values({"x": val})["x"] == [1, 2]
    strings = '<val xsi:type="ArrayOfString"><string></string><string>b</string></val>'
    assert values({"x": strings})["x"] == ["", "b"]
    with pytest.raises(ResponseError, match=r"propSet\[x\]\.val: invalid literal for int"):
        values({"x": '<val xsi:type="ArrayOfLong"><long>1</long><long>z</long></val>'})


def test_comments_and_instructions_between_items_and_fields_are_skipped():
    disk = f'<device xsi:type="VirtualDisk">{DISK.format(p="")}</device>'
    hw = (
        f'<val xsi:type="VirtualHardware"><!-- first --><numCPU>2</numCPU><?pi a?>{disk}'
        f"<!-- between -->{disk}<?pi b?></val>"
    )
    got = values({"config.hardware": hw})["config.hardware"]
    assert got == {"_type": "VirtualHardware", "numCPU": 2, "device": [DISK_VALUE] * 2}
    arr = '<val xsi:type="ArrayOfString"><!-- c --><string>a</string><?pi?><string>b</string></val>'
    assert values({"x": arr})["x"] == ["a", "b"]
    # A DynamicProperty with a comment inside is read by the general loop, to the same value.
    got = values({"name": '<!-- c --><val xsi:type="xsd:string">web</val>'})
    assert got == {"name": "web"}


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_bad_first_or_last_field_is_refused_with_its_path(where):
    fields = ["<key>1</key>", "<controllerKey>100</controllerKey>", "<unitNumber>3</unitNumber>"]
    index = 0 if where == "first" else -1
    name = fields[index][1:].split(">", maxsplit=1)[0]
    fields[index] = f"<{name}>x</{name}>"
    hw = f'<val xsi:type="VirtualHardware"><device xsi:type="VirtualCdrom">{"".join(fields)}'
    with pytest.raises(ResponseError, match=rf"val\.device\.{name}: invalid literal for int"):
        values({"config.hardware": hw + "</device></val>"})
