"""API version negotiation: the newest vim25 version both the server and the type table know.

A server lists its versions in /sdk/vimServiceVersions.xml (its current one and the prior ones
it still serves, per namespace); ServiceContent's about.apiVersion names its current version
too (and alone, when that file cannot be read). The client speaks the newest version both
know: a server newer than the table is spoken to at the table's newest version (servers keep
answering the versions before their own), an older one at its own.
"""

from __future__ import annotations

import re

from .schema import VERSIONS

try:
    from lxml import etree
except ImportError:  # module.py reports it as a missing library
    etree = None

NAMESPACE = "urn:vim25"
_NUMERIC = re.compile(r"^\d+(\.\d+)+(u\d+)?(server)?$")
_PARSER = etree and etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _key(version: str) -> tuple[int, ...]:
    """A version's order: "8.0.3.0" -> (8, 0, 3, 0); "2.5u2" -> (2, 5, 2)."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def parse_service_versions(body: bytes) -> list[str]:
    """The vim25 versions a vimServiceVersions.xml lists, its current one first; [] when the
    body is not such a file."""
    if etree is None or b"<!DOCTYPE" in body[:1024].upper():
        return []
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return []
    for ns in root.iter("namespace"):
        if (ns.findtext("name") or "").strip() == NAMESPACE:
            current = [(ns.findtext("version") or "").strip()]
            prior = [(v.text or "").strip() for v in ns.iterfind("priorVersions/version")]
            return [v for v in current + prior if v]
    return []


def choose(server_versions: list[str]) -> str | None:
    """The version to speak to a server that answers `server_versions` (from its versions file
    and its about.apiVersion). Servers may list an internal build id ("uA046D008") as their
    current version: only dotted numbers ("8.0.2.0", "6.7", "2.5u2") are versions here."""
    numeric = [v for v in server_versions if _NUMERIC.match(v)]
    if not numeric:
        return None
    top = max(numeric, key=_key)
    if _key(top) > _key(VERSIONS[-1]):
        return VERSIONS[-1]  # a newer server: the table's newest
    theirs = set(numeric)
    common = [v for v in VERSIONS if v in theirs]
    if common:
        return common[-1]
    older = [v for v in VERSIONS if _key(v) <= _key(top)]
    return older[-1] if older else None
