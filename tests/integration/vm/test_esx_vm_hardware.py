"""esx_vm's configuration options on the simulator: extra_config, firmware and boot, hot add and
allocation. Each family: create with it, change it (check mode leaves the server's config as it
was, read here through vm_server), a second run reports changed=false and sends no task.
"""

from __future__ import annotations

from test_esx_vm import new_vm
from vm_runs import ok, vm_run
from vm_server import task_names

# The server's side of these options, compared around check mode and read for the results.
CONFIG_PATHS = (
    "config.extraConfig", "config.firmware", "config.bootOptions", "config.cpuHotAddEnabled",
    "config.cpuHotRemoveEnabled", "config.memoryHotAddEnabled", "config.nestedHVEnabled",
    "config.cpuAllocation", "config.memoryAllocation", "config.memoryReservationLockedToMax",
    "config.hardware.device", "runtime.powerState", "config.vAppConfig", "customValue",
)  # fmt: skip


def config(server, name: str) -> dict:
    return server.props(server.vm(name), CONFIG_PATHS)


def settings(server, name: str) -> list[tuple]:
    """config.extraConfig as (key, value) pairs, in server order, duplicates kept."""
    return [(o["key"], o["value"]) for o in config(server, name).get("config.extraConfig") or []]


def converge(server, sim, name: str, args: dict):
    """Check mode (nothing changes), the real run, the second run; (check, new task names)."""
    before, tasks = config(server, name), server.tasks()
    check = ok(vm_run(sim, {"name": name, **args}, check=True))
    assert check["changed"] is True
    assert config(server, name) == before, "check mode changed the server"
    assert server.tasks() == tasks, "check mode started a task"
    real = ok(vm_run(sim, {"name": name, **args}))
    assert (real["changes"], real["diff"]) == (check["changes"], check["diff"])
    after = server.tasks()
    again = ok(vm_run(sim, {"name": name, **args}))
    assert again["changed"] is False, again.get("changes")
    assert server.tasks() == after, "the second run sent a task"
    assert again["diff"]["before"] == again["diff"]["after"]
    return check, task_names(tasks, after)


def create(server, sim, model, name: str, **extra):
    """A new VM made with `extra`: check mode makes nothing, the second run changes nothing."""
    args = new_vm(model, name, **extra)
    check = ok(vm_run(sim, args, check=True))
    assert check["changes"] == ["created"] and server.vm(name) is None
    made = ok(vm_run(sim, args))
    again = ok(vm_run(sim, args))
    assert again["changed"] is False, again.get("changes")
    return check, made


# ---------------------------------------------------------------- extra_config


def test_extra_config(server, sim, model):
    name = "h-extra"
    settings_in = {"guestinfo.userdata": "I2Nsb3VkLWNvbmZpZw==", "Case.Key": "upper", "case.key": 1}
    check, made = create(server, sim, model, name, extra_config=settings_in)
    assert check["diff"]["after"]["extra_config"] == {
        "guestinfo.userdata": "I2Nsb3VkLWNvbmZpZw==", "Case.Key": "upper", "case.key": "1",
    }  # fmt: skip
    have = dict(settings(server, name))
    assert (have["guestinfo.userdata"], have["Case.Key"], have["case.key"]) == (
        "I2Nsb3VkLWNvbmZpZw==", "upper", "1",
    )  # fmt: skip
    assert made["vm"]["extra_config"]["Case.Key"] == "upper"

    change = {"guestinfo.userdata": "bmV3", "Case.Key": None, "disk.EnableUUID": True}
    check, tasks = converge(server, sim, name, {"extra_config": change})
    assert tasks == ["ReconfigVM_Task"]
    assert check["changes"] == [
        "extra_config.guestinfo.userdata", "extra_config.Case.Key", "extra_config.disk.EnableUUID",
    ]  # fmt: skip
    assert check["diff"]["before"]["extra_config"] == {
        "guestinfo.userdata": "I2Nsb3VkLWNvbmZpZw==", "Case.Key": "upper", "disk.EnableUUID": None,
    }  # fmt: skip
    assert check["diff"]["after"]["extra_config"] == {
        "guestinfo.userdata": "bmV3", "Case.Key": None, "disk.EnableUUID": "TRUE",
    }  # fmt: skip
    pairs = settings(server, name)
    keys = [k for k, _v in pairs]
    assert len(keys) == len(set(keys)), f"a key is listed twice: {pairs}"
    have = dict(pairs)
    assert "Case.Key" not in have, "a key set to null was not removed"
    assert (have["guestinfo.userdata"], have["case.key"], have["disk.EnableUUID"]) == (
        "bmV3", "1", "TRUE",
    )  # fmt: skip

    # removing a key the VM does not have changes nothing
    again = ok(vm_run(sim, {"name": name, "extra_config": {"Case.Key": None}}))
    assert again["changed"] is False

    # a boolean another tool wrote in another case is the same boolean (the vmx file reads
    # any case); text is compared exactly
    spec = {"_type": "VirtualMachineConfigSpec", "extraConfig": [
        {"_type": "OptionValue", "key": "disk.EnableUUID", "value": "true"}]}  # fmt: skip
    server.setup_task(server.vm(name), "ReconfigVM_Task", spec=spec)
    tasks = server.tasks()
    same = ok(vm_run(sim, {"name": name, "extra_config": {"disk.EnableUUID": True}}, diff=True))
    assert same["changed"] is False and server.tasks() == tasks
    assert same["diff"]["after"]["extra_config"] == {"disk.EnableUUID": "true"}
    assert dict(settings(server, name))["disk.EnableUUID"] == "true"
    other = ok(vm_run(sim, {"name": name, "extra_config": {"guestinfo.userdata": "BMV3"}},
                      check=True))  # fmt: skip
    assert other["changes"] == ["extra_config.guestinfo.userdata"]


