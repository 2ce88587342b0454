"""The only module that runs git (through process, the one process runner): queries and writes."""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from autorelease import process
from autorelease.errors import GitError, NotARepository

if TYPE_CHECKING:
    from subprocess import CompletedProcess

_R = TypeVar("_R")

# Variables a hook or a parent git process exports that would point our git at another repository.
_KEEP_GIT_VARS = frozenset(
    {
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_COUNT",
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "GIT_HTTP_USER_AGENT",
    }
)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for git: the caller's, less variables that redirect git elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_")
        or k in _KEEP_GIT_VARS
        or k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    env["LC_ALL"] = "C"
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    if extra:
        env.update(extra)
    return env


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> CompletedProcess[str]:
    """Run `git ARGS` in CWD; raise GitError with git's own message when it fails."""
    try:
        # UTF-8 is what git writes whatever the locale (paths, refs, messages).
        proc = process.captured(["git", *args], cwd=cwd, input=input, env=git_env(env))
    except FileNotFoundError as exc:
        raise GitError("git is not installed", "install git and make sure it is on PATH") from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        command = args[2:4] if args[0] == "-c" else args[:2]  # what git was asked, not how
        raise GitError(
            f"git {' '.join(command)} failed: {detail[-1] if detail else proc.returncode}"
        )
    return proc


def output(args: Sequence[str], cwd: Path) -> str:
    """The stripped standard output of a git command that must succeed."""
    return run(args, cwd).stdout.strip()


def blob(root: Path, spec: str) -> bytes | None:
    """The bytes of the file SPEC (`REV:PATH`) names, exactly (a CR kept: text mode would drop
    it); None when REV has no such file."""
    proc = process.piped(["git", "cat-file", "blob", spec], cwd=root, env=git_env())
    with proc:
        data, _ = proc.communicate()
    return data if proc.returncode == 0 else None


def toplevel(path: Path) -> Path:
    """The root of the work tree containing PATH; raises if it is not a git repository."""
    # Without this check a missing directory surfaces as "git is not installed".
    proc = run(["rev-parse", "--show-toplevel"], path, check=False) if path.is_dir() else None
    if proc is None or proc.returncode != 0:
        raise NotARepository(
            f"{path} is not a git repository",
            "run autorelease inside a clone of your project, or pass --repo PATH",
        )
    return Path(proc.stdout.strip())


def head(root: Path) -> str | None:
    """The commit HEAD points to, or None in a repository with no commits yet."""
    proc = run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root, check=False)
    return proc.stdout.strip() or None


def current_branch(root: Path) -> str | None:
    """The checked-out branch name, or None on a detached HEAD."""
    proc = run(["symbolic-ref", "--quiet", "--short", "HEAD"], root, check=False)
    return proc.stdout.strip() or None


def shallow_boundary(root: Path) -> frozenset[str]:
    """Commits whose parents are missing because the clone is shallow (empty when it is not)."""
    shallow = Path(output(["rev-parse", "--git-path", "shallow"], root))
    if not shallow.is_absolute():
        shallow = root / shallow
    try:
        return frozenset(shallow.read_text(encoding="utf-8").split())
    except FileNotFoundError:
        return frozenset()


def config_value(root: Path, key: str) -> str | None:
    """One value from git config, or None."""
    proc = run(["config", "--get", key], root, check=False)
    return proc.stdout.strip() or None


class TagRef(NamedTuple):
    """A tag, the commit it points to, and when it was made: the day (ISO date) and the moment
    (ISO 8601 with the offset): the tagger's date of an annotated tag, else the committer's."""

    name: str
    commit: str
    date: str
    when: str = ""


def list_tags(root: Path) -> list[TagRef]:
    """Every tag of the repository in one call; annotated tags are peeled to their commit."""
    fmt = (
        "%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:short)%00%(objecttype)"
        "%00%(creatordate:iso-strict)"
    )
    out = run(["for-each-ref", f"--format={fmt}", "refs/tags"], root).stdout
    tags = []
    for line in out.splitlines():
        name, obj, peeled, date, kind, when = line.split("\0")
        commit = peeled or obj
        if kind == "tag" and not peeled:
            continue  # a tag of something that is not a commit
        tags.append(TagRef(name, commit, date, when))
    return tags


class RawCommit(NamedTuple):
    """A commit as git stores it: hash, parent hashes and the full message."""

    sha: str
    parents: tuple[str, ...]
    message: str


