"""EsxModule: the one bridge between Ansible and the VI client.

It merges the shared connection options into a module's argspec, opens and always closes the
client, and turns every ViError into one readable fail_json. Nothing below this file imports
Ansible.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import MISSING, fields, is_dataclass

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import (
    LXML_IMPORT_ERROR,
    XML_INVALID,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    Fault,
    PartialFailure,
    ViError,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.transport import REQUESTS_IMPORT_ERROR

# The VI client needs requests and lxml on the host that runs the module.
MISSING_LIBS = [
    (name, error)
    for name, error in (("requests", REQUESTS_IMPORT_ERROR), ("lxml", LXML_IMPORT_ERROR))
    if error is not None
]

CONNECTION_ARGS = {
    "hostname": {"type": "str", "required": True, "fallback": (env_fallback, ["VMWARE_HOST"])},
    "port": {"type": "int", "default": 443, "fallback": (env_fallback, ["VMWARE_PORT"])},
    "username": {
        "type": "str", "required": True, "aliases": ["user"],
        "fallback": (env_fallback, ["VMWARE_USER", "VMWARE_USERNAME"]),
    },
    "password": {
        "type": "str", "required": True, "no_log": True, "aliases": ["pass", "pwd"],
        "fallback": (env_fallback, ["VMWARE_PASSWORD"]),
    },
    "validate_certs": {
        "type": "bool", "default": True, "fallback": (env_fallback, ["VMWARE_VALIDATE_CERTS"]),
    },
    "ca_path": {"type": "path", "fallback": (env_fallback, ["VMWARE_CA_PATH"])},
    "timeout": {"type": "int", "default": 60, "fallback": (env_fallback, ["VMWARE_TIMEOUT"])},
    "proxy_host": {"type": "str", "fallback": (env_fallback, ["VMWARE_PROXY_HOST"])},
    "proxy_port": {"type": "int", "fallback": (env_fallback, ["VMWARE_PROXY_PORT"])},
}  # fmt: skip


class EsxModule:
    """An AnsibleModule with the connection options and one place that handles errors.

    `positive` names the module's options that are seconds and must be above zero (the
    connection's `timeout` always is).
    """

    def __init__(self, argument_spec: dict, positive: tuple = (), **kwargs):
        self.request = None  # the typed request `run` builds, when it is given a builder
        spec = dict(CONNECTION_ARGS)
        spec.update(argument_spec)
        self.ansible = _AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = self.ansible._diff
        if MISSING_LIBS:
            names = " and ".join(name for name, _error in MISSING_LIBS)
            self.ansible.fail_json(
                msg=missing_required_lib(names), exception=str(MISSING_LIBS[0][1])
            )
        bad = _unsendable(self.params)
        if bad:
            self.fail(f"{bad}: the value holds control characters the vSphere API cannot carry")
        for option in ("timeout", *positive):
            value = self.params[option]
            if value is not None and value <= 0:
                self.fail(f"{option} must be a positive number of seconds, got {value}")
        if self.params.get("use_instance_uuid") and not self.params.get("uuid"):
            self.warn("use_instance_uuid: true applies to uuid, which is not given; ignored")

    def hide(self, values) -> None:
        """Keep `values` out of all output (results, the invocation, messages), as the values
        of no_log options are: secrets that are parts of other options' values."""
        self.ansible.no_log_values.update(values)

    def warn(self, message: str) -> None:
        self.ansible.warn(message)

    def fail(self, msg: str, **result) -> None:
        self.ansible.fail_json(msg=msg, **result)

    def new_client(self) -> Client:
        """A new client for the connection options, not yet connected (a second session)."""
        p = self.params
        return Client(
            p["hostname"], p["username"], p["password"], port=p["port"],
            validate_certs=p["validate_certs"], ca_path=p["ca_path"], timeout=p["timeout"],
            proxy_host=p["proxy_host"], proxy_port=p["proxy_port"],
        )  # fmt: skip

    @contextmanager
    def client(self):
        """A connected, logged-in client; logged out on the way out, whatever happens."""
        client = self.new_client()
        for warning in client.warnings:
            self.warn(warning)
        with client:
            yield client

    def run_request(self, client: Client, runner) -> dict:
        """runner(client, self.request): the request `run` built from the options, run; the
        result's `diff` is kept only in diff mode."""
        result = runner(client, self.request)
        if not self.diff_mode:
            result.pop("diff", None)
        return result

    def run(self, runner, request=None) -> None:
        """Call runner(module, client) -> result dict; exit with it, or fail readably. With
        `request`, self.request = request(params, check_mode) is built first: options that
        are wrong by themselves fail before any connection is made."""
        try:
            if request is not None:
                self.request = request(self.params, self.check_mode)
            with self.client() as client:
                result = runner(self, client)
        except ViError as e:
            msg, details = failure(e)
            if not self.diff_mode:
                details.pop("diff", None)  # a PartialFailure's diff, as run_request does
            self.fail(msg, **details)
        self.ansible.exit_json(**result)


