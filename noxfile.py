"""The ansible-core x Python matrix: `make matrix` (or `nox`) runs every session.

Each session gets its own virtual environment (under .nox/) with one ansible-core series, the
collection's requirements and the test packages of requirements-test.txt, then runs the unit
tests, `ansible-test sanity` (through `make sanity-local`, the copy `make sanity` uses) and the
integration tests: the whole suite in the newest session (FULL), the SMOKE list in the others.
Sanity runs whole once per ansible-core series (its first session); a later session of the same
series runs only the tests that depend on the Python (PYTHON_SANITY), since ansible-test is the
same.
FULL also records every answer the simulator sends during its integration run and then runs
the differential decoder test over them (ours against pyVmomi's, docs/reliability.md).
FULL runs modules directly (tests/integration/ansible_run.py), the other sessions through
`ansible localhost -m` (RUNNER_ENV=cli), so each module's smoke test crosses the controller on
every ansible-core of the matrix.
`nox -l` lists the sessions; `nox -s core-2.16-py3.11` runs one.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
# (ansible-core series, controller Python) pairs the collection is tested on.
MATRIX = [("2.16", "3.11"), ("2.19", "3.11"), ("2.21", "3.12"), ("2.21", "3.13")]
# The session that runs the whole integration suite (and that `make test` runs); it records
# every simulator answer of that run and checks them all with the differential decoder test.
FULL = ("2.21", "3.12")
# The sanity tests whose outcome depends on the Python that runs them.
PYTHON_SANITY = ["--test", "compile", "--test", "import"]
RECORD_ENV = "VIAPI_ESX_RECORD_DIR"
RUNNER_ENV = "VIAPI_ESX_TEST_RUNNER"
# Packages of requirements-test.txt a session needs next to its ansible-core (the rest are
# tools .venv/ runs: linters, docs, changelog, nox itself).
# pyvmomi: the tests' second reader of the server, the differential decoder test and
# tools/gen_schema.py.
TEST_PACKAGES = {
    "pytest", "pytest-xdist", "pyyaml", "jinja2", "ansible-runner", "ansible-builder", "pyvmomi",
}  # fmt: skip
# One test per module, the inventory plugin and one role: what every other session runs, every
# module through `ansible localhost -m` (esx_vm_fleet in the vm_fleet role).
SMOKE = [
    "tests/integration/modules/test_esx_about_info.py::test_check_mode_gives_the_same_answer",
    # The direct module runs of the full session give what `ansible localhost -m` gives.
    "tests/integration/modules/test_run_paths.py",
    "tests/integration/vm/test_esx_vm.py::test_create",
    "tests/integration/vm/test_esx_vm_info.py::test_filters",
    "tests/integration/vm/test_esx_vm_snapshot.py::test_create_nested_by_path_and_name",
    "tests/integration/storage/test_pools.py::test_type_filter",
    "tests/integration/storage/test_esx_storage_pool.py::test_mount_on_a_cluster_then_a_host",
    "tests/integration/storage/test_volumes.py::test_lookup_by_path",
    "tests/integration/storage/test_esx_volume.py::test_create_grow_inflate_delete",
    "tests/integration/migrate/test_esx_migrate.py::"
    "test_clean_vm_moves_to_ok_and_a_second_run_changes_nothing",
    "tests/integration/host/test_host_modules.py::test_host_info_lists_every_host",
    "tests/integration/host/test_host_modules.py::test_maintenance_matrix",
    "tests/integration/inventory/test_inventory_listing.py::"
    "test_every_vm_is_a_host_with_the_servers_values",
    # Untrusted server values are marked differently before ansible-core 2.19.
    "tests/integration/inventory/test_inventory_options.py::"
    "test_expressions_over_server_values_never_template_them",
    "tests/integration/roles/test_vm_fleet.py::test_fleet_converges_and_is_idempotent",
]

nox.options.error_on_missing_interpreters = True
nox.options.reuse_existing_virtualenvs = True


def interpreter(version: str) -> str:
    """pyenv's pythonX.Y where pyenv has it (its shims need PYENV_VERSION), else the name."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"))
    return found[-1] if found else f"python{version}"


