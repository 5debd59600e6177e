"""The VI client: ServiceContent, login/logout, and call(), the one way to reach the server.

call() owns the session and the retry of that one call: it relogs in once on NotAuthenticated,
retries what retry.should_retry allows (idempotent reads after transient errors; bounded,
jittered), and never sends a *_Task twice blindly: when a task submit's answer is lost it looks
for the task on the server.
"""

from __future__ import annotations

import html
import logging
import time
from contextlib import contextmanager, suppress
from email.utils import parsedate_to_datetime
from typing import Any

from . import envelope, versions
from .envelope import MoRef
from .faults import NotAuthenticated, ReadTimeout, TransportError, ViError, WaitTimeout
from .retry import Backoff, is_task_submit, lost_task_submit, should_retry
from .transport import Transport

log = logging.getLogger("viapi.esx.vi")
SERVICE_INSTANCE = MoRef("ServiceInstance", "ServiceInstance")
BOOTSTRAP_VERSION = "6.0"  # every server from vSphere 6.0 on answers RetrieveServiceContent in it

_NO_RELOGIN = frozenset(("Login", "Logout", "RetrieveServiceContent"))
_COLLECTOR_READS = frozenset(
    ("RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "RetrieveProperties")
)


class Client:
    """One session on one vCenter or ESXi endpoint. Not shared between threads."""

    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        port: int = 443,
        validate_certs: bool = True,
        ca_path: str | None = None,
        timeout: float = 60.0,
        proxy_host: str | None = None,
        proxy_port: int | None = None,
        backoff: Backoff | None = None,
        transport: Transport | None = None,
    ):
        self.hostname = hostname
        self._username = username
        self._password = password
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.transport = transport or Transport(
            hostname, port, validate_certs, ca_path, timeout,
            proxy_host=proxy_host, proxy_port=proxy_port,
        )  # fmt: skip
        self.warnings: list[str] = []
        self._bound: tuple | None = None  # (end, seconds, what, stretch) inside deadline()
        if not validate_certs:
            self.warnings.append(
                f"validate_certs is false: the TLS certificate of {hostname} is not checked; "
                "anyone on the path can read the credentials. Prefer ca_path."
            )
        self.content: dict | None = None
        self.api_version = BOOTSTRAP_VERSION
        self.session: dict | None = None
        self.round_trips = 0
        # Tasks our own submits returned: never taken for the task of a lost answer.
        self._known_tasks: set[MoRef] = set()
        self._server_offset = 0.0  # server clock minus local clock, from HTTP Date headers

    # ------------------------------------------------------------ lifecycle

    def connect(self) -> Client:
        """Read ServiceContent, agree on the API version and log in."""
        # RetrieveServiceContent goes first, in the version every server answers: it is the
        # call whose errors (TLS, address, retries) say whether the server can be reached.
        self.content = self.call(SERVICE_INSTANCE, "RetrieveServiceContent")
        about = self.content.get("about") or {}
        listed = [*self._service_versions(), about.get("apiVersion") or ""]
        self.api_version = versions.choose(listed) or about.get("apiVersion") or BOOTSTRAP_VERSION
        self.login()
        return self

    def _service_versions(self) -> list[str]:
        """The versions the server lists in /sdk/vimServiceVersions.xml; [] when it has none."""
        try:
            body = self.transport.get("vimServiceVersions.xml")
        except ViError as e:
            log.debug("vimServiceVersions.xml: %s; using about.apiVersion", e)
            return []
        return versions.parse_service_versions(body)

    def login(self) -> None:
        """Log in with the stored credentials (the password never leaves this object)."""
        try:
            self.session = self.call(
                self.content["sessionManager"], "Login",
                userName=self._username, password=self._password, locale="en",
            )  # fmt: skip
        except ViError as e:
            _redact(e, self._password)  # a server or proxy may echo the refused request
            raise

    def logout(self) -> None:
        """End the session and close the connection; errors are swallowed (the session is gone
        either way). Without a session (a refused login) it only closes the connection."""
        if self.session is None:
            self.transport.close()
            return
        try:
            self.call(self.content["sessionManager"], "Logout")
        except ViError as e:
            log.debug("logout failed: %s", e)
        finally:
            self.session = None
            self.transport.close()

    def __enter__(self) -> Client:
        try:
            return self.connect()
        except BaseException:
            self.transport.close()
            raise

    def __exit__(self, *exc) -> None:
        self.logout()

    @property
    def about(self) -> dict:
        return (self.content or {}).get("about") or {}

    @property
    def is_vcenter(self) -> bool:
        return self.about.get("apiType") == "VirtualCenter"

    def server_time(self) -> float:
        """Now on the server's clock (seconds since the epoch), from its last HTTP Date header;
        the local clock until the server has answered."""
        return time.time() + self._server_offset

    # ------------------------------------------------------------ calls

    @contextmanager
    def deadline(self, seconds: float, what: str, stretch: bool = False):
        """Bound every call made inside by `seconds` in all: a call is not sent once they are
        over, and its answer is awaited no longer than what is left (WaitTimeout naming `what`
        and the method; its last_seen says the method and whether it was sent). With
        `stretch`, an answer may take all that is left even beyond the connection's timeout
        (synchronous calls that work long, like a rescan)."""
        self._bound = (time.monotonic() + seconds, seconds, what, stretch)
        try:
            yield
        finally:
            self._bound = None

    def _read_timeout(self, obj: MoRef, method: str) -> tuple[float | None, bool]:
        """The read timeout of this call inside deadline() (None outside it), and whether the
        deadline (not the connection's timeout) sets it."""
        if self._bound is None:
            return None, False
        end, seconds, what, stretch = self._bound
        left = end - time.monotonic()
        if left <= 0:
            raise WaitTimeout(what, {"method": method, "sent": False}, seconds,
                              f"{what}: {method} on {obj.value} not sent, "
                              f"the {seconds:g}s given were over")  # fmt: skip
        if stretch or left <= self.timeout:
            return left, True
        return self.timeout, False

    def _over(self, obj: MoRef, method: str) -> WaitTimeout:
        """The answer did not come before the end of deadline()."""
        _end, seconds, what, _stretch = self._bound
        return WaitTimeout(what, {"method": method, "sent": True}, seconds,
                           f"{what}: {method} on {obj.value} got no answer "
                           f"within the {seconds:g}s given")  # fmt: skip

    def call(self, obj: MoRef, method: str, **args: Any) -> Any:
        """Invoke `method` on `obj` and return its decoded result; raise ViError on failure."""
        try:
            return self._call_with_retry(obj, method, args)
        except NotAuthenticated:
            if method in _NO_RELOGIN or self.session is None:
                raise
            log.debug("%s: NotAuthenticated, logging in again once", method)
            self.login()
            try:
                return self._call_with_retry(obj, method, args)
            except NotAuthenticated as e:
                raise NotAuthenticated(
                    e.name,
                    f"{method} was refused again right after a fresh login ({e.message}); "
                    "the account may lack the session privilege or sessions are being terminated",
                    e.detail,
                ) from None

    def _call_with_retry(self, obj: MoRef, method: str, args: dict) -> Any:
        delays = self.backoff.delays()
        while True:
            sent_at = time.time() + self._server_offset
            try:
                result = self._send(obj, method, args)
                if is_task_submit(method) and isinstance(result, MoRef):
                    self._known_tasks.add(result)
                return result
            except TransportError as e:
                if lost_task_submit(method, e):
                    return self._find_submitted_task(obj, method, sent_at, e)
                delay = next(delays, None) if should_retry(method, e) else None
                if delay is None:
                    raise
                log.debug("%s: %s; retrying in %.2fs", method, e, delay)
                self.backoff.sleep(delay)

    def _send(self, obj: MoRef, method: str, args: dict) -> Any:
        try:
            body = envelope.build_request(method, obj, args)
        except ValueError as e:
            raise ViError(f"{method}: {e}") from None
        read_timeout, by_deadline = self._read_timeout(obj, method)
        self.round_trips += 1
        started = time.monotonic()
        action = f"urn:vim25/{self.api_version}"
        try:
            if read_timeout is None:
                status, content = self.transport.post(body, action)
            else:
                status, content = self.transport.post(body, action, read_timeout=read_timeout)
        except ReadTimeout:
            if not by_deadline:
                raise
            raise self._over(obj, method) from None
        self._note_server_clock()
        log.debug("%s on %s: HTTP %s in %.3fs", method, obj, status, time.monotonic() - started)
        result = envelope.parse_response(method, status, content)
        if method in _COLLECTOR_READS:
            _raise_if_session_lost(result)
        return result

    def _note_server_clock(self) -> None:
        date = self.transport.last_date
        if date:
            with suppress(TypeError, ValueError):
                self._server_offset = parsedate_to_datetime(date).timestamp() - time.time()

    def _find_submitted_task(self, obj: MoRef, method: str, sent_at: float, error: Exception):
        """After a lost answer to a task submit: the task it started, or a clear error."""
        task = self._recent_task_for(obj, method, sent_at - 2.0)
        if task is None:
            raise TransportError(
                f"{method} on {obj}: the answer was lost ({error}) and the server shows no task "
                "for it; it was not sent again",
                retryable=False,
            ) from None
        log.debug("%s: answer lost, found its task %s on the server", method, task.value)
        self._known_tasks.add(task)
        return task

    def _recent_task_for(self, obj: MoRef, method: str, not_before: float) -> MoRef | None:
        from .collector import get_one, retrieve_one_hop  # the collector builds on call()

        manager = (self.content or {}).get("taskManager")
        if manager is None:
            return None
        entity = obj
        if obj.type == "VirtualMachineSnapshot":
            # A snapshot is no managed entity: vCenter gives its VM as the task's entity.
            try:
                entity = get_one(self, obj, ["vm"]).get("vm")
            except ViError:  # the snapshot is gone (a removal that went through): not found
                return None
        wanted = _task_kind(method)
        found = None
        for ref, props in retrieve_one_hop(self, manager, "recentTask", "Task", ["info"]):
            info = props.get("info") or {}
            kinds = {_task_kind(info.get("name")), _task_kind(info.get("descriptionId"))}
            if info.get("entity") != entity or wanted not in kinds or ref in self._known_tasks:
                continue
            queued = envelope.to_timestamp(info.get("queueTime"))
            if queued is not None and queued >= not_before:
                found = ref
        return found