def typed_request(cls, values: dict, check_mode: bool):
    """A request dataclass built from flat option values: a field whose type is another request
    dataclass of the same file is built from the same values, `check_mode` from the mode, and a
    tuple field from its list (None: empty). esx_vm and esx_vm_fleet (one call per entry) build
    their VmRequest this way, so one VM's options mean the same in both."""
    kinds = vars(sys.modules[cls.__module__])
    built = {}
    for f in fields(cls):
        kind = kinds.get(f.type) if isinstance(f.type, str) else f.type
        if f.name == "check_mode":
            built[f.name] = check_mode
        elif kind is not None and is_dataclass(kind):
            built[f.name] = typed_request(kind, values, check_mode)
        elif isinstance(f.default, tuple) and f.default is not MISSING:
            built[f.name] = tuple(values[f.name] or ())
        else:
            built[f.name] = values[f.name]
    return cls(**built)


def failure(error: ViError) -> tuple[str, dict]:
    """The message and fail_json keys for an error: a PartialFailure's result first, then the
    details of the error that caused it (the error itself for any other ViError)."""
    result = dict(error.result) if isinstance(error, PartialFailure) else {}
    cause = error.cause if isinstance(error, PartialFailure) else error
    if cause is None:
        return str(error), result
    details = _error_details(cause)
    hint = f" (missing privilege: {details['privileges']})" if "privileges" in details else ""
    return str(error) + hint, dict(result, **details)


def _error_details(error: Exception) -> dict:
    """error_type, and for a fault its name and the privileges a NoPermission names."""
    details = {"error_type": type(error).__name__}
    fault = error if isinstance(error, Fault) else getattr(error, "fault", None)
    if fault is not None and hasattr(fault, "name"):
        details["fault"] = fault.name
        privileges = _privileges(getattr(fault, "detail", None) or {})
        if privileges:
            details["privileges"] = ", ".join(privileges)
    return details


def _privileges(detail: dict) -> list:
    """The privilege ids a NoPermission fault's detail names (older and newer servers)."""
    found = [detail["privilegeId"]] if detail.get("privilegeId") else []
    for missing in _listed(detail.get("missingPrivileges")):
        if isinstance(missing, dict):
            found += _listed(missing.get("privilegeIds"))
    return list(dict.fromkeys(found))


def _listed(value) -> list:
    """An array the type table does not describe (missingPrivileges is newer than its source):
    one element decodes as a scalar, none as absent."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unsendable(params: dict, prefix: str = ""):
    """The first option (dotted for suboptions) holding text XML 1.0 cannot carry, or None."""
    for key, value in params.items():
        name = f"{prefix}{key}"
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and XML_INVALID.search(item):
                return name
            if isinstance(item, dict):
                inner = _unsendable(item, name + ".")
                if inner:
                    return inner
    return None


# What ansible-core says, without naming the option, when a dict option holds unparsable text.
_DICT_ERROR = "dictionary requested, could not parse JSON or key=value"


class _AnsibleModule(AnsibleModule):
    """AnsibleModule that names the option when a dict option holds text that is no dict.

    ansible-core reports `disks: "20"` or `cdrom: "yes"` only as "dictionary requested, could
    not parse JSON or key=value" (it fails while listing no_log values, before it names the
    option), so the raw parameters are checked first and the message names the option.
    """

    def _load_params(self):
        super()._load_params()
        self._esx_not_a_dict = _not_a_dict(self.argument_spec, self.params or {})

    def fail_json(self, msg, **kwargs):
        better = getattr(self, "_esx_not_a_dict", None)
        if better and _DICT_ERROR in str(msg):
            msg = better
        super().fail_json(msg=msg, **kwargs)


def _not_a_dict(spec: dict, params: dict, prefix: str = "") -> str | None:
    """A message for the first dict option (or list of dicts) given text that is no dict."""
    for name, option in spec.items():
        value = next((params[n] for n in (name, *option.get("aliases", ())) if n in params), None)
        kind, elements = option.get("type"), option.get("elements")
        if value is None or "options" not in option or "dict" not in (kind, elements):
            continue
        items = value if isinstance(value, list) else [value]
        shown = "" if _holds_secrets(option) else " '{}'"
        for i, item in enumerate(items):
            where = f"{prefix}{name}" + (f"[{i}]" if isinstance(value, list) else "")
            if isinstance(item, str) and not _parses_as_dict(item):
                whole_list = kind == "list" and not isinstance(value, list)
                wanted = "a list of dictionaries" if whole_list else "a dictionary"
                return (
                    f"{where}: expected {wanted} of suboptions "
                    f"({', '.join(sorted(option['options']))}), got the text{shown.format(item)}"
                )
            if isinstance(item, dict):
                inner = _not_a_dict(option["options"], item, where + ".")
                if inner:
                    return inner
    return None


def _parses_as_dict(text: str) -> bool:
    try:
        check_type_dict(text)
    except TypeError:
        return False
    return True


def _holds_secrets(option: dict) -> bool:
    """Whether an option or any of its suboptions is no_log (its text is never echoed)."""
    if option.get("no_log"):
        return True
    return any(_holds_secrets(sub) for sub in (option.get("options") or {}).values())
