"""plan_release on real repositories: what each history releases, and why."""

from __future__ import annotations

import pytest

from autorelease import git
from autorelease.core import history as history_module
from autorelease.core.plan import PlanOptions, ReleasePlan, plan_release
from autorelease.errors import ExitCode, VersionError
from conftest import GitRepo, pyproject_toml

History = list[tuple[str, str | None]]


def plan(repo: GitRepo, history: History, **options: object) -> ReleasePlan:
    repo.history(history)
    return plan_release(repo.path, PlanOptions(**options))  # type: ignore[arg-type]


def outcome(p: ReleasePlan) -> tuple[str | None, str]:
    return p.next_version, p.bump


# (history after the initial project commit, expected next version, expected bump)
BUMPS = [
    ([("feat: a", "v1.0.0"), ("fix: b", None)], "1.0.1", "patch"),
    ([("feat: a", "v1.0.0"), ("perf: b", None)], "1.0.1", "patch"),
    ([("feat: a", "v1.0.0"), ("fix: b", None), ("feat(x): c", None)], "1.1.0", "minor"),
    ([("feat: a", "v1.0.0"), ("feat!: b", None), ("fix: c", None)], "2.0.0", "major"),
    ([("feat: a", "v1.0.0"), ("chore: b\n\nBREAKING CHANGE: gone", None)], "2.0.0", "major"),
    ([("feat: a", "v1.0.0"), ("refactor!: b", None)], "2.0.0", "major"),
    ([("feat: a", "v1.0.0"), ("docs: b", None), ("chore: c", None), ("ci: d", None)],
     None, "none"),
    ([("feat: a", "v1.0.0")], None, "none"),
    ([("feat: a", "v1.0.0"), ("FIX: upper case", None)], "1.0.1", "patch"),
    # non-conventional messages are ignored (and reported)
    ([("feat: a", "v1.0.0"), ("update stuff", None), ("WIP", None)], None, "none"),
    # fixup!/squash! never count
    ([("feat: a", "v1.0.0"), ("fixup! feat: a", None), ("squash! feat!: a", None)], None, "none"),
    # the tool's own release commits never count
    ([("feat: a", "v1.0.0"), ("chore(release): 1.0.1", None)], None, "none"),
    ([("feat: a", "v1.0.0"), ("bump: version 1.0.0 → 1.1.0", None)], None, "none"),
    # a feat: line in a body never decides; the header does
    ([("feat: a", "v1.0.0"),
      ("chore(deps): bump x from 1 to 2\n\nBumps x.\n\nfeat!: upstream feature\n- feat: y\n\n"
       "Signed-off-by: bot <bot@example.com>", None)], None, "none"),
    # merges of feature branches count through the commits they bring
    ([("feat: a", "v1.0.0"), ("Merge pull request #3 from o/feat", None)], None, "none"),
    # 0.x: breaking makes 1.0.0 by default
    ([("feat: a", "v0.3.0"), ("feat!: b", None)], "1.0.0", "major"),
]  # fmt: skip


@pytest.mark.parametrize(("history", "version", "bump"), BUMPS)
def test_bumps(project: GitRepo, history: History, version: str | None, bump: str) -> None:
    assert outcome(plan(project, history)) == (version, bump)


def test_major_on_zero_false_keeps_zero(project: GitRepo) -> None:
    project.write("pyproject.toml", pyproject_toml("p", "0.3.0")
                  + "\n[tool.autorelease]\nmajor_on_zero = false\n")  # fmt: skip
    project.write("src/sample_pkg/__init__.py", '__version__ = "0.3.0"\n')
    project.git("add", ".")
    p = plan(project, [("feat: a", "v0.3.0"), ("feat!: b", None)])
    assert outcome(p) == ("0.4.0", "minor")


def test_bump_map_is_configurable(project: GitRepo) -> None:
    own = '[tool.autorelease]\nbump_map = {Docs = "patch", feat = "patch"}\n'
    project.write("pyproject.toml", pyproject_toml("p", "1.0.0") + own)
    project.git("add", ".")
    assert outcome(plan(project, [("chore: x", "v1.0.0"), ("docs: a", None)])) == ("1.0.1", "patch")
    assert outcome(plan(project, [("feat: b", None)])) == ("1.0.1", "patch")


def test_the_bump_names_its_commits(project: GitRepo) -> None:
    p = plan(project, [("feat: a", "v1.0.0"), ("fix: b", None), ("feat(x): c", None)])
    assert p.bump_reason == "commits"
    assert [c.header for c in p.bump_commits] == ["feat(x): c"]
    assert (p.current_version, p.last_tag, p.tag, p.previous_tag) == (
        "1.0.0", "v1.0.0", "v1.1.0", "v1.0.0"
    )  # fmt: skip


