"""A job as AWX runs it: ansible_runner.run() on a private data dir (env/, inventory/, project/)
whose inventory is the viapi.esx.esx plugin and whose playbook runs the collection's modules
against every VM it lists. The connection is given as a custom credential type injects it: the
VMWARE_* variables in env/envvars, except the password, which is in a file of the private data
dir named by VMWARE_PASSWORD_FILE (a credential type's `file` injector), because ansible-runner
writes the job's whole environment into the artifacts' `command` file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ansible_runner
import pytest
import yaml
from ansible_run import BIN, COLLECTIONS

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

PASSWORD = "Runner-Job-Secret-7e51"
ANNOTATION = "managed by an AWX job"
# The password read from the file the credential's file injector wrote, where it is needed.
FROM_FILE = (
    "{{ lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'VMWARE_PASSWORD_FILE')) }}"
)
PLAYBOOK = [
    {
        "name": "Annotate every VM the inventory lists",
        "hosts": "all",
        "connection": "local",
        "gather_facts": False,
        "module_defaults": {"group/viapi.esx.esx": {"password": FROM_FILE}},
        "tasks": [
            {
                "name": "Set the annotation",
                "viapi.esx.esx_vm": {"moid": "{{ esx_moid }}", "annotation": ANNOTATION},
            },
            {
                "name": "Set it again (no change)",
                "viapi.esx.esx_vm": {"moid": "{{ esx_moid }}", "annotation": ANNOTATION},
            },
        ],
    }
]


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory(password=PASSWORD)


def private_data_dir(root: Path, sim) -> Path:
    """env/envvars and the password file (the injected credential), inventory/ (the plugin)
    and project/ (the play)."""
    for sub in ("env", "inventory", "project"):
        (root / sub).mkdir(parents=True)
    password_file = root / "env" / "vmware_password"
    password_file.write_text(sim.password)
    password_file.chmod(0o600)
    envvars = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_PYTHON_INTERPRETER": str(BIN / "python"),
        "VMWARE_HOST": sim.host,
        "VMWARE_PORT": str(sim.port),
        "VMWARE_USER": sim.username,
        "VMWARE_PASSWORD_FILE": str(password_file),
        "VMWARE_CA_PATH": str(sim.ca_path),
    }
    (root / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    inventory = {"plugin": "viapi.esx.esx", "password": FROM_FILE}
    (root / "inventory" / "vcenter.esx.yml").write_text(yaml.safe_dump(inventory))
    (root / "project" / "site.yml").write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False))
    return root


def annotations(sim) -> dict[str, str]:
    """VM name -> annotation, read from the server independently of the modules."""
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as c:
        rows = collect(c, {"VirtualMachine": ["name", "config.annotation"]})
    return {props["name"]: props.get("config.annotation") or "" for _ref, props in rows}


def test_a_runner_job_annotates_every_vm_and_its_artifacts_hold_no_password(sim, tmp_path):
    vms = sorted(annotations(sim))
    assert len(vms) == 4
    # suppress_env_files, as AWX runs jobs: runner writes no copy of env/ into the job.
    job = ansible_runner.run(
        private_data_dir=str(private_data_dir(tmp_path / "job", sim)),
        playbook="site.yml",
        ident="job-1",
        suppress_env_files=True,
        quiet=True,
    )
    stdout = job.stdout.read()
    assert (job.status, job.rc) == ("successful", 0), stdout
    assert job.stats["ok"] == dict.fromkeys(vms, 2)
    assert job.stats["changed"] == dict.fromkeys(vms, 1)
    assert not job.stats["failures"] and not job.stats["dark"]

    events = list(job.events)
    assert not [e for e in events if e["event"] in ("runner_on_failed", "runner_on_unreachable")]
    per_host = {}
    for event in events:
        if event["event"] == "runner_on_ok":
            data = event["event_data"]
            per_host.setdefault(data["host"], []).append(data["res"]["changed"])
    assert per_host == dict.fromkeys(vms, [True, False])
    assert annotations(sim) == dict.fromkeys(vms, ANNOTATION)

    artifacts = Path(job.config.artifact_dir)
    files = [p for p in artifacts.rglob("*") if p.is_file()]
    assert any(p.parent.name == "job_events" for p in files)
    # ansible-runner writes the job's environment into `command`: it holds the file's name only.
    command = json.loads((artifacts / "command").read_text())
    assert "VMWARE_PASSWORD" not in command["env"]
    assert command["env"]["VMWARE_PASSWORD_FILE"].startswith(str(tmp_path / "job" / "env"))
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path
    # Nor does anything else in the private data dir, the credential's own file aside.
    for path in (tmp_path / "job").rglob("*"):
        if path.is_file() and path.name != "vmware_password":
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in stdout
    assert (artifacts / "status").read_text() == "successful"
    assert json.loads((artifacts / "rc").read_text()) == 0
