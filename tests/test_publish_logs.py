"""What a failed publish shows: the failing tool's own reason on stderr, all its output with
--verbose, its last lines in --report, and never a credential. Real build, twine, pypiserver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from autorelease.errors import ExitCode
from autorelease.publish.build import TAIL_LINES
from index_server import PASSWORD, FaultyProxy
from publish_world import HOOK_ENV, TOKEN, Published, World

pytest_plugins = ["index_server", "publish_world"]

# A build hook that prints a credential it should never have had, early enough in the build's
# output that only --verbose shows it, then fails quoting another.
LEAKY_HOOK = f"""\
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class RefusingHook(BuildHookInterface):
    def initialize(self, version, build_data):
        print("the hook starts", flush=True)
        print("leaked: {PASSWORD} {TOKEN}", flush=True)
        raise RuntimeError("this build hook refuses to build: {PASSWORD}")
"""
BROKEN_RST = "Title\n=====\n\n.. unknown-directive:: boom\n\n`unclosed\n"


def add_build_hook(w: World, hook: str) -> None:
    pyproject = (w.repo.path / "pyproject.toml").read_text()
    pyproject += '\n[tool.hatch.build.hooks.custom]\npath = "hatch_build.py"\n'
    w.repo.commit("build: a build hook", ("hatch_build.py", hook), ("pyproject.toml", pyproject))
    w.repo.git("push", "-q", "origin", "main")


def quoted(err: str) -> list[str]:
    """The lines of the failed tool's output that the error quotes, without their indent."""
    lines = err.splitlines()
    if "autorelease: the end of the failed tool's output:" not in lines:
        return []
    start = lines.index("autorelease: the end of the failed tool's output:") + 1
    return [line.removeprefix("  | ") for line in lines[start:] if line.startswith("  | ")]


def assert_no_secret(done: Published) -> None:
    for text in (done.err, json.dumps(done.report)):
        assert PASSWORD not in text
        assert TOKEN not in text


# --- a build that fails ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_failed_build_shows_the_end_of_its_output_and_reports_it(w: World) -> None:
    add_build_hook(w, LEAKY_HOOK)

    done = w.publish()

    assert done.code == ExitCode.BUILD_FAILED, done.err
    tail = quoted(done.err)
    assert 0 < len(tail) <= TAIL_LINES
    assert "RuntimeError: this build hook refuses to build: ***" in tail
    assert "refuses to build: ***" in done.error_lines[0]
    assert done.err.rstrip().splitlines()[-1] == done.error_lines[0]  # the error comes last
    assert "--verbose shows all of it" in done.error_lines[0]
    assert "autorelease: build | " not in done.err  # the debug log is for --verbose
    output = done.report["failure"]["output"]
    assert output.splitlines() == tail
    assert_no_secret(done)


@pytest.mark.slow
def test_verbose_streams_the_build_output_in_the_step(w: World) -> None:
    add_build_hook(w, LEAKY_HOOK)

    done = w.publish("--verbose")

    assert done.code == ExitCode.BUILD_FAILED, done.err
    lines = done.err.splitlines()
    started = lines.index("autorelease: [4] build ...")
    streamed = [i for i, line in enumerate(lines) if line.startswith("autorelease: build | ")]
    assert min(streamed, default=-1) > started
    assert len(streamed) > TAIL_LINES  # all of it, not its end
    assert "autorelease: build | the hook starts" in lines
    assert "autorelease: build | leaked: *** ***" in lines
    assert quoted(done.err) == []  # shown as it ran: not again
    assert "RuntimeError: this build hook refuses to build" in done.report["failure"]["output"]
    assert_no_secret(done)


@pytest.mark.slow
def test_a_readme_twine_check_rejects_shows_twines_reason(w: World) -> None:
    pyproject = (w.repo.path / "pyproject.toml").read_text().replace("text/markdown", "text/x-rst")
    w.repo.commit("docs: an rst readme", ("README.md", BROKEN_RST), ("pyproject.toml", pyproject))
    w.repo.git("push", "-q", "origin", "main")

    done = w.publish()

    assert done.code == ExitCode.BUILD_FAILED, done.err
    assert "twine check --strict rejected" in done.error_lines[0]
    reason = "`long_description` has syntax errors in markup"
    assert any(reason in line for line in quoted(done.err))
    assert any("FAILED" in line for line in quoted(done.err))  # twine's own words, not ours
    assert reason in done.report["failure"]["output"]

    verbose = w.publish("-v")

    assert any(
        line.startswith("autorelease: twine check | ") and reason in line
        for line in verbose.err.splitlines()
    )
    assert_no_secret(done)
    assert_no_secret(verbose)


# --- an upload the index refuses ------------------------------------------------------------------


