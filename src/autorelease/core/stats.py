"""Release health from git alone (`autorelease stats`): each release's commits by kind, its
contributors and lead time, and the cadence across releases.

One `git log` pass over the whole history, in git's streaming order, as `changelog --init`
makes: each commit belongs to the first release (in version order) that contains it, so a
release's range is "previous release..tag" by ancestry, merges included. The commits that
autorelease itself makes for a release are no change: they count nowhere.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import git
from autorelease.core import config, history
from autorelease.core.classify import ClassifiedCommit, Classifier
from autorelease.errors import UsageError

KINDS = ("feat", "fix", "breaking", "other")
_FEAT, _FIX, _BREAKING, _OTHER = range(4)
DAY = 86_400


class ReleaseStats(NamedTuple):
    """One release: what went into it, by whom, and how long its changes waited for it."""

    version: str
    tag: str
    date: str  # the tag's moment, ISO 8601 in UTC
    time: int  # the same, in seconds since the epoch
    prerelease: bool
    commits: dict[str, int]  # total, feat, fix, breaking, other
    contributors: tuple[str, ...]  # author names, sorted
    lead_time_seconds: int | None  # the range's oldest commit to the tag; None: no commits
    median_commit_seconds: float | None  # the median of each commit's wait for the tag


class Cadence(NamedTuple):
    """The days between consecutive final releases of those listed."""

    releases: int
    median_days: float | None
    mean_days: float | None


class Stats(NamedTuple):
    releases: tuple[ReleaseStats, ...]  # newest first
    cadence: Cadence
    since: int | None = None  # the earliest moment a listed release may have


class _Change(NamedTuple):
    """What a streamed commit adds to its release."""

    kind: int
    author: str
    time: int


def read(root: Path, cfg: config.Config, since: str | None = None, folder: str = ".") -> Stats:
    """The stats of every release tag of ROOT, or of those after SINCE (a tag or a date).

    FOLDER: a workspace's package (CFG then has its tag format): only the commits that touch
    its folder count for its releases.
    """
    refs = git.list_tags(root)
    tags = sorted(history.release_tags(refs, str(cfg.tag_format)), key=_version_order)
    names = {tag.name for tag in tags}
    moments = {ref.name: moment(ref.when) for ref in refs if ref.name in names}
    after = since_bound(since, tags, moments) if since is not None else None
    stream = git.iter_dated_commits(root, history.tag_commits(tags)) if tags else iter(())
    only = _touching(root, history.tag_commits(tags), folder) if folder != "." and tags else None
    return summarize(tags, moments, stream, Classifier(cfg), after, only=only)


def _touching(root: Path, tips: Sequence[str], folder: str) -> frozenset[str]:
    """The commits reachable from TIPS that change a file under FOLDER (one git call)."""
    out = git.output(["log", "--format=%H", *tips, "--", folder], root)
    return frozenset(out.split())


def summarize(
    tags: Sequence[history.ReleaseTag],
    moments: dict[str, int],
    stream: Iterable[git.DatedCommit],
    classify: Classifier,
    after: int | None = None,
    *,
    only: frozenset[str] | None = None,
) -> Stats:
    """The stats of TAGS (in version order; MOMENTS: each tag's time) from STREAM, git's
    pass over their history; only releases at AFTER or later are listed, and only the
    commits in ONLY count, when given (a package's own)."""
    changes: dict[str, _Change] = {}

    def keep(commit: git.DatedCommit) -> None:  # while git streams the history
        if only is not None and commit.sha not in only:
            return  # another package's: it still carries the releases to its parents
        item, _ = classify.entry(git.RawCommit(commit.sha, commit.parents, commit.message))
        if item.kind != "release":
            changes[commit.sha] = _Change(_kind(item), sys.intern(commit.author), commit.time)

    first = history.assign_releases(tags, stream, keep)
    grouped: list[list[_Change]] = [[] for _ in tags]
    for sha, change in changes.items():
        grouped[first[sha]].append(change)
    listed = [
        _release(tag, moments[tag.name], grouped[index])
        for index, tag in enumerate(tags)
        if after is None or moments[tag.name] >= after
    ]
    listed.reverse()  # newest version first, kept among releases tagged at the same moment
    listed.sort(key=lambda r: r.time, reverse=True)
    return Stats(tuple(listed), cadence(listed), after)


def _version_order(tag: history.ReleaseTag) -> tuple[object, ...]:
    return tag.version.sort_key()


def _kind(item: ClassifiedCommit) -> int:
    if item.breaking:
        return _BREAKING
    if item.kind == "conventional" and item.type in ("feat", "fix"):
        return _FEAT if item.type == "feat" else _FIX
    return _OTHER


def _release(tag: history.ReleaseTag, time: int, changes: list[_Change]) -> ReleaseStats:
    counts = [0] * len(KINDS)
    for change in changes:
        counts[change.kind] += 1
    waits = [time - change.time for change in changes]
    return ReleaseStats(
        version=str(tag.version),
        tag=tag.name,
        date=iso(time),
        time=time,
        prerelease=tag.version.is_prerelease,
        commits={"total": len(changes), **dict(zip(KINDS, counts, strict=True))},
        contributors=tuple(sorted({c.author for c in changes}, key=str.casefold)),
        lead_time_seconds=max(waits) if waits else None,
        median_commit_seconds=statistics.median(waits) if waits else None,
    )


def cadence(releases: Iterable[ReleaseStats]) -> Cadence:
    """The days between consecutive final releases of RELEASES, by their time."""
    times = sorted(r.time for r in releases if not r.prerelease)
    gaps = [(later - earlier) / DAY for earlier, later in pairwise(times)]
    if not gaps:
        return Cadence(len(times), None, None)
    return Cadence(len(times), statistics.median(gaps), statistics.mean(gaps))


def moment(when: str) -> int:
    """Seconds since the epoch of git's ISO 8601 date WHEN; 0 for an annotated tag made
    without a tagger line (git itself did so before 2005), which has no date."""
    return int(datetime.fromisoformat(when).timestamp()) if when else 0


def iso(time: int) -> str:
    """TIME as ISO 8601 in UTC: 2024-01-31T12:00:00Z."""
    return datetime.fromtimestamp(time, UTC).isoformat().replace("+00:00", "Z")


def since_bound(since: str, tags: Sequence[history.ReleaseTag], moments: dict[str, int]) -> int:
    """The earliest moment a listed release may have: just after release tag SINCE, or the
    start of the date (or the moment) SINCE, UTC unless it names an offset."""
    if any(tag.name == since for tag in tags):
        return moments[since] + 1
    try:
        parsed = datetime.fromisoformat(since)
    except ValueError:
        raise UsageError(
            f"--since {since!r} is neither a release tag nor a date",
            hint="give a release tag such as v1.2.0, or a date such as 2024-01-31",
        ) from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())


def to_json(stats: Stats) -> dict[str, Any]:
    """STATS as JSON-able data: `releases` (newest first) and `cadence`."""
    releases = [
        {
            "version": r.version,
            "tag": r.tag,
            "date": r.date,
            "prerelease": r.prerelease,
            "commits": r.commits,
            "contributors": list(r.contributors),
            "contributor_count": len(r.contributors),
            "lead_time_seconds": r.lead_time_seconds,
            "median_commit_seconds": r.median_commit_seconds,
        }
        for r in stats.releases
    ]
    return {"releases": releases, "cadence": stats.cadence._asdict()}


__all__ = ["Cadence", "ReleaseStats", "Stats", "read", "since_bound", "summarize", "to_json"]
