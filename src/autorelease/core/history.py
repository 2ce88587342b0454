"""Facts from git: release tags, the last release by ancestry, and the commits since it.

One `git for-each-ref` lists the tags; one streaming `git log` reads the commits reachable from
HEAD and from no final release tag. The tags whose commits are parents of that range (or HEAD
itself) are the nearest releases: the last release is chosen by ancestry, never by the highest
number, so tags on maintenance branches do not count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from autorelease import git
from autorelease.core.version import Version, parse_version
from autorelease.errors import ShallowClone, VersionError


class ReleaseTag(NamedTuple):
    """A tag that names a release: its name, commit, date and parsed version."""

    name: str
    commit: str
    date: str
    version: Version


class History(NamedTuple):
    """What git says about releases, as plain data."""

    head: str
    branch: str | None
    tags: tuple[ReleaseTag, ...]  # every release tag in the repository
    last_final: ReleaseTag | None
    pending: ReleaseTag | None  # newest pre-release after last_final, reachable from HEAD
    head_tags: tuple[ReleaseTag, ...]
    commits: tuple[git.RawCommit, ...]  # since last_final, newest first
    since_pending: frozenset[str]  # shas in `commits` that the pending pre-release lacks


def tag_format_of(names: Iterable[str]) -> str | None:
    """The tag format most of NAMES that end in a version follow (`v{version}`, `{version}`),
    or None when none does."""
    prefixes: Counter[str] = Counter()
    for name in names:
        match = re.fullmatch(r"(?P<prefix>.*?)(?P<version>\d+\.\d+(?:\.\d+)?(?:[-.+]?\w+)*)", name)
        if match:
            prefixes[match["prefix"]] += 1
    if not prefixes:
        return None
    return prefixes.most_common(1)[0][0] + "{version}"


def other_format(root: Path, tag_format: str) -> str | None:
    """The format of the repository's version-like tags when none follows TAG_FORMAT (a
    commitizen project that checks commits only, tagging v1.2.3 itself), else None. Asked
    only when no release tag was found: one more listing of the tags."""
    found = tag_format_of(t.name for t in git.list_tags(root))
    return found if found is not None and found != tag_format else None


def tag_pattern(tag_format: str) -> re.Pattern[str]:
    """A regex that matches tag names of TAG_FORMAT and captures the version."""
    before, _, after = tag_format.partition("{version}")
    return re.compile(re.escape(before) + r"(?P<version>.+?)" + re.escape(after))


_RELEASE_PART = re.compile(r"\d+(?:\.\d+)*")


def release_tags(refs: Iterable[git.TagRef], tag_format: str) -> list[ReleaseTag]:
    """The tags that match TAG_FORMAT and hold a version; others are skipped, not fatal.

    A partial tag is not a release: `v10` or `v10.6` on a commit that also carries a whole
    version's tag (python-semantic-release's add_partial_tags moves them to each release).
    """
    pattern = tag_pattern(tag_format)
    tags: list[tuple[ReleaseTag, bool]] = []  # and whether the version is partial
    for ref in refs:
        match = pattern.fullmatch(ref.name)
        if match is None or not match["version"][:1].isdigit():
            continue
        version = parse_version(match["version"])
        if version is not None:
            release = _RELEASE_PART.match(match["version"])
            partial = release is not None and release[0].count(".") < 2
            tags.append((ReleaseTag(ref.name, ref.commit, ref.date, version), partial))
    whole = {tag.commit for tag, partial in tags if not partial}
    return [tag for tag, partial in tags if not partial or tag.commit not in whole]


class Linked(Protocol):
    """A commit as far as the release assignment needs it: its sha and its parents."""

    @property
    def sha(self) -> str: ...

    @property
    def parents(self) -> tuple[str, ...]: ...


_C = TypeVar("_C", bound=Linked)


def first_releases(
    root: Path, tags: Sequence[ReleaseTag], on_commit: Callable[[git.RawCommit], object]
) -> dict[str, int]:
    """The index in TAGS (release order) of the first release that contains each commit.

    One `git log` over the whole history, in git's own streaming order, so that ON_COMMIT
    (which sees each commit as it arrives) runs alongside git's walk.
    """
    return assign_releases(tags, git.iter_commits(root, tag_commits(tags)), on_commit)


def tag_commits(tags: Sequence[ReleaseTag]) -> list[str]:
    """The commits TAGS point to, each once: where a pass over every release starts."""
    return list(dict.fromkeys(tag.commit for tag in tags))


def assign_releases(
    tags: Sequence[ReleaseTag], commits: Iterable[_C], on_commit: Callable[[_C], object]
) -> dict[str, int]:
    """The index in TAGS of the first release that contains each of COMMITS (git's stream
    from the tags' commits, children first), calling ON_COMMIT on each as it arrives.

    A commit's first release is the earliest of its own tags and its children's: a child
    passes its release on to its parents. git shows children first unless clocks disagree; a
    child that comes after its parent (a commit dated before its parent) passes it on to what
    was seen.
    """
    never = len(tags)
    first: dict[str, int] = {}  # commits seen: the earliest release that contains them
    pending: dict[str, int] = {}  # commits not seen yet: the earliest release so far
    for index, tag in enumerate(tags):
        pending.setdefault(tag.commit, index)
    parents: dict[str, tuple[str, ...]] = {}
    for raw in commits:
        on_commit(raw)
        index = pending.pop(raw.sha, never)
        first[raw.sha] = index
        parents[raw.sha] = raw.parents
        for parent in raw.parents:
            if parent in first:
                if first[parent] > index:
                    _pass_on(parent, index, first, pending, parents)
            elif pending.get(parent, never) > index:
                pending[parent] = index
    return first


def _pass_on(
    sha: str,
    index: int,
    first: dict[str, int],
    pending: dict[str, int],
    parents: dict[str, tuple[str, ...]],
) -> None:
    """Release INDEX contains SHA, which was already seen: lower it and its ancestors."""
    stack = [sha]
    while stack:
        commit = stack.pop()
        if commit in first:
            if first[commit] > index:
                first[commit] = index
                stack.extend(parents[commit])
        elif commit not in pending or pending[commit] > index:
            pending[commit] = index


def read(
    root: Path,
    tag_format: str,
    on_commit: Callable[[git.RawCommit], object] | None = None,
    *,
    at: str | None = None,
) -> History:
    """Read tags and the commits since the last final release, in one pass over the range.

    ON_COMMIT sees each commit as git streams it, so work on it overlaps with git's walk.
    AT (a commit's sha) is read as if it were HEAD.
    """
    head = at or git.head(root)
    if head is None:
        raise VersionError(f"{root} has no commits yet", "commit your project first")
    tags = release_tags(git.list_tags(root), tag_format)
    by_commit: dict[str, list[ReleaseTag]] = {}
    for tag in tags:
        by_commit.setdefault(tag.commit, []).append(tag)
    head_tags = tuple(by_commit.get(head, ()))
    final_commits = {t.commit for t in tags if not t.version.is_prerelease}
    found = _range_of_newest(root, head, tags, final_commits, on_commit)
    commits, frontier = found or _range(root, head, final_commits, on_commit)
    # Only releases HEAD descends from bound the range: `^tag` of a tag on a side branch would
    # also hide main's unreleased commits that the side branch shares. Such a hidden commit
    # shows as a range that stops at a commit with no release tag; only then ask git which
    # tags HEAD descends from (`--merged` walks the whole history: 0.5 s on 100,000 commits).
    if found is None and tags and not _stops_at_releases(head, commits, final_commits):
        reachable = reachable_tags(root, head)
        final_commits = {
            t.commit for t in tags if not t.version.is_prerelease and t.name in reachable
        }
        commits, frontier = _range(root, head, final_commits, on_commit)
    check_not_shallow(root, commits, tags)
    finals = [t for c in frontier for t in by_commit[c] if not t.version.is_prerelease]
    last_final = max(finals, key=lambda t: t.version.sort_key(), default=None)
    pending = pending_release(commits, by_commit, last_final)
    return History(
        head=head,
        branch=git.current_branch(root),
        tags=tuple(tags),
        last_final=last_final,
        pending=pending,
        head_tags=head_tags,
        commits=tuple(commits),
        since_pending=commits_since(commits, pending.commit) if pending else frozenset(),
    )


def previous(hist: History, *, prerelease: bool) -> ReleaseTag | None:
    """The release a new one counts from (its changelog section compares with it): for a
    pre-release after another, that one; else the last final release."""
    return hist.pending if prerelease and hist.pending else hist.last_final


def release_before(
    root: Path, tag_format: str, tag: ReleaseTag, *, final: bool = False
) -> ReleaseTag | None:
    """The release TAG counted from, decided as the plan decided it on TAG's parent, where
    TAG's release was planned (for a re-run that finishes it, or the rollback of TAG); with
    FINAL the last final release, even for a pre-release. None for a first release."""
    proc = git.run(["rev-parse", "--verify", "--quiet", f"{tag.commit}^"], root, check=False)
    parent = proc.stdout.strip()
    if not parent:
        return None
    prerelease = tag.version.is_prerelease and not final
    return previous(read(root, tag_format, at=parent), prerelease=prerelease)


def _range(
    root: Path,
    head: str,
    final_commits: set[str],
    on_commit: Callable[[git.RawCommit], object] | None,
) -> tuple[list[git.RawCommit], set[str]]:
    """The commits from HEAD back to FINAL_COMMITS, and the final commits the range stops at."""
    commits: list[git.RawCommit] = []
    frontier: set[str] = {head} if head in final_commits else set()
    if head not in final_commits:
        for commit in git.iter_commits(root, head, sorted(final_commits)):
            commits.append(commit)
            if on_commit is not None:
                on_commit(commit)
            if final_commits:
                frontier.update(p for p in commit.parents if p in final_commits)
    return commits, frontier


# How many of the newest final releases bound the first walk (see _range_of_newest).
_NEWEST = 16
_DATE = attrgetter("date")


def _range_of_newest(
    root: Path,
    head: str,
    tags: list[ReleaseTag],
    final_commits: set[str],
    on_commit: Callable[[git.RawCommit], object] | None,
) -> tuple[list[git.RawCommit], set[str]] | None:
    """_range's answer found with only the newest final releases excluded; None when this
    walk cannot tell (then the caller excludes them all).

    git reads every commit it is told to exclude: a thousand release tags cost it more than
    the fifty commits since the last one. The range from HEAD without the newest releases'
    ancestors is the range without every release's ancestors (or, when a release on another
    branch hides some of HEAD's, without those HEAD descends from), provided the walk meets
    no other release and stops only at releases: another release it met would be a commit
    of the range, and a commit hidden by a release off HEAD's history would be the parent
    of one with no release tag. A walk that meets one is abandoned at once.
    """
    if head in final_commits or len(final_commits) <= _NEWEST:
        return None  # nothing to walk, or nothing to spare
    finals = sorted((t for t in tags if not t.version.is_prerelease), key=_DATE, reverse=True)
    newest = {t.commit for t in finals[:_NEWEST]}
    commits: list[git.RawCommit] = []
    for commit in git.iter_commits(root, head, sorted(newest)):
        if commit.sha in final_commits:
            return None  # an older release is in HEAD's history: exclude them all
        commits.append(commit)
        if on_commit is not None:
            on_commit(commit)
    if not _stops_at_releases(head, commits, final_commits):
        return None
    frontier = {p for c in commits for p in c.parents if p in final_commits}
    return commits, frontier


def _stops_at_releases(head: str, commits: list[git.RawCommit], final_commits: set[str]) -> bool:
    """Every parent outside COMMITS is a final release's commit, so HEAD descends from it.

    Then no tag outside HEAD's history hid anything: a hidden commit on the way from HEAD
    would be the parent of a listed commit and carry no release tag.
    """
    if head in final_commits:
        return True
    listed = {c.sha for c in commits}
    return bool(commits) and all(
        p in listed or p in final_commits for c in commits for p in c.parents
    )


def reachable_tags(root: Path, head: str) -> set[str]:
    """The names of the tags whose commits are HEAD or its ancestors."""
    out = git.output(["for-each-ref", f"--merged={head}", "--format=%(refname:strip=2)",
                      "refs/tags"], root)  # fmt: skip
    return set(out.splitlines())


def pending_release(
    commits: list[git.RawCommit],
    by_commit: dict[str, list[ReleaseTag]],
    last_final: ReleaseTag | None,
) -> ReleaseTag | None:
    pre_commits = {c for c, tags in by_commit.items() if any(t.version.is_prerelease for t in tags)}
    if not pre_commits:
        return None  # no pre-release tag at all: spare the pass over the range
    pre_tags = [
        t
        for c in commits
        if c.sha in pre_commits
        for t in by_commit[c.sha]
        if t.version.is_prerelease
        and (last_final is None or t.version.sort_key() > last_final.version.sort_key())
    ]
    return max(pre_tags, key=lambda t: t.version.sort_key(), default=None)


def commits_since(commits: list[git.RawCommit], base: str) -> frozenset[str]:
    """Shas in COMMITS that are not BASE or its ancestors (walked within COMMITS only)."""
    parents = {c.sha: c.parents for c in commits}
    seen = {base}
    stack = [base]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent in parents and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return frozenset(parents) - seen


def check_not_shallow(root: Path, commits: list[git.RawCommit], tags: list[ReleaseTag]) -> None:
    boundary = git.shallow_boundary(root)
    if not boundary:
        return
    if not tags or any(c.sha in boundary for c in commits):
        raise ShallowClone(
            "this is a shallow clone: the history since the last release tag is incomplete",
            "run `git fetch --unshallow --tags` (GitHub Actions: actions/checkout with "
            "fetch-depth: 0)",
        )
