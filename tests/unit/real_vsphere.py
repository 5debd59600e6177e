"""Recorded vCenter traffic (../shared/fixtures/real-vsphere): load the vcrpy cassettes.

The cassettes are YAML written by vcrpy under Python 2 and 3; some strings carry the
`!!python/unicode` tag, which the safe loader maps to str here. Tests skip when the shared
directory is absent (a clone of the collection alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "real-vsphere"
_BODY_CHILD = re.compile(r"<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)")


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader that reads `!!python/unicode` scalars as str."""


_Loader.add_constructor(
    "tag:yaml.org,2002:python/unicode", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Interaction:
    """One recorded request/response pair."""

    cassette: str
    index: int
    http_method: str
    uri: str
    request: str | None
    status: int
    body: bytes

    @property
    def soap_method(self) -> str | None:
        """The VI method called: the local name of the request's first Body child."""
        m = _BODY_CHILD.search(self.request or "")
        return m.group(1) if m else None

    @property
    def id(self) -> str:
        return f"{self.cassette}#{self.index}-{self.soap_method or self.http_method}"


def available() -> bool:
    """Whether the shared fixtures are present."""
    return FIXTURES.is_dir() and any(FIXTURES.glob("*.yaml"))


def load(path: Path) -> list[Interaction]:
    """Every interaction of one cassette."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    out = []
    for i, entry in enumerate(data["interactions"]):
        req, resp = entry["request"], entry["response"]
        body = resp["body"]["string"]
        out.append(
            Interaction(
                cassette=path.stem,
                index=i,
                http_method=req["method"],
                uri=req["uri"],
                request=req.get("body"),
                status=int(resp["status"]["code"]),
                body=body.encode("utf-8") if isinstance(body, str) else body,
            )
        )
    return out


def cassettes() -> dict[str, list[Interaction]]:
    """All cassettes by name ({} when the shared fixtures are absent)."""
    if not available():
        return {}
    return {p.stem: load(p) for p in sorted(FIXTURES.glob("*.yaml"))}


def soap_interactions() -> list[Interaction]:
    """Every recorded SOAP call (POST to /sdk), in cassette order."""
    return [i for c in cassettes().values() for i in c if i.soap_method]


def find(cassette: str, soap_method: str, nth: int = 0) -> Interaction:
    """The nth call of `soap_method` in `cassette`."""
    calls = [i for i in cassettes()[cassette] if i.soap_method == soap_method]
    return calls[nth]
