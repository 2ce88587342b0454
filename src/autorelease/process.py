"""The one place autorelease starts a process: git, build, twine and the project's tests.

Like pre-commit's `cmd_output` and build's runner: `captured` runs a command to its end and
returns what it wrote; `streamed` hands each line of its merged output to a callback as it
arrives; `piped` starts one for a caller that streams raw bytes (git log). The caller gives the
environment (git's own, or one without credentials). Tests put a program of the same name first
on PATH to make a step fail, hang or be interrupted: nothing here knows about tests.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NamedTuple

OnLine = Callable[[str], None]
_GRACE = 2.0  # seconds a process group gets after SIGTERM, and a reader after its process ended


def captured(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ARGS to its end: exit status, stdout and stderr as UTF-8 (bad bytes replaced).

    Raises FileNotFoundError when the program is not installed; never for a failed exit. An
    interrupt kills the program and waits for it before it goes on: subprocess.run waits a
    quarter of a second only, and would leave an unreaped child behind.
    """
    stdin = subprocess.PIPE if input is not None else None
    proc = None
    try:
        with _interrupts_deferred() as interrupted:
            proc = subprocess.Popen(
                list(args), cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                encoding="utf-8", errors="replace", env=_env(env),
            )  # fmt: skip
        if interrupted:
            raise KeyboardInterrupt
        stdout, stderr = proc.communicate(input)
    except BaseException:
        if proc is not None:
            with proc:  # closes its pipes, and waits for it
                proc.kill()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def piped(
    args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ARGS with binary pipes for stdin, stdout and stderr; the caller reads and waits."""
    return subprocess.Popen(
        list(args), cwd=cwd, env=_env(env),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


class Streamed(NamedTuple):
    """How a streamed process ended: its exit status, and whether it ran out of time."""

    returncode: int
    timed_out: bool


def streamed(
    args: Sequence[str] | str,
    on_line: OnLine,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    own_group: bool = False,
) -> Streamed:
    """Run ARGS (a string: a shell command), stdout and stderr merged, no stdin; each line of
    its output goes to ON_LINE as it arrives. Killed after TIMEOUT seconds or on an interrupt.

    OWN_GROUP: in a session of its own, and every process of it is ended when it returns, so
    nothing it started outlives it. Raises FileNotFoundError when the program is not installed.
    """
    proc = None
    reader = None
    ended = False
    try:  # from the moment it is held, an interrupt ends the process
        with _interrupts_deferred() as interrupted:  # one inside Popen() would orphan it
            proc = subprocess.Popen(
                args, shell=isinstance(args, str), cwd=cwd, env=_env(env),
                start_new_session=own_group, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        if interrupted:
            raise KeyboardInterrupt
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, on_line), daemon=True)
        reader.start()
        proc.wait(timeout)
        ended = True
    except subprocess.TimeoutExpired:
        pass
    finally:
        if proc is not None:
            _end(proc, own_group)
            if reader is None and proc.stdout is not None:
                proc.stdout.close()  # never read: nothing else closes it
            # Ended by itself and alone, its output is read to the end; else whatever still
            # holds the pipe (a process outside the group) is not waited for.
            elif reader is not None and reader.is_alive():
                reader.join(None if ended and not own_group else _GRACE)
    assert proc is not None
    return Streamed(proc.returncode, not ended)


@contextmanager
def _interrupts_deferred() -> Iterator[list[int]]:
    """SIGINT and SIGTERM noted, not raised, inside the block: the caller raises for them once
    it holds what it started (a signal inside Popen() would leave the child running, with no
    Popen object left to end it). Only the main thread receives signals: elsewhere a no-op."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    wanted = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) != signal.SIG_IGN]
    previous = {sig: signal.signal(sig, lambda sig, _frame: caught.append(sig)) for sig in wanted}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back from here
                signal.signal(sig, handler)


def _read_lines(stream: IO[bytes] | None, on_line: OnLine) -> None:
    """Each line of STREAM (universal newlines, UTF-8, bad bytes replaced) to ON_LINE."""
    if stream is None:
        return
    with io.TextIOWrapper(stream, encoding="utf-8", errors="replace") as text:
        for line in text:
            on_line(line.rstrip("\n"))


def _env(env: Mapping[str, str] | None) -> dict[str, str] | None:
    return dict(env) if env is not None else None


def _end(proc: subprocess.Popen[bytes], own_group: bool) -> None:
    """Make sure PROC (with OWN_GROUP: its whole process group) is gone, and reaped."""
    if own_group:
        _end_group(proc)
    elif proc.poll() is None:
        proc.kill()
    proc.wait()


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End every process of PROC's group: SIGTERM, then SIGKILL to those still there after 2 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _signal_group(proc.pid, sig):
            break
        if proc.poll() is None:
            try:
                proc.wait(timeout=_GRACE)
            except subprocess.TimeoutExpired:
                continue
        if _group_gone(proc.pid, deadline=time.monotonic() + _GRACE):
            break
    proc.poll()


def _signal_group(pgid: int, sig: int) -> bool:
    """Send SIG to process group PGID; False when the group has no process left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def _group_gone(pgid: int, deadline: float) -> bool:
    while _signal_group(pgid, 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
