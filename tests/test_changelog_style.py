"""The project's changelog, continued in its own style: commitizen's and python-semantic-release's
files (Markdown and reStructuredText, with or without a marker), their sections, and no trailing
whitespace.

The fixture changelogs are shaped like the heads of commitizen's CHANGELOG.md (`## v4.13.9
(2026-02-25)`, `### Fix`, no title, no marker) and python-semantic-release's CHANGELOG.rst (an
anchor, an underlined `v10.6.1 (2026-07-06)`, emoji section titles, rst link targets), with
entries of their own. Each case passes through `--dry-run`, `changelog --init` and a real
`publish` (pypiserver, build, twine, the GitHub fake), and the file is compared with a golden one.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import NamedTuple

import pytest

from autorelease.cli.main import main
from autorelease.core import changelog, changelog_style, config
from autorelease.core.commits import Commit, parse
from autorelease.errors import ChangelogError, ExitCode
from conftest import GitRepo, golden
from publish_world import World

pytest_plugins = ["index_server", "publish_world"]

SHA = "0123456789abcdef0123456789abcdef01234567"


def assert_no_trailing_whitespace(text: str) -> None:
    bad = [n for n, line in enumerate(text.split("\n"), 1) if line != line.rstrip()]
    assert not bad, f"lines ending in whitespace: {bad}"


# --- the changelogs other tools wrote ---------------------------------------------------------

CZ_MD = """\
## v1.0.0 (2023-11-01)

### Feat

