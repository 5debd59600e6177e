"""The simulator harness itself: URL, TLS, credentials, models, manifest, paging, sessions.

Talks SOAP with the standard library only, so it tests the harness and not our client.
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import xml.etree.ElementTree as ET

import pytest
import vcsim_harness

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VIM = "urn:vim25"


class Soap:
    """A minimal VI SOAP caller that keeps the session cookie."""

    def __init__(self, sim, context: ssl.SSLContext | None = None):
        self.sim = sim
        self.context = context or ssl.create_default_context(cafile=sim.ca_path)
        self.cookie = None

    def call(self, method: str, this: tuple[str, str], body: str = ""):
        """Return (HTTP status, the response's first Body child element)."""
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAPENV}"'
            f' xmlns:xsi="{XSI}"><soapenv:Body><{method} xmlns="{VIM}">'
            f'<_this type="{this[0]}">{this[1]}</_this>{body}</{method}>'
            "</soapenv:Body></soapenv:Envelope>"
        )
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "urn:vim25/6.5"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn = http.client.HTTPSConnection(
            self.sim.host, self.sim.port, context=self.context, timeout=120
        )
        try:
            conn.request("POST", "/sdk", xml.encode(), headers)
            resp = conn.getresponse()
            data = resp.read()
            cookie = resp.getheader("Set-Cookie")
        finally:
            conn.close()
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        body_el = ET.fromstring(data).find(f"{{{SOAPENV}}}Body")
        return resp.status, body_el[0]

    def content(self) -> ET.Element:
        status, res = self.call("RetrieveServiceContent", ("ServiceInstance", "ServiceInstance"))
        assert status == 200
        return res.find(f"{{{VIM}}}returnval")

    def login(self, username=None, password=None):
        sim = self.sim
        body = (
            f"<userName>{username or sim.username}</userName>"
            f"<password>{password or sim.password}</password>"
        )
        return self.call("Login", ("SessionManager", "SessionManager"), body)


def text(el: ET.Element, path: str) -> str:
    return el.findtext("/".join(f"{{{VIM}}}{p}" for p in path.split("/")))


def fault_type(res: ET.Element) -> str:
    """The xsi:type of a SOAP fault's detail, e.g. InvalidLogin."""
    assert res.tag == f"{{{SOAPENV}}}Fault", ET.tostring(res)
    return res.find("detail")[0].get(f"{{{XSI}}}type")


def test_first_line_is_the_sdk_url(vcsim_vpx):
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+/sdk", vcsim_vpx.url)
    assert vcsim_vpx.port > 0
    assert vcsim_vpx.manifest["url"] == vcsim_vpx.url
    assert vcsim_vpx.returncode is None


def test_ca_pem_verifies_the_server(vcsim_vpx):
    status, res = Soap(vcsim_vpx).call(
        "RetrieveServiceContent", ("ServiceInstance", "ServiceInstance")
    )
    assert status == 200
    assert res.tag == f"{{{VIM}}}RetrieveServiceContentResponse"
    assert b"ServiceContent" in ET.tostring(res)


def test_served_certificate_is_server_pem(vcsim_vpx):
    served = ssl.get_server_certificate((vcsim_vpx.host, vcsim_vpx.port))
    on_disk = (vcsim_vpx.cert_dir / "server.pem").read_text()
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(on_disk)


@pytest.mark.parametrize("name", ["ca.pem", "server.pem"])
def test_keys_are_at_least_2048_bits(vcsim_vpx, name):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not installed")
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-text", "-in", str(vcsim_vpx.cert_dir / name)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bits = int(re.search(r"Public-Key: \((\d+) bit\)", out).group(1))
    assert bits >= 2048


def test_server_certificate_names_loopback(vcsim_vpx):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not installed")
    pem = vcsim_vpx.cert_dir / "server.pem"
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", pem],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in ("DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"):
        assert name in out


def test_right_password_logs_in(vcsim_vpx):
    soap = Soap(vcsim_vpx)
    status, res = soap.login()
    assert status == 200
    assert text(res, "returnval/userName") == vcsim_vpx.username
    assert soap.cookie.startswith("vmware_soap_session=")


@pytest.mark.parametrize(
    "username,password", [("viapi", "wrong"), ("someone", "viapi-secret")], ids=["password", "user"]
)
def test_wrong_credentials_fail_with_invalid_login(vcsim_vpx, username, password):
    status, res = Soap(vcsim_vpx).login(username, password)
    assert status == 500
    assert fault_type(res) == "InvalidLogin"


def test_custom_credentials(vcsim_factory):
    sim = vcsim_factory(manifest=False, username="alice", password="s3cret")
    assert sim.manifest is None
    assert Soap(sim).login()[0] == 200
    assert fault_type(Soap(sim).login("viapi", "viapi-secret")[1]) == "InvalidLogin"