def test_non_conventional_messages_are_reported(project: GitRepo) -> None:
    p = plan(project, [("feat: a", "v1.0.0"), ("update stuff", None), ("fix: b", None)])
    invalid = [c for c in p.commits if c.kind == "invalid"]
    assert [c.header for c in invalid] == ["update stuff"]
    assert invalid[0].problems
    assert any("not conventional" in w for w in p.warnings)


def test_a_revert_in_the_range_cancels_the_commit(project: GitRepo) -> None:
    project.history([("fix: a", "v1.0.0")])
    project.commit("feat: b", ("b.txt", "b\n"))
    project.git("revert", "--no-edit", "HEAD")
    project.commit("fix: c")
    p = plan_release(project.path)
    assert outcome(p) == ("1.0.1", "patch")
    assert sorted(c.kind for c in p.commits) == ["conventional", "revert", "reverted"]
    assert "feat: b" not in p.changelog


def test_a_reverted_revert_restores_the_commit(project: GitRepo) -> None:
    project.history([("fix: a", "v1.0.0")])
    project.commit("feat: b", ("b.txt", "b\n"))
    project.git("revert", "--no-edit", "HEAD")
    project.git("revert", "--no-edit", "HEAD")
    assert outcome(plan_release(project.path)) == ("1.1.0", "minor")


def test_a_revert_of_a_released_commit_releases_nothing_by_itself(project: GitRepo) -> None:
    project.commit("feat: a", ("a.txt", "a\n"))
    project.tag("v1.0.0")
    project.git("revert", "--no-edit", "HEAD")
    assert outcome(plan_release(project.path)) == (None, "none")


def test_squash_bodies_are_read_when_asked(project: GitRepo) -> None:
    squash = "Big change (#12)\n\n* feat: one\n\n* fix: two\n"
    project.history([("fix: a", "v1.0.0"), (squash, None)])
    assert outcome(plan_release(project.path)) == (None, "none")
    project.write("pyproject.toml", pyproject_toml("p", "1.0.0")
                  + "\n[tool.autorelease]\nparse_squash_bodies = true\n")  # fmt: skip
    p = plan_release(project.path)
    assert outcome(p) == ("1.1.0", "minor")
    # Every listed commit is an entry, under the merge's sha; the title is not conventional.
    assert "### Features\n\n- one (" in p.changelog
    assert "### Bug fixes\n\n- two (" in p.changelog
    assert "Big change" not in p.changelog


def test_squash_body_of_a_conventional_header(project: GitRepo) -> None:
    project.write("pyproject.toml", pyproject_toml("p", "1.0.0")
                  + "\n[tool.autorelease]\nparse_squash_bodies = true\n")  # fmt: skip
    project.git("add", ".")
    squash = "fix: pr title (#3)\n\n* feat!: inside\n* docs: not shown"
    p = plan(project, [("fix: a", "v1.0.0"), (squash, None)])
    assert outcome(p) == ("2.0.0", "major")
    assert "- pr title (#3) (" in p.changelog
    assert "### ⚠ Breaking changes\n\n- inside (" in p.changelog
    assert "### Features\n\n- inside (" in p.changelog
    assert "not shown" not in p.changelog


def test_squash_bodies_stay_out_of_the_changelog_by_default(project: GitRepo) -> None:
    p = plan(project, [("fix: a", "v1.0.0"), ("fix: pr title\n\n* feat: inside", None)])
    assert outcome(p) == ("1.0.1", "patch")
    assert "inside" not in p.changelog


@pytest.mark.parametrize(
    "footer", ["Release-As: 2.0.0", "release-as: 2.0.0", "RELEASE-AS: 2.0.0", "Release-aS: 2.0.0"]
)
def test_release_as_footer_forces_the_version(project: GitRepo, footer: str) -> None:
    p = plan(project, [("fix: a", "v1.0.0"), (f"chore: go\n\nSee the plan.\n\n{footer}", None)])
    assert outcome(p) == ("2.0.0", "major")
    assert p.bump_reason == "Release-As: 2.0.0 footer"


def test_release_as_in_the_body_is_not_a_footer(project: GitRepo) -> None:
    body = "Release-As: 2.0.0\n\nis what the docs tell you to write.\n\nRefs: #1"
    p = plan(project, [("fix: a", "v1.0.0"), (f"fix: b\n\n{body}", None)])
    assert outcome(p) == ("1.0.1", "patch")


def test_release_as_an_older_version_is_refused(project: GitRepo) -> None:
    project.history([("fix: a", "v1.0.0"), ("chore: go\n\nRelease-As: 0.9.0", None)])
    with pytest.raises(VersionError, match=r"Release-As: 0\.9\.0") as info:
        plan_release(project.path)
    assert info.value.code == ExitCode.VERSION_CONFLICT


