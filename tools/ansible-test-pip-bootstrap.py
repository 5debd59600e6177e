"""Give ansible-test a pip bootstrap script that needs no download.

ansible-test creates the virtual environments for its sanity tests without pip, then bootstraps
pip with a ``get-pip.py`` it downloads once from the Ansible project's CI file server and caches
as ``~/.ansible/test/cache/get_pip_<version>.py`` (dots of the pip version replaced by
underscores; ``get_pip_24_2.py`` for ansible-core 2.19). Where that server cannot be reached
(closed networks, air-gapped sites, CI without general internet), ``ansible-test sanity
--requirements`` stops with "Download failed".

This helper writes a stand-in at that cache path. ansible-test runs the cached script as
``python <script> --disable-pip-version-check pip==<version> [--no-setuptools] [--no-wheel]``;
the stand-in then:

1. installs the pip wheel bundled with the interpreter (``python -m ensurepip``), and
2. runs ``python -m pip install [--cert CA_BUNDLE] <the same arguments>``, less the two options
   that only get-pip.py knows; without them it adds ``setuptools`` / ``wheel`` as get-pip.py
   would.

Step 2 uses the normal pip configuration (pip.conf, ``PIP_INDEX_URL``, ``PIP_FIND_LINKS``...),
so an air-gapped site points pip at its internal mirror or a wheel directory that holds the
pinned pip release and the sanity test requirements. ``--cert`` is added only when the CA
bundle (``/etc/ssl/certs/ca-certificates.crt`` unless ``--ca-bundle`` says otherwise) exists
and ``PIP_CERT`` is not already set.

The pip version is read from the installed ansible-test, so run this with the Python that runs
ansible-test (``make sanity`` does). A file that is not our stand-in (a real get-pip.py someone
downloaded) is left alone unless ``--force`` is given.

Usage: python3 tools/ansible-test-pip-bootstrap.py [--pip-version X.Y] [--cache-dir DIR]
       [--ca-bundle PATH] [--force]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys

MARKER = "# viapi.esx ansible-test pip bootstrap stand-in"
DEFAULT_CACHE_DIR = "~/.ansible/test/cache"
DEFAULT_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

STAND_IN = '''\
{marker}
"""Stand-in for get-pip.py: bootstrap pip from ensurepip, then pip-install the arguments."""

import os
import subprocess
import sys

GET_PIP_ONLY = {{"--no-setuptools": "setuptools", "--no-wheel": "wheel"}}
CA_BUNDLE = {ca_bundle!r}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    # get-pip.py installs setuptools and wheel unless told not to.
    args += [pkg for flag, pkg in GET_PIP_ONLY.items() if flag not in sys.argv[1:]]
    if CA_BUNDLE and os.path.exists(CA_BUNDLE) and not os.environ.get("PIP_CERT"):
        args = ["--cert", CA_BUNDLE] + args
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
'''


def expected_pip_versions() -> list[str]:
    """Return the pip versions the installed ansible-test bootstraps (usually one)."""
    spec = importlib.util.find_spec("ansible_test")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("ansible-test is not installed for this Python; use --pip-version")
    source = os.path.join(spec.submodule_search_locations[0], "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    # get_venv_packages() names the version as pip='24.2' (default and per-Python overrides).
    versions = sorted(set(re.findall(r"""\bpip\s*[=:]\s*['"](\d+(?:\.\d+)+)['"]""", text)))
    if not versions:
        raise SystemExit(f"no pip version found in {source}; use --pip-version")
    return versions


def install_stand_in(path: str, ca_bundle: str, force: bool) -> str:
    """Write the stand-in at path; return what was done."""
    content = STAND_IN.format(marker=MARKER, ca_bundle=ca_bundle)
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            current = handle.read()
        if current == content:
            return "up to date"
        if not current.startswith(MARKER) and not force:
            return "kept (not ours; --force replaces it)"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(content)
    os.replace(path + ".tmp", path)
    return "written"


def main(argv: list[str] | None = None) -> int:
    """Install the stand-in for every pip version ansible-test may ask for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--pip-version", action="append", help="pip version (repeatable)")
    parser.add_argument("--cache-dir", default=DEFAULT_CACHE_DIR, help="ansible-test cache dir")
    parser.add_argument("--ca-bundle", default=DEFAULT_CA_BUNDLE, help="CA file for pip --cert")
    parser.add_argument("--force", action="store_true", help="replace a real get-pip.py too")
    args = parser.parse_args(argv)

    cache_dir = os.path.expanduser(args.cache_dir)
    for version in args.pip_version or expected_pip_versions():
        name = "get_pip_" + version.replace(".", "_") + ".py"
        path = os.path.join(cache_dir, name)
        print(f"{path}: {install_stand_in(path, args.ca_bundle, args.force)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