BAD_CERTS = {
    "expired": "certificate has expired",
    "wrong-host": "mismatch",
    "self-signed": "self-signed certificate",
    "weak-rsa1024": "too weak",
}


@pytest.mark.parametrize("mode", sorted(BAD_CERTS))
def test_bad_certificate_modes_are_refused(vcsim_factory, mode):
    sim = vcsim_factory("--cert-mode", mode, manifest=False)
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        Soap(sim).content()
    assert BAD_CERTS[mode] in refused.value.verify_message
    # The server itself is fine: it is only the certificate that is refused.
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    unverified.set_ciphers("DEFAULT:@SECLEVEL=0")
    assert text(Soap(sim, unverified).content(), "about/apiType") == "VirtualCenter"


def test_vpx_is_virtual_center(vcsim_vpx):
    assert text(Soap(vcsim_vpx).content(), "about/apiType") == "VirtualCenter"
    assert vcsim_vpx.manifest["api_type"] == "VirtualCenter"


def test_esx_is_host_agent(vcsim_esx):
    assert text(Soap(vcsim_esx).content(), "about/apiType") == "HostAgent"
    manifest = vcsim_esx.manifest
    assert manifest["api_type"] == "HostAgent"
    assert [dc["name"] for dc in manifest["datacenters"]] == ["ha-datacenter"]
    assert len(manifest["hosts"]) == 1
    assert len(manifest["vms"]) == 2


def test_default_vpx_manifest(vcsim_vpx):
    manifest = vcsim_vpx.manifest
    # 1 DC; 1 standalone host + 1 cluster of 3 hosts; 2 VMs per standalone host and per cluster.
    assert manifest["counts"] == {
        "datacenters": 1,
        "clusters": 1,
        "hosts": 4,
        "vms": 4,
        "datastores": 1,
        "networks": 3,
        "resource_pools": 2,
    }
    vm = next(v for v in manifest["vms"] if v["name"] == "DC0_H0_VM0")
    assert vm["path"] == "/DC0/vm/DC0_H0_VM0"
    assert vm["host_name"] == "DC0_H0"
    assert vm["cluster"] is None
    assert vm["power_state"] == "poweredOn"
    assert manifest["ca_file"] == vcsim_vpx.ca_path


def test_manifest_follows_the_model_flags(vcsim_factory):
    sim = vcsim_factory(*"--dc 2 --cluster 2 --cluster-host 2 --host 1 --vm 3 --ds 2".split())
    m = sim.manifest
    # VMs are made per standalone host and per cluster: dc * (host + cluster) * vm.
    assert len(m["vms"]) == 2 * (1 + 2) * 3
    assert len(m["hosts"]) == 2 * (1 + 2 * 2)
    assert len(m["clusters"]) == 2 * 2
    assert len(m["datacenters"]) == 2
    assert len(m["datastores"]) == 2 * 2
    for key in ("vms", "hosts", "clusters", "datacenters", "datastores", "networks"):
        moids = [o["moid"] for o in m[key]]
        assert len(set(moids)) == len(moids), key
    cluster = m["clusters"][0]
    assert len(cluster["hosts"]) == 2
    model = {"esx": False, "dc": 2, "cluster": 2, "cluster_host": 2, "host": 1, "vm": 3, "ds": 2}
    assert m["model"] == model


def test_esx_refuses_vpx_only_flags():
    with pytest.raises(vcsim_harness.VcsimError, match="do not apply to --esx"):
        vcsim_harness.Vcsim.start("--esx", "--cluster", "2", manifest=False)


def test_early_exit_reports_the_error_without_the_password():
    with pytest.raises(vcsim_harness.VcsimError) as failed:
        vcsim_harness.Vcsim.start("--cert-mode", "bogus", password="do-not-show")
    assert "--cert-mode" in str(failed.value)
    assert "do-not-show" not in str(failed.value)


def test_stop_ends_the_process(vcsim_factory):
    sim = vcsim_factory(manifest=False)
    sim.stop()
    assert sim.returncode is not None
    with pytest.raises(OSError):
        socket.create_connection((sim.host, sim.port), timeout=5).close()
    sim.stop()  # idempotent


def test_ipv6_loopback(vcsim_factory):
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")
    sim = vcsim_factory(listen="[::1]:0", manifest=False)
    assert sim.url.startswith("https://[::1]:")
    assert text(Soap(sim).content(), "about/apiType") == "VirtualCenter"


def vm_view(soap: Soap) -> str:
    content = soap.content()
    status, res = soap.call(
        "CreateContainerView",
        ("ViewManager", text(content, "viewManager")),
        f'<container type="Folder">{text(content, "rootFolder")}</container>'
        "<type>VirtualMachine</type><recursive>true</recursive>",
    )
    assert status == 200
    return text(res, "returnval")