@pytest.mark.slow
def test_refused_credentials_show_the_index_answer(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "Wr0ng-but-secret-pw"
    monkeypatch.setenv("TWINE_PASSWORD", wrong)

    done = w.publish()

    assert done.code == ExitCode.UPLOAD_FAILED, done.err
    assert "refused the upload credentials: 403" in done.error_lines[0]
    assert any("HTTPError: 403 Forbidden" in line for line in quoted(done.err))
    assert "403 Forbidden" in done.report["failure"]["output"]

    again = w.publish("--verbose")

    assert again.code == ExitCode.UPLOAD_FAILED, again.err
    assert "autorelease: twine upload | Uploading sample_pkg-1.1.0-py3-none-any.whl" in again.err
    assert "autorelease: twine upload | INFO     password: <hidden>" in again.err
    for text in (done.err, again.err, json.dumps(done.report), json.dumps(again.report)):
        assert wrong not in text
        assert PASSWORD not in text


@pytest.mark.slow
def test_a_rejected_reupload_shows_the_index_reason(faulty: tuple[World, FaultyProxy]) -> None:
    """An index whose pages lag says the files are missing; its upload says they exist (400)."""
    w, proxy = faulty
    assert w.publish().code == ExitCode.OK
    proxy.stale_gets = set(range(proxy.gets + 1, proxy.gets + 100))

    done = w.publish()

    assert done.code == ExitCode.UPLOAD_FAILED, done.err
    (line,) = done.error_lines
    assert "rejected the upload: 400 Bad Request" in line
    assert "twine's output above has the index's reason" in line
    reason = "Package &#039;sample_pkg-1.1.0-py3-none-any.whl&#039; already exists!"
    assert any(reason in quoted_line for quoted_line in quoted(done.err))
    assert reason in done.report["failure"]["output"]
    assert_no_secret(done)


# --- a failing test command -----------------------------------------------------------------------


def test_failing_tests_show_their_output_once_and_report_its_end(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"line {n}" for n in range(30)]
    said = " ".join(f"'{line}'" for line in lines)
    reason = "FAILED tests/test_x.py::test_y - AssertionError: boom"
    command = f"printf '%s\\n' {said} 'leaked {PASSWORD}'; echo '{reason}'; exit 1"
    monkeypatch.setenv(HOOK_ENV, command)

    done = w.publish()

    assert done.code == ExitCode.TESTS_FAILED, done.err
    assert done.err.count(reason) == 1  # as it ran, and not again after the error
    assert "line 0\n" in done.err  # all of it, without --verbose
    assert "leaked ***" in done.err
    assert done.err.index("autorelease: [3] tests ...") < done.err.index("line 0")
    assert "their output is above" in done.error_lines[0]
    output = done.report["failure"]["output"].splitlines()
    assert len(output) == TAIL_LINES
    assert output[-2:] == ["leaked ***", reason]
    assert_no_secret(done)


# --- progress while a step runs -------------------------------------------------------------------

# Prints a line, then waits for the test to answer it: only output that arrives while the step
# runs can be answered. Writes who released it, the answer or the deadline.
GATE = """\
import pathlib, sys, time
folder, name = pathlib.Path(sys.argv[1]), sys.argv[2]
print(f"{name}: waiting for an answer", flush=True)
deadline = time.monotonic() + 30
while not (folder / name).exists() and time.monotonic() < deadline:
    time.sleep(0.02)
(folder / f"{name}.released").write_text("answer" if (folder / name).exists() else "deadline")
"""
GATED_HOOK = """\
import subprocess, sys
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class GatedHook(BuildHookInterface):
    def initialize(self, version, build_data):
        subprocess.run([sys.executable, {gate!r}, {folder!r}, "build"], check=True)
        raise RuntimeError("stop here")
"""


@pytest.mark.slow
def test_the_tests_and_the_verbose_build_are_shown_while_they_run(w: World, tmp_path: Path) -> None:
    gate, folder = tmp_path / "gate.py", tmp_path / "answers"
    gate.write_text(GATE)
    folder.mkdir()
    add_build_hook(w, GATED_HOOK.format(gate=str(gate), folder=str(folder)))
    env = {**os.environ, HOOK_ENV: f"{sys.executable} {gate} {folder} tests"}

    with w.publish_process(w.repo.path, env, "--verbose") as run:
        output = list(answer_gates(run, folder))

    assert run.returncode == ExitCode.BUILD_FAILED, "".join(output)
    assert (folder / "tests.released").read_text() == "answer"
    assert (folder / "build.released").read_text() == "answer"


def answer_gates(run: subprocess.Popen[str], folder: Path) -> Iterator[str]:
    """The lines of RUN's output; a gate's line is answered as soon as it arrives."""
    assert run.stdout is not None
    for line in run.stdout:
        for name in ("tests", "build"):
            if f"{name}: waiting for an answer" in line:
                (folder / name).touch()
        yield line