@pytest.mark.parametrize(("bump", "expected"), [("patch", "1.0.1"), ("major", "2.0.0")])
def test_bump_option_overrides(project: GitRepo, bump: str, expected: str) -> None:
    p = plan(project, [("fix: a", "v1.0.0"), ("feat: b", None)], bump=bump)
    assert outcome(p) == (expected, bump)


def test_prereleases_then_graduation(project: GitRepo) -> None:
    p = plan(project, [("fix: a", "v1.0.0"), ("feat!: b", None)], pre="a")
    assert outcome(p) == ("2.0.0a1", "major")
    project.tag("v2.0.0a1")
    p = plan(project, [("fix: c", None)], pre="a")
    assert outcome(p) == ("2.0.0a2", "prerelease")
    assert p.previous_tag == "v2.0.0a1"
    assert "fix: c" not in p.changelog
    assert "c (" in p.changelog
    assert "b (" not in p.changelog  # already in the a1 notes
    project.tag("v2.0.0a2")
    p = plan(project, [("fix: d", None)], pre="rc")
    assert outcome(p) == ("2.0.0rc1", "prerelease")
    project.tag("v2.0.0rc1")
    p = plan_release(project.path)
    assert outcome(p) == ("2.0.0", "major")
    assert p.previous_tag == "v1.0.0"
    assert "b (" in p.changelog  # the final notes cover everything since 1.0.0


def test_rerun_on_a_tagged_prerelease_releases_nothing(project: GitRepo) -> None:
    p = plan(project, [("fix: a", "v1.0.0"), ("feat: b", "v1.1.0a1")], pre="a")
    assert outcome(p) == (None, "none")


def test_semver_scheme(project: GitRepo) -> None:
    project.write("pyproject.toml", pyproject_toml("p", "1.0.0")
                  + '\n[tool.autorelease]\nversion_scheme = "semver"\n')  # fmt: skip
    project.git("add", ".")
    p = plan(project, [("fix: a", "v1.0.0"), ("feat: b", None)], pre="rc")
    assert (p.next_version, p.tag) == ("1.1.0-rc.1", "v1.1.0-rc.1")


def test_first_release_is_the_declared_version(project: GitRepo) -> None:
    p = plan(project, [("feat: a", None), ("fix: b", None)])
    assert p.next_version == "1.0.0"
    assert p.bump_reason.startswith("first release")
    assert (p.last_tag, p.tag) == (None, "v1.0.0")


def test_first_release_with_bump(project: GitRepo) -> None:
    assert plan(project, [("feat: a", None)], bump="minor").next_version == "1.1.0"


def test_every_declaration_is_rewritten_and_nothing_else(project: GitRepo) -> None:
    pyproject = pyproject_toml("p", "1.0.0").replace(
        'requires-python = ">=3.9"', 'requires-python = ">=3.9"\ndependencies = ["dep>=1.0.0"]'
    )
    project.write("pyproject.toml", pyproject)
    project.git("add", ".")
    p = plan(project, [("chore: deps", "v1.0.0"), ("feat: b", None)])
    changes = {c.path: c for c in p.file_changes}
    assert set(changes) == {"pyproject.toml", "src/sample_pkg/__init__.py", "CHANGELOG.md"}
    after = changes["pyproject.toml"].after
    assert after == pyproject.replace('version = "1.0.0"', 'version = "1.1.0"')
    assert '"dep>=1.0.0"' in after
    assert 'target-version = "py311"' in after
    assert changes["src/sample_pkg/__init__.py"].after == '__version__ = "1.1.0"\n'


def test_declarations_that_disagree(project: GitRepo) -> None:
    project.write("src/sample_pkg/__init__.py", '__version__ = "0.9.0"\n')
    project.git("add", ".")
    with pytest.raises(VersionError, match="disagree") as info:
        plan(project, [("feat: a", None)])
    assert info.value.code == ExitCode.VERSION_CONFLICT
    assert "__init__.py __version__ = 0.9.0" in info.value.message


def test_a_declaration_that_is_not_a_version(project: GitRepo) -> None:
    project.write("src/sample_pkg/__init__.py", '__version__ = "unknown"\n')
    with pytest.raises(VersionError, match=r"__init__\.py __version__: 'unknown' is not a version"):
        plan(project, [("feat: a", None)])


def test_scm_versioned_project_needs_no_file(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
               '[project]\nname = "scm"\ndynamic = ["version"]\n')  # fmt: skip
    repo.git("add", ".")
    p = plan(repo, [("feat: a", "v1.2.0"), ("fix: b", None)])
    assert outcome(p) == ("1.2.1", "patch")
    assert [c.path for c in p.file_changes] == ["CHANGELOG.md"]
    assert p.declarations == ()


def test_no_version_anywhere(repo: GitRepo) -> None:
    with pytest.raises(VersionError, match="no version found") as info:
        plan(repo, [("feat: a", None)])
    assert info.value.code == ExitCode.NO_VERSION