def test_extra_config_refuses_what_vsphere_owns(server, sim, model):
    ok(vm_run(sim, new_vm(model, "h-owned")))
    tasks = server.tasks()
    for key, fragment in (
        ("numvcpus", "set through the VM's configuration"),
        ("scsi0:0.fileName", "a virtual device's setting"),
        ("vmware.tools.internalversion", "written by vSphere itself"),
    ):
        for check in (True, False):
            result = vm_run(sim, {"name": "h-owned", "extra_config": {key: "1"}}, check=check)
            assert result.failed, key
            assert f"extra_config: '{key}' is {fragment}" in result["msg"], result["msg"]
    empty = vm_run(sim, {"name": "h-owned", "extra_config": {"guestinfo.x": ""}})
    assert empty.failed and "set it to null to remove" in empty["msg"]
    assert server.tasks() == tasks, "a refused run started a task"


def test_extra_config_facts_leave_out_vsphere_keys(server, sim, model):
    ok(vm_run(sim, new_vm(model, "h-facts", extra_config={"guestinfo.a": "b"})))
    ref = server.vm("h-facts")
    owned = {"migrate.hostLog": "x.log", "vmware.tools.internalversion": "12352"}
    spec = {"_type": "VirtualMachineConfigSpec", "extraConfig": [
        {"_type": "OptionValue", "key": k, "value": v} for k, v in owned.items()
    ]}  # fmt: skip
    server.setup_task(ref, "ReconfigVM_Task", spec=spec)
    facts = ok(vm_run(sim, {"name": "h-facts"}))["vm"]["extra_config"]
    assert facts["guestinfo.a"] == "b"
    assert not set(owned) & set(facts), facts


# ---------------------------------------------------------------- firmware and boot


def boot_kinds(props: dict) -> list[tuple]:
    devices = {d["key"]: d["_type"] for d in props["config.hardware.device"]}
    return [
        (
            b["_type"].replace("VirtualMachineBootOptionsBootable", ""),
            devices.get(b.get("deviceKey")),
        )
        for b in props["config.bootOptions"].get("bootOrder") or []
    ]


