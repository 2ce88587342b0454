"""Commit text is data, never structure: whatever a commit says, the changelog keeps the shape
autorelease gave it, and the next release's section lands under the marker.

The Markdown is read back with markdown-it-py (a CommonMark parser that twine brings along).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from autorelease.cli.main import main
from autorelease.core import changelog
from autorelease.core.commits import Commit, parse
from autorelease.errors import ExitCode
from publish_world import World

pytest_plugins = ["index_server", "publish_world"]

MARKER = "<!-- autorelease: new releases go below this line -->"
SHA = "0123456789abcdef0123456789abcdef01234567"
# Everything autorelease (or Markdown) reads as structure, in a breaking-change note; last, a
# code fence that is never closed.
HOSTILE_NOTE = f"""the marker and two release headings, quoted:
{MARKER}
## 9.9.9 (2020-01-01)
## v1.2.3

Release 9.9.9
=============
Older notes
-----------
***
   # a heading three spaces in
<!-- version list -->
<!-- a comment that never ends
    ## indented four: code, shown as it is
`<!-- in a code span -->` stays as written
```"""
HOSTILE_MESSAGES = (
    f"feat(api)!: a new API\n\nBREAKING CHANGE: {HOSTILE_NOTE}",
    f"fix(<!-- x -->): # not a heading, and {MARKER}",
    "fix: ---",
    "fix: ## 9.9.9 (2020-01-01)",
)


def structure(text: str) -> list[Any]:
    """The blocks of the Markdown TEXT at the top level: ("h2", text), ("html", text), "list"...

    Asserts that nothing inside a list is a heading, a rule or an HTML block.
    """
    blocks: list[Any] = []
    tokens = MarkdownIt("commonmark").parse(text)
    for n, token in enumerate(tokens):
        if token.level > 0:
            assert token.type not in ("heading_open", "hr", "html_block"), (token, text)
        elif token.type == "heading_open":
            blocks.append((token.tag, tokens[n + 1].content))
        elif token.type == "html_block":
            blocks.append(("html", token.content.strip()))
        elif token.type.endswith("_open") or token.type == "hr":
            blocks.append(token.type.removesuffix("_open"))
    return blocks


def shown(text: str) -> str:
    """What a reader sees of the Markdown TEXT: its HTML without tags, entities read back."""
    return html.unescape(re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(text)))


def pairs(*messages: str) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for n, message in enumerate(messages):
        commit = parse(message)
        assert isinstance(commit, Commit)
        found.append((f"{n}{SHA[1:]}", commit))
    return found


# --- the rendering, one section -----------------------------------------------------------------


@pytest.mark.parametrize("url", [None, "https://github.com/o/r"])
def test_a_hostile_section_has_only_the_structure_autorelease_gives_it(url: str | None) -> None:
    meta = changelog.Release("2.0.0", "v2.0.0", "2023-11-14", (), "v1.0.0", url)
    section = changelog.section(meta, pairs(*HOSTILE_MESSAGES))

    assert [b for b in structure(section) if b != "bullet_list"] == [
        ("h2", section.splitlines()[0].removeprefix("## ")),
        ("h3", "⚠ Breaking changes"),
        ("h3", "Features"),
        ("h3", "Bug fixes"),
    ]
    lines = section.splitlines()
    markup = [line for line in lines if line[:1] in tuple("#<=*_-") and line[:2] != "- "]
    assert markup == [
        lines[0],
        "### ⚠ Breaking changes",
        "### Features",
        "### Bug fixes",
    ]
    assert all(line[:1] in ("", " ", "#", "-") for line in lines)  # entries are list items
    # ...and the reader still sees every word the commits said
    seen = shown(section)
    for line in HOSTILE_NOTE.splitlines():
        assert line.strip().replace("`", "") in seen
    assert "# not a heading, and " + MARKER in seen
    assert "## 9.9.9 (2020-01-01)" in seen