def iter_commits(
    root: Path,
    include: str | Sequence[str],
    exclude: Iterable[str] = (),
) -> Iterator[RawCommit]:
    """Stream the commits reachable from INCLUDE and not from any of EXCLUDE, newest first.

    One `git log` process; its output is parsed as it arrives, so memory stays flat on long
    histories and the first commit is available before git has walked the whole range.
    """
    return _stream(root, include, exclude, "%H %P%n%B", _parse_record)


class DatedCommit(NamedTuple):
    """A commit with its author's name and time (seconds since the epoch)."""

    sha: str
    parents: tuple[str, ...]
    message: str
    author: str
    time: int


def iter_dated_commits(
    root: Path, include: str | Sequence[str], exclude: Iterable[str] = ()
) -> Iterator[DatedCommit]:
    """Like iter_commits, with each commit's author name and author time, in the same pass."""
    return _stream(root, include, exclude, "%H %P%n%at %an%n%B", _parse_dated)


def _stream(
    root: Path,
    include: str | Sequence[str],
    exclude: Iterable[str],
    fmt: str,
    parse: Callable[[str], _R],
) -> Iterator[_R]:
    """The records of `git log --format=FMT` over the range, each made by PARSE."""
    includes = [include] if isinstance(include, str) else list(include)
    # --encoding: a message recorded in another encoding (i18n.commitEncoding) comes as UTF-8
    # too; git converts only those, so the common case costs nothing.
    args = ["log", "-z", "--encoding=UTF-8", f"--format={fmt}", "--stdin"]
    with _log_output(root, args, includes, exclude) as stdout:
        pending = b""
        while chunk := stdout.read1(1 << 20):  # whatever git has written so far
            # Decode up to the last record end only: a character may straddle two chunks.
            buffer = pending + chunk
            end = buffer.rfind(b"\0") + 1
            pending = buffer[end:]
            yield from map(parse, buffer[:end].decode("utf-8", "replace").split("\0")[:-1])
        if pending.strip():
            yield parse(pending.decode("utf-8", errors="replace"))


@contextmanager
def _log_output(
    root: Path, args: Sequence[str], includes: Sequence[str], exclude: Iterable[str]
) -> Iterator[io.BufferedReader]:
    """The output of `git ARGS` (a `git log --stdin`) over INCLUDES but not EXCLUDE, to read as
    it arrives. Leaving early kills git; git failing after a full read raises GitError."""
    revs = "\n".join([*includes, *(f"^{rev}" for rev in exclude)]) + "\n"
    # GIT_FLUSH=0: fill stdio's buffer before writing: on a pipe git otherwise writes (and
    # wakes the reader) once per commit, which costs git and the parser a tenth of the stream.
    proc = process.piped(
        ["git", *args, "--end-of-options"], cwd=root, env=git_env({"GIT_FLUSH": "0"})
    )
    finished = False
    try:  # everything after the start is inside: an interrupt anywhere still ends and closes
        assert proc.stdin is not None
        assert proc.stdout is not None
        _widen_pipe(proc.stdout.fileno())
        proc.stdin.write(revs.encode())
        proc.stdin.close()
        yield cast(io.BufferedReader, proc.stdout)  # what Popen gives for a binary pipe
        finished = True
    finally:
        if not finished:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()  # first: a reader that stopped early must not leave git blocked
        stderr = proc.stderr.read().decode("utf-8", errors="replace") if proc.stderr else ""
        with proc:  # closes the pipes (one left open leaks a ResourceWarning), and waits
            pass
        if proc.returncode != 0 and finished:
            raise GitError(f"git log failed: {(stderr.strip().splitlines() or ['?'])[-1]}")


