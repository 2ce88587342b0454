"""history.read: the last release by ancestry, the commit range, tags, and shallow clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from autorelease import git
from autorelease.core import history
from autorelease.errors import ExitCode, ShallowClone, VersionError
from conftest import GitRepo


def subjects(hist: history.History) -> list[str]:
    return [c.message.split("\n")[0] for c in hist.commits]


@pytest.mark.parametrize(
    ("tag_format", "names", "expected"),
    [
        ("v{version}", ["v1.0.0", "1.1.0", "v1.2", "vnext", "v1.3.0rc1", "docs-v2", "v1.x"],
         ["v1.0.0", "v1.2", "v1.3.0rc1"]),
        ("{version}", ["v1.0.0", "1.1.0", "1.2.0-rc.1", "latest"], ["1.1.0", "1.2.0-rc.1"]),
        ("pkg-v{version}", ["pkg-v1.0.0", "v1.0.0", "other-v1.0.0"], ["pkg-v1.0.0"]),
    ],
)  # fmt: skip
def test_release_tags(tag_format: str, names: list[str], expected: list[str]) -> None:
    refs = [git.TagRef(name, f"{n:040}", "2024-01-01") for n, name in enumerate(names)]
    assert [t.name for t in history.release_tags(refs, tag_format)] == expected


def test_partial_tags_beside_a_release_are_not_releases() -> None:
    """PSR's add_partial_tags: v10 and v10.6 move to each release's commit."""
    names = {"v10.6.0": "a", "v10.6.1": "b", "v10": "b", "v10.6": "b", "v9.1": "c"}
    refs = [git.TagRef(name, commit * 40, "2024-01-01") for name, commit in names.items()]
    assert [t.name for t in history.release_tags(refs, "v{version}")] == [
        "v10.6.0", "v10.6.1", "v9.1",
    ]  # fmt: skip


def test_no_tags_means_the_whole_history(repo: GitRepo) -> None:
    repo.history([("chore: init", None), ("feat: a", None)])
    hist = history.read(repo.path, "v{version}")
    assert (hist.last_final, hist.pending, hist.branch) == (None, None, "main")
    assert subjects(hist) == ["feat: a", "chore: init"]


def test_no_commits_is_an_error(repo: GitRepo) -> None:
    with pytest.raises(VersionError, match="has no commits yet"):
        history.read(repo.path, "v{version}")


@pytest.mark.parametrize("annotated", [False, True])
def test_range_since_the_last_tag(repo: GitRepo, annotated: bool) -> None:
    repo.commit("chore: init")
    repo.tag("v1.0.0", annotated=annotated)
    repo.history([("fix: a", None), ("feat: b", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert (hist.last_final.name, hist.last_final.version.render()) == ("v1.0.0", "1.0.0")
    assert hist.last_final.commit == repo.git("rev-parse", "v1.0.0^{commit}")
    assert subjects(hist) == ["feat: b", "fix: a"]
    assert hist.head_tags == ()


def test_head_is_released(repo: GitRepo) -> None:
    repo.history([("chore: init", None), ("feat: a", "v1.1.0")])
    hist = history.read(repo.path, "v{version}")
    assert hist.commits == ()
    assert [t.name for t in hist.head_tags] == ["v1.1.0"]


def test_tag_format_without_prefix(repo: GitRepo) -> None:
    repo.history([("chore: init", "v9.0.0"), ("feat: a", "1.0.0"), ("fix: b", None)])
    hist = history.read(repo.path, "{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "1.0.0"
    assert subjects(hist) == ["fix: b"]


def test_tags_that_do_not_parse_are_skipped(repo: GitRepo) -> None:
    repo.history([("chore: init", "v1.0.0"), ("feat: a", "vnext"), ("fix: b", "v-broken")])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.0.0"
    assert subjects(hist) == ["fix: b", "feat: a"]


def test_maintenance_branch_tag_is_not_the_last_release(repo: GitRepo) -> None:
    """v1.5.1 lives on a maintenance branch, not reachable from main: v2.0.0 is the last."""
    repo.history([("chore: init", "v1.5.0"), ("feat!: two", "v2.0.0")])
    repo.git("switch", "-q", "-c", "maint-1.5", "v1.5.0")
    repo.history([("fix: backport", "v1.5.1")])
    repo.git("switch", "-q", "main")
    repo.history([("fix: c", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v2.0.0"
    assert subjects(hist) == ["fix: c"]


def test_maintenance_branch_release_after_a_higher_one_on_main(repo: GitRepo) -> None:
    """On the maintenance branch, the last release is v1.5.1 even though v2.0.0 is higher."""
    repo.history([("chore: init", "v1.5.0"), ("feat!: two", "v2.0.0")])
    repo.git("switch", "-q", "-c", "maint-1.5", "v1.5.0")
    repo.history([("fix: backport", "v1.5.1"), ("fix: another", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.5.1"
    assert subjects(hist) == ["fix: another"]


def test_higher_tag_on_a_side_branch_is_ignored(repo: GitRepo) -> None:
    """A side branch tagged v3.0.0 from main's unreleased commits must not hide them."""
    repo.history([("chore: init", "v1.0.0"), ("feat: x", None), ("fix: y", None)])
    repo.git("switch", "-q", "-c", "experiment")
    repo.history([("feat!: experiment", "v3.0.0")])
    repo.git("switch", "-q", "main")
    repo.history([("fix: z", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.0.0"
    assert subjects(hist) == ["fix: z", "fix: y", "feat: x"]


def test_merges_are_in_the_range(repo: GitRepo) -> None:
    repo.history([("chore: init", "v1.0.0")])
    repo.git("switch", "-q", "-c", "feature")
    repo.history([("feat: on a branch", None)])
    repo.git("switch", "-q", "main")
    repo.history([("fix: on main", None)])
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature")
    hist = history.read(repo.path, "v{version}")
    assert sorted(subjects(hist)) == ["Merge branch 'feature'", "feat: on a branch", "fix: on main"]
    merge = hist.commits[0]
    assert len(merge.parents) == 2


def test_merged_release_branch_tags(repo: GitRepo) -> None:
    """A release tagged on a branch that was then merged back is an ancestor: it counts."""
    repo.history([("chore: init", "v1.0.0")])
    repo.git("switch", "-q", "-c", "release")
    repo.history([("fix: on release", "v1.0.1")])
    repo.git("switch", "-q", "main")
    repo.history([("feat: on main", None)])
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'release'", "release")
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.0.1"
    assert sorted(subjects(hist)) == ["Merge branch 'release'", "feat: on main"]


def test_pending_prerelease(repo: GitRepo) -> None:
    repo.history([("chore: init", "v1.0.0"), ("feat!: a", "v2.0.0a1"), ("fix: b", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.pending is not None
    assert (hist.last_final.name, hist.pending.name) == ("v1.0.0", "v2.0.0a1")
    assert subjects(hist) == ["fix: b", "feat!: a"]
    since = {c.message for c in hist.commits if c.sha in hist.since_pending}
    assert since == {"fix: b"}


def test_prerelease_older_than_the_last_final_is_not_pending(repo: GitRepo) -> None:
    repo.history([("feat: a", "v1.0.0rc1"), ("chore: release", "v1.0.0"), ("fix: b", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.pending is None


def shallow_clone(repo: GitRepo, tmp_path: Path, *args: str) -> Path:
    target = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", *args, f"file://{repo.path}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def test_shallow_clone_without_the_tags_is_refused(repo: GitRepo, tmp_path: Path) -> None:
    repo.history([("chore: init", "v1.0.0"), ("feat: a", None), ("fix: b", None)])
    clone = shallow_clone(repo, tmp_path, "--depth", "1")
    with pytest.raises(ShallowClone, match="shallow clone") as info:
        history.read(clone, "v{version}")
    assert info.value.code == ExitCode.SHALLOW
    assert info.value.hint is not None
    assert "fetch --unshallow" in info.value.hint


def test_shallow_clone_deep_enough_is_fine(repo: GitRepo, tmp_path: Path) -> None:
    repo.history([("chore: init", None), ("chore: more", "v1.0.0"), ("feat: a", None)])
    clone = shallow_clone(repo, tmp_path, "--depth", "3")
    hist = history.read(clone, "v{version}")
    assert hist.last_final is not None
    assert subjects(hist) == ["feat: a"]


def _random_history(repo: GitRepo, seed: int, steps: int = 40) -> list[history.ReleaseTag]:
    """Branches, merges, tags on any of them, and committer dates that go back and forth."""
    import os
    import random

    rng = random.Random(seed)
    branches, tags = ["main"], []

    def run(*args: str) -> None:
        when = f"@{1_700_000_000 + rng.randint(0, 10_000)} +0000"  # skewed clocks
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", *args], cwd=repo.path, env=env, check=True, capture_output=True)

    run("commit", "-q", "--allow-empty", "-m", "feat: root")
    for n in range(steps):
        roll = rng.random()
        if roll < 0.15:
            branches.append(f"b{n}")
            run("branch", f"b{n}", rng.choice(branches[:-1]))
        elif roll < 0.3 and len(branches) > 1:
            run("checkout", "-q", rng.choice(branches))
            run("merge", "-q", "--no-ff", "-m", f"Merge {n}", rng.choice(branches))
        else:
            run("checkout", "-q", rng.choice(branches))
            run("commit", "-q", "--allow-empty", "-m", f"fix: {n}")
        if rng.random() < 0.25:
            run("tag", f"v1.{len(tags)}.0")
            tags.append(f"v1.{len(tags)}.0")
    refs = history.release_tags(git.list_tags(repo.path), "v{version}")
    return sorted(refs, key=lambda t: t.version.sort_key())


@pytest.mark.parametrize("seed", range(10))
def test_each_commit_goes_to_the_first_release_that_contains_it(repo: GitRepo, seed: int) -> None:
    """One pass over the whole history agrees with asking git about each release."""
    tags = _random_history(repo, seed)
    expected: dict[str, int] = {}
    for index, tag in enumerate(tags):
        for sha in repo.git("rev-list", tag.commit).split():
            expected.setdefault(sha, index)
    streamed: list[str] = []
    found = history.first_releases(repo.path, tags, lambda raw: streamed.append(raw.sha))
    assert sorted(streamed) == sorted(found)
    assert tags
    assert found == expected


def test_a_release_found_late_is_passed_on_to_every_ancestor(repo: GitRepo) -> None:
    """v1.0.0 tags a commit dated before its parents: git streams them (and theirs) first,
    under v2.0.0, and the late child must hand v1.0.0 down the whole chain."""
    import os

    def commit(message: str, when: int) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": f"@{when} +0000",
            "GIT_COMMITTER_DATE": f"@{when} +0000",
        }
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo.path,
                       env=env, check=True)  # fmt: skip
        return repo.git("rev-parse", "HEAD")

    root = commit("feat: root", 1_700_000_000)
    chain = [commit(f"fix: {n}", 1_800_000_000 + n) for n in range(3)]  # dated in the future
    late = commit("fix: dated long ago", 1_600_000_000)
    repo.git("tag", "v1.0.0")
    repo.git("checkout", "-q", "-b", "two", chain[-1])
    newest = commit("feat: two", 1_900_000_000)
    repo.git("tag", "v2.0.0")
    tags = sorted(history.release_tags(git.list_tags(repo.path), "v{version}"),
                  key=lambda t: t.version.sort_key())  # fmt: skip
    streamed: list[str] = []
    found = history.first_releases(repo.path, tags, lambda raw: streamed.append(raw.sha))
    assert streamed.index(chain[0]) < streamed.index(late)  # the parents did come first
    assert found == {root: 0, **dict.fromkeys(chain, 0), late: 0, newest: 1}


# More releases than the first walk of history.read excludes (its newest ones): that walk
# must find the same range as excluding them all, or give way to it.
MANY = 24


def _releases(repo: GitRepo, count: int = MANY, major: int = 0) -> None:
    repo.history([(f"fix: old {n}", f"v{major}.1.{n}") for n in range(count)])


def test_many_releases_the_range_since_the_last_one(repo: GitRepo) -> None:
    _releases(repo)
    repo.history([("fix: a", None), ("feat: b", None)])
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == f"v0.1.{MANY - 1}"
    assert subjects(hist) == ["feat: b", "fix: a"]


def test_many_releases_newer_ones_on_a_maintenance_branch(repo: GitRepo) -> None:
    """HEAD on main after v1.0.0; the newest releases are a maintenance branch's."""
    repo.history([("chore: init", "v1.0.0"), ("fix: a", None)])
    repo.git("switch", "-q", "-c", "maint", "v1.0.0")
    _releases(repo, major=1)
    repo.git("switch", "-q", "main")
    repo.commit("fix: b")
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.0.0"
    assert subjects(hist) == ["fix: b", "fix: a"]


def test_many_releases_a_newer_tag_on_a_side_branch_hides_nothing(repo: GitRepo) -> None:
    """The newest release forks from main's unreleased `feat: x`, which stays in the range."""
    _releases(repo)
    repo.history([("feat: x", None)])
    repo.git("switch", "-q", "-c", "experiment")
    repo.history([("feat!: experiment", "v3.0.0")])
    repo.git("switch", "-q", "main")
    repo.commit("fix: z")
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == f"v0.1.{MANY - 1}"
    assert subjects(hist) == ["fix: z", "feat: x"]


@pytest.mark.parametrize("seed", range(6))
def test_many_releases_the_range_is_what_git_lists(repo: GitRepo, seed: int) -> None:
    """On random histories with more releases than the first walk excludes, from every
    branch: the commits HEAD has and no release tag HEAD descends from has, in git's order."""
    tags = _random_history(repo, seed, steps=140)
    assert len(tags) > MANY
    for branch in repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads").split():
        repo.git("checkout", "-q", branch)
        reachable = repo.git("tag", "--merged", "HEAD").split()
        expected = repo.git("rev-list", "HEAD", "--not", *reachable, "--").split()
        streamed: list[git.RawCommit] = []
        hist = history.read(repo.path, "v{version}", on_commit=streamed.append)
        assert [c.sha for c in hist.commits] == expected, branch
        assert set(expected) <= {raw.sha for raw in streamed}