def test_the_built_in_rendering_and_a_template_treat_commit_text_alike(tmp_path: Path) -> None:
    template = tmp_path / "section.md.j2"
    template.write_text(
        "## {{ release.version }}\n\n{% for e in release.entries %}"
        "{% for note in e.breaking_notes %}- {{ note }}\n{% endfor %}"
        "- {% if e.scope %}{{ e.scope }}: {% endif %}{{ e.description }}\n{% endfor %}",
        encoding="utf-8",
    )
    meta = changelog.Release("2.0.0", "v2.0.0", "2023-11-14")
    section = changelog.section(meta, pairs(*HOSTILE_MESSAGES), template)

    assert [b for b in structure(section) if b != "bullet_list"] == [("h2", "2.0.0")]
    assert "<\\!-- autorelease: new releases go below this line -->" in section
    existing = f"# Changelog\n\n{MARKER}\n\n{section}"
    assert changelog.insert(existing, "## 2.0.1\n", MARKER, "2.0.1") == (
        f"# Changelog\n\n{MARKER}\n\n## 2.0.1\n\n{section}"
    )


def test_a_marker_counts_only_as_a_whole_line_of_its_own() -> None:
    section = "## 1.1.0\n\n- new\n"
    quoted = f"## 1.0.0\n\n- see {MARKER}\n  {MARKER}\n\n"
    existing = f"# Changelog\n\n{quoted}{MARKER}   \n\n## 0.9.0\n"
    assert changelog.insert(existing, section, MARKER, "1.1.0") == (
        f"# Changelog\n\n{quoted}{MARKER}   \n\n{section}\n## 0.9.0\n"
    )
    # quoted only: the section goes above the first release, as without a marker
    assert changelog.insert(f"# Changelog\n\n{quoted}", section, MARKER, "1.1.0") == (
        f"# Changelog\n\n{section}\n{quoted}"
    )


# --- two releases in a row, through the command line --------------------------------------------


@pytest.mark.slow
def test_hostile_commits_never_move_the_next_release_section(w: World) -> None:
    for message in HOSTILE_MESSAGES:
        w.repo.commit(message)
    w.repo.git("push", "-q", "origin", "main")

    first = w.publish("--no-github")  # the GitHub release comes from CHANGELOG.md on the re-run
    assert first.code == ExitCode.OK, first.err
    finish = w.publish()
    assert finish.code == ExitCode.OK, finish.err
    w.repo.commit("fix: a later fix")
    w.repo.git("push", "-q", "origin", "main")
    planned = dry_run_changelog(w)
    second = w.publish()
    assert second.code == ExitCode.OK, second.err

    text = (w.repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text == planned  # the dry run showed exactly what publish wrote
    headings = [b for b in structure(text) if isinstance(b, tuple)]
    assert [(tag, version_of(title) if tag == "h2" else title) for tag, title in headings] == [
        ("h1", "Changelog"),
        ("html", MARKER),
        ("h2", "2.0.1"),
        ("h3", "Bug fixes"),
        ("h2", "2.0.0"),
        ("h3", "⚠ Breaking changes"),
        ("h3", "Features"),
        ("h3", "Bug fixes"),
    ]
    newest = text.split(f"{MARKER}\n\n", 1)[1].split("\n## ", 1)[0]
    assert version_of(newest.splitlines()[0]) == "2.0.1"
    assert "a later fix" in newest
    assert "9.9.9" not in newest
    assert "API" not in newest
    assert [line for line in text.splitlines() if line == MARKER] == [MARKER]
    for release in ("v2.0.0", "v2.0.1"):  # the GitHub release notes: the same shape
        notes = release_notes(w, release)
        assert [b for b in structure(notes) if isinstance(b, tuple)] == [
            ("h3", title) for title in section_titles(text, release)
        ] + [("h3", "Install"), ("h3", "Contributors")]
    assert "<\\!-- autorelease" in release_notes(w, "v2.0.0")


def version_of(heading: str) -> str:
    found = re.search(r"\d+\.\d+\.\d+", heading)
    assert found is not None, heading
    return found[0]


def dry_run_changelog(w: World) -> str:
    w.capsys.readouterr()
    assert main(["-C", str(w.repo.path), "--dry-run", "--json"]) == ExitCode.OK
    plan = json.loads(w.capsys.readouterr().out)
    return next(c["after"] for c in plan["file_changes"] if c["path"] == "CHANGELOG.md")


def release_notes(w: World, tag: str) -> str:
    bodies = [json.loads(r.body) for r in w.github.release_posts()]
    return next(str(b["body"]) for b in bodies if b["tag_name"] == tag)


def section_titles(text: str, tag: str) -> list[str]:
    section = changelog.section_of(text, tag.removeprefix("v"))
    return [line[4:] for line in section.splitlines() if line.startswith("### ")]
