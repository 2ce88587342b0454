"""autorelease.process, the one process runner, with real processes (sh and this Python)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from autorelease import process


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_captured_returns_both_streams_and_the_exit_status(tmp_path: Path) -> None:
    code = "import os, sys; print(os.getcwd()); print(sys.stdin.read(), 'é', file=sys.stderr)"
    code += "; sys.exit(3)"
    done = process.captured(python(code), cwd=tmp_path, input="given")

    assert (done.returncode, done.stdout, done.stderr) == (3, f"{tmp_path}\n", "given é\n")


def test_captured_replaces_bytes_that_are_not_utf8() -> None:
    done = process.captured(python("import sys; sys.stdout.buffer.write(b'a\\xff\\n')"))
    assert done.stdout == "a\ufffd\n"


def test_the_environment_is_the_one_given() -> None:
    env = {"PATH": os.environ["PATH"], "ONLY_THIS": "1"}
    done = process.captured(["sh", "-c", "env"], env=env)
    assert "ONLY_THIS=1" in done.stdout.splitlines()
    assert "HOME=" not in done.stdout


def test_a_missing_program_raises() -> None:
    with pytest.raises(FileNotFoundError):
        process.captured(["autorelease-no-such-program"])
    with pytest.raises(FileNotFoundError):
        process.streamed(["autorelease-no-such-program"], print)


def test_streamed_hands_on_each_line_as_it_arrives() -> None:
    code = (
        "import sys, time\n"
        "print('one', flush=True); print('two\\r', file=sys.stderr, flush=True)\n"
        "time.sleep(0.5); sys.stdout.write('three'); sys.exit(4)"
    )
    seen: list[tuple[str, float]] = []
    end = process.streamed(python(code), lambda line: seen.append((line, time.monotonic())))

    finished = time.monotonic()
    assert end == process.Streamed(4, timed_out=False)
    assert [line for line, _ in seen] == ["one", "two", "three"]
    assert seen[1][1] < finished - 0.4  # stderr's line came before the process ended


def test_a_shell_command_is_a_string_and_has_no_stdin(tmp_path: Path) -> None:
    lines: list[str] = []
    end = process.streamed("echo $0 in $(pwd); cat; echo read", lines.append, cwd=tmp_path)
    assert end.returncode == 0
    assert lines == [f"/bin/sh in {tmp_path}", "read"]


def test_a_process_out_of_time_is_killed() -> None:
    started = time.monotonic()
    end = process.streamed(
        python("import time; print('x', flush=True); time.sleep(30)"), print, timeout=0.5
    )
    assert end.timed_out
    assert end.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 10


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_its_own_group_ends_with_it(tmp_path: Path) -> None:
    """A process left behind in the background, even one that ignores SIGTERM, is ended."""
    pidfile = tmp_path / "pid"
    left = f"trap '' TERM; echo $$ > {pidfile}; exec sleep 60"
    end = process.streamed(
        f'sh -c "{left}" & while [ ! -s {pidfile} ]; do sleep 0.01; done', print, own_group=True
    )

    pid = int(pidfile.read_text())
    try:
        assert end.returncode == 0
        assert not alive(pid)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_without_a_group_an_interrupt_kills_the_process(tmp_path: Path) -> None:
    """Ctrl-C while a tool runs (here as its first line arrives): the tool does not outlive it."""
    pidfile = tmp_path / "pid"

    def interrupt(line: str) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        process.streamed(["sh", "-c", f"echo $$ > {pidfile}; echo; exec sleep 60"], interrupt)
    assert not alive(int(pidfile.read_text()))


def test_an_interrupt_while_a_process_starts_waits_until_the_process_is_held() -> None:
    """Ctrl-C inside Popen() would leave the child running with nothing to end it: streamed
    notes the signal while the child starts, and raises for it once it holds the child (the
    rare window a test command that interrupts its parent at once can hit)."""
    before = signal.getsignal(signal.SIGINT)
    with process._interrupts_deferred() as caught:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # a signal is handled between two bytecodes: long past here
    assert caught == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


class InterruptedWhileStarting(subprocess.Popen):  # type: ignore[type-arg]
    """The real Popen, with a Ctrl-C arriving as it returns: the window in which a test command
    that interrupts its parent at once (`kill -INT $PPID`) lands now and then."""

    started: ClassVar[list[subprocess.Popen[bytes]]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-overload]
        InterruptedWhileStarting.started.append(self)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs between two bytecodes: long before here


STARTS: dict[str, Callable[[], object]] = {
    "captured": lambda: process.captured(["sleep", "60"], input=""),
    "streamed": lambda: process.streamed(["sleep", "60"], print),
    "streamed in a group": lambda: process.streamed(["sleep", "60"], print, own_group=True),
}


@pytest.mark.parametrize("runner", STARTS)
def test_an_interrupt_as_a_process_starts_ends_it_and_closes_its_pipes(
    monkeypatch: pytest.MonkeyPatch, runner: str
) -> None:
    """Each pipe left open would be a ResourceWarning; a child left running, an orphan."""
    InterruptedWhileStarting.started.clear()
    monkeypatch.setattr(subprocess, "Popen", InterruptedWhileStarting)

    with pytest.raises(KeyboardInterrupt):
        STARTS[runner]()

    [proc] = InterruptedWhileStarting.started
    assert proc.returncode is not None  # ended and reaped
    pipes = [proc.stdin, proc.stdout, proc.stderr]
    assert all(pipe.closed for pipe in pipes if pipe is not None)


def test_piped_gives_binary_pipes() -> None:
    proc = process.piped(
        python("import sys; sys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])")
    )
    out, err = proc.communicate(b"abc")
    assert (proc.returncode, out, err) == (0, b"cba", b"")
    assert isinstance(proc, subprocess.Popen)
