"""The error tree of the VI client: every failure below module.py is a ViError."""

from __future__ import annotations


class ViError(Exception):
    """Base of every error the VI client raises; the message is safe to show to users."""


class TransportError(ViError):
    """The HTTP exchange failed: no connection, timeout, TLS, or a status other than 200/500."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class CertificateError(TransportError):
    """The server's TLS certificate was refused."""


class ConnectTimeout(TransportError):
    """No TCP/TLS connection within the connect timeout (the request was never sent)."""


class ReadTimeout(TransportError):
    """The request was sent but no complete answer came within the read timeout."""


class ResponseError(ViError):
    """The server's answer could not be decoded: truncated, hostile, oversized or not SOAP."""


class Fault(ViError):
    """A SOAP fault; `name` is the VI fault type (the detail's xsi:type), `detail` its fields."""

    def __init__(self, name: str, message: str, detail: dict | None = None):
        self.name = name
        self.message = message
        self.detail = detail or {}
        super().__init__(f"{name}: {message}" if message else name)


class TaskFailed(ViError):
    """A task ended in error; carries the task's moid and the fault it reported."""

    def __init__(self, task: str, fault: Fault, description: str = ""):
        self.task = task
        self.fault = fault
        what = f" ({description})" if description else ""
        super().__init__(f"task {task}{what} failed: {fault}")


class WaitTimeout(ViError):
    """A wait on the client's side ran out: `what` was awaited, `last_seen` is what the server
    showed last (a property dict), `timeout` how many seconds the wait lasted."""

    def __init__(self, what: str, last_seen, timeout: float, message: str | None = None):
        self.what, self.last_seen, self.timeout = what, last_seen, timeout
        super().__init__(
            message
            or f"gave up waiting for {what} after {timeout:g}s; last seen: {_shown(last_seen)}"
        )


def _shown(seen) -> str:
    """A property dict as path=value pairs (nothing seen: 'nothing')."""
    if not seen:
        return "nothing"
    if isinstance(seen, dict):
        return ", ".join(f"{path}={value}" for path, value in seen.items())
    return str(seen)


class TaskTimeout(WaitTimeout):
    """A task did not finish before the deadline; carries its last known state and progress."""

    def __init__(self, task: str, state: str | None, progress: int | None, timeout: float):
        self.task, self.state, self.progress = task, state, progress
        done = f", {progress}% done" if progress is not None else ""
        super().__init__(
            f"task {task} to finish",
            {"state": state, "progress": progress},
            timeout,
            f"task {task} still {state or 'unknown'}{done} after {timeout:g}s; "
            "it may still complete on the server",
        )


class NotFound(ViError):
    """A lookup matched nothing; the message names what was looked for and where."""


class MultipleFound(ViError):
    """A lookup matched more than one object; `candidates` lists where they are."""

    def __init__(self, message: str, candidates: list[str]):
        self.candidates = candidates
        super().__init__(f"{message}: {', '.join(candidates)}")


class InvalidArgument(ViError):
    """Input that the server would refuse, caught before any call: names the option."""


class PartialFailure(ViError):
    """A run failed after it had done (or found) something the user must know: `result` holds
    it (changed, vm, changes, ...), `cause` the ViError that stopped the run (None when the run
    itself decided to stop, e.g. a migration blocked by its checks)."""

    def __init__(self, message: str, cause: ViError | None = None, **result):
        super().__init__(message)
        self.cause, self.result = cause, result


_FAULTS: dict[str, type[Fault]] = {}


def _fault_type(name: str) -> type[Fault]:
    cls = type(name, (Fault,), {"__doc__": f"The VI fault {name}."})
    _FAULTS[name] = cls
    return cls


NotAuthenticated = _fault_type("NotAuthenticated")
InvalidLogin = _fault_type("InvalidLogin")
ManagedObjectNotFound = _fault_type("ManagedObjectNotFound")
InvalidPowerState = _fault_type("InvalidPowerState")
InvalidState = _fault_type("InvalidState")
DuplicateName = _fault_type("DuplicateName")
TaskInProgress = _fault_type("TaskInProgress")
MethodNotFound = _fault_type("MethodNotFound")
NotSupported = _fault_type("NotSupported")
NoPermission = _fault_type("NoPermission")
InvalidRequest = _fault_type("InvalidRequest")
InvalidArgumentFault = _fault_type("InvalidArgument")
ToolsUnavailable = _fault_type("ToolsUnavailable")
FileNotFound = _fault_type("FileNotFound")
InvalidCollectorVersion = _fault_type("InvalidCollectorVersion")
_FAULTS["InvalidType"] = InvalidRequest
_FAULTS["RestrictedVersion"] = NotSupported


def make_fault(name: str, message: str, detail: dict | None = None) -> Fault:
    """Build the typed Fault for a VI fault name."""
    return fault(name)(name, message, detail)


def fault(name: str) -> type[Fault]:
    """The exception class to catch for a fault name: `except fault("DuplicateName"):`."""
    return _FAULTS.get(name) or _fault_type(name)
