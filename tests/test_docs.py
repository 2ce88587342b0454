"""The documentation keeps up with the code: keys, exit codes, commands and links."""

from __future__ import annotations

import argparse
import fnmatch
import re
from pathlib import Path

import pytest

from autorelease.cli import main as cli
from autorelease.cli.adopt import toml_value
from autorelease.core import config
from autorelease.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
README_QUICK_START = [
    "python -m pip install . && autorelease --dry-run",
    "python -m pip install -e '.[test]' && python -m pytest",
]
_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def _subcommands() -> list[str]:
    parser = cli.build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


@pytest.mark.parametrize(("key", "spec"), sorted(config._SCHEMA.items()))
def test_every_key_is_documented_with_its_default(key: str, spec: tuple[object, ...]) -> None:
    rows = [line for line in _text("configuration.md").splitlines() if line.startswith("| `")]
    row = next((r for r in rows if r.startswith(f"| `{key}` |")), None)
    assert row is not None, f"docs/configuration.md has no table row for {key}"
    assert f"`{toml_value(spec[1])}`" in row, f"{key}: default {toml_value(spec[1])} not in {row}"


@pytest.mark.parametrize("code", list(ExitCode), ids=lambda c: c.name)
def test_every_exit_code_is_documented(code: ExitCode) -> None:
    text = _text("troubleshooting.md")
    assert f"| {int(code)} | `{code.name}` |" in text
    assert f"\n## {int(code)} {code.name}\n" in text


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_is_documented(command: str) -> None:
    assert re.search(rf"^## `autorelease {command}\b", _text("commands.md"), re.MULTILINE), (
        f"docs/commands.md has no section for `autorelease {command}`"
    )


def test_there_are_subcommands_to_check() -> None:
    assert {"publish", "status", "version", "changelog"} <= set(_subcommands())


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    for match in _LINK.finditer(text):
        target = match["target"]
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # http(s), mailto: not checked offline
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        assert resolved.exists(), f"{page.name}: broken link {target}"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{page.name}: no heading for {target}"


def test_readme_quick_start_is_the_two_sh_blocks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert [b.strip() for b in blocks] == README_QUICK_START


def test_getting_started_agrees_with_the_readme() -> None:
    text = _text("getting-started.md")
    # The README's preview command, quoted as it is there.
    assert README_QUICK_START[0] in text
    # Every install names the real distribution (or the clone itself), never `autorelease`.
    for target in re.findall(r"pip install (?:-e )?(\S+)", text):
        assert target in ("conventional-autorelease", "."), target
    assert "pip install autorelease" not in text


def test_the_docs_have_their_pages() -> None:
    names = {p.name for p in PAGES}
    expected = {
        "index.md", "getting-started.md", "configuration.md", "commits.md", "commands.md",
        "publishing.md", "ci.md", "hooks.md", "migrating.md", "troubleshooting.md", "recovery.md",
        "architecture.md",
    }  # fmt: skip
    assert expected <= names
    index = _text("index.md")
    for name in sorted(expected - {"index.md"}):
        assert f"]({name})" in index, f"docs/index.md does not link {name}"


def test_the_architecture_page_names_files_that_exist() -> None:
    """Every file docs/architecture.md names in backquotes (`run.py`, `publish/run.py`,
    `changelog*.py`) is a file of the package or of the project."""
    text = _text("architecture.md")
    named = set(re.findall(r"`((?:[\w*]+/)*[\w*]+\.py)`", text))
    assert len(named) > 30
    files = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("[st]*/**/*.py")]
    missing = [
        n for n in sorted(named) if not any(fnmatch.fnmatch(f"/{f}", f"*/{n}") for f in files)
    ]
    assert missing == []
