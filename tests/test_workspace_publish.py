"""`autorelease publish` of a uv workspace end to end (issue 12): every releasable package in one
run, one release commit, one atomic push, then builds, uploads and GitHub releases in dependency
order; the resume and race guarantees of the single package hold for the workspace.

Real git with a bare origin, a real pypiserver, build and twine; GitHub faked over HTTP. The
world is tests/workspace_world.py's: core, plugin (needs core>=1.0,<2) and cli (needs
core>=1.0,<2 and plugin>=1.0), each released as 1.0.0.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from autorelease.publish.build import build
from autorelease.publish.index import upload
from autorelease.publish.index_target import resolve_target
from conftest import EPOCH, git_out, refs, sample_project, snapshot, uv
from index_server import FaultyProxy
from publish_world import HOOK_ENV, Published, World, installed, interrupt_at
from test_publish_faults import (
    HATCH_HOOK,
    RACE_WAIT,
    RENDEZVOUS,
    assert_raced,
    machine_dates,
    released_meanwhile,
    script,
)
from test_publish_killed import assert_no_record, killed_run, release_commits
from test_workspace import locked
from workspace_world import full_history, init_py, only_cli_history, package_files

pytest_plugins = ["index_server", "publish_world", "workspace_world"]

FULL = {"core": "2.0.0", "plugin": "1.1.0", "cli": "1.0.1"}  # what full_history releases
FULL_SUBJECT = "chore(release): core 2.0.0, plugin 1.1.0, cli 1.0.1"
# The steps of a release of every package, in the order they run ("comments" steps may follow).
FULL_STEPS = [
    "check", "commit", "tests", "build core", "build plugin", "build cli", "push",
    "upload core", "upload plugin", "upload cli", "github core", "github plugin", "github cli",
]  # fmt: skip
# Entries of each package's changelog section, and one of another package's that it must lack.
ENTRIES = {
    "core": (["core speaks v2", "one name for the option", "the helper lives in plugin"],
             "plugins can be listed"),
    "plugin": (["plugins can be listed", "the helper lives in plugin", "a plugin hook",
                "dependencies: core 2.0.0"], "the help of cli"),
    "cli": (["the help of cli", "one name for the option", "dependencies: core 2.0.0"],
            "a plugin hook"),
}  # fmt: skip


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tags(released: dict[str, str]) -> list[str]:
    return [f"{name}-v{version}" for name, version in released.items()]


def files_of(released: dict[str, str]) -> list[str]:
    return sorted(f for name, version in released.items() for f in package_files(name, version))


def reported(w: World, released: dict[str, str]) -> list[dict[str, Any]]:
    """The report's `packages` for RELEASED (each counting from its 1.0.0)."""
    return [
        {"name": name, "version": version, "tag": f"{name}-v{version}",
         "previous_tag": f"{name}-v1.0.0",
         "release_url": f"{w.github.root}/octo/hello/releases/tag/{name}-v{version}"}
        for name, version in released.items()
    ]  # fmt: skip


def step_names(report: dict[str, Any]) -> list[str]:
    """The report's step names, without the "comments" steps that end a release."""
    return [s["name"] for s in report["steps"] if not s["name"].startswith("comments")]


def step(report: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in report["steps"] if s["name"] == name)
    return found


def new_tags(path: Path) -> list[str]:
    """The tags at PATH beside the three 1.0.0 releases."""
    names = [r.removeprefix("refs/tags/") for r in refs(path) if r.startswith("refs/tags/")]
    return sorted(n for n in names if not n.endswith("-v1.0.0"))


# --- checks shared by the tests ------------------------------------------------------------------