def _raise_if_session_lost(result) -> None:
    """Some servers answer a read without a session with every property "missing" for
    NotAuthenticated instead of a fault; treat that as the fault, so call() logs in again."""
    objects = result if isinstance(result, list) else (result or {}).get("objects") or ()
    for content in objects:
        for missing in content.get("missingSet") or ():
            fault = (missing.get("fault") or {}).get("fault") or {}
            if fault.get("_type") == "NotAuthenticated":
                raise NotAuthenticated("NotAuthenticated", "the session is no longer valid")


def _redact(error: Exception, secret: str) -> None:
    """Replace `secret` in an error's message (and a Fault's `message`) with asterisks, also
    where it is echoed XML- or HTML-escaped (as in the body of a refused request)."""
    if not secret:
        return
    forms = {secret, html.escape(secret, quote=False), html.escape(secret, quote=True)}

    def clean(text: str) -> str:
        for form in forms:
            text = text.replace(form, "********")
        return text

    error.args = tuple(clean(a) if isinstance(a, str) else a for a in error.args)
    if isinstance(getattr(error, "message", None), str):
        error.message = clean(error.message)


def _task_kind(name: str | None) -> str:
    """What a task does, however the server spells it: CreateVM_Task, CreateVm and
    Folder.createVm (TaskInfo.name and descriptionId differ between vCenter and vcsim) -> create."""
    kind = (name or "").rpartition(".")[2].lower()
    kind = kind[: -len("_task")] if kind.endswith("_task") else kind
    return kind[:-2] if kind.endswith("vm") else kind