def test_packages() -> list[str]:
    """The TEST_PACKAGES lines of requirements-test.txt, with their version ranges."""
    wanted = []
    for line in (ROOT / "requirements-test.txt").read_text().splitlines():
        name = re.match(r"[A-Za-z0-9_.-]+", line.strip())
        if name and name.group(0).lower() in TEST_PACKAGES:
            wanted.append(line.strip())
    return wanted


def first_of_series(core: str, python: str) -> bool:
    """Whether this is the first session of MATRIX with that ansible-core series."""
    return next(p for c, p in MATRIX if c == core) == python


def run_matrix_session(session: nox.Session, core: str, python: str, full: bool) -> None:
    """Unit tests, sanity and integration tests on one ansible-core series."""
    session.install("-r", "requirements.txt", f"ansible-core=={core}.*", *test_packages())
    session.run("ansible", "--version")
    link = ROOT / ".cache/collections/ansible_collections/viapi/esx"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to("../../../..")
    session.env["ANSIBLE_COLLECTIONS_PATH"] = str(ROOT / ".cache/collections")
    session.run("tests/vcsim/vcsim", "build", external=True)
    session.run("pytest", "-q", "tests/unit")
    venv = session.virtualenv.location
    sanity_root = f"{ROOT}/.cache/sanity-{session.name}/ansible_collections/viapi/esx"
    sanity_args = "" if first_of_series(core, python) else " ".join(PYTHON_SANITY)
    session.run(
        "make", "-s", "sanity-local", f"VENV={venv}", f"SANITY_ROOT={sanity_root}",
        f"SANITY_ARGS={sanity_args}", external=True,
    )  # fmt: skip
    workers = os.environ.get("INTEGRATION_WORKERS", "3")
    # `nox -s NAME -- tests/integration/vm -x` runs those integration tests instead.
    tests = session.posargs or (["tests/integration"] if full else SMOKE)
    wire = record_wire(session) if full else None
    session.env[RUNNER_ENV] = "direct" if full else "cli"
    session.run("pytest", "-q", "-n", workers, "--dist", "loadfile", *tests)
    if wire:
        differential(session, wire)


def record_wire(session: nox.Session) -> Path:
    """A fresh directory under the session's tmp where every simulator answer is recorded
    (the transport's hook, docs/reliability.md); the integration tests run with it set."""
    wire = Path(session.create_tmp()) / "wire"
    shutil.rmtree(wire, ignore_errors=True)
    wire.mkdir(mode=0o700)
    session.env[RECORD_ENV] = str(wire)
    return wire


def differential(session: nox.Session, wire: Path) -> None:
    """Our decoder against pyVmomi's over every recorded answer: any mismatch fails the
    session, printing the file, the path, both values and the type."""
    session.env.pop(RECORD_ENV, None)
    session.run(
        "pytest", "-q", "tests/unit/plugins/module_utils/vi/test_differential.py",
        "-k", "recorded_suite_answers", env={"VIAPI_ESX_WIRE_DIR": str(wire)},
    )  # fmt: skip


def define_sessions() -> None:
    for core, python in MATRIX:
        full = (core, python) == FULL
        tags = ["full"] if full else ["smoke"]

        def session_func(session: nox.Session, core=core, python=python, full=full) -> None:
            run_matrix_session(session, core, python, full)

        sanity = "sanity" if first_of_series(core, python) else "the Python's sanity tests"
        session_func.__doc__ = f"ansible-core {core} on Python {python}: unit, {sanity}, " + (
            "every integration test, its simulator answers checked by the differential test"
            if full
            else "the integration smoke set"
        )
        nox.session(name=f"core-{core}-py{python}", python=interpreter(python), tags=tags)(
            session_func
        )


define_sessions()
