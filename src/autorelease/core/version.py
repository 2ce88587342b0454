"""Versions and bumps: pure functions on a small Version value (PEP 440 or SemVer rendering)."""

from __future__ import annotations

import enum
import re
from typing import NamedTuple

from autorelease.errors import VersionConflict, VersionError
from autorelease.scrub import quote


class Bump(enum.IntEnum):
    """How far a change moves the version; `max()` over commits picks the release's bump."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @classmethod
    def parse(cls, name: str) -> Bump:
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"unknown bump {name!r}: use major, minor, patch or none") from None


PRE_KINDS = ("a", "b", "rc")
_SEMVER_PRE = {"a": "alpha", "b": "beta", "rc": "rc"}
_PRE_ALIASES = {
    "a": "a", "alpha": "a", "b": "b", "beta": "b", "rc": "rc", "c": "rc", "pre": "rc",
    "preview": "rc",
}  # fmt: skip
# A permissive reading of both schemes: 1.2.3, v1.2, 1.2.3a1, 1.2.3-rc.1, 1.2.3.post1, 1.2.3+local
_VERSION = re.compile(
    r"v?(?P<release>\d+(?:\.\d+){0,2})"
    r"(?:[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>\d+)?)?"
    r"(?:[-_.]?(?:post|rev|r)[-_.]?(?P<post>\d+))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev>\d+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?",
    re.IGNORECASE,
)


class Version(NamedTuple):
    """major.minor.patch with an optional pre-release (kind a|b|rc and a counter).

    Ordering follows PEP 440: a pre-release sorts before its final version. Post, dev and
    local parts are accepted when reading tags and ignored for bumping.
    """

    major: int
    minor: int
    patch: int
    pre: tuple[int, int] | None = None  # (index into PRE_KINDS, counter)
    post: int = -1
    dev: bool = False

    @property
    def base(self) -> Version:
        """The final version this one leads to: 2.0.0a3 -> 2.0.0."""
        return Version(self.major, self.minor, self.patch)

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev

    @property
    def pre_kind(self) -> str | None:
        return PRE_KINDS[self.pre[0]] if self.pre else None

    def sort_key(self) -> tuple[int, int, int, int, int, int]:
        if self.pre:
            rank, counter = self.pre
        else:
            rank, counter = (-1, 0) if self.dev else (len(PRE_KINDS), 0)
        return (self.major, self.minor, self.patch, rank, counter, self.post)

    # PEP 440 order (sort_key), not the order of the fields, which a tuple would compare.
    def __lt__(self, other: object) -> bool:
        return self.sort_key() < other.sort_key() if isinstance(other, Version) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.sort_key() <= other.sort_key() if isinstance(other, Version) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.sort_key() > other.sort_key() if isinstance(other, Version) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.sort_key() >= other.sort_key() if isinstance(other, Version) else NotImplemented

    def bump(self, level: Bump) -> Version:
        """The next final version after this one's base for LEVEL (NONE keeps the base)."""
        if level is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if level is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if level is Bump.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self.base

    def with_pre(self, kind: str, counter: int) -> Version:
        return self.base._replace(pre=(PRE_KINDS.index(kind), counter))

    def render(self, scheme: str = "pep440") -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            kind, counter = PRE_KINDS[self.pre[0]], self.pre[1]
            text += f"-{_SEMVER_PRE[kind]}.{counter}" if scheme == "semver" else f"{kind}{counter}"
        if self.post >= 0:
            text += f"+post.{self.post}" if scheme == "semver" else f".post{self.post}"
        return text

    def __str__(self) -> str:
        return self.render()


def parse_version(text: str) -> Version | None:
    """Read a version written in PEP 440 or SemVer form; None if it is not one."""
    plain = text.split(".")
    if len(plain) == 3 and all(map(str.isdecimal, plain)):  # 1.2.3 (\d is isdecimal): no regex
        return Version(int(plain[0]), int(plain[1]), int(plain[2]))
    match = _VERSION.fullmatch(text.strip())
    if not match:
        return None
    parts = [int(p) for p in match["release"].split(".")] + [0, 0]
    pre = None
    if match["pre_l"]:
        pre = (PRE_KINDS.index(_PRE_ALIASES[match["pre_l"].lower()]), int(match["pre_n"] or 0))
    post = int(match["post"]) if match["post"] is not None else -1
    return Version(parts[0], parts[1], parts[2], pre, post, match["dev"] is not None or
                   "dev" in text.lower())  # fmt: skip


def require_version(text: str, where: str) -> Version:
    """parse_version, or a VersionError naming WHERE the bad text came from."""
    version = parse_version(text)
    if version is None:
        raise VersionError(
            f"{where}: {quote(text)} is not a version",
            "write it as MAJOR.MINOR.PATCH, e.g. 1.2.0",
        )
    return version


class Decision(NamedTuple):
    """The next version and why: the level applied and whether a pre-release counter moved."""

    version: Version | None
    bump: str  # major | minor | patch | prerelease | none


def next_version(
    last_final: Version | None,
    level: Bump,
    *,
    pending: Version | None = None,
    pre: str | None = None,
    taken: frozenset[Version] = frozenset(),
    major_on_zero: bool = True,
    allow_zero: bool = True,
    forced: bool = False,
) -> Decision:
    """Compute the next version from the last final release and the commits' LEVEL.

    PENDING is the newest pre-release after LAST_FINAL, if any. While one is pending, a
    pre-release only moves its counter unless the commits call for a higher base; a final
    release graduates it. FORCED means LEVEL came from --bump and applies as given.
    TAKEN holds every version already tagged, so a pre-release counter never collides.
    """
    start = last_final or Version(0, 0, 0)
    if start.major == 0 and level is Bump.MAJOR and not major_on_zero and not forced:
        level = Bump.MINOR
    if level is Bump.NONE and pending is None:
        return Decision(None, "none")
    base = start.bump(level) if level is not Bump.NONE else start.base
    if pending is not None and not forced and pending.base >= base:
        base = pending.base
    if not allow_zero and base.major == 0:
        base = Version(1, 0, 0)
    if pre is None:
        # Graduating 2.0.0rc2 after 1.2.3 is a major release, whatever the newest commits say.
        return Decision(base, _level_between(start, base).name.lower())
    counter = 1 + max(
        (v.pre[1] for v in taken | {pending} if v and v.pre and v.base == base
         and v.pre_kind == pre),
        default=0,
    )  # fmt: skip
    candidate = base.with_pre(pre, counter)
    if pending is not None and candidate.sort_key() <= pending.sort_key():
        raise VersionConflict(
            f"{candidate.render()} would not be newer than the pending pre-release {pending}",
            f"use --pre {pending.pre_kind} or a later kind (a < b < rc)",
        )
    moved_counter = pending is not None and pending.base == base
    return Decision(candidate, "prerelease" if moved_counter else level.name.lower())


def _level_between(old: Version, new: Version) -> Bump:
    """The bump that leads from OLD's base to NEW's base."""
    if new.major != old.major:
        return Bump.MAJOR
    if new.minor != old.minor:
        return Bump.MINOR
    return Bump.PATCH if new.patch != old.patch else Bump.NONE