def _widen_pipe(fd: int) -> None:
    """Let git run ahead of the parser: a 1 MiB pipe instead of 64 KiB, where Linux allows."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # another OS, or a lower limit: the default pipe works, a little slower


def _parse_record(record: str) -> RawCommit:
    """`<sha> <parent>...` on the first line, then the message: one record of iter_commits."""
    ids, _, message = record.partition("\n")
    sha, _, parents = ids.partition(" ")
    return _new_raw((sha, tuple(parents.split()), message.rstrip("\n")))


def _parse_dated(record: str) -> DatedCommit:
    """`<sha> <parent>...`, then `<author time> <author name>`, then the message."""
    ids, _, rest = record.partition("\n")
    sha, _, parents = ids.partition(" ")
    dated, _, message = rest.partition("\n")
    time, _, author = dated.partition(" ")
    return _new_dated((sha, tuple(parents.split()), message.rstrip("\n"), author, int(time)))


# A RawCommit made without the named tuple's Python-level __new__: one per commit streamed.
_new_raw: Callable[[tuple[str, tuple[str, ...], str]], RawCommit] = functools.partial(
    tuple.__new__, RawCommit
)
_new_dated: Callable[[tuple[str, tuple[str, ...], str, str, int]], DatedCommit] = functools.partial(
    tuple.__new__, DatedCommit
)


def is_dirty(root: Path) -> list[str]:
    """Paths with uncommitted changes (tracked or untracked, ignoring ignored files)."""
    out = run(["status", "--porcelain", "--untracked-files=normal"], root).stdout
    return [line[3:] for line in out.splitlines() if line]


# --- writes and remote queries used by publish ---------------------------------------------------


def remote_tag(root: Path, remote: str, tag: str) -> str | None:
    """The commit TAG points to on REMOTE (peeled), or None when the remote lacks it."""
    out = output(["ls-remote", "--tags", remote, f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}"], root)
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        refs[ref] = sha
    return refs.get(f"refs/tags/{tag}^{{}}") or refs.get(f"refs/tags/{tag}")


def fetch_branch(root: Path, remote: str, branch: str) -> str | None:
    """Fetch BRANCH from REMOTE; return the remote's commit, or None if it has no such branch."""
    proc = run(["fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}"], root, check=False)
    if proc.returncode != 0:
        if "couldn't find remote ref" in proc.stderr.lower():
            return None
        detail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise GitError(f"cannot fetch {branch} from {remote}: {detail}")
    return output(["rev-parse", "FETCH_HEAD^{commit}"], root)


def remote_default_branch(root: Path, remote: str) -> str | None:
    """The branch REMOTE's HEAD points to, as far as this clone knows."""
    proc = run(
        ["symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD"], root, check=False
    )
    name = proc.stdout.strip()
    return name.split("/", 1)[1] if "/" in name else None


def commit_time(root: Path, rev: str) -> int:
    """The committer time of REV in seconds since the epoch (for SOURCE_DATE_EPOCH)."""
    return int(output(["show", "-s", "--format=%ct", rev], root))


class PathsCommit(NamedTuple):
    """A commit as iter_commits_with_paths streams it: the commit and the paths it changes."""

    commit: RawCommit
    paths: tuple[str, ...]


def _header_mark() -> str:
    """What starts each commit's record in `git log -z --name-only`. A path may hold any byte
    but NUL, so a committed file could be named like a record (a sha, a line end, a message):
    the mark holds a part drawn at random for each run, which no committed path can hold."""
    return f"\x1e{os.urandom(8).hex()}\x1e"


def iter_commits_with_paths(
    root: Path, include: str | Sequence[str], exclude: Iterable[str] = ()
) -> Iterator[PathsCommit]:
    """Like iter_commits, with the paths each commit changes, in the same one `git log` pass.

    A rename is both of its paths (--no-renames), so it belongs to the folders on each side;
    a merge lists no paths of its own (the commits it merges do).
    """
    mark = _header_mark()
    args = ["log", "-z", "--encoding=UTF-8", f"--format={mark}%H %P%n%B",
            "--name-only", "--no-renames", "--stdin"]  # fmt: skip
    includes = [include] if isinstance(include, str) else list(include)
    with _log_output(root, args, includes, exclude) as stdout:
        yield from _path_records(stdout, mark)


def _path_records(stdout: io.BufferedReader, mark: str) -> Iterator[PathsCommit]:
    """The records of `git log -z --name-only` whose headers start with MARK, as they arrive."""
    pending = b""
    current: RawCommit | None = None
    paths: list[str] = []
    first = False  # the next field is the first after a header: its path follows a newline
    while True:
        chunk = stdout.read1(1 << 20)
        buffer = pending + chunk
        end = len(buffer) if not chunk else buffer.rfind(b"\0") + 1
        pending = buffer[end:]
        for field in buffer[:end].decode("utf-8", "replace").split("\0"):
            if field.startswith(mark):
                if current is not None:
                    yield PathsCommit(current, tuple(paths))
                current, paths, first = _parse_record(field[len(mark) :]), [], True
                continue
            path = field.removeprefix("\n") if first else field
            first = False
            if path:
                paths.append(path)
        if not chunk:
            break
    if current is not None:
        yield PathsCommit(current, tuple(paths))