def test_extra_messages_preview_a_pull_request(project: GitRepo) -> None:
    project.history([("fix: a", "v1.0.0")])
    p = plan_release(project.path, PlanOptions(extra_messages=("feat: from the PR title",)))
    assert outcome(p) == ("1.1.0", "minor")


def test_the_plan_is_json_ready(project: GitRepo) -> None:
    data = plan(project, [("fix: a", "v1.0.0"), ("feat: b", None)]).to_json()
    assert {"current_version", "next_version", "bump", "tag", "changelog"} <= set(data)
    assert data["counts"] == {"feat": 1}


SCM_PYPROJECT = (
    '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
    '[project]\nname = "scm"\ndynamic = ["version"]\n'
)


@pytest.mark.parametrize(
    ("history", "version", "reason"),
    [
        ([("docs: a", None)], "0.1.0", "first release of a tag-versioned project: 0.1.0"),
        ([("fix: a", None)], "0.0.1", "first release: 0.0.0 bumped by the commits"),
        ([("feat: a", None)], "0.1.0", "first release: 0.0.0 bumped by the commits"),
    ],
)
def test_first_release_of_a_tag_versioned_project_says_why(
    repo: GitRepo, history: History, version: str, reason: str
) -> None:
    repo.write("pyproject.toml", SCM_PYPROJECT)
    repo.git("add", ".")
    p = plan(repo, history)
    assert (p.next_version, p.bump_reason) == (version, reason)


# (history, --pre, the tag the release counts from): the last two used to differ between the
# plan and a re-run that finishes the release (which took the highest reachable tag).
PREVIOUS = [
    ([("feat: a", None)], None, None),
    ([("fix: a", "v1.0.0"), ("feat: b", None)], None, "v1.0.0"),
    ([("fix: a", "v1.0.0"), ("feat: b", "v1.1.0a1"), ("fix: c", None)], "a", "v1.1.0a1"),
    ([("fix: a", "v1.0.0"), ("feat: b", "v1.1.0a1"), ("fix: c", None)], None, "v1.0.0"),
    # an abandoned alpha of 2.0.0, then 1.1.0: the pre-release counts from 1.1.0
    ([("fix: a", "v1.0.0"), ("feat!: b", "v2.0.0a1"), ("fix: c", "v1.1.0"), ("fix: d", None)],
     "a", "v1.1.0"),
    # a lower release tagged after a higher one: the nearest release counts, not the highest
    ([("fix: a", "v2.0.0"), ("fix: b", "v1.9.0"), ("fix: c", None)], None, "v1.9.0"),
]  # fmt: skip


@pytest.mark.parametrize(("history", "pre", "previous"), PREVIOUS)
def test_a_rerun_finds_the_release_the_plan_counted_from(
    project: GitRepo, history: History, pre: str | None, previous: str | None
) -> None:
    """publish decides the previous tag of a release it finishes as the plan decided it."""
    p = plan(project, history, pre=pre)
    assert p.tag is not None
    assert p.previous_tag == previous
    project.commit(f"chore(release): {p.next_version}")
    project.tag(p.tag)
    tags = history_module.release_tags(git.list_tags(project.path), "v{version}")
    tag = next(t for t in tags if t.name == p.tag)
    found = history_module.release_before(project.path, "v{version}", tag)
    assert (found.name if found else None) == previous


def test_changelog_contributors_end_the_section_by_name(released: GitRepo) -> None:
    """changelog_contributors = true: the authors since the last release, in order of their
    first commit, first-timers marked; an .rst changelog gets the group in its own style and
    the GitHub notes in Markdown."""
    with (released.path / "pyproject.toml").open("a") as out:
        out.write("\n[tool.autorelease]\nchangelog_contributors = true\n")
    released.git("commit", "-qam", "chore: list contributors")
    released.write("a.txt", "a\n")
    released.git("add", "a.txt")
    released.git("commit", "-q", "--author=Ada Lovelace <ada@example.com>", "-m", "fix: one")
    plan = plan_release(released.path)
    assert plan.changelog.endswith(
        "### Contributors\n\n- Test User\n- Ada Lovelace (first contribution)\n"
    )
    changes = {c.path: c.after for c in plan.file_changes}
    assert "- Ada Lovelace (first contribution)\n" in changes["CHANGELOG.md"]
    with (released.path / "pyproject.toml").open("a") as out:
        out.write('changelog_file = "CHANGELOG.rst"\n')
    released.git("commit", "-qam", "docs: an rst changelog")
    rst = plan_release(released.path)
    people = "- Test User\n- Ada Lovelace (first contribution)\n"
    assert rst.changelog.endswith("\n\nContributors\n------------\n\n" + people)
    assert rst.notes.endswith("\n\n### Contributors\n\n" + people)