def retrieve_names(soap: Soap, view: str, max_objects: int):
    """Page through VM names; return (names, number of pages)."""
    spec = (
        "<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>"
        f'<objectSet><obj type="ContainerView">{view}</obj><skip>true</skip>'
        '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type>'
        "<path>view</path><skip>false</skip></selectSet></objectSet></specSet>"
    )
    pc = ("PropertyCollector", "propertyCollector")
    options = f"<options><maxObjects>{max_objects}</maxObjects></options>"
    status, res = soap.call("RetrievePropertiesEx", pc, spec + options)
    pages = []
    while True:
        assert status == 200, ET.tostring(res)
        result = res.find(f"{{{VIM}}}returnval")
        pages.append([text(o, "propSet/val") for o in result.findall(f"{{{VIM}}}objects")])
        token = text(result, "token")
        if not token:
            return [n for page in pages for n in page], [len(p) for p in pages]
        status, res = soap.call("ContinueRetrievePropertiesEx", pc, f"<token>{token}</token>")


def test_retrieve_properties_ex_pages_by_max_objects(vcsim_factory):
    sim = vcsim_factory("--host", "3", "--cluster", "0", "--vm", "4")
    soap = Soap(sim)
    soap.login()
    names, pages = retrieve_names(soap, vm_view(soap), 5)
    assert pages == [5, 5, 2]
    assert sorted(names) == sorted(vm["name"] for vm in sim.manifest["vms"])


def test_unknown_paging_token_is_invalid_argument(vcsim_vpx):
    soap = Soap(vcsim_vpx)
    soap.login()
    pc = ("PropertyCollector", "propertyCollector")
    status, res = soap.call("ContinueRetrievePropertiesEx", pc, "<token>nope</token>")
    assert status == 500
    assert fault_type(res) == "InvalidArgument"


def session_keys(soap: Soap) -> set[str]:
    spec = (
        "<specSet><propSet><type>SessionManager</type><pathSet>sessionList</pathSet></propSet>"
        '<objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet>'
    )
    status, res = soap.call(
        "RetrievePropertiesEx", ("PropertyCollector", "propertyCollector"), spec + "<options/>"
    )
    assert status == 200
    return {k.text for k in res.iter(f"{{{VIM}}}key")}


def test_terminated_session_is_not_authenticated(vcsim_vpx):
    first, second = Soap(vcsim_vpx), Soap(vcsim_vpx)
    key = text(first.login()[1], "returnval/key")
    second.login()
    assert first.call("CurrentTime", ("ServiceInstance", "ServiceInstance"))[0] == 200
    status, _body = second.call(
        "TerminateSession", ("SessionManager", "SessionManager"), f"<sessionId>{key}</sessionId>"
    )
    assert status == 200
    status, res = first.call("CurrentTime", ("ServiceInstance", "ServiceInstance"))
    assert status == 500
    assert fault_type(res) == "NotAuthenticated"
    assert key not in session_keys(second)


def test_logout_leaves_no_session(vcsim_vpx):
    watcher, user = Soap(vcsim_vpx), Soap(vcsim_vpx)
    watcher.login()
    key = text(user.login()[1], "returnval/key")
    assert key in session_keys(watcher)
    assert user.call("Logout", ("SessionManager", "SessionManager"))[0] == 200
    assert key not in session_keys(watcher)


def test_private_collector_sees_a_task_finish(vcsim_vpx):
    soap = Soap(vcsim_vpx)
    soap.login()
    vm = next(v for v in vcsim_vpx.manifest["vms"] if v["name"] == "DC0_H0_VM1")
    status, res = soap.call("PowerOffVM_Task", ("VirtualMachine", vm["moid"]))
    assert status == 200
    task = text(res, "returnval")
    status, res = soap.call("CreatePropertyCollector", ("PropertyCollector", "propertyCollector"))
    assert status == 200
    collector = res.find(f"{{{VIM}}}returnval")
    assert collector.get("type") == "PropertyCollector"
    pc = ("PropertyCollector", collector.text)
    spec = (
        "<spec><propSet><type>Task</type><pathSet>info.state</pathSet></propSet>"
        f'<objectSet><obj type="Task">{task}</obj></objectSet></spec><partialUpdates>false</partialUpdates>'
    )
    assert soap.call("CreateFilter", pc, spec)[0] == 200
    status, res = soap.call(
        "WaitForUpdatesEx", pc, "<options><maxWaitSeconds>60</maxWaitSeconds></options>"
    )
    assert status == 200
    assert text(res, "returnval/filterSet/objectSet/changeSet/val") == "success"
    assert soap.call("DestroyPropertyCollector", pc)[0] == 200
