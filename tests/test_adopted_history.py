"""Histories other release tools leave behind: moving partial tags, GitHub's squash-merged reverts.

Real repositories through the command line: `--dry-run`, `status`, `changelog --init` and
`check`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.core.plan import plan_release
from autorelease.errors import ExitCode
from conftest import GitRepo


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def partial_tags(project: GitRepo) -> GitRepo:
    """Releases 1.0.0, 1.1.0 and 1.1.1 with PSR's add_partial_tags: v1 and v1.1 move along."""
    project.history(
        [("feat: alpha", "v1.0.0"), ("feat: bravo", "v1.1.0"), ("fix: charlie", "v1.1.1")]
    )
    project.tag("v1")
    project.tag("v1.1")
    project.commit("fix: d")
    return project


def test_partial_tags_are_not_releases_for_planning(
    partial_tags: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_release(partial_tags.path)
    assert (plan.last_tag, plan.next_version) == ("v1.1.1", "1.1.2")
    code, out, _ = run(capsys, "-C", partial_tags.path, "status")
    assert code == ExitCode.OK
    assert "last tag       v1.1.1" in out
    assert "next version   1.1.2" in out


def test_changelog_init_lists_each_whole_version_once(
    partial_tags: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", partial_tags.path, "changelog", "--init", "--dry-run")
    assert code == ExitCode.OK
    headings = re.findall(r"^## .*?(\d+(?:\.\d+)*)", out, re.MULTILINE)
    assert headings == ["1.1.1", "1.1.0", "1.0.0"]
    sections = re.split(r"^## ", out, flags=re.MULTILINE)[1:]
    assert ["charlie" in s for s in sections] == [True, False, False]
    assert ["bravo" in s for s in sections] == [False, True, False]


def test_a_short_tag_alone_on_its_commit_is_still_a_release(project: GitRepo) -> None:
    """A project that tagged v2.0 by hand, with no whole-version tag beside it."""
    project.history([("feat: a", "v1.0.0"), ("feat: b", "v2.0"), ("fix: c", None)])
    plan = plan_release(project.path)
    assert (plan.last_tag, plan.next_version) == ("v2.0", "2.0.1")


REVERT = 'Revert "fix: broken thing (#270)" (#276)'


@pytest.mark.parametrize("names_sha", [True, False])
@pytest.mark.parametrize("suffix", [" (#276)", ""])
def test_a_squash_merged_revert_cancels_the_fix(
    project: GitRepo, names_sha: bool, suffix: str
) -> None:
    project.history([("feat: a", "v1.0.0")])
    fix = project.commit("fix: broken thing (#270)")
    body = f"\n\nThis reverts commit {fix}." if names_sha else ""
    project.commit(f'Revert "fix: broken thing (#270)"{suffix}{body}')
    plan = plan_release(project.path)
    assert [c.kind for c in plan.commits] == ["revert", "reverted"]
    assert plan.next_version is None


def test_a_reverted_revert_keeps_the_fix(project: GitRepo) -> None:
    project.history([("feat: a", "v1.0.0")])
    project.commit("fix: broken thing")
    project.commit('Revert "fix: broken thing" (#276)')
    project.commit('Revert "Revert "fix: broken thing" (#276)" (#280)')
    plan = plan_release(project.path)
    assert [c.kind for c in plan.commits] == ["revert", "reverted", "conventional"]
    assert plan.next_version == "1.0.1"


@pytest.mark.parametrize("message", [REVERT, 'Revert "fix: broken thing"', 'Reapply "fix: x" (#3)'])
def test_check_accepts_what_github_writes_for_a_revert(
    project: GitRepo, capsys: pytest.CaptureFixture[str], message: str
) -> None:
    code, _, err = run(capsys, "-C", project.path, "check", "--message", message)
    assert code == ExitCode.OK, err
