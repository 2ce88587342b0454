"""`autorelease publish` when things go wrong: before the push everything is undone; after it, a
re-run finishes exactly what is missing. Real git, pypiserver, build and twine; GitHub faked.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autorelease.errors import ExitCode
from conftest import git_out, refs, snapshot
from index_server import TWINE_POST_TRIES, FaultyProxy
from publish_world import HOOK_ENV, Published, World, interrupt_at, own_temp

pytest_plugins = ["index_server", "publish_world"]

WHEEL = "sample_pkg-1.1.0-py3-none-any.whl"
SDIST = "sample_pkg-1.1.0.tar.gz"
RACE_WAIT = 180  # seconds a race script waits for the other side before it declares no race
# A test command that says it has started, then waits for the test to let it go on. If the test
# never does, the race did not happen: it writes "missed" and fails (see assert_raced).
GATE = """\
import pathlib, sys, time
folder, wait = pathlib.Path(sys.argv[1]), float(sys.argv[2])
(folder / "started").touch()
deadline = time.monotonic() + wait
while not (folder / "go").exists():
    if time.monotonic() > deadline:
        (folder / "missed").write_text("the test never let the gated run go on")
        sys.exit("gate: nobody opened the gate: the race did not happen")
    time.sleep(0.02)
"""
# A test command that waits until N runs have reached it: both runs are past their checks. A run
# that waits in vain writes "missed" and fails (see assert_raced).
RENDEZVOUS = """\
import os, pathlib, sys, time
folder, count, wait = pathlib.Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
(folder / str(os.getpid())).touch()
deadline = time.monotonic() + wait
while len([p for p in folder.iterdir() if p.name.isdigit()]) < count:
    if time.monotonic() > deadline:
        (folder / "missed").write_text(f"run {os.getpid()} waited alone for {wait} s")
        sys.exit("rendezvous: the other run never came: the race did not happen")
    time.sleep(0.02)
"""


def assert_raced(folder: Path) -> None:
    """The race script in FOLDER saw the race it was written for; fail the test if not."""
    missed = folder / "missed"
    assert not missed.exists(), f"the race did not happen: {missed.read_text()}"


@pytest.mark.parametrize(
    ("name", "text", "args"), [("gate", GATE, []), ("rendezvous", RENDEZVOUS, ["2"])]
)
def test_a_race_that_does_not_happen_fails_the_test(
    tmp_path: Path, name: str, text: str, args: list[str]
) -> None:
    """Nobody opens the gate, nobody comes to the rendezvous: the script fails, and so does
    assert_raced, instead of the test carrying on as if the race had happened."""
    folder = tmp_path / name
    folder.mkdir()
    command = script(tmp_path, name, text, str(folder), *args, "0.2")
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert "the race did not happen" in proc.stderr
    with pytest.raises(AssertionError, match="the race did not happen: "):
        assert_raced(folder)


def script(tmp: Path, name: str, text: str, *args: str) -> str:
    """A shell command that runs TEXT as a Python script with ARGS."""
    path = tmp / f"{name}.py"
    path.write_text(text)
    return " ".join([sys.executable, str(path), *args])


def assert_completed(w: World, tag: str = "v1.1.0") -> None:
    """Origin, index and GitHub each hold the release exactly once, complete."""
    head = w.repo.head()
    assert refs(w.origin)["refs/heads/main"] == head
    assert git_out(w.origin, "rev-parse", f"{tag}^{{}}") == head
    assert git_out(w.origin, "log", "--format=%s", "main").count("chore(release)") == 1
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    release = w.github.release(tag)
    assert release is not None
    assert sorted(a.name for a in release.assets) == [WHEEL, SDIST]
    assert len(w.github.releases) == 1
    assert {a.state for a in release.assets} == {"uploaded"}


def assert_untouched(w: World, before: dict[str, object], origin_before: dict[str, str]) -> None:
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) == origin_before
    assert w.index_files() == {}
    assert w.github.releases == {}


# --- failures before the push: everything is undone ---------------------------------------------


def test_failing_tests_undo_the_release_commit_and_tag(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOOK_ENV, "exit 1")  # the sample's test command is eval "$HOOK"
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert done.code == ExitCode.TESTS_FAILED, done.err
    (line,) = done.error_lines
    assert "the tests failed (exit 1)" in line
    assert "undone: the local release commit and tag v1.1.0" in done.err
    assert done.report["failure"]["step"] == "tests"
    assert done.report["outcome"] == "failed"
    assert_untouched(w, before, origin_before)


HATCH_HOOK = """\
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class RefusingHook(BuildHookInterface):
    def initialize(self, version, build_data):
        raise RuntimeError("this build hook refuses to build")