def test_firmware_and_boot(server, sim, model):
    name = "h-boot"
    check, made = create(
        server, sim, model, name, firmware="efi", secure_boot=True, boot_delay_ms=3000,
        boot_order=["cdrom", "disk", "network"], disks=[{"size_mb": 16}, {"size_mb": 8}],
        networks=[{"name": "VM Network"}], cdrom={"type": "client"},
    )  # fmt: skip
    after = check["diff"]["after"]
    assert (after["firmware"], after["secure_boot"], after["boot_delay_ms"]) == ("efi", True, 3000)
    props = config(server, name)
    assert props["config.firmware"] == "efi"
    assert props["config.bootOptions"]["efiSecureBootEnabled"] is True
    assert props["config.bootOptions"]["bootDelay"] == 3000
    disks = sorted((d for d in props["config.hardware.device"] if d["_type"] == "VirtualDisk"),
                   key=lambda d: (d["controllerKey"], d["unitNumber"]))  # fmt: skip
    order = props["config.bootOptions"]["bootOrder"]
    assert [b["_type"][len("VirtualMachineBootOptionsBootable"):] for b in order] == [
        "CdromDevice", "DiskDevice", "EthernetDevice",
    ]  # fmt: skip
    assert order[1]["deviceKey"] == disks[0]["key"], "the boot disk is not the VM's first disk"
    vm = made["vm"]
    assert (vm["firmware"], vm["secure_boot"], vm["boot_order"]) == (
        "efi", True, ["cdrom", "disk", "network"],
    )  # fmt: skip

    change = {"boot_order": ["network", "disk"], "boot_delay_ms": 0, "enter_bios_setup": True,
              "boot_retry_delay_ms": 5000, "secure_boot": True}  # fmt: skip
    check, tasks = converge(server, sim, name, change)
    assert tasks == ["ReconfigVM_Task"]
    assert check["changes"] == [
        "boot_delay_ms",
        "enter_bios_setup",
        "boot_retry_delay_ms",
        "boot_order",
    ]
    assert check["diff"]["before"]["boot_order"] == ["cdrom", "disk", "network"]
    assert check["diff"]["after"]["boot_order"] == ["network", "disk"]
    props = config(server, name)
    boot = props["config.bootOptions"]
    assert (boot.get("bootDelay") or 0, boot["enterBIOSSetup"], boot["bootRetryEnabled"]) == (
        0,
        True,
        True,
    )
    assert boot["bootRetryDelay"] == 5000 and boot["efiSecureBootEnabled"] is True
    assert boot_kinds(props) == [
        ("EthernetDevice", "VirtualVmxnet3"),
        ("DiskDevice", "VirtualDisk"),
    ]


def test_firmware_needs_the_vm_off(server, sim, model):
    name = "h-firmware"
    ok(vm_run(sim, new_vm(model, name, state="powered_on")))
    tasks = server.tasks()
    refused = vm_run(sim, {"name": name, "firmware": "efi"})
    assert (
        refused.failed and "changing firmware needs VM 'h-firmware' powered off" in refused["msg"]
    )
    assert server.tasks() == tasks
    bad = vm_run(sim, {"name": name, "secure_boot": True}, check=True)
    assert bad.failed and "secure_boot needs firmware: efi; the VM's firmware is bios" in bad["msg"]
    check, tasks = converge(server, sim, name, {"firmware": "efi", "allow_power_cycle": True})
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "PowerOnVM_Task"]
    assert check["diff"] == {"before": {"firmware": "bios"}, "after": {"firmware": "efi"}}
    props = config(server, name)
    assert (props["config.firmware"], props["runtime.powerState"]) == ("efi", "poweredOn")


# ---------------------------------------------------------------- hot add and allocation


