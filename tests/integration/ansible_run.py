"""Run viapi.esx modules and playbooks as subprocesses, the way Ansible runs them.

Every integration test that runs a module goes through `run_module` or `run_playbook`; both use
this checkout as viapi.esx and the test interpreter (which has requests and lxml) as the module
interpreter. `run_playbook` is always `ansible-playbook`. `run_module` runs a module one of two
ways:

- `cli`: ad-hoc `ansible localhost -m`, the result read back by the result_file callback: the
  whole controller (argument parsing, module_defaults, AnsiballZ packaging, no_log censoring of
  what is displayed, the callbacks) is in the path.
- `direct`: the module's own file run by Python with its JSON arguments (the `_ansible_*` keys
  the controller adds included), which is what the controller makes the target do; the result
  is the module's JSON, completed as the controller completes it (`changed` and `failed` are
  always there). It costs a fifth of the CPU of `cli` (no controller start-up), which is what
  keeps the whole suite inside CI's time.

`direct` is the default. `cli` is used when the environment sets VIAPI_ESX_TEST_RUNNER=cli
(noxfile.py does, for every session but the one that runs the whole suite, so every module's
smoke test goes through the controller on every ansible-core), and for a call that needs the
controller: `cli=True` (a test of what the controller displays, e.g. that no secret is shown at
-vvvv), an ANSIBLE_* environment variable, or a module outside viapi.esx; `cli=False` runs
directly whatever the environment says (modules/test_run_paths.py compares both). In a direct run
`verbosity` is only the module's `_ansible_verbosity`, `stdout` is the module's JSON and
`tasks` is empty.
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
RUNNER_ENV = "VIAPI_ESX_TEST_RUNNER"
RUNNERS = ("direct", "cli")


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
    cli: bool | None = None,
) -> Result:
    """Run viapi.esx.<module> (or a module named in full) with `args` (+ the simulator's
    connection), in check and diff mode as asked; `cli` True or False picks the way, None
    leaves it to the runner (this file's docstring)."""
    full = dict(connection(sim)) if sim is not None else {}
    full.update(args)
    name = module if "." in module else f"viapi.esx.{module}"
    if not _needs_cli(name, cli, env):
        return _run_direct(name, full, check, diff, verbosity, env)
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


def runner() -> str:
    """The way run_module runs modules in this process (VIAPI_ESX_TEST_RUNNER, else direct)."""
    chosen = os.environ.get(RUNNER_ENV) or "direct"
    if chosen not in RUNNERS:
        raise ValueError(f"{RUNNER_ENV}={chosen!r}: expected one of {', '.join(RUNNERS)}")
    return chosen


def _needs_cli(name: str, cli: bool | None, env: dict | None) -> bool:
    return (
        cli is True
        or (cli is None and runner() == "cli")
        or not name.startswith("viapi.esx.")
        or any(key.startswith("ANSIBLE_") for key in env or {})
    )


def _internal_args(name: str, check: bool, diff: bool, verbosity: int, tmpdir: str) -> dict:
    """The `_ansible_*` arguments the controller adds to a module's own, for the keys this
    ansible-core's modules know (PASS_VARS: a key it does not know is an unsupported
    parameter); the rest keep the module side's defaults."""
    from ansible.module_utils.ansible_release import __version__
    from ansible.module_utils.common.parameters import PASS_VARS

    wanted = {
        "check_mode": check,
        "diff": diff,
        "no_log": False,
        "debug": False,
        "verbosity": verbosity,
        "version": __version__,
        "module_name": name,
        "keep_remote_files": False,
        "tmpdir": tmpdir,
        "remote_tmp": tmpdir,
    }
    return {f"_ansible_{key}": value for key, value in wanted.items() if key in PASS_VARS}


def _run_direct(
    name: str, args: dict, check: bool, diff: bool, verbosity: int, env: dict | None
) -> Result:
    """Python runs the module's file with its arguments in a file, as AnsiballZ does on the
    target; the module's JSON answer is completed as the controller's task executor does."""
    namespace, collection, module = name.split(".")
    target = f"ansible_collections.{namespace}.{collection}.plugins.modules.{module}"
    with tempfile.TemporaryDirectory(prefix="esx-mod-") as tmp:
        params = dict(args, **_internal_args(name, check, diff, verbosity, tmp))
        args_file = Path(tmp) / "args.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
        full_env = ansible_env(env)
        path = full_env.get("PYTHONPATH")
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COLLECTIONS), path]))
        proc = subprocess.run(
            [sys.executable, "-m", target, str(args_file)],
            capture_output=True, text=True, env=full_env, cwd=tmp, check=False,
        )  # fmt: skip
    return Result(proc.returncode, proc.stdout, proc.stderr, _module_answer(proc))


def _module_answer(proc) -> dict:
    """The module's JSON, or for a module whose output is anything else (a traceback, text
    around the JSON, which the controller would warn of), what the controller reports for a
    module that printed no JSON: MODULE FAILURE with the module's output."""
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        result = {
            "failed": True,
            "msg": "MODULE FAILURE",
            "module_stdout": proc.stdout,
            "module_stderr": proc.stderr,
            "rc": proc.returncode,
        }
    if "failed" not in result:
        result["failed"] = "rc" in result and result["rc"] not in (0, "0")
    result.setdefault("changed", False)
    for key, shape in (("warnings", _warning), ("deprecations", _deprecation)):
        if isinstance(result.get(key), list):
            result[key] = [shape(entry) for entry in result[key]]
    return result


def _untagged(value):
    """A value of a module's JSON without ansible-core 2.19+'s `__ansible_type` tags."""
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items() if k != "__ansible_type"}
    return [_untagged(v) for v in value] if isinstance(value, list) else value


def _warning(entry):
    """A warning as the controller hands it on: its text (2.19+ modules send a tagged
    WarningSummary whose event holds it)."""
    if isinstance(entry, dict) and "event" in entry:
        return entry["event"].get("msg")
    return entry


def _deprecation(entry):
    """A deprecation as the controller hands it on: a dict with `msg` and `collection_name`
    (2.19+ modules send a tagged DeprecationSummary whose event holds the text)."""
    if isinstance(entry, dict) and "event" in entry:
        shown = _untagged({k: v for k, v in entry.items() if k != "event"})
        shown["msg"] = entry["event"].get("msg")
        if (shown.get("deprecator") or {}).get("resolved_name"):
            shown["collection_name"] = shown["deprecator"]["resolved_name"]
        return shown
    return entry
