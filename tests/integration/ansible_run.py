"""Run viapi.esx modules and playbooks the way users do: the real ansible CLIs, as subprocesses.

Every integration test that runs a module goes through `run_module` (ad-hoc `ansible -m`, the
result read back from `--tree`) or `run_playbook`; both use this checkout as viapi.esx and the
test interpreter (which has requests and lxml) as the module interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "collections"
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"
BIN = Path(sys.executable).parent


def ansible_env(extra: dict | None = None) -> dict:
    """The environment the ansible CLIs run with in tests."""
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            # result_file records every task's whole result (diff included) for the tests.
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "result_file",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        }
    )
    for name in [k for k in env if k.startswith("VMWARE_")]:
        del env[name]  # tests say what they connect to
    env.update(extra or {})
    return env


def connection(sim, **overrides) -> dict:
    """Connection options for a started simulator (tests/vcsim/harness.py Vcsim)."""
    args = {
        "hostname": sim.host,
        "port": sim.port,
        "username": sim.username,
        "password": sim.password,
        "ca_path": str(sim.ca_path),
    }
    args.update(overrides)
    return args


def module_defaults_play(name: str, body: str) -> str:
    """A playbook on localhost whose connection comes only from the play's module_defaults for
    group/viapi.esx.esx, filled from the extra var `esx` (give it `connection(sim)`); `body`
    is the rest of the play (`  roles:` or `  tasks:` and what follows, indented)."""
    return (
        f"- name: {name}\n"
        "  hosts: localhost\n"
        "  gather_facts: false\n"
        "  module_defaults:\n"
        "    group/viapi.esx.esx:\n"
        + "".join(
            f'      {k}: "{{{{ esx.{k} }}}}"\n'
            for k in ("hostname", "port", "username", "password", "ca_path")
        )
        + body
    )


@dataclass
class Result:
    """What one ansible run gave: exit code, output, and the module's result dict."""

    rc: int
    stdout: str
    stderr: str
    result: dict = field(default_factory=dict)
    tasks: list = field(default_factory=list)  # every task's record: host, task, status, result

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed")) or self.rc != 0

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)


def run_module(
    module: str,
    args: dict,
    sim=None,
    check: bool = False,
    diff: bool = False,
    env: dict | None = None,
    verbosity: int = 0,
) -> Result:
    """`ansible localhost -m viapi.esx.<module>` with JSON args (+ the simulator's connection)."""
    full = dict(connection(sim)) if sim is not None else {}
    full.update(args)
    name = module if "." in module else f"viapi.esx.{module}"
    cmd = ["ansible", "localhost", "-m", name] + (["-a", json.dumps(full)] if full else [])
    cmd += ["--check"] * check + ["--diff"] * diff + (["-" + "v" * verbosity] if verbosity else [])
    proc, tasks = _run(cmd, env)
    result = tasks[-1]["result"] if tasks else {}
    return Result(proc.returncode, proc.stdout, proc.stderr, result, tasks)


def run_playbook(
    playbook: str | Path,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    env: dict | None = None,
    args: tuple = (),
) -> Result:
    """`ansible-playbook` on localhost with extra vars given as JSON."""
    cmd = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    cmd += ["--check"] * check + ["--diff"] * diff + list(args)
    proc, tasks = _run(cmd, env)
    return Result(
        proc.returncode, proc.stdout, proc.stderr, tasks[-1]["result"] if tasks else {}, tasks
    )


def _run(cmd: list, env: dict | None):
    """Run an ansible CLI; return the process and the task records result_file wrote."""
    with tempfile.TemporaryDirectory(prefix="esx-run-") as tmp:
        record = Path(tmp) / "results.jsonl"
        full_env = ansible_env(env)
        full_env.setdefault("VIAPI_RESULT_FILE", str(record))
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=full_env, cwd=ROOT, check=False
        )
        lines = record.read_text().splitlines() if record.exists() else []
    return proc, [json.loads(line) for line in lines]
