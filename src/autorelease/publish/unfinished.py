"""The record of a release this clone has begun and not pushed, so that any run can undo it.

`publish` writes the record inside the git directory (never in the work tree) before it changes
any file, and deletes it once the release commit and tag are on the remote, or undone, or (with
--no-push) made. A record that outlives its run means the run was killed (SIGKILL, an OOM
killer, a power cut): the next run asks the remote whether the push arrived, and either lets
the release be finished or undoes exactly the work the record names, then plans afresh.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import git
from autorelease.errors import DirtyTree
from autorelease.fileio import write_atomic

RECORD = "autorelease/unfinished-release.json"


class Unfinished(NamedTuple):
    """A release begun in this clone: what it was, where it started, which files it writes."""

    version: str
    tag: str
    branch: str
    start: str  # the commit the release was planned on (then equal to the remote's)
    message: str  # the release commit's message
    paths: tuple[str, ...]  # the files the release writes
    created: tuple[str, ...]  # those of them that did not exist before
    # Commits the release made on top of START before its own (a rollback's revert), in order.
    prelude: tuple[str, ...] = ()
    # Every tag the release made (TAG is the first; a workspace's release makes several).
    tags: tuple[str, ...] = ()

    @property
    def all_tags(self) -> tuple[str, ...]:
        return self.tags or (self.tag,)  # a record written before it listed its tags


def _record_file(root: Path) -> Path:
    path = Path(git.output(["rev-parse", "--git-path", RECORD], root))
    return path if path.is_absolute() else root / path


def pending_note(root: Path) -> str | None:
    """What a preview says of a release a killed run left in this clone; None when none did.

    Reads the record without a git call where the git directory is ROOT/.git (a preview must
    start fast); a worktree's (.git is a file) is asked of git.
    """
    git_dir = root / ".git"
    found = _load(git_dir / RECORD) if git_dir.is_dir() else load(root)
    if found is None:
        return None
    return (
        f"a release of {found.version} ({', '.join(found.all_tags)}) was begun in "
        "this clone and not pushed (the run was killed): `autorelease publish` undoes it "
        "first, or finishes it if its push arrived"
    )


def save(root: Path, found: Unfinished) -> None:
    import json

    write_atomic(_record_file(root), json.dumps(found._asdict(), indent=2) + "\n")


def clear(root: Path) -> None:
    _record_file(root).unlink(missing_ok=True)


def load(root: Path) -> Unfinished | None:
    """The record of an unfinished release, or None (also for one that cannot be read)."""
    return _load(_record_file(root))


def _load(path: Path) -> Unfinished | None:
    if not path.is_file():
        return None
    import json  # here: a preview that finds no record has no use for it

    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return Unfinished(**fields)
    except (OSError, ValueError, TypeError):
        return None


def undo_if_found(root: Path, remote: str | None, say: Callable[[str], None]) -> None:
    """Undo the unfinished release a killed run left, unless its push arrived at REMOTE.

    Leaves everything as it is when the record no longer describes this clone (another branch,
    or commits made since); raises DIRTY_TREE when the user changed other files too.
    """
    found = load(root)
    if found is None or git.current_branch(root) != found.branch:
        return
    head = git.head(root) or ""
    if remote and head != found.start and git.remote_tag(root, remote, found.tag) == head:
        clear(root)  # pushed: the release is public, and this run finishes it
        return
    if not _commits_are_ours(root, found, head):
        say(f"the record of an unfinished release of {found.version} no longer matches "
            f"{found.branch} (commits were made since): left as it is")  # fmt: skip
        clear(root)
        return
    _refuse_other_changes(root, found)
    say(f"found an unfinished release of {found.version} (not pushed): undoing it")
    undo(root, found, _reset_target(root, remote, found))


def undo(root: Path, found: Unfinished, target: str) -> None:
    """Delete the release tag, reset the branch to TARGET, remove the files the release made."""
    head = git.head(root)
    tagged = git.run(["rev-parse", "--verify", "--quiet", f"refs/tags/{found.tag}^{{commit}}"],
                     root, check=False).stdout.strip()  # fmt: skip
    if tagged and tagged == head and head != found.start:
        git.run(["tag", "-d", *found.all_tags], root, check=False)
    git.run(["reset", "--hard", "-q", target], root)
    if found.created:
        made = git.run(["ls-files", "-z", "--others", "--", *found.created], root).stdout
        for name in set(made.split("\0")) & _git_names(found.created):
            (root / name).unlink(missing_ok=True)
    clear(root)


def _commits_are_ours(root: Path, found: Unfinished, head: str) -> bool:
    """HEAD is where the release started, one of the commits it made before its own, or the
    release commit right on top of them."""
    if head == found.start or head in found.prelude:
        return True
    proc = git.run(["log", "-1", "--format=%P%n%B", head], root, check=False)
    parents, _, message = proc.stdout.partition("\n")
    below = found.prelude[-1] if found.prelude else found.start
    return parents.strip() == below and message.strip() == found.message.strip()


def _refuse_other_changes(root: Path, found: Unfinished) -> None:
    others = sorted(set(changed_paths(root)) - _git_names(found.paths))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        from shlex import quote

        command = "git stash push -u -- " + " ".join(map(quote, others))
        raise DirtyTree(
            f"the working tree has uncommitted changes ({shown}) besides the files of an "
            f"unfinished release of {found.version}",
            f"stash only those ({command}) and run again: autorelease undoes its own",
        )


def _git_names(paths: Iterable[str]) -> set[str]:
    """PATHS as git lists them: a configuration's `./CHANGELOG.md` or `src/../src/x.py` is
    CHANGELOG.md and src/x.py to `git status` and `git ls-files`."""
    return {posixpath.normpath(path) for path in paths}


def changed_paths(root: Path) -> list[str]:
    """Every path git status lists (both names of a rename), untracked files one by one."""
    out = git.run(["status", "--porcelain", "-z", "--untracked-files=all"], root).stdout
    entries = out.split("\0")
    paths, index = [], 0
    while index < len(entries):
        entry = entries[index]
        if entry:
            paths.append(entry[3:])
            if entry[0] in "RC":
                index += 1
                paths.append(entries[index])
        index += 1
    return paths


def _reset_target(root: Path, remote: str | None, found: Unfinished) -> str:
    """The remote's branch when it only moved on since the release began, else its start."""
    remote_head = git.fetch_branch(root, remote, found.branch) if remote else None
    if remote_head is None or remote_head == found.start:
        return found.start
    ancestor = git.run(["merge-base", "--is-ancestor", found.start, remote_head], root, check=False)
    return remote_head if ancestor.returncode == 0 else found.start
