#!/usr/bin/env python
"""Generate the Markdown reference in docs/reference/ from the plugins' own documentation.

The source of truth is each module's and plugin's DOCUMENTATION / EXAMPLES / RETURN (and each
role's meta/argument_specs.yml), read through `ansible-doc --metadata-dump`, so the reference
can never say something the code's docs do not.

Usage:
  python tools/gen_docs.py            rewrite docs/reference/
  python tools/gen_docs.py --check    exit 1 if docs/reference/ is out of date (CI)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "reference"
COLLECTION = "viapi.esx"
KINDS = ("module", "inventory")

# Ansible's documentation markup -> Markdown.
_MARKUP = [
    (re.compile(r"[OV]\(([^)=]+)=([^)]*)\)"), r"`\1=\2`"),
    (re.compile(r"[CIOVERP]\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"B\(([^)]*)\)"), r"**\1**"),
    (re.compile(r"U\(([^)]*)\)"), r"<\1>"),
    (re.compile(r"L\(([^,]*),\s*([^)]*)\)"), r"[\1](\2)"),
    (re.compile(r"M\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"HORIZONTALLINE"), "---"),
]


def markup(text) -> str:
    """Ansible doc markup in a string or list of strings, as one Markdown paragraph."""
    if isinstance(text, (list, tuple)):
        text = " ".join(str(t) for t in text)
    text = str(text or "")
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text.replace("|", "\\|").replace("\n", " ")


def dump() -> dict:
    """Every plugin's docs, as ansible-doc sees them through the collection path."""
    out = subprocess.run(
        ["ansible-doc", "--metadata-dump", "--no-fail-on-errors", COLLECTION],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)["all"]


def _name_and_kind(name: str, entry: dict, depth: int, default_type: str) -> tuple[str, str]:
    """The indented name cell and the type cell of an option or return value."""
    pad = "&nbsp;&nbsp;" * depth + ("↳ " if depth else "")
    kind = entry.get("type", default_type)
    if kind == "list" and entry.get("elements"):
        kind = f"list / {entry['elements']}"
    return f"{pad}`{name}`", kind


def option_rows(options: dict, depth: int = 0) -> list[str]:
    rows = []
    for name in sorted(options):
        opt = options[name]
        cell, kind = _name_and_kind(name, opt, depth, "str")
        facts = []
        if opt.get("required"):
            facts.append("**required**")
        if "default" in opt and opt["default"] is not None:
            facts.append(f"default: `{json.dumps(opt['default'])}`")
        if opt.get("choices"):
            choices = opt["choices"]
            choices = list(choices) if isinstance(choices, dict) else choices
            facts.append("choices: " + ", ".join(f"`{c}`" for c in choices))
        if opt.get("aliases"):
            facts.append("aliases: " + ", ".join(f"`{a}`" for a in opt["aliases"]))
        envs = [e["name"] for e in opt.get("env") or []]
        if envs:
            facts.append("env: " + ", ".join(f"`{e}`" for e in envs))
        desc = markup(opt.get("description"))
        rows.append(f"| {cell} | {kind} | {'<br>'.join(facts)} | {desc} |")
        rows += option_rows(opt.get("suboptions") or opt.get("options") or {}, depth + 1)
    return rows


def return_rows(values: dict, depth: int = 0) -> list[str]:
    rows = []
    for name in sorted(values):
        val = values[name]
        cell, kind = _name_and_kind(name, val, depth, "")
        sample = val.get("sample")
        sample_md = f"<br>sample: `{json.dumps(sample)[:120]}`" if sample is not None else ""
        returned = markup(val.get("returned", ""))
        rows.append(
            f"| {cell} | {kind} | {returned} | {markup(val.get('description'))}{sample_md} |"
        )
        rows += return_rows(val.get("contains") or {}, depth + 1)
    return rows


def render(kind: str, fqcn: str, entry: dict) -> str:
    doc = entry.get("doc") or {}
    label = "module" if kind == "module" else f"{kind} plugin"
    lines = [f"# {fqcn}", "", f"*{label}* — {markup(doc.get('short_description'))}", ""]
    for para in doc.get("description") or []:
        lines += [markup(para), ""]
    if doc.get("requirements"):
        lines += ["## Requirements", ""] + [f"- {markup(r)}" for r in doc["requirements"]] + [""]
    if doc.get("options"):
        lines += ["## Options", "", "| option | type | facts | description |", "|---|---|---|---|"]
        lines += option_rows(doc["options"]) + [""]
    if doc.get("attributes"):
        lines += ["## Attributes", "", "| attribute | support | description |", "|---|---|---|"]
        for name, attr in sorted(doc["attributes"].items()):
            lines.append(
                f"| {name} | {attr.get('support', '')} | {markup(attr.get('description'))} |"
            )
        lines.append("")
    if doc.get("notes"):
        lines += ["## Notes", ""] + [f"- {markup(n)}" for n in doc["notes"]] + [""]
    if entry.get("examples"):
        lines += ["## Examples", "", "```yaml", entry["examples"].strip("\n"), "```", ""]
    if entry.get("return"):
        lines += [
            "## Return values",
            "",
            "| key | type | returned | description |",
            "|---|---|---|---|",
        ]
        lines += return_rows(entry["return"]) + [""]
    return "\n".join(lines)


def generate(dest: Path) -> list[str]:
    """Write one page per plugin and an index into `dest`; return the file names."""
    dest.mkdir(parents=True, exist_ok=True)
    data = dump()
    index = ["# viapi.esx reference", "", "Generated by `tools/gen_docs.py` from the plugins' own",
             "DOCUMENTATION, EXAMPLES and RETURN; do not edit by hand.", ""]  # fmt: skip
    names = []
    for kind in KINDS:
        plugins = {
            k: v for k, v in (data.get(kind) or {}).items() if k.startswith(COLLECTION + ".")
        }
        broken = {k: v for k, v in plugins.items() if v.get("error") or not v.get("doc")}
        if broken:
            # --no-fail-on-errors lists a plugin whose docs do not parse with an error
            # instead of its docs: stop, rather than write an empty page for it.
            lines = [
                f"{k}: {v.get('error') or 'no documentation'}" for k, v in sorted(broken.items())
            ]
            raise SystemExit("\n".join(lines))
        if not plugins:
            continue
        index += [f"## {kind.capitalize()} plugins" if kind != "module" else "## Modules", ""]
        for fqcn in sorted(plugins):
            short = fqcn.split(".")[-1]
            fname = f"{short}_{kind}.md"
            (dest / fname).write_text(render(kind, fqcn, plugins[fqcn]))
            names.append(fname)
            desc = markup((plugins[fqcn].get("doc") or {}).get("short_description"))
            index.append(f"- [{fqcn}]({fname}) — {desc}")
        index.append("")
    (dest / "README.md").write_text("\n".join(index))
    return names + ["README.md"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/reference is stale")
    args = parser.parse_args()
    if not args.check:
        for old in OUT.glob("*.md"):
            old.unlink()
        print(f"wrote {len(generate(OUT))} files to {OUT.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        stale = [
            n
            for n in fresh
            if not (OUT / n).exists() or (OUT / n).read_text() != (Path(tmp) / n).read_text()
        ]
        extra = [p.name for p in OUT.glob("*.md") if p.name not in fresh]
    if stale or extra:
        print("docs/reference is out of date; run `make docs`:", ", ".join(stale + extra))
        return 1
    print("docs/reference is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
