"""A project configured for commitizen or python-semantic-release releases what that tool would.

Each case is a small real repository configured only by the other tool's table; autorelease's
dry run (text and --json) must name whose rules it follows and plan the version the tool
itself computes on the same repository (`cz bump --get-next`, `semantic-release --noop version
--print`, both installed with the test extras).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autorelease.cli.main import main
from autorelease.core import bump_rules
from autorelease.core.plan import PlanOptions, plan_release
from autorelease.errors import ExitCode
from conftest import GitRepo
from test_differential import cz_next, psr_next

CZ = '[project]\nname = "p"\nversion = "{v}"\n\n[tool.commitizen]\nversion_provider = "pep621"\ntag_format = "v$version"\n'  # noqa: E501
PSR = (
    '[project]\nname = "p"\nversion = "{v}"\n\n[tool.semantic_release]\n'
    'version_toml = ["pyproject.toml:project.version"]\nallow_zero_version = true\n'
)


def started(repo: GitRepo, tmp_path: Path, text: str, version: str) -> GitRepo:
    """REPO with pyproject.toml TEXT at VERSION, tagged, and a bare origin."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("chore: start", ("pyproject.toml", text.format(v=version)))
    repo.tag(f"v{version}")
    return repo


def ours(repo: GitRepo) -> str | None:
    return plan_release(repo.path, PlanOptions(date="2024-01-01")).next_version