"""


@pytest.mark.slow
def test_a_failing_build_undoes_the_release_commit_and_tag(w: World) -> None:
    pyproject = (w.repo.path / "pyproject.toml").read_text()
    pyproject += '\n[tool.hatch.build.hooks.custom]\npath = "hatch_build.py"\n'
    w.repo.commit(
        "build: a build hook", ("hatch_build.py", HATCH_HOOK), ("pyproject.toml", pyproject)
    )
    w.repo.git("push", "-q", "origin", "main")
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert done.code == ExitCode.BUILD_FAILED, done.err
    (line,) = done.error_lines
    assert "RuntimeError: this build hook refuses to build" in line
    assert done.report["failure"]["step"] == "build"
    assert_untouched(w, before, origin_before)


# Where Ctrl-C reaches a run before its push: a git call of each step (the seam is a `git` first
# on PATH that sends SIGINT to the run), or the test command itself; and the step it stops.
# ls-remote of the new tag after the build: only the last step's is made once the tag is local.
AFTER_BUILD = ("ls-remote --tags origin refs/tags/v1.1.0", '[ -n "$(git tag --list v1.1.0)" ]')
INTERRUPTS = {
    "check": ("fetch --quiet --no-tags", "true"),
    "commit": ("tag -a", "true"),
    "tests": None,
    "build": ("show -s --format=%ct", "true"),
    "after build": AFTER_BUILD,
}


def interrupt_before_the_push(w: World, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Ctrl-C in STEP (a key of INTERRUPTS) of the next publish run."""
    point = INTERRUPTS[step]
    if point is None:  # the test command's shell: its parent is autorelease
        monkeypatch.setenv(HOOK_ENV, "kill -INT $PPID; sleep 30")
    else:
        interrupt_at(w, monkeypatch, point[0], when=point[1])


@pytest.mark.parametrize("step", INTERRUPTS)
def test_an_interrupt_before_the_push_undoes_everything(
    w: World, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    interrupt_before_the_push(w, monkeypatch, step)
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert done.code == ExitCode.INTERRUPTED, done.err
    assert "autorelease: interrupted" in done.err
    assert done.report["outcome"] == "interrupted"
    assert done.report["failure"]["step"] == step
    assert_untouched(w, before, origin_before)


@pytest.mark.slow
def test_a_cancelled_job_sigterm_undoes_everything(w: World, tmp_path: Path) -> None:
    """CI cancels a job with SIGTERM: mid-tests, the local release commit and tag go away."""
    started = tmp_path / "tests-started"
    before, origin_before = snapshot(w.repo.path), refs(w.origin)
    env = {**os.environ, HOOK_ENV: f"touch {started}; exec sleep 60"}
    run = w.publish_process(w.repo.path, env)
    wait_for(started)
    assert "chore(release): 1.1.0" in git_out(w.repo.path, "log", "-1", "--format=%s")

    run.send_signal(signal.SIGTERM)
    output = run.communicate(timeout=60)[0]

    assert run.returncode == ExitCode.INTERRUPTED, output
    assert "undone: the local release commit and tag v1.1.0" in output
    assert_untouched(w, before, origin_before)


# A test process that leaves a grandchild behind, which keeps changing a tracked file.
WRITER = """\
import os, pathlib, signal, sys, time
target, pidfile, started = map(pathlib.Path, sys.argv[1:4])
if sys.argv[4] == "ignores-sigterm":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
pidfile.write_text(str(os.getpid()))
started.touch()
while True:
    with target.open("a") as out:
        out.write("written by a test process\\n")
    time.sleep(0.01)
"""


def alive(pid: int) -> bool:
    """PID is a process that runs (a zombie has ended: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["obeys-sigterm", "ignores-sigterm"])
def test_a_cancelled_job_ends_every_process_the_tests_started(
    w: World, tmp_path: Path, writer: str
) -> None:
    """SIGTERM mid-tests: the tests' whole process group ends before the rollback restores."""
    started, pidfile = tmp_path / "tests-started", tmp_path / "writer.pid"
    args = (str(w.repo.path / "README.md"), str(pidfile), str(started), writer)
    command = script(tmp_path, "writer", WRITER, *args)
    before, origin_before = snapshot(w.repo.path), refs(w.origin)
    env = {**os.environ, HOOK_ENV: f"{command} >/dev/null 2>&1 & wait"}
    run = w.publish_process(w.repo.path, env)
    wait_for(started)
    pid = int(pidfile.read_text())
    try:
        time.sleep(0.1)
        assert "written by a test process" in (w.repo.path / "README.md").read_text()

        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=60)[0]

        assert run.returncode == ExitCode.INTERRUPTED, output
        assert "undone: the local release commit and tag v1.1.0" in output
        assert not alive(pid)
        time.sleep(0.2)  # a survivor would have written again by now
        assert_untouched(w, before, origin_before)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_skipped_tests_are_announced_loudly(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_ENV, "exit 1")  # would fail, were it run
    interrupt_before_the_push(w, monkeypatch, "after build")
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish("--skip-tests")

    assert done.code == ExitCode.INTERRUPTED, done.err
    assert "WARNING: --skip-tests: the release is NOT tested by autorelease" in done.err
    tests = next(s for s in done.report["steps"] if s["name"] == "tests")
    assert (tests["status"], tests["detail"]) == ("skipped", "--skip-tests")
    assert_untouched(w, before, origin_before)