def assert_released_in_git(w: World, start: str, released: dict[str, str], subject: str) -> None:
    """One release commit on top of START, an annotated tag per package on it, all on origin."""
    head = w.repo.head()
    assert git_out(w.repo.path, "rev-parse", "HEAD^") == start
    assert git_out(w.repo.path, "log", "-1", "--format=%s") == subject
    for tag in tags(released):
        assert git_out(w.repo.path, "cat-file", "-t", tag) == "tag"  # annotated
        assert git_out(w.origin, "rev-parse", f"{tag}^{{}}") == head
    assert new_tags(w.origin) == sorted(tags(released))
    assert refs(w.origin) == {k: v for k, v in refs(w.repo.path).items() if "remotes" not in k}
    assert release_commits(w.origin) == [subject]
    assert git_out(w.repo.path, "status", "--porcelain") == ""
    changed = git_out(w.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines()
    assert sorted(changed) == sorted(
        f"packages/{name}/{file}"
        for name in released
        for file in ("pyproject.toml", f"src/{name}/__init__.py", "CHANGELOG.md")
    )
    for name, version in released.items():
        project = tomllib.loads((w.repo.path / f"packages/{name}/pyproject.toml").read_text())
        assert project["project"]["version"] == version
        assert f'__version__ = "{version}"\n' in (w.repo.path / init_py(name)).read_text()


def assert_on_index_and_github(w: World, released: dict[str, str]) -> None:
    """Each package's two files on the index, the same bytes on its one GitHub release, whose
    title is its tag and whose notes are its changelog section (checked for FULL); nothing
    else anywhere."""
    on_index = w.index_files()
    assert sorted(on_index) == files_of(released)
    assert sorted(r.tag_name for r in w.github.releases.values()) == sorted(tags(released))
    for name, version in released.items():
        tag = f"{name}-v{version}"
        release = w.github.release(tag)
        assert release is not None
        assert (release.name, release.prerelease, release.draft) == (tag, False, False)
        assert {a.name: sha256(a.data) for a in release.assets} == {
            f: on_index[f] for f in package_files(name, version)
        }
        assert {a.state for a in release.assets} == {"uploaded"}
        if released == FULL:
            wanted, foreign = ENTRIES[name]
            assert all(entry in release.body for entry in wanted), release.body
            assert foreign not in release.body
    assert w.github.tags_created_by_api == []


def assert_uploaded_in_dependency_order(w: World, names: list[str]) -> None:
    """Each package's files reached the index after the files of the packages before it."""
    assert w.index.packages is not None
    times = {
        name: [p.stat().st_mtime_ns for p in w.index.packages.glob(f"{name}-*")] for name in names
    }
    for before, after in itertools.pairwise(names):
        assert max(times[before]) <= min(times[after]), (before, after, times)


def assert_changelogs(w: World) -> None:
    """Each package's CHANGELOG.md has its own section of FULL; the root has none."""
    assert not (w.repo.path / "CHANGELOG.md").exists()
    for name, version in FULL.items():
        text = (w.repo.path / f"packages/{name}/CHANGELOG.md").read_text()
        section = text.split(f"## {version} (2023-11-14)\n", 1)[1]
        wanted, foreign = ENTRIES[name]
        assert all(entry in section for entry in wanted), text
        assert foreign not in text


def requirement(w: World, package: str, on: str) -> Requirement:
    """PACKAGE's requirement on ON in its pyproject.toml at HEAD."""
    text = git_out(w.repo.path, "show", f"HEAD:packages/{package}/pyproject.toml")
    found = [Requirement(r) for r in tomllib.loads(text)["project"]["dependencies"]]
    (req,) = [r for r in found if r.name == on]
    return req


def assert_requirements_admit_the_release(w: World) -> None:
    """core's dependents were rewritten to take core 2.0.0; what admitted its version stays."""
    for dependent in ("plugin", "cli"):
        req = requirement(w, dependent, "core")
        assert req.specifier.contains("2.0.0"), req
        assert not req.specifier.contains("1.0.0"), req  # released against 2.0.0
    assert requirement(w, "cli", "plugin").specifier.contains("1.1.0")


def git_calls(w: World, monkeypatch: pytest.MonkeyPatch) -> Path:
    """From now on every git call's arguments go, one line each, to the file returned: a `git`
    first on PATH writes them there, then runs the real git."""
    real = shutil.which("git")
    folder, log = w.tmp / "git-log", w.tmp / "git-calls.txt"
    folder.mkdir()
    (folder / "git").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    (folder / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


# --- the happy path ------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_run_releases_every_package_in_dependency_order_and_pip_installs_cli(
    ws: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    full_history(ws.repo)
    start = ws.repo.head()
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    calls = git_calls(ws, monkeypatch)

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert_released_in_git(ws, start, FULL, FULL_SUBJECT)
    (push,) = [c for c in calls.read_text().splitlines() if "push" in c.split()]
    assert "--atomic" in push.split()
    assert all(tag in push for tag in tags(FULL)), push  # one push: the branch and every tag
    # The GitHub target (from origin's URL) is found once for the run, not for each package's
    # release, contributors and comments: the run reads the URL as a one-package run does.
    url_reads = [c for c in calls.read_text().splitlines() if "remote.origin.url" in c.split()]
    assert len(url_reads) <= 4, url_reads
    assert_requirements_admit_the_release(ws)
    assert_changelogs(ws)
    assert_on_index_and_github(ws, FULL)
    assert_uploaded_in_dependency_order(ws, list(FULL))
    assert len(ws.github.release_posts()) == 3
    for name in files_of(FULL):
        assert len(ws.github.asset_posts(name)) == 1
    report = done.report
    assert step_names(report) == FULL_STEPS
    assert all(s["status"] == "done" for s in report["steps"] if s["name"] in FULL_STEPS)
    assert (report["outcome"], report["failure"]) == ("released", None)
    assert (report["version"], report["tag"], report["previous_tag"]) == (None, None, None)
    assert report["packages"] == reported(ws, FULL)
    lines = outputs.read_text().splitlines()
    assert {"released=true", "outcome=released", f"tags={' '.join(tags(FULL))}"} <= set(lines)
    compact = json.dumps(report["packages"], separators=(",", ":"))
    assert f"packages={compact}" in lines
    assert all(
        line in ("version=", "tag=") for line in lines if line.startswith(("version=", "tag="))
    )
    # anyone can now install cli from the index alone: pip finds core and plugin there too
    said = installed(  # cli imports core and plugin: their versions resolved from the index
        ws.index.simple_url, tmp_path / "venv", "cli==1.0.1", "import cli; print(cli.versions())"
    )
    assert said == "cli 1.0.1, core 2.0.0, plugin 1.1.0"


@pytest.mark.slow
def test_a_locked_workspace_s_release_commit_moves_uv_lock_with_every_version(ws: World) -> None:
    """A uv workspace keeps uv.lock: after the release `uv lock --check` still passes (so does
    `uv sync --locked` in CI), and the lock names each released version."""
    locked(ws.repo)
    full_history(ws.repo)  # pushes the lock too
    start = ws.repo.head()

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert done.report["packages"] == reported(ws, FULL)
    changed = git_out(ws.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines()
    assert "uv.lock" in changed
    assert git_out(ws.repo.path, "rev-parse", "HEAD^") == start
    checked = uv(ws.repo, "lock", "--check")
    assert checked.returncode == 0, checked.stderr
    lock = tomllib.loads((ws.repo.path / "uv.lock").read_text())
    versions = {p["name"]: p["version"] for p in lock["package"] if p["name"] in FULL}
    assert versions == FULL
    assert git_out(ws.repo.path, "status", "--porcelain") == ""
    assert_on_index_and_github(ws, FULL)


@pytest.mark.slow
def test_a_change_in_cli_alone_releases_cli_alone(ws: World) -> None:
    only_cli_history(ws.repo)
    start = ws.repo.head()

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    released = {"cli": "1.0.1"}
    assert_released_in_git(ws, start, released, "chore(release): cli 1.0.1")
    assert_on_index_and_github(ws, released)
    assert len(ws.github.release_posts()) == 1
    assert step_names(done.report) == ["check", "commit", "tests", "build cli", "push",
                                       "upload cli", "github cli"]  # fmt: skip
    assert done.report["packages"] == reported(ws, released)
    assert not (ws.repo.path / "packages/core/CHANGELOG.md").exists()


@pytest.mark.slow
def test_a_rerun_after_a_full_release_finds_it_released_and_changes_nothing(
    ws: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    full_history(ws.repo)
    assert ws.publish().code == ExitCode.OK
    files, posts = ws.index_files(), len(ws.github.requests_matching("POST", ".*"))
    origin_before, before = refs(ws.origin), snapshot(ws.repo.path)
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv(HOOK_ENV, "exit 1")  # the tests must not run again: they would fail

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert again.report["outcome"] == "already released"
    assert again.report["packages"] == reported(ws, FULL)
    assert step(again.report, "tests")["status"] == "skipped"
    for name in FULL:
        assert step(again.report, f"upload {name}")["detail"].startswith("sent 0, already there 2")
    assert ws.index_files() == files
    assert len(ws.github.requests_matching("POST", ".*")) == posts
    assert (refs(ws.origin), snapshot(ws.repo.path)) == (origin_before, before)
    lines = set(outputs.read_text().splitlines())
    assert {"released=false", "outcome=already released"} <= lines


@pytest.mark.slow
def test_package_releases_that_package_and_those_that_must_follow_it_alone(ws: World) -> None:
    """cli takes any core: core 2.0.0 moves plugin (core<2) but not cli, whose own fix waits."""
    cli_toml = ws.repo.path / "packages/cli/pyproject.toml"
    text = cli_toml.read_text().replace('"core>=1.0,<2"', '"core>=1.0"')
    ws.repo.commit("build: cli takes any core", ("packages/cli/pyproject.toml", text))
    ws.repo.commit("feat(core)!: core speaks v2", ("packages/core/src/core/api.py", "V = 2\n"))
    ws.repo.commit("fix: cli says hello", ("packages/cli/src/cli/hello.py", "HELLO = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    start = ws.repo.head()

    done = ws.publish("--package", "core")

    assert done.code == ExitCode.OK, done.err
    released = {"core": "2.0.0", "plugin": "1.0.1"}
    assert_released_in_git(ws, start, released, "chore(release): core 2.0.0, plugin 1.0.1")
    assert_on_index_and_github(ws, released)
    assert done.report["packages"] == reported(ws, released)
    assert requirement(ws, "plugin", "core").specifier.contains("2.0.0")
    ws.capsys.readouterr()
    assert main(["-C", str(ws.repo.path), "--dry-run", "--json"]) == ExitCode.OK
    plan = json.loads(ws.capsys.readouterr().out)
    pending = {p["name"]: p["next_version"] for p in plan["packages"]}
    assert pending == {"core": None, "plugin": None, "cli": "1.0.1"}  # cli's fix still waits


@pytest.mark.slow
def test_each_package_s_upload_names_the_index_and_notify_command_runs_per_package(
    ws: World, tmp_path: Path
) -> None:
    """As for one package: the upload step says where it went, and notify_command is told
    each released package's tag, version, index and GitHub release."""
    told = tmp_path / "told.txt"
    notify = "echo $AUTORELEASE_TAG $AUTORELEASE_VERSION $AUTORELEASE_INDEX_URL "
    notify += f"$AUTORELEASE_RELEASE_URL >> {told}"
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write(f"notify_command = '{notify}'\n")  # in [tool.autorelease], the last table
    ws.repo.git("commit", "-q", "-am", "ci: tell the chat about releases")
    ws.repo.commit("fix: core mends", ("packages/core/src/core/mend.py", "M = 1\n"))
    only_cli_history(ws.repo)  # pushes
    released = {"core": "1.0.1", "cli": "1.0.1"}  # plugin's core>=1.0,<2 admits 1.0.1

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert done.report["packages"] == reported(ws, released)
    for name in released:
        detail = step(done.report, f"upload {name}")["detail"]
        assert detail == f"sent 2, already there 0 ({ws.upload_url})", detail
    assert told.read_text().splitlines() == [
        f"{p['tag']} {p['version']} {ws.upload_url} {p['release_url']}"
        for p in done.report["packages"]
    ]


@pytest.mark.slow
def test_a_workspace_with_nothing_to_release_says_so_in_the_report_and_the_outputs(
    ws: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A commit outside every package releases nothing; the report still has `packages` (none)
    and the CI outputs an empty `tags` and `packages=[]`, which a workflow's fromJSON reads."""
    ws.repo.commit("docs: the readme", ("README.md", "# the workspace\n\nThree packages.\n"))
    ws.repo.git("push", "-q", "origin", "main")
    before, origin_before = snapshot(ws.repo.path), refs(ws.origin)
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert "nothing to release" in done.err
    assert done.report["outcome"] == "nothing to release"
    assert done.report["packages"] == []
    lines = outputs.read_text().splitlines()
    assert {"released=false", "outcome=nothing to release", "tags=", "packages=[]"} <= set(lines)
    assert (snapshot(ws.repo.path), refs(ws.origin)) == (before, origin_before)
    assert ws.index_files() == {}
    assert ws.github.requests_matching("POST", ".*") == []


@pytest.mark.slow
def test_update_only_dependents_get_the_new_requirement_in_the_release_commit_alone(
    ws: World,
) -> None:
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write('dependents = "update-only"\n')  # in [tool.autorelease], the last table
    ws.repo.git("commit", "-q", "-am", "ci: dependents follow without a release")
    ws.repo.commit("feat(core)!: core speaks v2", ("packages/core/src/core/api.py", "V = 2\n"))
    ws.repo.git("push", "-q", "origin", "main")
    start = ws.repo.head()

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert done.report["packages"] == reported(ws, {"core": "2.0.0"})
    assert git_out(ws.repo.path, "log", "-1", "--format=%s") == "chore(release): core 2.0.0"
    assert git_out(ws.repo.path, "rev-parse", "HEAD^") == start
    changed = git_out(ws.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines()
    assert sorted(changed) == sorted([
        "packages/core/pyproject.toml", "packages/core/src/core/__init__.py",
        "packages/core/CHANGELOG.md", "packages/plugin/pyproject.toml",
        "packages/cli/pyproject.toml",
    ])  # fmt: skip
    assert_requirements_admit_the_release(ws)
    for name in ("plugin", "cli"):  # no release of their own: still 1.0.0
        text = git_out(ws.repo.path, "show", f"HEAD:packages/{name}/pyproject.toml")
        assert tomllib.loads(text)["project"]["version"] == "1.0.0"
    assert new_tags(ws.origin) == ["core-v2.0.0"]
    assert_on_index_and_github(ws, {"core": "2.0.0"})


@pytest.mark.slow
def test_a_linked_group_is_published_at_one_version(ws: World) -> None:
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write('linked = [["core", "plugin"]]\n')  # in [tool.autorelease], the last table
    ws.repo.git("commit", "-q", "-am", "ci: core and plugin share a version")
    ws.repo.commit("feat: core grows", ("packages/core/src/core/grow.py", "G = 1\n"))
    ws.repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    start = ws.repo.head()

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    released = {"core": "1.1.0", "plugin": "1.1.0"}  # cli's requirements admit both
    assert_released_in_git(ws, start, released, "chore(release): core 1.1.0, plugin 1.1.0")
    assert_on_index_and_github(ws, released)
    assert done.report["packages"] == reported(ws, released)


@pytest.mark.slow
def test_test_releases_of_a_workspace_then_the_final_release(ws: World) -> None:
    only_cli_history(ws.repo)

    first = ws.publish("--test")

    assert first.code == ExitCode.OK, first.err
    assert first.report["packages"] == [{
        "name": "cli", "version": "1.0.1a1", "tag": "cli-v1.0.1a1", "previous_tag": "cli-v1.0.0",
        "release_url": f"{ws.github.root}/octo/hello/releases/tag/cli-v1.0.1a1",
    }]  # fmt: skip
    pre = ws.github.release("cli-v1.0.1a1")
    assert pre is not None
    assert pre.prerelease

    final = ws.publish()

    assert final.code == ExitCode.OK, final.err
    assert final.report["packages"] == reported(ws, {"cli": "1.0.1"})
    release = ws.github.release("cli-v1.0.1")
    assert release is not None
    assert not release.prerelease
    assert sorted(ws.index_files()) == sorted(
        [*package_files("cli", "1.0.1a1"), *package_files("cli", "1.0.1")]
    )


@pytest.mark.slow
def test_a_shallow_clone_of_a_workspace_is_deepened_and_released(ws: World) -> None:
    full_history(ws.repo)
    shallow = ws.tmp / "shallow"
    url = f"file://{ws.origin}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(shallow)], check=True)

    done = ws.publish(path=shallow)

    assert done.code == ExitCode.OK, done.err
    assert "fetched the full history and tags of this shallow clone" in done.err
    assert done.report["packages"] == reported(ws, FULL)  # each counts from its own 1.0.0
    assert release_commits(ws.origin) == [FULL_SUBJECT]
    assert_on_index_and_github(ws, FULL)


def test_the_dry_run_of_publish_changes_nothing(
    ws: World, capsys: pytest.CaptureFixture[str]
) -> None:
    full_history(ws.repo)
    before, origin_before = snapshot(ws.repo.path, git_files=True), refs(ws.origin)
    capsys.readouterr()

    code = main(["-C", str(ws.repo.path), "publish", "--dry-run", "--repository", ws.index.url])

    out = capsys.readouterr().out
    assert code == ExitCode.OK
    for tag in tags(FULL):
        assert tag in out
    assert snapshot(ws.repo.path, git_files=True) == before
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == {}
    assert {r.method for r in ws.github.requests} <= {"GET"}  # it may look, never write


# --- before the push: everything is undone -------------------------------------------------------


def assert_untouched(w: World, before: dict[str, Any], origin_before: dict[str, str]) -> None:
    """The clone as it was (HEAD, every file, no new tag), origin, the index and GitHub too."""
    assert snapshot(w.repo.path) == before
    assert new_tags(w.repo.path) == []
    assert refs(w.origin) == origin_before
    assert w.index_files() == {}
    assert w.github.releases == {}
    assert_no_record(w)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tests-fail", "interrupted-at-push"])
def test_a_failure_before_the_push_undoes_every_package(
    ws: World, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    full_history(ws.repo)
    before, origin_before = snapshot(ws.repo.path), refs(ws.origin)
    if how == "tests-fail":
        monkeypatch.setenv(HOOK_ENV, "exit 1")  # the test command is eval "$HOOK"
    else:
        interrupt_at(ws, monkeypatch, "push --atomic")  # Ctrl-C instead of the push

    done = ws.publish()

    code, outcome, failed = {
        "tests-fail": (ExitCode.TESTS_FAILED, "failed", "tests"),
        "interrupted-at-push": (ExitCode.INTERRUPTED, "interrupted", "push"),
    }[how]
    assert done.code == code, done.err
    assert done.report["outcome"] == outcome
    assert done.report["failure"]["step"] == failed
    if how == "tests-fail":
        (line,) = done.error_lines
        assert "the tests failed (exit 1)" in line
    assert "undone" in done.err
    for tag in tags(FULL):
        assert tag in done.err.split("undone", 1)[1]  # it says which tags it deleted
    assert_untouched(ws, before, origin_before)

    monkeypatch.delenv(HOOK_ENV, raising=False)  # the interrupter fires once only
    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert_released_in_git(ws, before["commit"], FULL, FULL_SUBJECT)
    assert_on_index_and_github(ws, FULL)


@pytest.mark.slow
def test_a_failing_build_of_plugin_undoes_every_package_after_core_built(ws: World) -> None:
    pyproject = (ws.repo.path / "packages/plugin/pyproject.toml").read_text()
    pyproject += '\n[tool.hatch.build.hooks.custom]\npath = "hatch_build.py"\n'
    ws.repo.commit(
        "build: a build hook for plugin",
        ("packages/plugin/hatch_build.py", HATCH_HOOK),
        ("packages/plugin/pyproject.toml", pyproject),
    )
    full_history(ws.repo)
    before, origin_before = snapshot(ws.repo.path), refs(ws.origin)

    done = ws.publish()

    assert done.code == ExitCode.BUILD_FAILED, done.err
    (line,) = done.error_lines
    assert "RuntimeError: this build hook refuses to build" in line
    assert done.report["failure"]["step"] == "build plugin"
    assert step(done.report, "build core")["status"] == "done"
    assert_untouched(ws, before, origin_before)


def _tag_on_remote(w: World) -> None:
    w.repo.git("push", "-q", "origin", "HEAD^:refs/tags/plugin-v1.1.0")


def _plugin_on_the_index(w: World) -> None:
    """plugin 1.1.0 is on the index already (built from another tree)."""
    folder = sample_project(w.tmp / "elsewhere", "plugin", "1.1.0")
    built = build(folder, "1.1.0", EPOCH, w.tmp / "elsewhere-dist", isolation=False)
    upload(list(built.files), resolve_target(w.index.url))


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (_tag_on_remote, ExitCode.TAG_EXISTS, "tag plugin-v1.1.0 already exists on origin"),
        (_plugin_on_the_index, ExitCode.ALREADY_ON_INDEX, "plugin 1.1.0 is already on"),
    ],
    ids=["tag-on-remote", "plugin-on-the-index"],
)
def test_a_check_refusing_one_package_changes_nothing(
    ws: World, setup: Callable[[World], None], code: ExitCode, message: str
) -> None:
    full_history(ws.repo)
    setup(ws)
    before, origin_before, held = snapshot(ws.repo.path), refs(ws.origin), ws.index_files()

    done = ws.publish()

    assert done.code == code, done.err
    (line,) = done.error_lines
    assert message in line
    assert done.report["failure"]["step"] == "check"
    assert [s["name"] for s in done.report["steps"]] == ["check"]
    assert snapshot(ws.repo.path) == before
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == held
    assert ws.github.requests_matching("POST", ".*") == []
    assert_no_record(ws)


@pytest.mark.slow
def test_a_run_killed_before_its_push_is_undone_and_released_by_the_next(ws: World) -> None:
    full_history(ws.repo)
    start, origin_before = ws.repo.head(), refs(ws.origin)
    killed_run(ws, "push --atomic")  # committed, tagged, tested and built: not pushed
    assert release_commits(ws.repo.path)[:1] == [FULL_SUBJECT]
    assert new_tags(ws.repo.path) == sorted(tags(FULL))
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == {}

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert "found an unfinished release" in again.err
    assert "undoing it" in again.err
    assert again.report["outcome"] == "released"
    assert_released_in_git(ws, start, FULL, FULL_SUBJECT)
    assert_on_index_and_github(ws, FULL)
    assert release_commits(ws.repo.path) == [FULL_SUBJECT]
    assert_no_record(ws)


@pytest.mark.slow
def test_a_killed_release_is_planned_again_on_a_fix_to_plugin_pushed_meanwhile(ws: World) -> None:
    full_history(ws.repo)
    killed_run(ws, "push --atomic")  # tagged, tested, built; not pushed
    colleague = ws.clone("colleague")
    (colleague / "packages/plugin/src/plugin/mend.py").write_text("M = 1\n")
    subprocess.run(["git", "add", "."], cwd=colleague, check=True)
    subprocess.run(["git", "commit", "-qm", "fix: plugin mends"], cwd=colleague, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=colleague, check=True)
    fix = git_out(colleague, "rev-parse", "HEAD")

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert "undoing it" in again.err
    assert_released_in_git(ws, fix, FULL, FULL_SUBJECT)
    assert_on_index_and_github(ws, FULL)
    section = git_out(ws.origin, "show", "plugin-v1.1.0:packages/plugin/CHANGELOG.md")
    assert "plugin mends" in section.split("## 1.1.0")[1]
    assert_no_record(ws)


# --- after the push: a re-run finishes exactly what is missing -----------------------------------


def descendants(pid: int) -> list[int]:
    """Every process PID started, and those they started, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL PID and everything it started, as a CI runner ends a job: stopped first, so
    that it starts nothing new while its processes are gathered."""
    os.kill(pid, signal.SIGSTOP)
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)


@dataclass
class Trap:
    """Set on a FaultyProxy by when_core_is_on_the_index; `armed = False` lets uploads through."""

    armed: bool = True
    fired: bool = False


def when_core_is_on_the_index(w: World, proxy: FaultyProxy, act: Callable[[], None]) -> Trap:
    """Make PROXY call ACT() at the first upload (POST) that comes once both of core's files
    are on the index, and answer that POST and every later one 500 while the trap is armed."""
    core = set(package_files("core", FULL["core"]))
    real = proxy.fate
    trap = Trap()

    def fate(method: str) -> str:
        if method == "POST" and trap.armed and (trap.fired or core <= set(w.index.files())):
            if not trap.fired:
                trap.fired = True
                act()
            return "fail"
        return real(method)

    proxy.fate = fate  # type: ignore[method-assign]  # the proxy's own hook, not autorelease's
    return trap


def assert_finished_by_a_rerun(w: World) -> Published:
    """The next run uploads plugin and cli (core is there), makes what GitHub lacks; the run
    after it finds everything released."""
    again = w.publish()

    assert again.code == ExitCode.OK, again.err
    assert again.report["outcome"] == "released"
    assert again.report["packages"] == reported(w, FULL)
    assert step(again.report, "push")["detail"] == "already on the remote"
    assert step(again.report, "upload core")["detail"].startswith("sent 0, already there 2")
    for name in ("plugin", "cli"):
        assert step(again.report, f"upload {name}")["detail"].startswith("sent 2, already there 0")
    assert_on_index_and_github(w, FULL)
    assert_uploaded_in_dependency_order(w, list(FULL))
    assert len(w.github.release_posts()) == 3  # one per tag over both runs
    assert release_commits(w.origin) == [FULL_SUBJECT]
    files, posts = w.index_files(), len(w.github.requests_matching("POST", ".*"))

    third = w.publish()

    assert third.code == ExitCode.OK, third.err
    assert third.report["outcome"] == "already released"
    assert w.index_files() == files
    assert len(w.github.requests_matching("POST", ".*")) == posts
    return again


@pytest.mark.slow
def test_a_run_killed_between_the_uploads_of_core_and_plugin_is_finished_by_a_rerun(
    ws_faulty: tuple[World, FaultyProxy],
) -> None:
    w, proxy = ws_faulty
    full_history(w.repo)
    pid: list[int] = []
    trap = when_core_is_on_the_index(w, proxy, lambda: kill_tree(pid[0]))
    run = w.publish_process(w.repo.path, dict(os.environ))
    pid.append(run.pid)
    output = run.communicate(timeout=300)[0]

    assert run.returncode == -signal.SIGKILL, output
    assert trap.fired, output
    assert sorted(w.index_files()) == package_files("core", "2.0.0")
    assert git_out(w.origin, "rev-parse", "core-v2.0.0^{}") == w.repo.head()  # pushed
    assert w.github.releases == {}
    trap.armed = False

    assert_finished_by_a_rerun(w)


@pytest.mark.slow
def test_an_index_failing_at_the_upload_of_plugin_is_finished_by_a_rerun(
    ws_faulty: tuple[World, FaultyProxy],
) -> None:
    w, proxy = ws_faulty
    full_history(w.repo)
    trap = when_core_is_on_the_index(w, proxy, lambda: None)

    failed = w.publish()

    assert failed.code == ExitCode.UPLOAD_FAILED, failed.err
    assert failed.report["outcome"] == "failed"
    assert failed.report["failure"]["step"] == "upload plugin"
    assert sorted(w.index_files()) == package_files("core", "2.0.0")  # cli waits for plugin
    assert "re-run" in failed.err
    trap.armed = False

    assert_finished_by_a_rerun(w)


@pytest.mark.slow
def test_an_interrupt_as_the_push_ends_is_finished_by_a_rerun(
    ws: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_history(ws.repo)
    interrupt_at(ws, monkeypatch, "push --atomic", after=True)  # origin took it all

    stopped = ws.publish()

    assert stopped.code == ExitCode.INTERRUPTED, stopped.err
    assert stopped.report["failure"]["step"] == "push"
    assert "undone" not in stopped.err
    assert "re-run `autorelease publish`" in stopped.err
    assert new_tags(ws.origin) == sorted(tags(FULL))
    assert refs(ws.origin)["refs/heads/main"] == ws.repo.head()
    assert (ws.index_files(), ws.github.releases) == ({}, {})

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert again.report["outcome"] == "released"
    assert again.report["packages"] == reported(ws, FULL)
    assert step(again.report, "push")["detail"] == "already on the remote"
    assert_on_index_and_github(ws, FULL)
    assert_uploaded_in_dependency_order(ws, list(FULL))
    assert release_commits(ws.origin) == [FULL_SUBJECT]


@pytest.mark.slow
def test_no_push_finishes_a_pushed_release_from_a_clone_at_its_tags_after_main_moved_on(
    ws: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/recovery.md: main moved on, so finish from a clone whose main is set to the tags."""
    full_history(ws.repo)
    interrupt_at(ws, monkeypatch, "push --atomic", after=True)
    assert ws.publish().code == ExitCode.INTERRUPTED
    ws.repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    finish = ws.clone("finish")
    git_out(finish, "checkout", "-q", "-B", "main", "core-v2.0.0", check=True)

    done = ws.publish("--no-push", path=finish)

    assert done.code == ExitCode.OK, done.err
    assert done.report["outcome"] == "released"
    assert done.report["packages"] == reported(ws, FULL)
    assert step(done.report, "push")["status"] == "skipped"
    assert_on_index_and_github(ws, FULL)
    assert release_commits(ws.origin) == [FULL_SUBJECT]


@pytest.mark.slow
def test_a_github_release_refused_for_plugin_is_made_by_a_rerun_alone(ws: World) -> None:
    full_history(ws.repo)
    refused = {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "custom", "field": "body"}],
    }

    def refuse_the_next() -> None:  # the second release (plugin's) is refused, for good
        ws.github.fail("POST", r"/releases$", status=422, body=refused)

    ws.github.before("POST", r"/releases$", lambda: ws.github.before(
        "POST", r"/releases$", refuse_the_next))  # fmt: skip

    failed = ws.publish()

    assert failed.code == ExitCode.GITHUB_FAILED, failed.err
    assert failed.report["failure"]["step"] == "github plugin"
    assert ws.github.release("core-v2.0.0") is not None
    assert ws.github.release("plugin-v1.1.0") is None
    assert sorted(ws.index_files()) == files_of(FULL)

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert again.report["outcome"] == "released"
    assert_on_index_and_github(ws, FULL)
    made = [json.loads(r.body)["tag_name"] for r in ws.github.release_posts()]
    assert sorted(made) == sorted([*tags(FULL), "plugin-v1.1.0"])  # core's made once only
    for name in files_of(FULL):
        assert len(ws.github.asset_posts(name)) == 1


@pytest.mark.slow
def test_no_push_tags_every_package_locally_and_a_plain_publish_finishes_it(
    ws: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    full_history(ws.repo)
    start, origin_before = ws.repo.head(), refs(ws.origin)
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))

    local = ws.publish("--no-push")

    assert local.code == ExitCode.OK, local.err
    assert local.report["outcome"] == "tagged locally"
    assert {"released=false", "outcome=tagged locally"} <= set(outputs.read_text().splitlines())
    assert new_tags(ws.repo.path) == sorted(tags(FULL))
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == {}
    assert ws.github.requests_matching("POST", ".*") == []

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert done.report["outcome"] == "released"
    assert done.report["packages"] == reported(ws, FULL)
    assert_released_in_git(ws, start, FULL, FULL_SUBJECT)
    assert_on_index_and_github(ws, FULL)


# --- races: the remote is the lock ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("identical", [False, True], ids=["own-commits", "identical-commits"])
def test_two_runs_at_the_same_moment_release_the_workspace_once(
    ws: World, tmp_path: Path, identical: bool
) -> None:
    full_history(ws.repo)
    other = ws.clone("other")
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    hook = script(tmp_path, "rendezvous", RENDEZVOUS, str(meeting), "2", str(RACE_WAIT))
    clones = [ws.repo.path, other]
    befores = {path: snapshot(path) for path in clones}
    runs = []
    for n, path in enumerate(clones):
        env = {**os.environ, HOOK_ENV: hook, **machine_dates(0 if identical else n)}
        runs.append(ws.publish_process(path, env, "--report", str(tmp_path / f"report-{n}.json")))
    outputs = [run.communicate(timeout=2 * RACE_WAIT)[0] for run in runs]
    codes = [run.returncode for run in runs]
    assert_raced(meeting)
    reports = [json.loads((tmp_path / f"report-{n}.json").read_text()) for n in range(2)]

    outcomes = [r["outcome"] for r in reports]
    assert outcomes.count("released") == 1, outputs
    winner = outcomes.index("released")
    loser = 1 - winner
    assert codes[winner] == ExitCode.OK, outputs
    if codes[loser] == ExitCode.OK:  # only the identical commit can be pushed by both
        assert identical, outputs
        assert reports[loser]["outcome"] == "already released by another run", outputs[loser]
    else:
        assert codes[loser] == ExitCode.PUSH_REJECTED, outputs
        assert "rejected the release push" in outputs[loser]
        assert reports[loser]["failure"]["step"] == "push"
        assert not [s for s in reports[loser]["steps"] if s["name"].startswith("upload")]
        assert snapshot(clones[loser]) == befores[clones[loser]]
    assert refs(ws.origin)["refs/heads/main"] == git_out(clones[winner], "rev-parse", "HEAD")
    assert release_commits(ws.origin) == [FULL_SUBJECT]
    assert new_tags(ws.origin) == sorted(tags(FULL))
    assert sorted(ws.index_files()) == files_of(FULL)
    assert len(ws.github.releases) == 3
    # Two runs of the identical release may both ask GitHub to create a release: the second
    # gets 422 and adopts the one the first made.
    assert len(ws.github.release_posts()) in (range(3, 7) if identical else (3,))
    for name, version in FULL.items():
        release = ws.github.release(f"{name}-v{version}")
        assert release is not None
        assert sorted(a.name for a in release.assets) == package_files(name, version)


@pytest.mark.slow
def test_a_workspace_released_elsewhere_meanwhile_rejects_the_push_and_the_next_follows_it(
    ws: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    full_history(ws.repo)
    other = ws.clone("other")
    before = snapshot(ws.repo.path)
    done = released_meanwhile(ws, other, monkeypatch, tmp_path)
    their_files = ws.index_files()

    assert done.code == ExitCode.PUSH_REJECTED, done.err
    assert done.report["failure"]["step"] == "push"
    assert snapshot(ws.repo.path) == before
    assert refs(ws.origin)["refs/heads/main"] == git_out(other, "rev-parse", "HEAD")
    assert sorted(their_files) == files_of(FULL)
    assert len(ws.github.release_posts()) == 3
    # Pull their release, fix plugin, and the next release counts from theirs.
    ws.repo.git("pull", "-q", "--tags", "--ff-only", "origin", "main")
    ws.repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    monkeypatch.delenv(HOOK_ENV)

    nxt = ws.publish()

    assert nxt.code == ExitCode.OK, nxt.err
    assert nxt.report["packages"] == [{
        "name": "plugin", "version": "1.1.1", "tag": "plugin-v1.1.1",
        "previous_tag": "plugin-v1.1.0",
        "release_url": f"{ws.github.root}/octo/hello/releases/tag/plugin-v1.1.1",
    }]  # fmt: skip
    assert {k: v for k, v in ws.index_files().items() if k in their_files} == their_files
    assert sorted(ws.index_files()) == sorted([*their_files, *package_files("plugin", "1.1.1")])
    changelog = (ws.repo.path / "packages/plugin/CHANGELOG.md").read_text()
    assert changelog.index("## 1.1.1 ") < changelog.index("## 1.1.0 ")
    assert "plugin mends" in changelog.split("## 1.1.0 ")[0]


LOCKSTEP = 'linked = [["core", "plugin", "cli"]]\n\n[tool.autorelease.packages]\n' + "".join(
    f'{name} = {{ tag_format = "v{{version}}" }}\n' for name in ("core", "plugin", "cli")
)


@pytest.mark.slow
def test_a_lockstep_workspace_is_released_under_one_tag_with_one_github_release(
    ws: World,
) -> None:
    # pydantic-ai's layout: every package at one version, one v{version} tag for all of them.
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write(LOCKSTEP)  # [tool.autorelease] is the root's last table
    ws.repo.git("commit", "-q", "-am", "ci: one version for every package")
    ws.repo.git("tag", "-a", "v1.0.0", "-m", "Release 1.0.0", "HEAD^")
    ws.repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main", "v1.0.0")
    start = ws.repo.head()

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert git_out(ws.repo.path, "log", "-1", "--format=%s") == (
        "chore(release): core 1.0.1, plugin 1.0.1, cli 1.0.1"
    )
    assert git_out(ws.repo.path, "rev-parse", "HEAD^") == start
    assert new_tags(ws.origin) == ["v1.0.0", "v1.0.1"]  # one tag for the three
    assert git_out(ws.origin, "rev-parse", "v1.0.1^{}") == ws.repo.head()
    assert git_out(ws.repo.path, "tag", "-l", "--format=%(contents:subject)", "v1.0.1") == (
        "Release core 1.0.1, plugin 1.0.1, cli 1.0.1"
    )
    released = dict.fromkeys(("core", "plugin", "cli"), "1.0.1")
    on_index = ws.index_files()
    assert sorted(on_index) == files_of(released)
    (release,) = ws.github.releases.values()  # one GitHub release with every package's files
    assert release.tag_name == "v1.0.1"
    for name in ("core", "plugin", "cli"):  # and what changed in each
        assert f"**{name}**\n\n" in release.body
    assert "plugin mends" in release.body.partition("**plugin**")[2].partition("**cli**")[0]
    assert {a.name: sha256(a.data) for a in release.assets} == on_index
    assert [p["tag"] for p in done.report["packages"]] == ["v1.0.1"] * 3

    again = ws.publish()
    assert again.code == ExitCode.OK, again.err
    assert again.report["outcome"] == "already released"
    assert len(ws.github.release_posts()) == 1
    assert ws.index_files() == on_index


@pytest.mark.slow
def test_package_releases_its_linked_group_with_it(ws: World) -> None:
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write('linked = [["core", "plugin"]]\n')  # in [tool.autorelease], the last table
    ws.repo.git("commit", "-q", "-am", "ci: core and plugin share a version")
    ws.repo.commit("feat: plugin grows", ("packages/plugin/src/plugin/grow.py", "G = 1\n"))
    ws.repo.commit("fix: core mends", ("packages/core/src/core/mend.py", "M = 1\n"))
    ws.repo.commit("fix: cli mends", ("packages/cli/src/cli/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")

    done = ws.publish("--package", "core")

    assert done.code == ExitCode.OK, done.err
    assert [(p["name"], p["version"]) for p in done.report["packages"]] == [
        ("core", "1.1.0"),
        ("plugin", "1.1.0"),
    ]  # cli's own fix waits: its requirements admit both


# Two packages' settings that name one file (the second, version.py, named two ways).
ONE_FILE = {
    "changelog": (
        'core = { changelog_file = "../../CHANGES.md" }\n'
        'plugin = { changelog_file = "../../CHANGES.md" }\n',
        "CHANGES.md",
    ),
    "version-file-named-two-ways": (
        'core = { version_files = ["../../version.py"] }\n'
        'plugin = { version_files = ["../plugin/../../version.py"] }\n',
        "version.py",
    ),
}


@pytest.mark.parametrize("named", ONE_FILE)
def test_two_packages_writing_one_file_are_refused_before_anything_is_written(
    ws: World, named: str
) -> None:
    """packages/core/../../version.py and packages/plugin/../plugin/../../version.py are one
    file: core's 1.1.0 and plugin's 1.0.1 cannot both be written there."""
    table, name = ONE_FILE[named]
    if name == "version.py":
        ws.repo.write(name, '__version__ = "1.0.0"\n')
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write(f"\n[tool.autorelease.packages]\n{table}")
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-q", "-m", f"build: one {name} for core and plugin")
    ws.repo.commit("feat: core grows", ("packages/core/src/core/grow.py", "G = 1\n"))
    ws.repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/mend.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    before, origin = snapshot(ws.repo.path), refs(ws.origin)

    done = ws.publish()

    assert done.code == ExitCode.CONFIG, done.err
    assert done.error_lines == [
        f"autorelease: error: two packages of the workspace write {name} — give each "
        "package its own version files and changelog"
    ]
    assert (snapshot(ws.repo.path), refs(ws.origin)) == (before, origin)
    assert ws.index_files() == {}


@pytest.mark.slow
def test_a_killed_release_of_a_version_file_named_through_dots_is_undone_by_the_next(
    ws: World,
) -> None:
    """core's version.py is packages/core/../../version.py: git status names it version.py,
    and the next run knows it for the killed release's own file, not someone's change."""
    ws.repo.write("version.py", '__version__ = "1.0.0"\n')
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write(
            '\n[tool.autorelease.packages]\ncore = { version_files = ["../../version.py"] }\n'
        )
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-q", "-m", "build: core's version in version.py")
    ws.repo.commit("feat: core grows", ("packages/core/src/core/grow.py", "G = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    start = ws.repo.head()
    killed_run(ws, "add --")  # the files are written, not committed

    again = ws.publish()

    assert again.code == ExitCode.OK, again.err
    assert "undoing it" in again.err
    assert git_out(ws.repo.path, "rev-parse", "HEAD^") == start
    assert release_commits(ws.origin) == ["chore(release): core 1.1.0"]
    assert git_out(ws.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines() == [
        "packages/core/CHANGELOG.md",
        "packages/core/pyproject.toml",
        "version.py",
    ]
    assert git_out(ws.origin, "show", "core-v1.1.0:version.py") == '__version__ = "1.1.0"'
    assert git_out(ws.repo.path, "status", "--porcelain") == ""
    assert_no_record(ws)