- **cli**: add the greet command (#12)

### Refactor

- split the greeting module

## v0.9.0 (2023-10-01)

### Fix

- handle empty names
"""

PSR_OWN_RST = """\
.. _changelog:

=========
CHANGELOG
=========

.. _changelog-v1.0.0:

v1.0.0 (2023-11-01)
===================

✨ Features
-----------

* **cli**: Add the greet command (`a1b2c3d`_)

.. _a1b2c3d: https://example.invalid/commit/a1b2c3d


.. _changelog-v0.9.0:

v0.9.0 (2023-10-01)
===================

* Initial Release
"""

PSR_DEFAULT_RST = """\
.. _changelog:

=========
CHANGELOG
=========

..
    version list

.. _changelog-v1.0.0:

v1.0.0 (2023-11-01)
===================

* Initial Release
"""

PSR_DEFAULT_MD = """\
# CHANGELOG

<!-- version list -->

## v1.0.0 (2023-11-01)

- Initial Release
"""

KEEP_A_CHANGELOG = """\
All notable changes to this project are listed here.

## [1.0.0] - 2023-11-01

### Added

- The greet command.
"""

CZ = """
[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "v$version"
version_provider = "pep621"
"""
PSR_OWN = """
[tool.semantic_release]
version_toml = ["pyproject.toml:project.version"]

[tool.semantic_release.changelog]
insertion_flag = "=========\\nCHANGELOG\\n========="
mode = "update"
exclude_commit_patterns = ['''chore(?:\\([^)]*?\\))?: .+''', '''test(?:\\([^)]*?\\))?: .+''']
"""
PSR_RST = """
[tool.semantic_release]
version_toml = ["pyproject.toml:project.version"]

[tool.semantic_release.changelog.default_templates]
changelog_file = "CHANGELOG.rst"
"""
PSR_MD = """
[tool.semantic_release]
version_toml = ["pyproject.toml:project.version"]
"""
OWN_SECTIONS = """
changelog_sections = { feat = "Added", fix = "Fixed", breaking = "Changed", docs = "" }
"""


class Case(NamedTuple):
    name: str
    table: str  # appended to the sample's pyproject.toml
    file: str
    text: str


CASES = [
    Case("cz", CZ, "CHANGELOG.md", CZ_MD),
    Case("psr_own", PSR_OWN, "CHANGELOG.rst", PSR_OWN_RST),
    Case("psr_rst", PSR_RST, "CHANGELOG.rst", PSR_DEFAULT_RST),
    Case("psr_md", PSR_MD, "CHANGELOG.md", PSR_DEFAULT_MD),
    Case("keepachangelog", OWN_SECTIONS, "CHANGELOG.md", KEEP_A_CHANGELOG),
]
# What the release lists: every kind of section, and a breaking change of several paragraphs.
COMMITS = (
    "feat(cli): greet in `French`",
    "fix: keep the trailing newline (#31)",
    "refactor: one greeting function",
    "perf: cache the greeting",
    "docs: explain the greeting",
    "test: cover the greeting",
    "chore: tidy up",
    "feat!: greet returns bytes\n\nBREAKING CHANGE: greet returns bytes.  \n\n"
    "Decode them:   \n\n    greet(name).decode()\n",
)


def _adopt(repo: GitRepo, case: Case) -> None:
    """The sample project as the previous tool left it, then the unreleased commits."""
    with (repo.path / "pyproject.toml").open("a") as out:
        out.write(case.table)  # after the sample's [tool.autorelease]: OWN_SECTIONS lands there
    repo.write(case.file, case.text)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "docs: the changelog so far")
    repo.git("tag", "-f", "-a", "v1.0.0", "-m", "release v1.0.0")
    for message in COMMITS:
        repo.commit(message)
    repo.git("push", "-q", "-f", "origin", "main", "v1.0.0")


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_tool_s_changelog_is_continued_in_its_style(
    w: World, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    _adopt(w.repo, case)
    root = str(w.repo.path)
    ext = Path(case.file).suffix

    code, out, err = _cli(capsys, "-C", root, "--dry-run")
    assert code == ExitCode.OK, err
    assert f"Changelog section ({case.file})" in out
    assert "/dev/null" not in out  # no second changelog beside the project's

    code, out, err = _cli(capsys, "-C", root, "changelog", "--init", "--dry-run")
    assert code == ExitCode.OK, err
    golden(f"style_{case.name}_init{ext}", out)
    assert_no_trailing_whitespace(out)

    done = w.publish()
    assert done.code == ExitCode.OK, done.err
    text = (w.repo.path / case.file).read_text()
    golden(f"style_{case.name}{ext}", text)
    old_releases = case.text[changelog_style.find_headings(case.text, "1.0.0")[0].start :]
    assert text.endswith(old_releases)  # the past, byte for byte
    assert_no_trailing_whitespace(text[: -len(old_releases)])
    assert sorted(p.name for p in w.repo.path.glob("CHANGELOG*")) == [case.file]
    (post,) = w.github.release_posts()
    body = json.loads(post.body)["body"]
    assert body.startswith("### "), body  # Markdown, whatever the file's format
    assert "\n----" not in body
    assert "- greet returns bytes (" in body


# --- the same, without git: insertion, headings, sections -------------------------------------


def _section(text: str, previous: str, rst: bool, layout: changelog.Layout) -> str:
    style = changelog_style.detect(text, previous, rst)
    pairs = [(f"{n}{SHA[1:]}", parse(m)) for n, m in enumerate(COMMITS)]
    meta = changelog.Release("1.1.0", "v1.1.0", "2023-11-14", (), "v1.0.0", "https://g.io/o/r")
    return changelog.section(meta, pairs, None, layout, style)


def test_cz_changelog_without_marker_gets_the_section_above_the_last_release() -> None:
    layout = changelog.layout_of(config.from_commitizen({}, "x")["changelog_sections"])
    section = _section(CZ_MD, "1.0.0", False, layout)
    assert section.startswith("## v1.1.0 (2023-11-14)\n\n### BREAKING CHANGE\n")
    titles = [line for line in section.splitlines() if line.startswith("### ")]
    assert titles == ["### BREAKING CHANGE", "### Feat", "### Fix", "### Refactor", "### Perf"]
    text = changelog.insert(CZ_MD, section, config.DEFAULT_MARKER, "1.1.0", "1.0.0")
    assert text == section + "\n" + CZ_MD


def test_cz_sections_are_those_the_installed_commitizen_writes() -> None:
    pytest.importorskip("commitizen")
    from commitizen import defaults
    from commitizen.cz.conventional_commits.conventional_commits import ConventionalCommitsCz

    assert ConventionalCommitsCz.change_type_map == config.CZ_TYPES
    assert list(config.CZ_ORDER) == list(defaults.CHANGE_TYPE_ORDER)


def test_psr_sections_are_those_the_installed_psr_writes() -> None:
    pytest.importorskip("semantic_release")
    from semantic_release.commit_parser.conventional import options, parser

    assert parser.LONG_TYPE_NAMES == config.PSR_NAMES
    assert options.ConventionalCommitParserOptions().allowed_tags == config.PSR_TYPES
    sections = config.psr_sections(config.PSR_TYPES)
    # the templates: `release["elements"] | dictsort`, `type_ | title`, then Breaking Changes
    expected = [n.title() for n in sorted(parser.LONG_TYPE_NAMES.values())]
    assert list(sections.values()) == [*expected, "Breaking Changes"]


def test_psr_sections_follow_allowed_tags_and_only_the_conventional_parser() -> None:
    psr = {"commit_parser_options": {"allowed_tags": ["feat", "fix", "revert"]}}
    sections = config.from_semantic_release(psr, "x")["changelog_sections"]
    assert sections == {"fix": "Bug Fixes", "feat": "Features", "revert": "Revert",
                        "breaking": "Breaking Changes"}  # fmt: skip
    assert "changelog_sections" not in config.from_semantic_release({"commit_parser": "emoji"}, "")


def test_psr_default_insertion_flags_are_those_of_the_installed_psr() -> None:
    pytest.importorskip("semantic_release")
    from semantic_release.cli.config import ChangelogConfig

    for name in ("CHANGELOG.md", "CHANGELOG.rst"):
        flag = ChangelogConfig.model_validate(
            {"default_templates": {"changelog_file": name}}
        ).insertion_flag
        assert flag.replace(os.linesep, "\n") in changelog.FOREIGN_MARKERS


def test_psr_rst_section_has_underlines_of_the_right_length_and_rst_links() -> None:
    layout = changelog.layout_of(config.psr_sections(config.PSR_TYPES))
    section = _section(PSR_OWN_RST, "1.0.0", True, layout)
    golden("style_psr_section.rst", section)
    lines = section.split("\n")
    assert lines[:4] == [".. _changelog-v1.1.0:", "", "v1.1.0 (2023-11-14)", "=" * 19]
    from docutils.utils import column_width

    for title, under in itertools.pairwise(lines):
        if under and set(under) == {"-"}:
            assert len(under) == column_width(title), title  # an emoji takes two columns
    assert "\n✨ Features\n-----------\n" in section  # the file's own title for the type
    assert "\nDocumentation\n-------------\n" in section  # a type the file has no title for
    assert "`0123456 <https://g.io/o/r/commit/" in section
    assert "``French``" in section
    assert "](" not in section
    assert_no_trailing_whitespace(section)


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("## v1.0.0 (2023-11-01)", "## v1.1.0 (2023-11-14)"),
        ("## 1.0.0 (2023-11-01)", "## 1.1.0 (2023-11-14)"),
        ("## [1.0.0] - 2023-11-01", "## [1.1.0] - 2023-11-14"),
        ("## v1.0.0", "## v1.1.0"),
        ("# Version 1.0.0 / 01.11.2023", "# Version 1.1.0 / 14.11.2023"),
        ("### 1.0.0 — November 1, 2023", "### 1.1.0 — November 14, 2023"),
        ("## 1.0.0 (1 Nov 2023)", "## 1.1.0 (14 Nov 2023)"),
    ],
)
def test_the_new_heading_copies_the_previous_one(heading: str, expected: str) -> None:
    text = f"# Changelog\n\n{heading}\n\n- one\n\n## 0.9.0\n\n- zero\n"
    style = changelog_style.detect(text, "1.0.0", rst=False)
    assert style.heading_for("1.1.0", "2023-11-14") == expected
    section = _section(text, "1.0.0", False, changelog.DEFAULT_LAYOUT)
    level = heading.split(" ", maxsplit=1)[0]
    assert section.startswith(expected + "\n\n" + level + "# ")
    assert changelog.insert(text, section, "<!-- m -->", "1.1.0", "1.0.0").count(expected) == 1


def test_section_titles_are_written_as_the_file_writes_them() -> None:
    text = "## v1.0.0 (2023-11-01)\n\n### 🐛 bug fixes\n\n- a\n\n### ✨ Features\n\n- b\n"
    style = changelog_style.detect(text, "1.0.0", rst=False)
    assert style.title_for("Bug Fixes") == "🐛 bug fixes"
    assert style.title_for("Features") == "✨ Features"
    assert style.title_for("Performance") == "Performance"
    assert changelog_style.detect(text, "0.9.0", rst=False).title_for("Features") == "Features"


def test_rst_heading_without_date_or_anchor() -> None:
    text = "1.0.0\n=====\n\n- one\n\n0.9.0\n=====\n\n- zero\n"
    section = _section(text, "1.0.0", True, changelog.DEFAULT_LAYOUT)
    assert section.startswith("1.1.0\n=====\n\n")
    inserted = changelog.insert(text, section, "<!-- m -->", "1.1.0", "1.0.0", rst=True)
    assert inserted == section + "\n" + text
    assert changelog.has_version(inserted, "1.1.0")
    assert changelog.section_of(inserted, "1.1.0") == section.strip() + "\n"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Notes without a heading for the release\n", "no heading for the last release 1.0.0"),
        ("## 1.0.0\n\n- a\n\n## 1.0.0\n\n- b\n", "2 headings for the last release 1.0.0"),
    ],
)
def test_no_place_for_the_section_is_one_line_naming_the_file_and_the_fix(
    text: str, why: str
) -> None:
    with pytest.raises(ChangelogError) as info:
        changelog.insert(text, "## 1.1.0\n", "<!-- m -->", "1.1.0", "1.0.0", name="HISTORY.md")
    message = str(info.value)
    assert message.startswith(f"HISTORY.md has no insertion marker and {why}")
    assert "add the line '<!-- m -->'" in message
    assert "\n" not in message
    assert info.value.code == ExitCode.CHANGELOG


def test_no_place_exits_16_and_writes_nothing(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.tag("v1.0.0")
    project.commit("feat: more", ("CHANGELOG.md", "Hand-written notes, 0.9.0 and on\n"))
    code, _, err = _cli(capsys, "-C", str(project.path), "--dry-run")
    assert code == ExitCode.CHANGELOG
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "CHANGELOG.md has no insertion marker and no heading for the last release 1.0.0" in err


def test_a_changelog_left_at_an_older_release_gets_the_missing_ones_as_cz_adds_them(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """commitizen's own CHANGELOG.md stops at v4.13.9 while its tags reach v4.17.0: `cz bump
    --changelog` adds every release since the newest heading, then the new one, above it."""
    import subprocess
    import sys

    from autorelease.core import plan

    with (project.path / "pyproject.toml").open("a") as out:
        out.write(CZ)
    project.commit("docs: the changelog so far", ("CHANGELOG.md", CZ_MD))
    project.tag("v1.0.0", annotated=True)
    steps = (("1.0.0", "1.1.0", "feat: wave"), ("1.1.0", "1.1.1", "refactor: tidy the wave"))
    for old, version, message in steps:
        project.commit(message)
        text = (project.path / "pyproject.toml").read_text()
        project.write(
            "pyproject.toml", text.replace(f'version = "{old}"', f'version = "{version}"')
        )
        project.write("src/sample_pkg/__init__.py", f'__version__ = "{version}"\n')
        project.git("commit", "-q", "-am", f"bump: version → {version}")
        project.tag(f"v{version}", annotated=True)
    project.commit("fix: keep the wave")

    code, out, err = _cli(capsys, "-C", str(project.path), "--dry-run")
    assert code == ExitCode.OK, err
    p = plan.plan_release(project.path)
    assert p.changelog.startswith("## v1.1.2 (")  # the GitHub release: the new section only
    (change,) = [c for c in p.file_changes if c.path == "CHANGELOG.md"]
    assert change.after is not None
    added = change.after[: -len(CZ_MD)]
    assert change.after.endswith("\n" + CZ_MD)
    assert [line.split(" (")[0] for line in added.splitlines() if line.startswith("## ")] == [
        "## v1.1.2", "## v1.1.1", "## v1.1.0",
    ]  # fmt: skip
    assert "### Refactor\n\n- tidy the wave (" in added
    assert "- wave (" in added
    assert "keep the wave" not in added.split("## v1.1.1")[1]
    assert_no_trailing_whitespace(added)
    cz = Path(sys.executable).with_name("cz")
    theirs = subprocess.run(
        [str(cz), "bump", "--changelog", "--dry-run", "--yes"],
        cwd=project.path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cz_headings = [line for line in theirs.splitlines() if line.startswith("## ")]
    our_headings = [line for line in added.splitlines() if line.startswith("## ")]
    assert cz_headings[1:] == our_headings[1:]  # past releases: the same headings, dates too
    assert cz_headings[0].split(" (")[0] == our_headings[0].split(" (")[0]


def test_multi_line_flags_keep_the_flag_whole() -> None:
    flag = "=========\nCHANGELOG\n========="
    section = "v1.1.0\n======\n\n- new\n"
    text = changelog.insert(PSR_OWN_RST, section, flag, "1.1.0", None, rst=True)
    assert text.startswith(
        ".. _changelog:\n\n" + flag + "\n\n" + section + "\n.. _changelog-v1.0.0"
    )
    default = changelog.insert(PSR_DEFAULT_RST, section, "<!-- m -->", "1.1.0", None, rst=True)
    assert "..\n    version list\n\n" + section + "\n.. _changelog-v1.0.0" in default


def released_psr_own(project: GitRepo) -> None:
    """PROJECT set up as PSR's own repository (its table, its .rst changelog), released as
    v1.0.0, then COMMITS."""
    with (project.path / "pyproject.toml").open("a") as out:
        out.write(PSR_OWN)
    project.write("CHANGELOG.rst", PSR_OWN_RST)
    project.git("add", ".")
    project.commit("chore: adopt")
    project.tag("v1.0.0")
    for message in COMMITS:
        project.commit(message)


def test_psr_exclude_commit_patterns_drop_commits_that_do_not_bump(project: GitRepo) -> None:
    from autorelease.core import plan

    released_psr_own(project)
    project.commit("chore!: drop python 3.8")
    p = plan.plan_release(project.path)
    assert p.changelog_path == "CHANGELOG.rst"
    assert "Testing\n" not in p.changelog
    assert "tidy up" not in p.changelog
    assert "Refactoring\n-----------\n" in p.changelog
    assert "Chores\n------\n\n* drop python 3.8 (" in p.changelog  # it bumps: PSR keeps it


def test_changelog_sections_configure_titles_order_and_hidden(project: GitRepo) -> None:
    from autorelease.core import plan

    with (project.path / "pyproject.toml").open("a") as out:
        out.write('\n[tool.autorelease]\nchangelog_sections = { fix = "Fixed", feat = "Added", '
                  'breaking = "Changed", docs = "" }\n')  # fmt: skip
    project.git("add", ".")
    project.commit("chore: adopt")
    project.tag("v1.0.0")
    for message in COMMITS:
        project.commit(message)
    text = plan.plan_release(project.path).changelog
    titles = [line for line in text.splitlines() if line.startswith("### ")]
    assert titles == ["### Fixed", "### Added", "### Changed"]


def test_changelog_sections_must_hold_titles(project: GitRepo) -> None:
    from autorelease.errors import ConfigError

    with (project.path / "pyproject.toml").open("a") as out:
        out.write("\n[tool.autorelease]\nchangelog_sections = { feat = 1 }\n")
    with pytest.raises(ConfigError, match=r"changelog_sections\.feat must be a section title"):
        config.load(project.path)


# --- no trailing whitespace -------------------------------------------------------------------


def test_adversarial_notes_leave_no_line_ending_in_whitespace() -> None:
    rnd = random.Random(9)
    pieces = ["word", " ", "  ", "\t", "\n", "\n\n", "\n \n", "\r", "`code`", "#12", "  \n"]
    for _ in range(400):
        note = "x" + "".join(rnd.choice(pieces) for _ in range(12)) + "y"
        message = f"feat(s)!: a{rnd.choice(pieces)}b\n\nBREAKING CHANGE: {note}\n"
        commit = parse(message)
        assert isinstance(commit, Commit), message
        for rst in (False, True):
            style = changelog_style.RST if rst else changelog_style.MD
            for url in ("https://g.io/o/r", None):
                meta = changelog.Release("1.1.0", "v1.1.0", "2023-11-14", (), "v1.0.0", url)
                text = changelog.section(
                    meta, [(SHA, commit)], None, changelog.DEFAULT_LAYOUT, style
                )
                assert_no_trailing_whitespace(text)


@pytest.mark.parametrize("fixture", [PSR_OWN_RST, PSR_DEFAULT_RST, "1.0.0\n=====\n\n- one\n"])
def test_the_rst_changelog_stays_valid_restructuredtext(fixture: str) -> None:
    """docutils (which twine's readme check uses) reads the file with the new section without
    a warning: underlines, bullets, links and inline code are rst."""
    import io

    from docutils.core import publish_doctree

    layout = changelog.layout_of(config.psr_sections(config.PSR_TYPES))
    section = _section(fixture, "1.0.0", True, layout)
    text = changelog.insert(fixture, section, config.DEFAULT_MARKER, "1.1.0", "1.0.0", rst=True)
    warnings = io.StringIO()
    publish_doctree(text, settings_overrides={"warning_stream": warnings, "report_level": 2})
    assert warnings.getvalue() == ""
    assert "Breaking Changes\n----------------\n" in text


def test_init_writes_the_changelog_settings_so_the_old_table_can_go(project: GitRepo) -> None:
    """After `init`, [tool.autorelease] alone gives the same changelog: PSR's marker of several
    lines, its exclusions (regexes with backslashes) and its sections survive the round trip."""
    from autorelease.cli import adopt
    from autorelease.core import plan

    released_psr_own(project)
    before = plan.plan_release(project.path)
    (pyproject,) = [c for c in adopt.changes(project.path) if c.path == "pyproject.toml"]
    text = pyproject.after.split("[tool.semantic_release]")[0]
    text += pyproject.after[pyproject.after.index("[tool.autorelease]") :]
    project.write("pyproject.toml", text)
    cfg = config.load(project.path)
    assert "semantic_release" not in cfg.pyproject["tool"]
    assert cfg.origin["changelog_sections"] == "pyproject.toml [tool.autorelease]"
    after = plan.plan_release(project.path)
    assert after.changelog == before.changelog
    changed = {c.path: c.after for c in after.file_changes}
    assert (
        changed["CHANGELOG.rst"] == {c.path: c.after for c in before.file_changes}["CHANGELOG.rst"]
    )
