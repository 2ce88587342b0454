"""Facts from git for a workspace: each package's release tags and its own commits.

One `git for-each-ref` lists the tags; one streaming `git log --name-only` reads the commits
since the packages' last releases (from where their last tags' histories meet) with the paths
each changes. A commit belongs to the package whose folder holds a path it changes most closely
(and, with scope_routes, to those its scope names); each package's History then holds its own
commits since its own last tag, as history.read gives a single project's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from autorelease import git
from autorelease.core import history
from autorelease.core.commits import VALID_HEADER
from autorelease.core.workspace import Package, Workspace
from autorelease.errors import VersionError


class Facts(NamedTuple):
    """What git says, per package: its history and its own commits."""

    head: str
    branch: str | None
    histories: dict[str, history.History]


def read(root: Path, space: Workspace, *, at: str | None = None) -> Facts:
    """Tags once, then the commits since the packages' last releases in one streaming pass.
    AT (a commit's sha) is read as if it were HEAD."""
    head = at or git.head(root)
    if head is None:
        raise VersionError(f"{root} has no commits yet", "commit your project first")
    refs = _Refs.of(git.list_tags(root))
    tags = {p.name: _package_tags(refs, p) for p in space.packages}
    last = {name: _newest_final(found) for name, found in tags.items()}
    stream, bounds = _stream(root, head, last)
    if not _all_reachable(head, last, stream, bounds):  # a tag on another branch: ask git, once
        reachable = history.reachable_tags(root, head)
        tags = {n: tuple(t for t in found if t.name in reachable) for n, found in tags.items()}
        last = {name: _newest_final(found) for name, found in tags.items()}
        stream, bounds = _stream(root, head, last)
    history.check_not_shallow(
        root, [c.commit for c in stream], [t for found in tags.values() for t in found]
    )
    owners = assign(space, stream)
    released = _released(stream, last)
    branch = git.current_branch(root)
    order = {item.commit.sha: index for index, item in enumerate(stream)}
    since: dict[str | None, list[git.RawCommit]] = {}  # by last release: packages share them
    histories = {}
    for name, tag in last.items():
        key = tag.commit if tag else None
        if key not in since:
            since[key] = [c.commit for c in stream if c.commit.sha not in released[name]]
        own = sorted(order[sha] for sha in owners[name] if sha not in released[name])
        histories[name] = _history(
            (head, branch), (tags[name], tag), since[key], [stream[i].commit for i in own]
        )
    return Facts(head, branch, histories)


class _Refs(NamedTuple):
    """The repository's tags sorted by name: the tags of one format are found by bisection
    (20 packages and 20,000 tags would otherwise be 400,000 pattern tests)."""

    names: list[str]
    refs: list[git.TagRef]

    @classmethod
    def of(cls, refs: list[git.TagRef]) -> _Refs:
        ordered = sorted(refs)
        return cls([r.name for r in ordered], ordered)

    def starting(self, fmt: str) -> list[git.TagRef]:
        """The tags whose names start as FMT's do (its text before {version})."""
        prefix = fmt.partition("{version}")[0]
        low = bisect.bisect_left(self.names, prefix)
        high = bisect.bisect_left(self.names, prefix + "\U0010ffff", low)
        return self.refs[low:high]


def package_tags(refs: list[git.TagRef], package: Package) -> tuple[history.ReleaseTag, ...]:
    """The package's release tags among REFS (git.list_tags)."""
    return _package_tags(_Refs.of(refs), package)


def _package_tags(refs: _Refs, package: Package) -> tuple[history.ReleaseTag, ...]:
    """The package's release tags: its own format's, and those of its previous formats."""
    found: dict[str, history.ReleaseTag] = {}
    for fmt in (package.tag_format, *package.previous_tag_formats):
        found.update((t.name, t) for t in history.release_tags(refs.starting(fmt), fmt))
    return tuple(found.values())


def release_before(
    root: Path, space: Workspace, package: Package, tag: history.ReleaseTag
) -> history.ReleaseTag | None:
    """The last final release of PACKAGE that its release TAG counted from, decided as the
    plan decided it on TAG's parent (over its tag format and its previous ones); None for
    its first release. Only the package's own tags decide it: the others' are not read."""
    proc = git.run(["rev-parse", "--verify", "--quiet", f"{tag.commit}^"], root, check=False)
    parent = proc.stdout.strip()
    if not parent:
        return None
    alone = space._replace(packages=(package,))
    return read(root, alone, at=parent).histories[package.name].last_final


def _newest_final(tags: Iterable[history.ReleaseTag]) -> history.ReleaseTag | None:
    finals = [t for t in tags if not t.version.is_prerelease]
    return max(finals, key=lambda t: t.version.sort_key(), default=None)


def _stream(
    root: Path, head: str, last: dict[str, history.ReleaseTag | None]
) -> tuple[list[git.PathsCommit], frozenset[str]]:
    """The commits since the oldest of the packages' last releases (all of them when one has
    none), with their paths; and the commits the range stops at."""
    commits = {t.commit for t in last.values() if t is not None}
    if None in last.values() or not commits:
        bounds: frozenset[str] = frozenset()
    elif len(commits) == 1:
        bounds = frozenset(commits)
    else:
        out = git.run(["merge-base", "--octopus", "--all", *sorted(commits)], root, check=False)
        bounds = frozenset(out.stdout.split())
    return list(git.iter_commits_with_paths(root, head, sorted(bounds))), bounds


def _all_reachable(
    head: str,
    last: dict[str, history.ReleaseTag | None],
    stream: list[git.PathsCommit],
    bounds: frozenset[str],
) -> bool:
    """Every last tag is on HEAD's history: in the range read, or where it stops (HEAD, or a
    parent of a commit read: a bound that is neither is no ancestor of HEAD, as the tag of a
    release made after the commit read as HEAD)."""
    reached = {head} | {p for c in stream for p in c.commit.parents}
    shas = {c.commit.sha for c in stream} | (bounds & reached)
    return all(t is None or t.commit in shas for t in last.values())


def assign(space: Workspace, stream: Iterable[git.PathsCommit]) -> dict[str, set[str]]:
    """The shas of the commits that belong to each package: by path, and by scope."""
    owned: dict[str, set[str]] = {p.name: set() for p in space.packages}
    folders = {p.path: p.name for p in space.packages}
    by_scope = {s: p.name for p in space.packages for s in p.scopes}
    every = tuple(owned)
    cache: dict[str, tuple[str, ...]] = {}
    for item in stream:
        sha = item.commit.sha
        for path in item.paths:
            names = cache.get(path)
            if names is None:
                names = cache[path] = _owner(path, folders, every, space.outside_files)
            for name in names:
                owned[name].add(sha)
        if space.scope_routes:
            for name in _scoped(item.commit.message, by_scope):
                owned[name].add(sha)
    return owned


def folder_owner(space: Workspace, path: str) -> str | None:
    """The package whose folder holds PATH most closely (a root package holds what no other
    folder does); None for a file outside every package's folder."""
    folders = {p.path: p.name for p in space.packages}
    return next(iter(_owner(path, folders, (), "ignore")), None)


def _owner(
    path: str, folders: dict[str, str], every: tuple[str, ...], outside: str
) -> tuple[str, ...]:
    """The package whose folder holds PATH most closely (the root package last)."""
    folder = path
    while "/" in folder:
        folder = folder.rpartition("/")[0]
        if folder in folders:
            return (folders[folder],)
    if "." in folders:
        return (folders["."],)
    return every if outside == "all" else ()


def named_by_scope(space: Workspace, message: str) -> list[str]:
    """The packages MESSAGE's scope names, by a package's name or one of its `scopes`."""
    return _scoped(message, {s: p.name for p in space.packages for s in p.scopes})


def _scoped(message: str, by_scope: dict[str, str]) -> list[str]:
    """The packages a commit's scope names (`fix(core,cli): ...` names two)."""
    match = VALID_HEADER.match(message.lstrip("\n").partition("\n")[0])
    scope = match["scope"] if match else None
    if not scope:
        return []
    return [by_scope[s.strip()] for s in re.split(r"[,/ ]+", scope) if s.strip() in by_scope]


def _history(
    where: tuple[str, str | None],
    releases: tuple[tuple[history.ReleaseTag, ...], history.ReleaseTag | None],
    since: list[git.RawCommit],
    own: list[git.RawCommit],
) -> history.History:
    """One package's History. WHERE is HEAD and the branch; RELEASES its tags and the last
    final one; SINCE the commits after that release, OWN those of them that are the
    package's, both newest first."""
    (head, branch), (tags, last) = where, releases
    by_commit: dict[str, list[history.ReleaseTag]] = {}
    for tag in tags:
        by_commit.setdefault(tag.commit, []).append(tag)
    pending = history.pending_release(since, by_commit, last)
    return history.History(
        head=head,
        branch=branch,
        tags=tags,
        last_final=last,
        pending=pending,
        head_tags=tuple(by_commit.get(head, ())),
        commits=tuple(own),
        since_pending=history.commits_since(since, pending.commit) if pending else frozenset(),
    )


def _released(
    stream: list[git.PathsCommit], last: dict[str, history.ReleaseTag | None]
) -> dict[str, frozenset[str]]:
    """For each package, the commits of STREAM its LAST release holds: that release's commit
    and its ancestors (the parents are gathered once, each release commit walked once)."""
    parents = {c.commit.sha: c.commit.parents for c in stream}
    walked: dict[str, frozenset[str]] = {}
    for tag in filter(None, last.values()):
        if tag.commit not in walked:
            walked[tag.commit] = _ancestors(tag.commit, parents)
    return {name: walked[t.commit] if t else frozenset() for name, t in last.items()}


def _ancestors(sha: str, parents: dict[str, tuple[str, ...]]) -> frozenset[str]:
    seen = {sha}
    stack = [sha]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent in parents and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return frozenset(seen)
