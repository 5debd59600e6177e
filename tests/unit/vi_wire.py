"""Recorded-style VI SOAP answers and a fake transport for unit tests of the VI client.

The XML here is written the way vCenter writes it (the envelope, namespaces, fault layout and
typed values are copied from real captures in ../shared/fixtures/real-vsphere), so the code
under test decodes exactly what it would decode on the wire. FakeTransport replaces
vi.transport.Transport: it records every request and answers from a per-method script.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Callable

from lxml import etree

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope, schema, session
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import TransportError
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import NO_DELAY

PASSWORD = "s3cr3t-Pa55&<word>"
USERNAME = "administrator@vsphere.local"

_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n'
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    "<soapenv:Body>\n{body}\n</soapenv:Body>\n</soapenv:Envelope>"
)


def soap(body: str) -> bytes:
    """A SOAP envelope around `body`, as vCenter frames its answers."""
    return _ENVELOPE.format(body=body).encode("utf-8")


def response(method: str, returnval: str | None = None) -> bytes:
    """`<methodResponse>` with one `<returnval>` (raw XML inside), or none for void methods."""
    inner = "" if returnval is None else f"<returnval>{returnval}</returnval>"
    return soap(f'<{method}Response xmlns="urn:vim25">{inner}</{method}Response>')


def response_raw(method: str, inner: str) -> bytes:
    """`<methodResponse>` holding `inner` as is (several returnvals, typed returnvals)."""
    return soap(f'<{method}Response xmlns="urn:vim25">{inner}</{method}Response>')


def fault(name: str, message: str, detail: str = "") -> tuple[int, bytes]:
    """An HTTP 500 SOAP fault whose detail has xsi:type `name` (vCenter's layout)."""
    return 500, soap(
        "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
        f"<faultstring>{message}</faultstring><detail>"
        f'<{name}Fault xmlns="urn:vim25" xsi:type="{name}">{detail}</{name}Fault>'
        "</detail></soapenv:Fault>"
    )


def not_authenticated() -> tuple[int, bytes]:
    """What vCenter answers on a call with an expired or terminated session."""
    return fault(
        "NotAuthenticated",
        "The session is not authenticated.",
        '<object type="Folder">group-d1</object><privilegeId>System.View</privilegeId>',
    )


def moref(type_name: str, value: str, tag: str = "returnval") -> str:
    return f'<{tag} type="{type_name}">{value}</{tag}>'


def response_ref(method: str, type_name: str, value: str) -> bytes:
    """The answer of a method that returns a managed object reference (a task, a view)."""
    return response_raw(method, moref(type_name, value))


SERVICE_CONTENT = (
    '<rootFolder type="Folder">group-d1</rootFolder>'
    '<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>'
    '<viewManager type="ViewManager">ViewManager</viewManager>'
    "<about><name>VMware vCenter Server</name>"
    "<fullName>VMware vCenter Server 8.0.3 build-69507950</fullName>"
    "<vendor>VMware, Inc.</vendor><version>8.0.3</version><build>69507950</build>"
    "<localeVersion>INTL</localeVersion><localeBuild>000</localeBuild>"
    "<osType>linux-x64</osType><productLineId>vpx</productLineId>"
    "<apiType>VirtualCenter</apiType><apiVersion>8.0.2.0</apiVersion>"
    "<instanceUuid>61f12cb6-9de0-40cb-9c47-61d494229f4f</instanceUuid>"
    "<licenseProductName>VMware VirtualCenter Server</licenseProductName>"
    "<licenseProductVersion>8.0</licenseProductVersion></about>"
    '<setting type="OptionManager">VpxSettings</setting>'
    '<sessionManager type="SessionManager">SessionManager</sessionManager>'
    '<taskManager type="TaskManager">TaskManager</taskManager>'
    '<customFieldsManager type="CustomFieldsManager">CustomFieldsManager</customFieldsManager>'
    '<searchIndex type="SearchIndex">SearchIndex</searchIndex>'
)


def user_session(key: str = "5220f274-9ba1-a663-b51f-9b16fca182f1") -> str:
    return (
        f"<key>{key}</key><userName>{USERNAME}</userName><fullName>Administrator</fullName>"
        "<loginTime>2023-12-14T06:53:33.763524Z</loginTime>"
        "<lastActiveTime>2023-12-14T06:53:33.763524Z</lastActiveTime>"
        "<locale>en</locale><messageLocale>en</messageLocale>"
        "<extensionSession>false</extensionSession><ipAddress>10.234.46.97</ipAddress>"
        "<userAgent>python-requests</userAgent><callCount>0</callCount>"
    )


def object_content(obj: tuple[str, str], props: dict[str, str], missing: tuple = ()) -> str:
    """One `<objects>` of a RetrieveResult; `props` maps a path to its raw `<val>` XML."""
    out = [moref(obj[0], obj[1], "obj")]
    for name, val in props.items():
        out.append(f"<propSet><name>{name}</name>{val}</propSet>")
    for path in missing:
        out.append(
            f'<missingSet><path>{path}</path><fault><fault xsi:type="NoPermission">'
            '<object type="VirtualMachine">vm-1</object><privilegeId>System.Read</privilegeId>'
            "</fault><localizedMessage></localizedMessage></fault></missingSet>"
        )
    return "<objects>" + "".join(out) + "</objects>"


def retrieve_result(objects: list[str], token: str | None = None) -> str:
    return (f"<token>{token}</token>" if token else "") + "".join(objects)


@dataclass
class Request:
    """One request the client sent: method, _this, the method element and the raw body."""

    method: str
    this: envelope.MoRef
    element: Any
    body: bytes
    soap_action: str

    def arg(self, name: str, kind: str | None = None):
        """An argument decoded with the client's own decoder, typed by the method's table entry
        (repeated elements: a list)."""
        field = (schema.fields(self.method) or {}).get(name)
        kind = kind or (field.kind if field else None)
        found = [c for c in self.element if etree.QName(c).localname == name]
        values = [envelope.decode(c, kind) for c in found]
        if field is not None and field.array:
            return values
        return values[0] if len(values) == 1 else (values or None)


Answer = Any  # bytes | (status, bytes) | Exception | Callable[[Request], Answer]


class FakeTransport:
    """Stands in for vi.transport.Transport: answers from scripted, wire-shaped XML."""

    def __init__(self, default: Callable[[Request], Answer] | None = None):
        self.script: dict[str, deque] = defaultdict(deque)
        self.persistent: dict[str, Answer] = {}
        self.default = default
        self.requests: list[Request] = []
        self.closed = False
        self.last_date: str | None = None
        # /sdk/vimServiceVersions.xml: None answers 404, as a server without the file would.
        self.service_versions: bytes | None = None
        self.gets: list[str] = []

    def on(self, method: str, *answers: Answer, always: bool = False) -> FakeTransport:
        """Answer `method` with `answers` in turn (or with the one answer every time)."""
        if always:
            self.persistent[method] = answers[0]
        else:
            self.script[method].extend(answers)
        return self

    @property
    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    def post(self, body: bytes, soap_action: str) -> tuple[int, bytes]:
        el = etree.fromstring(body)[0][0]
        method = etree.QName(el).localname
        this = envelope.decode(el[0], "ManagedObjectReference")
        request = Request(method, this, el, body, soap_action)
        self.requests.append(request)
        if self.script[method]:
            answer = self.script[method].popleft()
        elif method in self.persistent:
            answer = self.persistent[method]
        elif self.default is not None:
            answer = self.default
        else:
            raise AssertionError(f"unexpected call {method} on {this}")
        while callable(answer):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, tuple):
            return answer
        return 200, answer

    def get(self, name: str) -> bytes:
        self.gets.append(name)
        if name == "vimServiceVersions.xml" and self.service_versions is not None:
            return self.service_versions
        raise TransportError(f"HTTP 404 from https://vc.example.com/sdk/{name}: Not Found", 404)

    def close(self) -> None:
        self.closed = True


