"""`autorelease publish` killed outright (SIGKILL: an OOM killer, a CI runner) at each step.

No cleanup code runs after SIGKILL, so the next `autorelease publish` must finish the release or
undo the killed run's own unfinished work by itself, and then release: one release commit per
version on origin, ever, with a changelog planned on the remote branch as it is now. The seam
is a `git` first on PATH that kills its parent (autorelease) at a chosen call, then runs the
real git: nothing in autorelease knows about it. Real git, pypiserver, build and twine; GitHub
faked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from autorelease.errors import ExitCode
from conftest import git_out, refs
from publish_world import HOOK_ENV, Published, World, git_killer
from test_publish_faults import SDIST, WHEEL, assert_completed, wait_for

pytest_plugins = ["index_server", "publish_world"]

UNDOING = "found an unfinished release of 1.1.0 (not pushed): undoing it"
FINISHING = "v1.1.0 is tagged here: finishing what is missing"


def killed_run(w: World, match: str, *args: str, after: bool = False, when: str = "true") -> None:
    """`autorelease publish ARGS` in its own process, killed by the git wrapper at MATCH."""
    wrapper = w.tmp / "killer"
    fired = git_killer(wrapper, match, after=after, when=when)
    output = killed(w, {"PATH": f"{wrapper}{os.pathsep}{os.environ['PATH']}"}, *args)
    assert fired.exists(), output


def killed(w: World, env: dict[str, str], *args: str, pid_file: Path | None = None) -> str:
    """`autorelease publish ARGS` in its own process with ENV, which something kills."""
    run = w.publish_process(w.repo.path, {**os.environ, **env}, *args)
    if pid_file is not None:
        pid_file.write_text(str(run.pid))
    output = run.communicate(timeout=120)[0]
    assert run.returncode == -signal.SIGKILL, output
    return output


def status(w: World) -> list[str]:
    """`git status --porcelain` lines (git_out would strip the first one's leading blank)."""
    argv = ["git", "status", "--porcelain", "--untracked-files=all"]
    proc = subprocess.run(argv, cwd=w.repo.path, capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


def release_commits(path: Path, rev: str = "main") -> list[str]:
    return [s for s in git_out(path, "log", "--format=%s", rev).splitlines() if "(release)" in s]


def assert_no_record(w: World) -> None:
    record = git_out(w.repo.path, "rev-parse", "--git-path", "autorelease")
    assert not (w.repo.path / record).exists() or not any((w.repo.path / record).iterdir())


def rerun(w: World, expected: str) -> Published:
    again = w.publish()
    assert again.code == ExitCode.OK, again.err
    assert expected in again.err
    assert_completed(w)
    assert status(w) == []
    assert_no_record(w)
    return again


# The git calls at which the killed run dies, from the first file written to the last step.
BEFORE_THE_PUSH = {
    "files-written": "add --",  # the files are written, not added
    "added": "commit --no-verify",  # added, not committed
    "committed": "tag -a",  # the release commit made, not tagged
    "tested": "show -s --format=%ct",  # tagged and tested, about to build
    "built": "push --atomic",  # built, about to push
}


@pytest.mark.slow
@pytest.mark.parametrize("point", BEFORE_THE_PUSH)
def test_a_run_killed_before_its_push_is_undone_and_released_by_the_next(
    w: World, point: str
) -> None:
    killed_run(w, BEFORE_THE_PUSH[point])
    if point == "files-written":
        assert "?? CHANGELOG.md" in status(w)  # a file the release creates, still untracked
    elif point == "added":
        assert "A  CHANGELOG.md" in status(w)
    else:  # the record of the unfinished release is in .git, not in the work tree
        assert status(w) == []
        assert release_commits(w.repo.path)[:1] == ["chore(release): 1.1.0"]
    assert release_commits(w.origin) == []
    assert w.index_files() == {}

    again = rerun(w, UNDOING)

    assert again.report["previous_tag"] == "v1.0.0"
    assert release_commits(w.repo.path) == ["chore(release): 1.1.0"]


@pytest.mark.slow
@pytest.mark.parametrize("point", ["files-written", "added"])
def test_a_killed_release_of_files_named_with_dots_is_undone_by_the_next(
    w: World, point: str
) -> None:
    """`./CHANGELOG.md` and `src/../src/...`: git names them CHANGELOG.md and src/..., and so
    must the record of the unfinished release, or the next run takes them for the user's own
    changes (exit 20) and leaves the created changelog behind."""
    pyproject = (w.repo.path / "pyproject.toml").read_text()
    dotted = pyproject.replace(
        '"src/sample_pkg/__init__.py:', '"src/../src/sample_pkg/__init__.py:'
    )
    dotted += 'changelog_file = "./CHANGELOG.md"\n'
    w.repo.commit("chore: name the files with dots", ("pyproject.toml", dotted))
    w.repo.git("push", "-q", "origin", "main")
    killed_run(w, BEFORE_THE_PUSH[point])
    assert any(line.endswith(" CHANGELOG.md") for line in status(w))

    rerun(w, UNDOING)

    assert release_commits(w.repo.path) == ["chore(release): 1.1.0"]


@pytest.mark.slow
def test_a_run_killed_during_its_tests_is_undone_and_released_by_the_next(w: World) -> None:
    killed(w, {HOOK_ENV: "kill -9 $PPID"})  # the test command kills autorelease
    assert git_out(w.repo.path, "tag", "--list", "v1.1.0") == "v1.1.0"
    assert release_commits(w.origin) == []

    rerun(w, UNDOING)


# A post-receive hook that kills autorelease: origin has taken the refs, git push goes on.
KILLING_HOOK = """#!/bin/sh
kill -9 "$(cat '{pid_file}')"
"""


@pytest.mark.slow
def test_a_run_killed_during_its_push_is_finished_by_the_next(w: World, tmp_path: Path) -> None:
    pid_file = tmp_path / "autorelease.pid"
    hook = w.origin / "hooks" / "post-receive"
    hook.write_text(KILLING_HOOK.format(pid_file=pid_file))
    hook.chmod(0o755)
    killed(w, {}, pid_file=pid_file)
    hook.unlink()
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == w.repo.head()

    rerun(w, FINISHING)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["pushed", "uploaded"])
def test_a_run_killed_after_its_push_is_finished_by_the_next(
    w: World, point: str, tmp_path: Path
) -> None:
    if point == "pushed":  # origin took the release; autorelease never heard back
        killed_run(w, "push --atomic", after=True)
    else:  # the index holds both files; the GitHub release was next (its contributors first)
        assert w.index.packages is not None
        both = f'[ "$(ls {w.index.packages} | wc -l)" -ge 2 ]'
        killed_run(w, "log --reverse", when=both)
        assert sorted(w.index_files()) == [WHEEL, SDIST]
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == w.repo.head()

    again = rerun(w, FINISHING)

    assert UNDOING not in again.err
    sent = "sent 0, already there 2" if point == "uploaded" else "sent 2, already there 0"
    upload = next(s for s in again.report["steps"] if s["name"] == "upload")
    assert upload["detail"].startswith(sent)


@pytest.mark.slow
def test_a_killed_release_is_planned_again_on_a_fix_pushed_meanwhile(w: World) -> None:
    killed_run(w, "push --atomic")  # tagged, tested, built; not pushed
    assert git_out(w.repo.path, "tag", "--list", "v1.1.0") == "v1.1.0"
    colleague = w.clone("colleague")
    (colleague / "src/sample_pkg/greet.py").write_text("def greet(n): ...\n")
    subprocess.run(["git", "commit", "-qam", "fix: greet politely"], cwd=colleague, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=colleague, check=True)
    fix = git_out(colleague, "rev-parse", "HEAD")

    rerun(w, UNDOING)

    assert release_commits(w.origin) == ["chore(release): 1.1.0"]
    assert git_out(w.origin, "rev-parse", "main^") == fix
    released = git_out(w.origin, "show", "v1.1.0:CHANGELOG.md")
    assert "greet politely" in released.split("## 1.1.0")[1]
    assert "greet people" in released.split("## 1.1.0")[1]


@pytest.mark.slow
def test_other_changes_beside_a_killed_release_are_never_touched(w: World) -> None:
    killed_run(w, "add --")
    ours = sorted(status(w))
    (w.repo.path / "README.md").write_text("my own edit\n")

    refused = w.publish()

    assert refused.code == ExitCode.DIRTY_TREE, refused.err
    (line,) = refused.error_lines
    assert line == (
        "autorelease: error: the working tree has uncommitted changes (README.md) besides the "
        "files of an unfinished release of 1.1.0 — stash only those (git stash push -u -- "
        "README.md) and run again: autorelease undoes its own"
    )
    assert sorted(status(w)) == sorted([*ours, " M README.md"])
    w.repo.git("stash", "push", "-q", "-u", "--", "README.md")

    rerun(w, UNDOING)

    w.repo.git("stash", "pop", "-q")
    assert (w.repo.path / "README.md").read_text() == "my own edit\n"


@pytest.mark.slow
def test_a_killed_local_only_release_is_undone_and_made_again(w: World) -> None:
    local_only = ("--no-push", "--no-upload", "--no-github")
    killed_run(w, "tag -a", *local_only)
    origin_before = refs(w.origin)

    again = w.publish(*local_only)

    assert again.code == ExitCode.OK, again.err
    assert UNDOING in again.err
    assert release_commits(w.repo.path) == ["chore(release): 1.1.0"]
    assert git_out(w.repo.path, "rev-parse", "v1.1.0^{}") == w.repo.head()
    assert status(w) == []
    assert_no_record(w)  # the local release is the finished one: the next run keeps it
    assert refs(w.origin) == origin_before


@pytest.mark.slow
def test_commits_made_on_a_killed_release_are_left_alone(w: World) -> None:
    killed_run(w, "tag -a")  # the release commit made, not tagged
    w.repo.commit("docs: a note", ("NOTE.md", "note\n"))
    head = w.repo.head()

    done = w.publish()

    assert done.code == ExitCode.NOT_UP_TO_DATE, done.err
    assert (
        "the record of an unfinished release of 1.1.0 no longer matches main (commits were "
        "made since): left as it is"
    ) in done.err
    assert w.repo.head() == head
    assert release_commits(w.repo.path) == ["chore(release): 1.1.0"]
    assert release_commits(w.origin) == []
    assert_no_record(w)


# A post-receive hook that says it started, then waits: origin has accepted the refs by then.
SLOW_HOOK = """#!/bin/sh
: > "{started}"
i=0
while [ ! -e "{go}" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
"""


@pytest.mark.slow
def test_sigterm_during_a_push_that_arrived_keeps_the_release(w: World, tmp_path: Path) -> None:
    started, go = tmp_path / "hook-started", tmp_path / "hook-go"
    hook = w.origin / "hooks" / "post-receive"
    hook.write_text(SLOW_HOOK.format(started=started, go=go))
    hook.chmod(0o755)
    run = w.publish_process(w.repo.path, dict(os.environ))
    try:
        wait_for(started)
        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=60)[0]
    finally:
        go.touch()

    assert run.returncode == ExitCode.INTERRUPTED, output
    assert (
        "the push of v1.1.0 reached origin before the run stopped: the release is pushed; "
        "re-run `autorelease publish` to finish it"
    ) in output
    assert "undone" not in output
    head = w.repo.head()
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == head == refs(w.origin)["refs/heads/main"]
    assert git_out(w.repo.path, "rev-parse", "v1.1.0^{}") == head
    assert w.index_files() == {}

    rerun(w, FINISHING)


@pytest.mark.slow
def test_status_and_the_dry_run_warn_of_a_killed_release_the_next_run_undoes(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from autorelease.cli.main import main

    killed_run(w, "tag -a", after=True)  # the release commit and tag made, not pushed
    capsys.readouterr()
    note = (
        "a release of 1.1.0 (v1.1.0) was begun in this clone and not pushed (the run was "
        "killed): `autorelease publish` undoes it first, or finishes it if its push arrived"
    )

    assert main(["-C", str(w.repo.path), "status"]) == ExitCode.OK
    assert capsys.readouterr().out.endswith(f"HEAD released  yes\nWarning        {note}\n")
    assert main(["-C", str(w.repo.path), "--dry-run", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["warnings"] == [note]

    rerun(w, UNDOING)
    assert main(["-C", str(w.repo.path), "status", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["warnings"] == []