def test_hot_add_and_allocation(server, sim, model):
    name = "h-alloc"
    check, made = create(
        server, sim, model, name, cpu_hot_add=True, memory_hot_add=True, cpu_reservation_mhz=500,
        cpu_shares="high", memory_shares=2000, memory_limit_mb=1024, state="powered_on",
    )  # fmt: skip
    props = config(server, name)
    assert props["config.cpuHotAddEnabled"] is True and props["config.memoryHotAddEnabled"] is True
    cpu, memory = props["config.cpuAllocation"], props["config.memoryAllocation"]
    assert (cpu["reservation"], cpu["limit"], cpu["shares"]["level"]) == (500, -1, "high")
    assert (memory["limit"], memory["shares"]["level"], memory["shares"]["shares"]) == (
        1024,
        "custom",
        2000,
    )
    vm = made["vm"]
    assert (vm["cpu_hot_add"], vm["cpu_reservation_mhz"], vm["cpu_shares_level"]) == (
        True,
        500,
        "high",
    )
    assert (vm["memory_shares"], vm["memory_shares_level"], vm["memory_limit_mb"]) == (
        2000,
        "custom",
        1024,
    )

    # allocation changes while the VM runs; no power cycle
    change = {"cpu_reservation_mhz": 1000, "cpu_limit_mhz": 2000, "memory_shares": "low",
              "memory_reservation_mb": 128, "memory_reservation_locked": True}  # fmt: skip
    check, tasks = converge(server, sim, name, change)
    assert tasks == ["ReconfigVM_Task"]
    assert check["changes"] == [
        "memory_reservation_locked", "cpu_reservation_mhz", "cpu_limit_mhz",
        "memory_reservation_mb", "memory_shares",
    ]  # fmt: skip
    assert check["diff"]["before"]["memory_shares"] == 2000
    assert check["diff"]["after"]["memory_shares"] == "low"
    props = config(server, name)
    cpu, memory = props["config.cpuAllocation"], props["config.memoryAllocation"]
    assert (cpu["reservation"], cpu["limit"], cpu["shares"]["level"]) == (1000, 2000, "high")
    assert (memory["reservation"], memory["limit"], memory["shares"]["level"]) == (128, 1024, "low")
    assert props["config.memoryReservationLockedToMax"] is True
    # locked, the reservation is the memory size (128 MB): another one is refused, sending nothing
    tasks = server.tasks()
    refused = vm_run(sim, {"name": name, "memory_reservation_mb": 64}, check=True)
    assert refused.failed and (
        "memory_reservation_mb (64) must be the VM's memory size (128 MB) with "
        "memory_reservation_locked" in refused["msg"]
    )
    assert server.tasks() == tasks

    # hot add flags need the VM off
    refused = vm_run(sim, {"name": name, "cpu_hot_remove": True, "nested_virtualization": True})
    assert refused.failed
    assert (
        "changing cpu_hot_remove, nested_virtualization needs VM 'h-alloc' powered off"
        in refused["msg"]
    )
    args = {"cpu_hot_remove": True, "nested_virtualization": True, "allow_power_cycle": True}
    check, tasks = converge(server, sim, name, args)
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "PowerOnVM_Task"]
    props = config(server, name)
    assert props["config.cpuHotRemoveEnabled"] is True and props["config.nestedHVEnabled"] is True
    assert props["runtime.powerState"] == "poweredOn"


def test_bad_values_name_the_option(server, sim, model):
    ok(vm_run(sim, new_vm(model, "h-bad")))
    for args, fragment in (
        ({"cpu_shares": "lots"}, "cpu_shares must be low, normal, high or a number, got 'lots'"),
        ({"cpu_limit_mhz": -5}, "cpu_limit_mhz must be -1 (unlimited) or more, got -5"),
        ({"boot_order": ["disk", "disk"]}, "boot_order names a device kind twice"),
        ({"boot_order": ["network"]}, "boot_order: 'network' is listed but the VM has no network"),
        ({"firmware": "bios", "secure_boot": True}, "secure_boot needs firmware: efi, not bios"),
    ):
        result = vm_run(sim, {"name": "h-bad", **args}, check=True)
        assert result.failed and fragment in result["msg"], (args, result.get("msg"))


# ---------------------------------------------------------------- hardware_version: latest


def newest(server, name: str, flag: str) -> str:
    """The newest version the VM's environment browser lists with `flag` (read here directly)."""
    ref = server.vm(name)
    props = server.props(ref, ["environmentBrowser", "runtime.host"])
    found = server.setup_call(props["environmentBrowser"], "QueryConfigOptionDescriptor")
    keys = [
        d["key"] for d in found
        if d.get(flag) is not False and (not d.get("host") or props["runtime.host"] in d["host"])
    ]  # fmt: skip
    return max(keys, key=lambda k: int(k.split("-")[1]))


def test_hardware_version_latest(server, sim, model):
    name = "h-latest"
    _check, made = create(server, sim, model, name, hardware_version="latest")
    assert made["vm"]["hardware_version"] == newest(server, name, "createSupported")
    ok(vm_run(sim, new_vm(model, "h-old", hardware_version="vmx-11")))
    target = newest(server, "h-old", "upgradeSupported")
    check, tasks = converge(server, sim, "h-old", {"hardware_version": "latest"})
    assert tasks == ["UpgradeVM_Task"]
    assert check["diff"] == {
        "before": {"hardware_version": "vmx-11"},
        "after": {"hardware_version": target},
    }
    assert server.props(server.vm("h-old"), ["config.version"])["config.version"] == target


# ---------------------------------------------------------------- vapp_properties


def vapp(server, name: str) -> dict:
    found = config(server, name).get("config.vAppConfig") or {}
    return {p["id"]: p for p in found.get("property") or []}


