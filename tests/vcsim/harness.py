"""Start and stop the vcsim simulator (tests/vcsim/vcsim) from pytest and bench scripts.

Standard library only. Typical use::

    with Vcsim.start("--vm", "3") as sim:
        client(sim.host, sim.port, sim.username, sim.password, ca_path=sim.ca_path)
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "vcsim"
DEFAULT_USERNAME = "viapi"
DEFAULT_PASSWORD = "viapi-secret"
# The transport's recording hook (docs/reliability.md): set, every simulator started here is
# registered in that directory so that the client records its answers.
RECORD_ENV = "VIAPI_ESX_RECORD_DIR"
# Flags the harness sets itself from its keyword arguments.
_OWN_FLAGS = ("--listen", "--cert-dir", "--manifest", "--username", "--password", "--datastore-dir")

_build_lock = threading.Lock()
_built = False
_running: set[Vcsim] = set()  # stopped at exit if the caller forgot


class VcsimError(RuntimeError):
    """The simulator could not be built or did not start."""


def build() -> None:
    """Build the simulator binary, once per process (the launcher skips unchanged sources)."""
    global _built
    with _build_lock:
        if _built:
            return
        proc = subprocess.run(
            [str(LAUNCHER), "build"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise VcsimError(f"{LAUNCHER} build failed (exit {proc.returncode}):\n{proc.stdout}")
        _built = True


class Vcsim:
    """One running simulator process, started by `Vcsim.start` and ended by `stop`."""

    def __init__(
        self, proc, url, cert_dir, owns_cert_dir, username, password, manifest_path, log_path
    ):
        self._proc = proc
        self.url = url
        parts = urlsplit(url)
        self.host = parts.hostname
        self.port = parts.port
        self.cert_dir = Path(cert_dir)
        self.ca_path = str(self.cert_dir / "ca.pem")
        self.username = username
        self.password = password
        self.log_path = log_path
        self.manifest = json.loads(Path(manifest_path).read_text()) if manifest_path else None
        self._owns_cert_dir = owns_cert_dir
        self._recorded = _register_for_recording(self.host, self.port, proc.pid)
        _running.add(self)

    @classmethod
    def start(
        cls,
        *args: str,
        cert_dir: str | os.PathLike | None = None,
        manifest: bool = True,
        listen: str = "127.0.0.1:0",
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        ready_timeout: float | None = None,
    ) -> Vcsim:
        """Start `vcsim serve` with extra flags `args`; return once it printed its SDK URL.

        Without `cert_dir` a temporary directory is made, and removed by `stop`.
        `ready_timeout` None waits as long as the process lives (large models take a while).
        """
        taken = [a for a in args if a.split("=", 1)[0] in _OWN_FLAGS]
        if taken:
            raise ValueError(f"pass {taken} as keyword arguments, not flags")
        build()
        owns = cert_dir is None
        cert_dir = Path(tempfile.mkdtemp(prefix="vcsim-") if owns else cert_dir)
        cert_dir.mkdir(parents=True, exist_ok=True)
        manifest_path = cert_dir / "manifest.json" if manifest else None
        log_path = cert_dir / "vcsim.log"
        cmd = [str(LAUNCHER), "serve", "--listen", listen, "--cert-dir", str(cert_dir)]
        cmd += ["--username", username, "--password", password, "--exit-on-stdin-eof"]
        # Datastore files live with the certificates, so nothing is left in /tmp if it is killed.
        cmd += ["--datastore-dir", str(cert_dir / "datastores")]
        if manifest_path:
            cmd += ["--manifest", str(manifest_path)]
        cmd += list(args)
        with open(log_path, "wb") as log:
            # stdin stays open: the simulator exits when it closes, even if we are killed.
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        try:
            url = _read_url(proc, log_path, ready_timeout, _redact(cmd))
        except BaseException:
            _end(proc)
            if owns:
                shutil.rmtree(cert_dir, ignore_errors=True)
            raise
        threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
        return cls(proc, url, cert_dir, owns, username, password, manifest_path, log_path)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return self._proc.poll()

    def stop(self, timeout: float = 30) -> None:
        """Stop this simulator by its own pid (SIGTERM, then SIGKILL after `timeout`)."""
        _end(self._proc, timeout)
        _running.discard(self)
        if self._recorded:
            self._recorded.unlink(missing_ok=True)  # the port may serve something else next
        if self._owns_cert_dir:
            shutil.rmtree(self.cert_dir, ignore_errors=True)

    def __enter__(self) -> Vcsim:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Vcsim {self.url} pid={self.pid}>"


def start_vcsim(extra_args=(), cert_dir=None, manifest=True, **kwargs) -> Vcsim:
    """Function form of `Vcsim.start`."""
    return Vcsim.start(*extra_args, cert_dir=cert_dir, manifest=manifest, **kwargs)


def _register_for_recording(host: str, port: int, pid: int) -> Path | None:
    """With VIAPI_ESX_RECORD_DIR set, have the client's transport record this simulator's
    answers (plugins/module_utils/vi/transport.py reads <dir>/endpoints/<host>-<port>); the
    answers of fake servers and fault proxies, which no simulator registers, are not recorded.
    """
    directory = os.environ.get(RECORD_ENV)
    if not directory:
        return None
    path = Path(directory) / "endpoints" / f"{host.strip('[]')}-{port}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"vcsim pid {pid}\n")
    return path


def _read_url(proc, log_path, ready_timeout, cmd) -> str:
    """Return the first stdout line, or raise with the log if the process ends or times out."""
    deadline = None if ready_timeout is None else time.monotonic() + ready_timeout
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buf:
            if deadline is not None and time.monotonic() > deadline:
                raise VcsimError(
                    f"vcsim not ready after {ready_timeout}s: {cmd}\n{_tail(log_path)}"
                )
            if not sel.select(timeout=1.0):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                code = proc.wait()
                raise VcsimError(
                    f"vcsim exited with {code} before printing its URL: {cmd}\n{_tail(log_path)}"
                )
            buf += chunk
    url = buf.split(b"\n", 1)[0].decode().strip()
    if not url.startswith("https://"):
        raise VcsimError(f"vcsim printed {url!r} instead of its SDK URL\n{_tail(log_path)}")
    return url


def _redact(cmd) -> str:
    """The command line for messages, without the password."""
    shown = list(cmd)
    for i, arg in enumerate(shown[:-1]):
        if arg == "--password":
            shown[i + 1] = "********"
    return " ".join(shown)


def _tail(path, limit=4000) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"(no log: {e})"
    return text[-limit:]


def _drain(stream) -> None:
    """Keep reading stdout so the simulator never blocks on a full pipe."""
    while stream.read(65536):
        pass


def _end(proc, timeout: float = 30) -> None:
    """Terminate proc by its pid and reap it; kill it if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdin and not proc.stdin.closed:
        proc.stdin.close()


@atexit.register
def _stop_all() -> None:
    for sim in list(_running):
        sim.stop(timeout=5)