def test_an_index_that_cannot_be_read_stops_the_checks_before_anything_is_pushed(
    faulty: tuple[World, FaultyProxy],
) -> None:
    w, proxy = faulty
    proxy.down = True
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert done.code == ExitCode.INDEX_UNREADABLE, done.err
    (line,) = done.error_lines
    assert f"cannot read {proxy.url}simple/sample-pkg/: 500" in line
    assert "nothing was pushed or uploaded" in line
    assert done.report["failure"]["step"] == "check"
    assert proxy.posts == 0
    assert_untouched(w, before, origin_before)


# --- failures after the push: a re-run finishes the release -------------------------------------


# Ctrl-C just as the push ended (origin has the release; the run never heard back), and between
# the upload and the GitHub release (the index holds both files; the github step reads the
# release's contributors first): what the run says then.
AFTER_THE_PUSH = {
    "push": (
        "the push of v1.1.0 reached origin before the run stopped: the release is pushed; "
        "re-run `autorelease publish` to finish it"
    ),
    "github": "v1.1.0 is pushed; re-run `autorelease publish` to finish the release",
}


@pytest.mark.slow
@pytest.mark.parametrize("step", AFTER_THE_PUSH)
def test_an_interrupt_after_the_push_is_finished_by_a_rerun(
    w: World, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    if step == "push":
        interrupt_at(w, monkeypatch, "push --atomic", after=True)
    else:
        both = f'[ "$(ls {w.index.packages} | wc -l)" -ge 2 ]'
        interrupt_at(w, monkeypatch, "log --reverse", when=both)
    stopped = w.publish()
    assert stopped.code == ExitCode.INTERRUPTED, stopped.err
    assert stopped.report["failure"]["step"] == step
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == w.repo.head()  # pushed, not undone
    assert w.github.releases == {}
    assert AFTER_THE_PUSH[step] in stopped.err
    assert "undone" not in stopped.err

    again = w.publish()

    assert again.code == ExitCode.OK, again.err
    assert "v1.1.0 is tagged here: finishing what is missing" in again.err
    assert_completed(w)
    steps = {s["name"]: s for s in again.report["steps"]}
    assert steps["push"]["detail"] == "already on the remote"
    sent = "sent 0, already there 2" if step == "github" else "sent 2, already there 0"
    assert steps["upload"]["detail"].startswith(sent)
    assert again.report["previous_tag"] == "v1.0.0"


@pytest.mark.slow
def test_an_index_failing_mid_upload_is_finished_by_a_rerun(
    faulty: tuple[World, FaultyProxy],
) -> None:
    w, proxy = faulty
    # The wheel goes first and gets through; the sdist then fails every try (twine sends each
    # file up to TWINE_POST_TRIES times, and autorelease runs twine three times).
    failing = range(2, 2 + 3 * TWINE_POST_TRIES)
    proxy.fail_posts = set(failing)

    failed = w.publish()

    assert failed.code == ExitCode.UPLOAD_FAILED, failed.err
    assert failed.report["failure"]["step"] == "upload"
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == w.repo.head()
    assert sorted(w.index_files()) == [WHEEL]
    assert w.github.releases == {}
    wheel_sha = w.index_files()[WHEEL]

    again = w.publish()

    assert again.code == ExitCode.OK, again.err
    assert_completed(w)
    assert proxy.posts == len(failing) + 2  # the wheel once, the sdist once more: no duplicate
    assert w.index_files()[WHEEL] == wheel_sha  # the rebuilt wheel is the same file
    upload = next(s for s in again.report["steps"] if s["name"] == "upload")
    assert upload["detail"].startswith("sent 1, already there 1")


@pytest.mark.slow
def test_github_failures_are_finished_by_reruns(w: World) -> None:
    refused = {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "custom", "field": "body"}],
    }
    w.github.fail("POST", r"/releases$", status=422, body=refused)

    first = w.publish()

    assert first.code == ExitCode.GITHUB_FAILED, first.err
    (line,) = first.error_lines
    assert "422 Validation Failed (Release body custom)" in line
    assert first.report["failure"]["step"] == "github"
    assert w.github.releases == {}
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    # Next, GitHub answers 500 to every try of the wheel: the sdist is attached, the wheel not.
    pattern = rf"/releases/\d+/assets\?(.*&)?name={re.escape(WHEEL)}(&|$)"
    w.github.fail("POST", pattern, status=500, times=3)

    second = w.publish()

    assert second.code == ExitCode.GITHUB_FAILED, second.err
    release = w.github.release("v1.1.0")
    assert release is not None
    assert [a.name for a in release.assets] == [SDIST]

    third = w.publish()

    assert third.code == ExitCode.OK, third.err
    assert_completed(w)
    assert len(w.github.asset_posts(SDIST)) == 1
    assert len(w.github.asset_posts(WHEEL)) == 4  # three refused, then the one that worked
    assert len(w.github.release_posts()) == 2  # refused once, made once