def test_vapp_properties(server, sim, model):
    name = "h-vapp"
    listed = [{"id": "app.mode", "value": "prod", "label": "Mode"},
              {"id": "app.port", "value": 8080, "type": "int", "default": 80}]  # fmt: skip
    check, made = create(server, sim, model, name, vapp_properties=listed)
    assert check["diff"]["after"]["vapp_properties"] == [
        {"id": "app.mode", "value": "prod", "label": "Mode", "type": "string", "default": ""},
        {"id": "app.port", "value": "8080", "type": "int", "default": "80"},
    ]
    have = vapp(server, name)
    assert (have["app.mode"]["value"], have["app.mode"]["label"], have["app.mode"]["type"]) == (
        "prod", "Mode", "string",
    )  # fmt: skip
    assert (have["app.port"]["value"], have["app.port"]["defaultValue"]) == ("8080", "80")
    assert have["app.mode"]["key"] != have["app.port"]["key"]
    facts = {p["id"]: p for p in made["vm"]["vapp_properties"]}
    assert facts["app.port"]["type"] == "int" and facts["app.mode"]["label"] == "Mode"

    change = [{"id": "app.mode", "value": "dev"},
              {"id": "app.secret", "value": "s3cret", "type": "password", "default": "d3fault"}]  # fmt: skip
    check, tasks = converge(server, sim, name, {"vapp_properties": change})
    assert tasks == ["ReconfigVM_Task"]
    assert check["changes"] == ["vapp_properties.app.mode", "vapp_properties.app.secret"]
    before, after = (
        check["diff"]["before"]["vapp_properties"],
        check["diff"]["after"]["vapp_properties"],
    )
    assert before[0]["value"] == "prod" and before[1] is None
    assert after[0]["value"] == "dev" and after[0]["label"] == "Mode"
    assert after[1]["value"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert after[1]["default"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    have = vapp(server, name)
    assert (have["app.mode"]["value"], have["app.secret"]["value"]) == ("dev", "s3cret")
    assert set(have) == {"app.mode", "app.port", "app.secret"}, "an unlisted property changed"
    result = ok(vm_run(sim, {"name": name}, cli=True))
    assert "s3cret" not in result.stdout + result.stderr, "a password property's value was shown"
    assert "d3fault" not in result.stdout + result.stderr, "a password property's default was shown"

    wrong = vm_run(sim, {"name": name, "vapp_properties": [{"id": "app.port", "type": "string"}]})
    assert wrong.failed and "'app.port' has type int; changing a property's type" in wrong["msg"]


def test_a_password_property_s_value_and_default_are_in_no_output(server, sim, model):
    """Not in the invocation either (-vvv shows the module's arguments)."""
    name = "h-vapp-secret"
    ok(vm_run(sim, new_vm(model, name)))
    token = {"id": "app.token", "type": "password", "value": "T0ken-Value", "default": "T0ken-Dflt"}
    runs = [ok(vm_run(sim, {"name": name, "vapp_properties": [token]}, check=check, cli=True))
            for check in (True, False, False)]  # fmt: skip
    assert [r["changed"] for r in runs] == [True, True, False]
    for run in runs:
        text = run.stdout + run.stderr + repr(run.tasks)
        assert "T0ken-Value" not in text and "T0ken-Dflt" not in text, "a password was shown"
    have = vapp(server, name)["app.token"]
    assert (have["value"], have["defaultValue"]) == ("T0ken-Value", "T0ken-Dflt")


# ---------------------------------------------------------------- custom_attributes


def attribute_values(server, name: str) -> dict:
    """The VM's custom attribute values by attribute name, read from the server (one per key)."""
    manager = server.client.content["customFieldsManager"]
    fields = server.props(manager, ["field"]).get("field") or []
    names = {f["key"]: f["name"] for f in fields}
    values = server.props(server.vm(name), ["customValue"]).get("customValue") or []
    keys = [v["key"] for v in values]
    assert len(keys) == len(set(keys)), f"a custom attribute holds two values: {values}"
    return {names[v["key"]]: v.get("value") for v in values}


def test_custom_attributes(server, sim, model):
    name = "h-attrs"
    if model == "esx":
        ok(vm_run(sim, new_vm(model, name)))
        result = vm_run(sim, {"name": name, "custom_attributes": {"owner": "ops"}}, check=True)
        assert result.failed and "custom attributes are a vCenter feature" in result["msg"]
        return
    undefined = vm_run(sim, new_vm(model, name, custom_attributes={"owner": "ops"}), check=True)
    assert undefined.failed
    assert "custom_attributes: 'owner' not defined on the vCenter" in undefined["msg"]
    assert "create_custom_attributes: true" in undefined["msg"]
    check, made = create(server, sim, model, name, custom_attributes={"owner": "ops"},
                         create_custom_attributes=True)  # fmt: skip
    assert check["diff"]["after"]["custom_attributes"] == {"owner": "ops"}
    assert attribute_values(server, name) == {"owner": "ops"}
    assert made["vm"]["custom_attributes"] == {"owner": "ops"}

    manager = server.client.content["customFieldsManager"]
    fields_before = server.props(manager, ["field"])
    args = {"custom_attributes": {"owner": "dev", "team": "web"}, "create_custom_attributes": True}
    check, tasks = converge(server, sim, name, args)
    assert tasks == []  # SetField is no task
    assert check["changes"] == ["custom_attributes.owner", "custom_attributes.team"]
    assert check["diff"]["before"]["custom_attributes"] == {"owner": "ops", "team": None}
    assert attribute_values(server, name) == {"owner": "dev", "team": "web"}
    assert len(server.props(manager, ["field"])["field"]) == len(fields_before["field"]) + 1

    # an existing attribute needs no create_custom_attributes; check mode defined nothing
    again = ok(vm_run(sim, {"name": name, "custom_attributes": {"team": "web"}}))
    assert again["changed"] is False
    before = server.props(manager, ["field"])
    ok(vm_run(sim, {"name": name, "custom_attributes": {"new.one": "x"},
                    "create_custom_attributes": True}, check=True))  # fmt: skip
    assert server.props(manager, ["field"]) == before, "check mode defined an attribute"


# ---------------------------------------------------------------- VM questions at power on

MOVED = "msg.uuid.altered"


def question(server, name: str) -> dict | None:
    return server.props(server.vm(name), ["runtime.question"]).get("runtime.question")


def test_a_question_fails_the_power_on_at_once_then_answers_let_it_go_on(server, sim, model):
    name = "q1-ask-moved"  # the harness makes a VM with this marker ask at power on
    ok(vm_run(sim, new_vm(model, name)))
    asked = vm_run(sim, {"name": name, "state": "powered_on"})  # wait_timeout: the default hour
    assert asked.failed
    message = asked["msg"]
    assert "asks a question at power on" in message and MOVED in message
    assert "might have been moved or copied" in message
    assert "0 (Cancel), 1 (I Moved It), 2 (I Copied It)" in message
    assert question(server, name)["message"][0]["id"] == MOVED, "the question was answered"
    assert server.power(server.vm(name)) == "poweredOff"

    bad = vm_run(sim, {"name": name, "state": "powered_on", "answers": {MOVED: "maybe"}})
    assert bad.failed and "answers: 'maybe' is not a choice" in bad["msg"]

    args = {"name": name, "state": "powered_on", "answers": {MOVED: "I Copied It"}}
    done = ok(vm_run(sim, args))
    assert done["changed"] is True and done["changes"] == ["power_state"]
    assert server.power(server.vm(name)) == "poweredOn"
    assert question(server, name) is None
    assert ok(vm_run(sim, args))["changed"] is False


def test_a_new_vm_powered_on_with_an_answer_by_question_id(server, sim, model):
    name = "q2-ask-moved"
    tasks = server.tasks()
    made = ok(vm_run(sim, new_vm(model, name, state="powered_on", answers={MOVED: 2})))
    assert made["changes"] == ["created"] and made["vm"]["power_state"] == "powered_on"
    assert task_names(tasks, server.tasks()) == ["CreateVM_Task", "PowerOnVM_Task"]


def test_cancel_leaves_the_vm_off(server, sim, model):
    name = "q3-ask-moved"
    ok(vm_run(sim, new_vm(model, name)))
    cancelled = vm_run(sim, {"name": name, "state": "powered_on", "answers": {MOVED: "Cancel"}})
    assert cancelled.failed and "RequestCanceled" in cancelled["msg"], cancelled["msg"]
    assert server.power(server.vm(name)) == "poweredOff"
