"""ansible-builder on the execution environment docs/install.md gives: `create` makes a build
context that installs the collection, and `introspect` (the step the build runs on the
installed collections) finds requests, lxml and the system packages of meta/."""

from __future__ import annotations

import re
import shutil
import subprocess

import yaml
from ansible_run import BIN, ROOT, ansible_env

DOCS = ROOT / "docs" / "install.md"


def docs_definition() -> str:
    """The complete execution-environment.yml docs/install.md shows."""
    text = DOCS.read_text()
    section = text[text.index("A complete definition") :]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def run(*cmd, cwd=ROOT):
    proc = subprocess.run(
        [str(BIN / cmd[0]), *cmd[1:]],
        capture_output=True, text=True, cwd=cwd, env=ansible_env(), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def build_tarball(directory):
    run("ansible-galaxy", "collection", "build", "--force", "--output-path", str(directory))
    (tarball,) = directory.glob("viapi-esx-*.tar.gz")
    return tarball


def test_create_makes_a_context_that_installs_the_collection(tmp_path):
    definition = docs_definition()
    tarball = build_tarball(tmp_path / "dist")
    assert tarball.name in definition  # the docs name the version galaxy.yml builds
    work = tmp_path / "ee"
    work.mkdir()
    (work / "execution-environment.yml").write_text(definition)
    shutil.copy(tarball, work / tarball.name)
    run(
        "ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context",
        "--output-filename", "Containerfile", cwd=work,
    )  # fmt: skip

    context = work / "context"
    containerfile = (context / "Containerfile").read_text()
    assert (context / "_build" / "collections" / tarball.name).is_file()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [
        {"name": f"/build/collections/{tarball.name}", "type": "file"}
    ]
    assert "COPY _build /build" in containerfile
    assert re.search(r"ansible-galaxy collection install .*-r requirements.yml", containerfile)
    # The build reads each installed collection's meta/execution-environment.yml, then
    # installs what it found (pip wheels and bindep packages) in the final image.
    assert "introspect.py introspect --write-bindep" in containerfile
    assert "/output/scripts/assemble" in containerfile
    assert "/output/scripts/install-from-bindep" in containerfile


def test_introspect_finds_requests_lxml_and_the_system_packages(tmp_path):
    tarball = build_tarball(tmp_path / "dist")
    collections = tmp_path / "collections"
    run(
        "ansible-galaxy",
        "collection",
        "install",
        "--force",
        "--offline",
        str(tarball),
        "-p",
        str(collections),
    )
    found = yaml.safe_load(run("ansible-builder", "introspect", str(collections)))
    python = {re.split(r"[<>=!~ ]", line, maxsplit=1)[0] for line in found["python"]}
    assert {"requests", "lxml"} <= python, found["python"]
    assert all("viapi.esx" in line for line in found["python"])
    system = " ".join(found["system"])
    assert "libxml2 [platform:dpkg]" in system and "libxslt [platform:rpm]" in system