def dry_run(repo: GitRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main(["-C", str(repo.path), "--dry-run", *extra])
    out, err = capsys.readouterr()
    assert code == ExitCode.OK, err
    return out


# --- commitizen: cz_conventional_commits ----------------------------------------------------


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_cz_releases_a_refactor_as_a_patch_and_says_whose_rules(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started(repo, tmp_path, CZ, "1.2.0").commit("refactor: split the parser")
    assert cz_next(repo.path) == "1.2.1"
    out = dry_run(repo, capsys)
    assert "Next version   1.2.1" in out
    assert "Bump rules     commitizen cz_conventional_commits" in out
    data = json.loads(dry_run(repo, capsys, "--json"))
    assert (data["next_version"], data["bump_rules"]) == (
        "1.2.1",
        "commitizen cz_conventional_commits",
    )


def test_own_bump_rules_setting_keeps_autorelease_rules(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CZ + '\n[tool.autorelease]\nbump_rules = "autorelease"\n'
    started(repo, tmp_path, text, "1.2.0").commit("refactor: split the parser")
    out = plan_release(repo.path)
    assert (out.next_version, out.bump_rules) == (None, "autorelease")
    assert "Bump rules     autorelease" in dry_run(repo, capsys)


def test_an_own_bump_map_means_autorelease_rules(repo: GitRepo, tmp_path: Path) -> None:
    text = CZ + '\n[tool.autorelease.bump_map]\nfeat = "minor"\n'
    started(repo, tmp_path, text, "1.2.0").commit("refactor: split the parser")
    assert plan_release(repo.path).bump_rules == "autorelease"


@pytest.mark.slow  # runs cz or semantic-release as a process
@pytest.mark.parametrize(
    ("start", "message"),
    [("0.3.0", "feat!: drop the old API"), ("1.2.0", "fix: x\n\nBREAKING CHANGE: y")],
)
def test_cz_major_version_zero_as_cz_applies_it(
    repo: GitRepo, tmp_path: Path, start: str, message: str
) -> None:
    """cz's bump_map_major_version_zero: breaking is a minor, even at 1.x (cz's own choice)."""
    started(repo, tmp_path, CZ + "major_version_zero = true\n", start).commit(message)
    assert ours(repo) == cz_next(repo.path)
    assert ours(repo) == {"0.3.0": "0.4.0", "1.2.0": "1.3.0"}[start]


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_cz_reads_every_line_merges_included(repo: GitRepo, tmp_path: Path) -> None:
    started(repo, tmp_path, CZ, "1.0.0")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("docs: a")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge branch 'topic'\n\nfeat: the topic's title", "topic"
    )
    repo.commit("chore(deps): bump x\n\nperf: upstream is faster")
    assert (ours(repo), cz_next(repo.path)) == ("1.1.0", "1.1.0")


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_cz_is_case_sensitive_and_ignores_a_configured_bump_map(
    repo: GitRepo, tmp_path: Path
) -> None:
    """cz_conventional_commits keeps its own map: `Feat:` and a bump_map entry bump nothing."""
    text = CZ + '\n[tool.commitizen.bump_map]\ndocs = "PATCH"\n'
    started(repo, tmp_path, text, "1.0.0").commit("Feat: capital")
    repo.commit("docs: guide")
    assert (ours(repo), cz_next(repo.path)) == (None, None)


# --- python-semantic-release ----------------------------------------------------------------


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_parses_squashed_commits_by_default(repo: GitRepo, tmp_path: Path) -> None:
    started(repo, tmp_path, PSR, "1.0.0").commit(
        "chore: merge the work (#12)\n\nfeat(api): add the streaming endpoint\n\nfix: typo"
    )
    plan = plan_release(repo.path)
    assert plan.bump_rules == "python-semantic-release conventional"
    assert (plan.next_version, psr_next(repo.path, "1.0.0")) == ("1.1.0", "1.1.0")


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_squash_parsing_off(repo: GitRepo, tmp_path: Path) -> None:
    text = PSR + "\n[tool.semantic_release.commit_parser_options]\nparse_squash_commits = false\n"
    started(repo, tmp_path, text, "1.0.0").commit(
        "chore: merge the work (#12)\n\nfeat(api): add the streaming endpoint"
    )
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == (None, None)


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_tag_lists_and_default_level(repo: GitRepo, tmp_path: Path) -> None:
    text = PSR + (
        "\n[tool.semantic_release.commit_parser_options]\n"
        'allowed_tags = ["feat", "fix", "perf", "refactor", "chore", "docs", "feature"]\n'
        'minor_tags = ["feat", "feature"]\npatch_tags = ["fix", "perf", "refactor"]\n'
        "default_bump_level = 0\n"
    )
    started(repo, tmp_path, text, "1.0.0").commit("refactor: a")
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == ("1.0.1", "1.0.1")
    repo.commit("feature: b")
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == ("1.1.0", "1.1.0")


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_default_bump_level_and_disallowed_type(repo: GitRepo, tmp_path: Path) -> None:
    text = PSR + "\n[tool.semantic_release.commit_parser_options]\ndefault_bump_level = 2\n"
    started(repo, tmp_path, text, "1.0.0").commit("style: spaces")
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == ("1.0.1", "1.0.1")


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_merges_count_when_not_ignored(repo: GitRepo, tmp_path: Path) -> None:
    text = PSR + "\n[tool.semantic_release.commit_parser_options]\nignore_merge_commits = false\n"
    started(repo, tmp_path, text, "1.0.0")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("docs: a")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge branch 'topic'\n\nfeat: the topic's work", "topic"
    )
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == ("1.1.0", "1.1.0")


@pytest.mark.slow  # runs cz or semantic-release as a process
@pytest.mark.parametrize(
    ("extra", "expected"),
    [("major_on_zero = false\n", "0.4.0"), ("", "1.0.0")],
)
def test_psr_zero_policies(repo: GitRepo, tmp_path: Path, extra: str, expected: str) -> None:
    started(repo, tmp_path, PSR + extra, "0.3.0").commit("feat!: drop it")
    assert (ours(repo), psr_next(repo.path, "0.3.0")) == (expected, expected)


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_zero_versions_are_off_unless_allowed(repo: GitRepo, tmp_path: Path) -> None:
    """PSR's allow_zero_version defaults to false: a 0.x project's next release is 1.0.0."""
    text = PSR.replace("allow_zero_version = true\n", "")
    started(repo, tmp_path, text, "0.3.0").commit("fix: a")
    assert (ours(repo), psr_next(repo.path, "0.3.0")) == ("1.0.0", "1.0.0")


@pytest.mark.slow  # runs cz or semantic-release as a process
def test_psr_prerelease_branch(repo: GitRepo, tmp_path: Path) -> None:
    text = PSR + (
        '\n[tool.semantic_release.branches.main]\nmatch = "(main|master)"\n'
        '\n[tool.semantic_release.branches.beta]\nmatch = "beta"\nprerelease = true\n'
        'prerelease_token = "beta"\n'
    )
    started(repo, tmp_path, text, "1.0.0").commit("feat: a")
    assert ours(repo) == "1.1.0"
    repo.git("checkout", "-q", "-b", "beta")
    assert (ours(repo), psr_next(repo.path, "1.0.0")) == ("1.1.0-beta.1", "1.1.0-beta.1")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('commit_parser = "emoji"\n', "commit_parser = 'emoji' is not supported"),
        (
            "\n[tool.semantic_release.branches.main]\nmatch = 'main'\nprerelease = true\n"
            "prerelease_token = 'dev'\n",
            "prerelease_token = 'dev' is not alpha, beta or rc",
        ),
    ],
)
def test_psr_settings_autorelease_cannot_follow_are_refused(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    started(repo, tmp_path, PSR + table, "1.0.0").commit("feat: a")
    code = main(["-C", str(repo.path), "--dry-run"])
    _, err = capsys.readouterr()
    assert code == ExitCode.CONFIG
    assert message in err
    assert len(err.strip().splitlines()) <= 2  # the error and its fix


def test_psr_rules_unit() -> None:
    """The ported parser on messages whose level is easy to get wrong."""
    parser = bump_rules.psr_parser({}, "test")
    level = parser.level
    assert level("feat(api): x (#1)\n", False) is bump_rules.Bump.MINOR
    assert level("fix: x\n\nBREAKING CHANGE:\nthe wrapped note\n", False) is bump_rules.Bump.MAJOR
    assert level("fix: x\n\nBREAKING CHANGE:\n", False) is bump_rules.Bump.PATCH
    assert level("Feat: x", False) is bump_rules.Bump.NONE
    assert level("feat: x", True) is bump_rules.Bump.NONE  # merges ignored by default
    assert level("docs: x\n\n* fix: the squashed fix", False) is bump_rules.Bump.PATCH
    assert level("docs: x\n\nfix: #123", False) is bump_rules.Bump.NONE  # a closing footer


# --- the ported rules against the tools' own code, message by message -----------------------

TRICKY = (
    "feat(api): x (#1)\n",
    "fix: x\n\nBREAKING CHANGE:\nthe wrapped note\n",
    "fix: x\n\nBREAKING CHANGE:\n",
    "fix: x\n\nsome text\nBREAKING CHANGE: inside a paragraph\n",
    "fix: x\n\nReviewed-by: a\nBREAKING-CHANGE: a footer after another\n",
    "Feat: x",
    "feature: x",
    "feat(a): b (c)!: d",
    "docs: x\n\n* fix: the squashed fix\n\n* feat!: and a breaking one",
    "docs: x\n\nfix: #123",
    "Squashed commit of the following:\n\ncommit abc123\nAuthor: A <a@b>\nDate: now\n\n"
    "    feat: one two\n",
    "Merge pull request #3 from o/b\n\nperf: faster thing",
    'Revert "feat: x" (#276)\n\nThis reverts commit abcdef0.',
    "refactor!: x",
    "chore(deps): bump x\n\nfeat: upstream adds things",
)


def _history_messages() -> list[str]:
    from test_history_replay import PROJECTS, load

    return [c["message"] for p in PROJECTS for pair in load(p)[1] for c in pair.commits]


def test_cz_rules_match_commitizen_on_every_real_message() -> None:
    from commitizen.defaults import BUMP_MAP, BUMP_MAP_MAJOR_VERSION_ZERO, BUMP_PATTERN
    from commitizen.version_increment import VersionIncrement

    names = {"NONE": bump_rules.Bump.NONE, "PATCH": bump_rules.Bump.PATCH,
             "MINOR": bump_rules.Bump.MINOR, "MAJOR": bump_rules.Bump.MAJOR}  # fmt: skip
    messages = [*TRICKY, *_history_messages()]
    for zero, table in ((False, BUMP_MAP), (True, BUMP_MAP_MAJOR_VERSION_ZERO)):
        rule = bump_rules.CzConventional(major_version_zero=zero)
        for message in messages:
            theirs = VersionIncrement.from_message(message, BUMP_PATTERN, table).name
            assert rule.level(message, False) is names[theirs], (zero, message)
    assert len(messages) > 2500


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("conventional", {}),
        ("conventional", {"parse_squash_commits": False}),
        ("angular", {}),
        ("angular", {"parse_squash_commits": True}),
    ],
)
def test_psr_rules_match_semantic_release_on_every_real_message(
    name: str, options: dict[str, bool]
) -> None:
    from semantic_release.commit_parser.angular import AngularCommitParser, AngularParserOptions
    from semantic_release.commit_parser.conventional.options import (
        ConventionalCommitParserOptions,
    )
    from semantic_release.commit_parser.conventional.parser import ConventionalCommitParser

    theirs: Any = (
        ConventionalCommitParser(ConventionalCommitParserOptions(**options))
        if name == "conventional"
        else AngularCommitParser(AngularParserOptions(**options))
    )
    table = {"commit_parser": name, "commit_parser_options": options}
    ours_ = bump_rules.psr_parser(table, "test")
    levels = {0: 0, 1: 0, 2: 1, 3: 2, 4: 3}  # PSR's LevelBump -> Bump
    for message in [*TRICKY, *_history_messages()]:
        parts = theirs.unsquash_commit_message(message) if ours_.squash else [message]
        parsed = [theirs.parse_message(p) for p in parts or [message]]
        expected = max((levels[int(p.bump)] for p in parsed if p), default=0)
        assert int(ours_.level(message, False)) == expected, message