# --- the build directory: removed when the run ends, unless a failure after the push needs it ---


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR: a folder of the test's own, where the build directory goes (the world's)."""
    return own_temp(tmp_path, monkeypatch)


def build_dirs(temp: Path) -> list[Path]:
    return sorted(temp.glob("autorelease-dist-*"))


@pytest.mark.slow
@pytest.mark.parametrize("stop", [False, True], ids=["released", "interrupted-before-push"])
def test_the_build_directory_is_removed_when_the_run_ends(
    w: World, temp: Path, monkeypatch: pytest.MonkeyPatch, stop: bool
) -> None:
    if stop:
        interrupt_before_the_push(w, monkeypatch, "after build")

    done = w.publish()

    assert done.code == (ExitCode.INTERRUPTED if stop else ExitCode.OK), done.err
    assert "building sdist and wheel of" in done.err
    assert str(temp) in done.err  # it was built there ...
    assert build_dirs(temp) == []  # ... and nothing of it is left
    assert "the built files stay in" not in done.err


@pytest.mark.slow
def test_a_failed_upload_keeps_the_built_files_and_says_where(
    faulty: tuple[World, FaultyProxy], temp: Path
) -> None:
    w, proxy = faulty
    proxy.fail_posts = set(range(1, 1 + 3 * TWINE_POST_TRIES))

    failed = w.publish()

    assert failed.code == ExitCode.UPLOAD_FAILED, failed.err
    (kept,) = build_dirs(temp)
    assert sorted(p.name for p in kept.iterdir()) == [WHEEL, SDIST]
    assert f"autorelease: the built files stay in {kept}: the files of the pushed release" in (
        failed.err
    )
    assert failed.report["failure"]["dist_dir"] == str(kept)

    again = w.publish()

    assert again.code == ExitCode.OK, again.err
    assert build_dirs(temp) == [kept]  # the re-run built in a directory of its own, removed


# --- races: the remote is the lock --------------------------------------------------------------


def released_meanwhile(
    w: World, other: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Published:
    """Our publish, held in its tests while a run in the clone OTHER releases and pushes
    (successfully); then ours goes on. Returns what ours did."""
    gate = tmp_path / "gate"
    gate.mkdir()
    monkeypatch.setenv(HOOK_ENV, script(tmp_path, "gate", GATE, str(gate), str(RACE_WAIT)))
    results: list[Published] = []
    ours = threading.Thread(target=lambda: results.append(w.publish()))
    ours.start()
    try:
        wait_for(gate / "started")  # our run is past its checks, running its tests
        env = {k: v for k, v in os.environ.items() if k != HOOK_ENV}
        theirs = w.publish_process(other, env | machine_dates(1))
        out, _ = theirs.communicate(timeout=RACE_WAIT - 30)
        assert theirs.returncode == ExitCode.OK, out
    finally:
        (gate / "go").touch()
        ours.join(timeout=RACE_WAIT)
    assert_raced(gate)
    (done,) = results
    return done


@pytest.mark.slow
def test_a_release_made_elsewhere_meanwhile_rejects_the_push(
    w: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = w.clone("other")
    before, origin_before = snapshot(w.repo.path), refs(w.origin)
    done = released_meanwhile(w, other, monkeypatch, tmp_path)
    their_files = w.index_files()

    assert done.code == ExitCode.PUSH_REJECTED, done.err
    (line,) = done.error_lines
    assert "origin rejected the release push of v1.1.0" in line
    assert "git pull --tags origin main and run autorelease publish again" in line
    assert done.report["failure"]["step"] == "push"
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) != origin_before
    assert refs(w.origin)["refs/heads/main"] == git_out(other, "rev-parse", "HEAD")
    assert sorted(their_files) == [WHEEL, SDIST]
    assert len(w.github.release_posts()) == 1
    # Pull their release as the hint says, add a fix, and the next release follows theirs.
    w.repo.git("pull", "-q", "--tags", "--ff-only", "origin", "main")
    w.repo.commit("fix: greet politely", ("src/sample_pkg/greet.py", "def greet(n): ...\n"))
    w.repo.git("push", "-q", "origin", "main")
    monkeypatch.delenv(HOOK_ENV)

    nxt = w.publish()

    assert nxt.code == ExitCode.OK, nxt.err
    assert (nxt.report["version"], nxt.report["previous_tag"]) == ("1.1.1", "v1.1.0")
    files = w.index_files()
    assert {k: v for k, v in files.items() if "1.1.0" in k} == their_files
    assert sorted(files) == sorted([*their_files, "sample_pkg-1.1.1-py3-none-any.whl",
                                    "sample_pkg-1.1.1.tar.gz"])  # fmt: skip
    changelog = (w.repo.path / "CHANGELOG.md").read_text()
    assert changelog.index("## 1.1.1 ") < changelog.index("## 1.1.0 ")
    assert "greet politely" in changelog.split("## 1.1.0 ")[0]
    assert sorted(t for t in refs(w.origin) if "tags" in t) == [
        "refs/tags/v1.0.0",
        "refs/tags/v1.1.0",
        "refs/tags/v1.1.1",
    ]


def machine_dates(n: int) -> dict[str, str]:
    """Commit and tag dates for machine N: two runs in one second make *identical* commits."""
    date = f"@{1_700_100_000 + 1000 * n} +0000"
    return {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}


@pytest.mark.slow
@pytest.mark.parametrize("identical", [False, True], ids=["own-commits", "identical-commits"])
def test_two_runs_at_the_same_moment_make_one_release(
    w: World, tmp_path: Path, identical: bool
) -> None:
    other = w.clone("other")
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    hook = script(tmp_path, "rendezvous", RENDEZVOUS, str(meeting), "2", str(RACE_WAIT))
    clones = [w.repo.path, other]
    befores = {path: snapshot(path) for path in clones}
    runs = []
    for n, path in enumerate(clones):
        env = {**os.environ, HOOK_ENV: hook, **machine_dates(0 if identical else n)}
        runs.append(w.publish_process(path, env))
    outputs = [run.communicate(timeout=2 * RACE_WAIT)[0] for run in runs]
    codes = [run.returncode for run in runs]
    assert_raced(meeting)

    winner, loser = (0, 1) if codes[0] == ExitCode.OK else (1, 0)
    if identical:
        # The same release commit and tag, byte for byte: the second push has nothing to add
        # (or loses the ref race), and that run finishes the one release or is rejected.
        assert codes[winner] == ExitCode.OK, outputs
        assert codes[loser] in (ExitCode.OK, ExitCode.PUSH_REJECTED), outputs
    else:
        assert sorted(codes) == [ExitCode.OK, ExitCode.PUSH_REJECTED], outputs
        assert "rejected the release push of v1.1.0" in outputs[loser]
        assert snapshot(clones[loser]) == befores[clones[loser]]
    assert refs(w.origin)["refs/heads/main"] == git_out(clones[winner], "rev-parse", "HEAD")
    assert git_out(w.origin, "log", "--format=%s", "main").count("chore(release)") == 1
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    assert len(w.github.releases) == 1
    # Two runs of the identical release may both ask GitHub to create it: the second gets 422
    # and adopts the release the first made. Either way there is one release, two assets.
    assert len(w.github.release_posts()) in ((1, 2) if identical else (1,))
    release = w.github.release("v1.1.0")
    assert release is not None
    assert sorted(a.name for a in release.assets) == [WHEEL, SDIST]


@pytest.mark.slow
def test_four_identical_runs_report_one_release_and_what_each_sent_and_found(
    faulty: tuple[World, FaultyProxy], tmp_path: Path
) -> None:
    """Four clones make byte-identical release commits; one releases, three find it done."""
    w, proxy = faulty
    clones = [w.repo.path, *(w.clone(f"other{n}") for n in range(1, 4))]
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    count = str(len(clones))
    hook = script(tmp_path, "rendezvous", RENDEZVOUS, str(meeting), count, str(RACE_WAIT))
    runs = []
    for n, path in enumerate(clones):
        env = {**os.environ, HOOK_ENV: hook, **machine_dates(0)}
        env["GITHUB_OUTPUT"] = str(tmp_path / f"output-{n}")
        runs.append(w.publish_process(path, env, "--report", str(tmp_path / f"report-{n}.json")))
    outputs = [run.communicate(timeout=2 * RACE_WAIT)[0] for run in runs]
    assert_raced(meeting)

    finished = []
    for n, run in enumerate(runs):
        # A push that lost the race for the ref lock, before the winner's refs were readable,
        # is refused honestly; every other run finishes.
        assert run.returncode in (ExitCode.OK, ExitCode.PUSH_REJECTED), outputs[n]
        if run.returncode == ExitCode.OK:
            report = json.loads((tmp_path / f"report-{n}.json").read_text())
            finished.append((report, (tmp_path / f"output-{n}").read_text(), outputs[n]))
    outcomes = sorted(report["outcome"] for report, _, _ in finished)
    assert outcomes == ["already released by another run"] * (len(finished) - 1) + ["released"]
    for report, github_output, output in finished:
        mine = report["outcome"] == "released"
        assert f"released={str(mine).lower()}" in github_output.splitlines()
        assert f"outcome={report['outcome']}" in github_output.splitlines()
        push = next(s for s in report["steps"] if s["name"] == "push")
        assert ("pushed by another run" in push["detail"]) is not mine, push
        if not mine:
            assert "autorelease: already released by another run: 1.1.0 (v1.1.0)" in output
            assert "what this run found and did: push done:" in output
    # What the runs say they sent is what the index accepted: nobody claims another's upload.
    sent = [upload_sent(report) for report, _, _ in finished]
    assert sum(sent) == proxy.accepted >= 2, sent
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    assert git_out(w.origin, "log", "--format=%s", "main").count("chore(release)") == 1
    assert len(w.github.releases) == 1
    release = w.github.release("v1.1.0")
    assert release is not None
    assert sorted(a.name for a in release.assets) == [WHEEL, SDIST]
    created = [r for r, _, _ in finished if not github_found(r)]
    assert len(created) <= 1  # at most one run says it made the GitHub release


def upload_sent(report: dict[str, Any]) -> int:
    upload = next(s for s in report["steps"] if s["name"] == "upload")
    match = re.match(r"sent (\d+), already there (\d+)", upload["detail"])
    assert match, upload
    return int(match[1])


def github_found(report: dict[str, Any]) -> bool:
    step = next(s for s in report["steps"] if s["name"] == "github")
    return "(found there;" in step["detail"]


def wait_for(path: Path, timeout: float = RACE_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