def service_versions(current: str, *prior: str) -> bytes:
    """A /sdk/vimServiceVersions.xml as vCenter publishes it (with another namespace first)."""
    priors = "".join(f"<version>{v}</version>" for v in prior)
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<namespaces version="1.0">\n'
        " <namespace>\n  <name>urn:vim2</name>\n  <version>2.0</version>\n </namespace>\n"
        f" <namespace>\n  <name>urn:vim25</name>\n  <version>{current}</version>\n"
        f"  <priorVersions>\n   {priors}\n  </priorVersions>\n </namespace>\n</namespaces>\n"
    ).encode()


class Clock:
    """A time.monotonic for waits that advances by each long poll's maxWaitSeconds: install it
    with monkeypatch, and answer WaitForUpdatesEx with `waited` (nothing changes meanwhile)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def waited(self, request: Request) -> bytes:
        self.now += request.arg("options")["maxWaitSeconds"]
        return response("WaitForUpdatesEx")


def standard(transport: FakeTransport | None = None) -> FakeTransport:
    """A transport that answers RetrieveServiceContent, Login and Logout like vCenter."""
    t = transport or FakeTransport()
    t.on("RetrieveServiceContent", response("RetrieveServiceContent", SERVICE_CONTENT), always=True)
    t.on("Login", response("Login", user_session()), always=True)
    t.on("Logout", response("Logout"), always=True)
    return t


def client(transport: FakeTransport | None = None, connect: bool = True) -> session.Client:
    """A Client on a fake transport, zero-delay retries, logged in unless connect=False."""
    c = session.Client(
        "vcenter.example.com", USERNAME, PASSWORD, backoff=NO_DELAY, transport=standard(transport)
    )
    if connect:
        c.connect()
    return c
