"""Changelog sections: grouping, links, insertion that never rewrites the past, templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from autorelease.cli.changelog import full_changelog
from autorelease.core import changelog
from autorelease.core.commits import Commit, parse
from autorelease.errors import ChangelogError
from conftest import GitRepo, golden, pyproject_toml

MARKER = "<!-- autorelease: new releases go below this line -->"
SHA = "0123456789abcdef0123456789abcdef01234567"


def entries(*messages: str) -> tuple[changelog.Entry, ...]:
    pairs = []
    for n, message in enumerate(messages):
        commit = parse(message)
        assert isinstance(commit, Commit)
        pairs.append((f"{n}{SHA[1:]}", commit))
    return changelog.entries_from(pairs)


RELEASE_MESSAGES = (
    "fix(parser): handle empty input\n\nCloses #12",
    "feat: add the frobnicator (#7)",
    "docs: not in the changelog",
    "feat(api)!: drop the v1 endpoints\n\nBREAKING CHANGE: /v1 is gone;\nuse /v2.",
    "perf: cache the lookups",
    "refactor!: rename the config keys",
)


@pytest.mark.parametrize(
    ("name", "repo_url", "previous"),
    [
        ("section_links.md", "https://github.com/o/r", "v1.2.0"),
        ("section_first.md", "https://github.com/o/r", None),
        ("section_plain.md", None, "v1.2.0"),
    ],
)
def test_render_golden(name: str, repo_url: str | None, previous: str | None) -> None:
    release = changelog.Release(
        "2.0.0", "v2.0.0", "2023-11-14", entries(*RELEASE_MESSAGES), previous, repo_url
    )
    golden(name, changelog.render(release))


@pytest.mark.parametrize("repo_url", ["https://github.com/o/r", None])
def test_section_from_commits_equals_the_rendered_entries(repo_url: str | None) -> None:
    """plan writes the section straight from the commits; it must equal render() of entries."""
    messages = (*RELEASE_MESSAGES, "fix: see #4 and #5\n\nRefs: #5, #6", "feat: a\n\nFixes #9",
                "fix: c\n\nbody\n\nREFS: #11", "perf: d\n\nfixes #12\nresolves: 13")  # fmt: skip
    pairs: list[tuple[str, object]] = [
        (f"{n}{SHA[1:]}", parse(message)) for n, message in enumerate(messages)
    ]
    pairs.insert(2, (SHA, None))  # not conventional: skipped
    meta = changelog.Release("2.0.0", "v2.0.0", "2023-11-14", (), "v1.2.0", repo_url)
    expected = changelog.render(
        changelog.Release("2.0.0", "v2.0.0", "2023-11-14", entries(*messages), "v1.2.0", repo_url)
    )
    assert changelog.section(meta, pairs) == expected
    for number in (6, 9, 11, 12, 13):
        assert f"[#{number}](https://github.com/o/r/issues/{number})" in expected or not repo_url


def test_grouping_order() -> None:
    text = changelog.render(
        changelog.Release("2.0.0", "v2.0.0", "2023-11-14", entries(*RELEASE_MESSAGES))
    )
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == [
        "### ⚠ Breaking changes",
        "### Features",
        "### Bug fixes",
        "### Performance",
    ]
    assert "not in the changelog" not in text


def test_no_user_facing_changes() -> None:
    release = changelog.Release("1.0.1", "v1.0.1", "2023-11-14", entries("docs: a"))
    assert "No user-facing changes." in changelog.render(release)


def test_commit_text_is_never_a_template(tmp_path: Path) -> None:
    hostile = "feat: show {{ 7*7 }} and {% raw %} and {# c #}"
    release = changelog.Release("1.1.0", "v1.1.0", "2023-11-14", entries(hostile))
    assert "{{ 7*7 }} and {% raw %} and {# c #}" in changelog.render(release)
    template = tmp_path / "t.md.j2"
    template.write_text(
        "## {{ release.version }}\n{% for e in release.entries %}- {{ e.description }}\n"
        "{% endfor %}"
    )
    text = changelog.render(release, template)
    assert text == "## 1.1.0\n- show {{ 7*7 }} and {% raw %} and {# c #}\n"
    assert "49" not in text


def test_template_errors(tmp_path: Path) -> None:
    release = changelog.Release("1.1.0", "v1.1.0", "2023-11-14", entries("feat: a"))
    with pytest.raises(ChangelogError, match="cannot be read"):
        changelog.render(release, tmp_path / "missing.j2")
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ release.nope }}")
    with pytest.raises(ChangelogError, match=r"bad\.j2"):
        changelog.render(release, bad)


SECTION = "## 1.1.0 (2023-11-14)\n\n### Features\n\n- new (abc1234)\n"
OLD = "## 1.0.0 (2023-01-01)\n\n- hand  edited   *text*\n\n"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (None, f"# Changelog\n\n{MARKER}\n\n{SECTION}"),
        ("", f"# Changelog\n\n{MARKER}\n\n{SECTION}"),
        (f"# Changelog\n\n{MARKER}\n\n{OLD}", f"# Changelog\n\n{MARKER}\n\n{SECTION}\n{OLD}"),
        (f"# Changelog\n\nIntro text.\n\n{OLD}", f"# Changelog\n\nIntro text.\n\n{SECTION}\n{OLD}"),
        ("# Changelog\n", f"# Changelog\n\n{SECTION}"),
        (f"# History\n\n<!-- version list -->\n\n{OLD}",
         f"# History\n\n<!-- version list -->\n\n{SECTION}\n{OLD}"),
        (f"# Changelog\n\n{SECTION}\n{OLD}", f"# Changelog\n\n{SECTION}\n{OLD}"),  # a re-run
    ],
)  # fmt: skip
def test_insert(existing: str | None, expected: str) -> None:
    assert changelog.insert(existing, SECTION, MARKER, "1.1.0") == expected


def test_insert_keeps_everything_after_the_insertion_point_byte_for_byte() -> None:
    tail = "## 1.0.0\r\n\r\n* odd   formatting\t\n\n\n## 0.9.0\n"
    existing = f"# Changelog\n\n{MARKER}\n\n{tail}"
    assert changelog.insert(existing, SECTION, MARKER, "1.1.0").endswith(tail)


def test_no_insertion_point_is_an_error() -> None:
    with pytest.raises(ChangelogError, match="no insertion marker") as info:
        changelog.insert("Some notes\n\n## 1.0.0\n", SECTION, MARKER, "1.1.0")
    assert info.value.hint is not None
    assert MARKER in info.value.hint


@pytest.mark.parametrize(
    ("text", "version", "found"),
    [
        ("## 1.1.0 (2023-11-14)", "1.1.0", True),
        ("## [1.1.0](https://x/compare/v1.0.0...v1.1.0)", "1.1.0", True),
        ("## 1.1.0rc1 (2023-11-14)", "1.1.0", False),
        ("## 11.1.0", "1.1.0", False),
        ("## [2.0.0](https://x/compare/1.0.0...2.0.0)", "1.0.0", False),
        ("- fixed 1.1.0 things", "1.1.0", False),
    ],
)
def test_has_version(text: str, version: str, found: bool) -> None:
    assert changelog.has_version(text, version) is found


def test_init_writes_every_release(project: GitRepo) -> None:
    project.git("remote", "add", "origin", "git@github.com:o/r.git")
    project.history([
        ("feat: first feature", "v1.0.0"),
        ("fix: a bug\n\nCloses #3", None),
        ("chore(release): 1.0.1", "v1.0.1"),
        ("feat!: breaking\n\nBREAKING CHANGE: all is new", "v2.0.0rc1"),
        ("fix: polish", "v2.0.0"),
        ("feat: unreleased", None),
    ])  # fmt: skip
    golden("init.md", full_changelog(project.path))


def test_init_lists_squashed_commits_when_asked(project: GitRepo) -> None:
    """changelog --init lists a squash merge's commits as the release preview does."""

    project.write("pyproject.toml", pyproject_toml("p", "1.0.0")
                  + "\n[tool.autorelease]\nparse_squash_bodies = true\n")  # fmt: skip
    project.git("add", ".")
    project.history([("Add search (#9)\n\n* feat: search box\n* fix: empty query", "v1.1.0")])
    text = full_changelog(project.path)
    assert "- search box (" in text
    assert "- empty query (" in text
    assert "Add search" not in text
