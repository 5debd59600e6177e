"""esx_vm's vapp_properties: the VM's vApp properties (config.vAppConfig.property), their facts
and changes.

Pure: no I/O. A property is matched by its `id`; one the VM lacks is added (with `type`,
`label` and `default`), one it has gets the listed fields it differs in. Properties the list
does not name are left alone. The change is one VmConfigSpec of array updates (add / edit).
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument

PATHS = ("config.vAppConfig",)
FIELDS = ("id", "value", "type", "label", "default")
_INFO = {"value": "value", "type": "type", "label": "label", "default": "defaultValue"}
# What facts and the diff show instead of a password property's value.
HIDDEN = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def facts(props: dict) -> dict:
    """vapp_properties: id, key, value, type, label, default, user_configurable."""
    config = props.get("config.vAppConfig") or {}
    return {"vapp_properties": [_fact(p) for p in config.get("property") or []]}


def hide_passwords(value):
    """A plain VI value (vm/query's raw `properties`) with the value and default of every
    password vApp property (VAppPropertyInfo) replaced by HIDDEN, as the facts show them."""
    if isinstance(value, list):
        return [hide_passwords(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: hide_passwords(v) for k, v in value.items()}
    if out.get("_type") == "VAppPropertyInfo" and str(out.get("type") or "").startswith("password"):
        for field in ("value", "defaultValue"):
            if out.get(field):
                out[field] = HIDDEN
    return out


def _fact(info: dict) -> dict:
    secret = (info.get("type") or "").startswith("password")
    return {
        "id": info.get("id"),
        "key": info.get("key"),
        "value": HIDDEN if secret and info.get("value") else info.get("value") or "",
        "type": info.get("type") or None,
        "label": info.get("label") or None,
        "default": HIDDEN
        if secret and info.get("defaultValue")
        else info.get("defaultValue") or "",
        "user_configurable": info.get("userConfigurable"),
    }


def wanted(items) -> list[dict] | None:
    """The vapp_properties option, validated: each with an id; values as text."""
    if items is None:
        return None
    out, seen = [], set()
    for i, item in enumerate(items):
        option = f"vapp_properties[{i}]"
        ident = item.get("id")
        if not isinstance(ident, str) or not ident.strip():
            raise InvalidArgument(f"{option}.id is required, got {ident!r}")
        if ident in seen:
            raise InvalidArgument(f"vapp_properties: '{ident}' is listed twice")
        seen.add(ident)
        out.append({k: _text(item.get(k)) if k in ("value", "default") else item.get(k)
                    for k in FIELDS})  # fmt: skip
    return out


def plan(result, want: list | None, props: dict) -> None:
    """The vAppConfig array updates that close the difference, with their diff."""
    if want is None:
        return
    spec = updates(want, props, result)
    if spec:
        result.config["vAppConfig"] = spec


def updates(want: list, props: dict, result=None) -> dict | None:
    """The VmConfigSpec for `want` against the VM's properties (None: nothing to change)."""
    have = {p.get("id"): p for p in (props.get("config.vAppConfig") or {}).get("property") or []}
    next_key = max([p.get("key") or 0 for p in have.values()] + [-1]) + 1
    specs, before, after = [], [], []
    for item in want:
        current = have.get(item["id"])
        info = _edit(item, current) if current else _new(item, next_key)
        if current is None:
            next_key += 1
        before.append(_fact(current) if current else None)
        after.append(_hide({**(_fact(current) if current else {}), **_listed(item, current)}))
        if info is not None:
            specs.append({"_type": "VAppPropertySpec", "operation": "edit" if current else "add",
                          "info": info})  # fmt: skip
            if result is not None:
                result.add(f"vapp_properties.{item['id']}", "vapp_properties")
    if result is not None:
        result.before["vapp_properties"], result.after["vapp_properties"] = before, after
    return {"_type": "VmConfigSpec", "property": specs} if specs else None


def _hide(fact: dict) -> dict:
    """A password property's value and default are never shown (in the diff either)."""
    if not (fact.get("type") or "").startswith("password"):
        return fact
    return {**fact, **{k: HIDDEN for k in ("value", "default") if fact.get(k)}}


def _listed(item: dict, current: dict | None) -> dict:
    """The facts a listed property will have (unset fields of a new one: the server's)."""
    out = {k: v for k, v in item.items() if v is not None}
    if current is None:
        out.setdefault("type", "string")
        out.setdefault("value", "")
        out.setdefault("default", "")
    return out


def _new(item: dict, key: int) -> dict:
    info = {"_type": "VAppPropertyInfo", "key": key, "id": item["id"], "userConfigurable": True,
            "type": item["type"] or "string"}  # fmt: skip
    for option, field in _INFO.items():
        if option != "type" and item[option] is not None:
            info[field] = item[option]
    return info


def _edit(item: dict, current: dict) -> dict | None:
    """The whole VAppPropertyInfo with the listed fields changed; None when none differ."""
    if item["type"] is not None and item["type"] != (current.get("type") or "string"):
        raise InvalidArgument(
            f"vapp_properties: '{item['id']}' has type {current.get('type')}; changing a "
            f"property's type (to {item['type']}) is not supported"
        )
    info = {**current, "_type": "VAppPropertyInfo"}
    for option, field in _INFO.items():
        if item[option] is not None and (current.get(field) or "") != item[option]:
            info[field] = item[option]
    return None if info == {**current, "_type": "VAppPropertyInfo"} else info


def secrets(items) -> set[str]:
    """The values and defaults the vapp_properties option gives password properties (type
    password*): the module keeps them out of all its output, its invocation too."""
    found = set()
    for item in items or []:
        if str(item.get("type") or "").startswith("password"):
            found.update(
                _text(item[k]) for k in ("value", "default") if item.get(k) not in (None, "")
            )
    return found


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (dict, list)):
        raise InvalidArgument(f"vapp_properties: a value must be text, got {value!r}")
    return str(value)
