"""What each commit means for a release: its kind, its bump level, and the counts by kind.

Pure, and on the hot path: a long history is classified commit by commit, so everything that
depends only on the configuration is worked out once per run, in `Classifier`.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter
from collections.abc import Callable
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, NamedTuple

from autorelease import git
from autorelease.core import bump_rules, commits, config
from autorelease.core.version import Bump

if TYPE_CHECKING:
    from autorelease.core import rules


class ClassifiedCommit(NamedTuple):
    """A commit of the range and what it means for the release (a NamedTuple: one per commit)."""

    sha: str
    header: str
    kind: str  # conventional | merge | revert | reverted | fixup | release | invalid
    level: str = "none"
    type: str | None = None
    scope: str | None = None
    breaking: bool = False
    problems: tuple[str, ...] = ()


# Field getters that run in C: the loops over every commit of a range use them.
_KIND_AND_TYPE = itemgetter(2, 4)
_SHA = attrgetter("sha")
_KIND = itemgetter(2)
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def kind_counts(items: tuple[ClassifiedCommit, ...] | list[ClassifiedCommit]) -> dict[str, int]:
    """How many commits of each type (conventional) or kind (everything else)."""
    counts: Counter[str] = Counter()
    for (kind, type_), n in Counter(map(_KIND_AND_TYPE, items)).items():
        counts[type_ if kind == "conventional" and type_ else kind] += n
    return dict(counts)


def level_table(cfg: config.Config) -> dict[str, Bump]:
    """bump_map as commit type -> Bump; types are case-insensitive (rule 15)."""
    return {str(k).lower(): Bump.parse(str(v)) for k, v in cfg.bump_map.items()}


_NAME = {bump: bump.name.lower() for bump in Bump}
LEVEL_BY_NAME = {name: bump for bump, name in _NAME.items()}
# Named tuples made without their Python-level __new__: two per commit of a range. Every
# field is given, in order.
_new_item: Callable[[tuple[object, ...]], ClassifiedCommit] = functools.partial(
    tuple.__new__, ClassifiedCommit
)
_new_commit: Callable[[tuple[object, ...]], commits.Commit] = functools.partial(
    tuple.__new__, commits.Commit
)


def _load_rules(cfg: config.Config) -> rules.Rules:
    from autorelease.core import rules  # commitizen's rule sets, only for projects that name one

    return rules.load(cfg.root, str(cfg.commit_rules), cfg.pyproject)


class Classifier:
    """What each commit means for a release, under one configuration.

    Everything that depends only on the configuration (the level table, the release commit
    subject, a commitizen rule set) is worked out once here, not once per commit.
    """

    def __init__(self, cfg: config.Config):
        self.levels = level_table(cfg)
        self.subject = release_subject(str(cfg.commit_message))
        self.subject_prefix = str(cfg.commit_message).split("\n", 1)[0].partition("{version}")[0]
        self.squash = bool(cfg.parse_squash_bodies)
        self.rules = _load_rules(cfg) if cfg.commit_rules else None
        self.major_version_zero = not cfg.major_on_zero
        # Another tool's rules (bump_rules): its level for each raw message replaces ours.
        self.bump_rules, self._rule = bump_rules.for_config(cfg)
        # What those rules ignore of the project's settings, as the tool ignores it.
        rule = self._rule
        self.warnings = rule.warnings if isinstance(rule, bump_rules.PsrParser) else ()
        self._classify: Callable[[git.RawCommit], tuple[ClassifiedCommit, commits.Commit | None]]
        self._classify = self._classify_own if self._rule is None else self._classify_by_rule
        # Headers that may be special (merge, revert, fixup, a release commit) take the full
        # path; every other header is tried as a conventional one first.
        self._special_starts = (*commits.SPECIAL_STARTS, self.subject_prefix)
        self._fast = self.rules is None
        self._level_names = {type_: _NAME[level] for type_, level in self.levels.items()}
        # What __call__ classified, in order (history calls it while git streams the range).
        self._seen: list[git.RawCommit] = []
        self._outcomes: list[tuple[ClassifiedCommit, commits.Commit | None]] = []
        # With parse_squash_bodies: the conventional commits a squash merge's body lists,
        # by the merge's sha (the changelog lists each of them).
        self.listed: dict[str, tuple[commits.Commit, ...]] = {}

    def __call__(self, raw: git.RawCommit) -> tuple[ClassifiedCommit, commits.Commit | None]:
        """The commit's kind, and the bump level its type and breaking flag give.

        Remembered: history calls this while git is still streaming the range, so the
        classification runs alongside git's walk, and `many` then finds it done.
        """
        outcome = self._classify(raw)
        self._seen.append(raw)
        self._outcomes.append(outcome)
        return outcome

    def entry(self, raw: git.RawCommit) -> tuple[ClassifiedCommit, commits.Commit | None]:
        """RAW's kind and changelog entry, not remembered: for a pass over a whole history.

        The level is autorelease's own: another tool's bump rules (which read every line of
        every message) decide versions, never what a changelog lists.
        """
        return self._classify_own(raw)

    def many(
        self, raws: list[git.RawCommit]
    ) -> list[tuple[ClassifiedCommit, commits.Commit | None]]:
        """Each of RAWS classified, in order; what was seen while streaming is not redone."""
        if raws == self._seen:  # the streamed range itself: an identity test per commit, in C
            return self._outcomes
        known = dict(zip(map(_SHA, self._seen), self._outcomes, strict=True))
        return [known.get(raw.sha) or self._classify(raw) for raw in raws]

    def _classify_by_rule(
        self, raw: git.RawCommit
    ) -> tuple[ClassifiedCommit, commits.Commit | None]:
        """Our kind, type and changelog entry; the level another tool's rules give."""
        outcome = self._classify_own(raw)
        item, commit = outcome
        if self._rule is None or item.kind == "release":
            return outcome
        level = self._rule.level(raw.message, len(raw.parents) > 1)
        if _NAME[level] == item.level:
            return outcome
        sha, header, kind, _, type_, scope, breaking, problems = item
        breaking = breaking or level is Bump.MAJOR
        fields = (sha, header, kind, _NAME[level], type_, scope, breaking, problems)
        return _new_item(fields), commit

    def _classify_own(self, raw: git.RawCommit) -> tuple[ClassifiedCommit, commits.Commit | None]:
        message = raw.message
        if message[:1] == "\n":
            message = message.lstrip("\n")
        header, _, body = message.partition("\n")
        if (
            self._fast
            and not header.startswith(self._special_starts)
            and (match := commits.VALID_HEADER.fullmatch(header)) is not None
            and commits.PSR_BODY not in body
            and not (self.squash and ":" in body)  # a squash body's items take the full path
        ):  # the common case, the same outcome as the full path below
            type_, scope, bang, description = match.groups()
            # Interned: a few distinct types and scopes, held by every commit of a long range.
            type_ = sys.intern(type_.lower())
            scope = scope and sys.intern(scope.strip())
            commit = _new_commit(
                (type_, scope, description.strip(), bang is not None, header.rstrip(), body)
            )
            if bang or ("BREAKING" in body and commit.breaking):
                fields = (raw.sha, header, "conventional", "major", type_, scope, True, ())
            else:
                name = self._level_names.get(type_, "none")
                fields = (raw.sha, header, "conventional", name, type_, scope, False, ())
            return _new_item(fields), commit
        stripped = header.strip()
        # The release-commit pattern is tried only on headers that start like one.
        subject = self.subject if stripped.startswith(self.subject_prefix) else None
        special = commits.special_kind(stripped, body, subject)
        if special:
            return ClassifiedCommit(raw.sha, header, special), None
        parsed = commits.parse_parts(header, body)
        if self.rules is not None:
            return self._by_rules(raw, header, body, parsed, self.rules)
        if isinstance(parsed, commits.ParseError):
            return self._not_conventional(raw, header, body, parsed)
        if parsed.bang or ("BREAKING" in body and parsed.breaking):
            level = Bump.MAJOR
        else:
            level = self.levels.get(parsed.type, Bump.NONE)
        if self.squash and (listed := commits.squashed_items(parsed.body)):
            level = max(level, *map(self.level, listed))
            self.listed[raw.sha] = tuple(listed)
        item = ClassifiedCommit(
            raw.sha, header, "conventional", _NAME[level], parsed.type, parsed.scope,
            level is Bump.MAJOR and parsed.breaking,
        )  # fmt: skip
        return item, parsed

    def level(self, commit: commits.Commit) -> Bump:
        if commit.bang or commit.breaking:
            return Bump.MAJOR
        return self.levels.get(commit.type, Bump.NONE)

    def _not_conventional(
        self, raw: git.RawCommit, header: str, body: str, parsed: commits.ParseError
    ) -> tuple[ClassifiedCommit, commits.Commit | None]:
        # GitHub titles a squash merge with the PR title, conventional or not.
        items = commits.squashed_items(body) if self.squash else []
        if items:
            self.listed[raw.sha] = tuple(items)
            level = max(self.level(item) for item in items)
            breaking = any(item.breaking for item in items)
            squash = ClassifiedCommit(raw.sha, header, "conventional", _NAME[level],
                                      breaking=breaking)  # fmt: skip
            return squash, items[0]
        problems = tuple(p.message for p in parsed.problems)
        return ClassifiedCommit(raw.sha, header, "invalid", problems=problems), None

    def _by_rules(
        self,
        raw: git.RawCommit,
        header: str,
        body: str,
        parsed: commits.Commit | commits.ParseError,
        ruleset: rules.Rules,
    ) -> tuple[ClassifiedCommit, commits.Commit | None]:
        """A commitizen rule set's bump_pattern and bump_map decide the level."""
        level = ruleset.level(raw.message, major_version_zero=self.major_version_zero)
        if ruleset.parser is not None:  # the rule set's own parser makes the changelog entry
            commit = ruleset.entry(header, body)
        else:
            commit = parsed if isinstance(parsed, commits.Commit) else None
        if commit is None and level is Bump.NONE:
            problems = (f"matches no rule of {ruleset.name}",)
            return ClassifiedCommit(raw.sha, header, "invalid", problems=problems), None
        item = ClassifiedCommit(
            raw.sha, header, "conventional", _NAME[level], commit.type if commit else None,
            commit.scope if commit else None, level is Bump.MAJOR,
        )  # fmt: skip
        return item, commit


def release_subject(commit_message: str) -> re.Pattern[str]:
    """A regex for the subject line of the release commits autorelease itself makes."""
    subject = commit_message.split("\n", 1)[0]
    before, _, after = subject.partition("{version}")
    return re.compile(re.escape(before) + r"v?\d+\.\d+\.\d+\S*" + re.escape(after.rstrip()))


def classify_all(
    raws: list[git.RawCommit], classify: Classifier
) -> tuple[list[ClassifiedCommit], list[commits.Commit | None]]:
    """Classify RAWS (newest first); a revert of a commit in the range cancels that commit."""
    pairs = classify.many(raws)
    if "revert" not in map(_KIND, map(_FIRST, pairs)):
        return list(map(_FIRST, pairs)), list(map(_SECOND, pairs))
    # Newest first, so a revert that a later revert undid cancels nothing (revert of a revert).
    # A revert whose message names no commit (a squash merge may drop git's line) cancels the
    # newest older commit with the header it quotes.
    reverted: set[str] = set()
    by_header: list[str] = []
    items: list[ClassifiedCommit] = []
    parsed: list[commits.Commit | None] = []
    for raw, (item, commit) in zip(raws, pairs, strict=True):
        cancelled = bool(reverted) and any(item.sha.startswith(s) for s in reverted)
        if not cancelled and item.header.strip() in by_header:
            by_header.remove(item.header.strip())
            cancelled = True
        if not cancelled and item.kind == "revert":
            if target := commits.reverted_sha(raw.message):
                reverted.add(target)
            elif quoted := commits.reverted_header(item.header):
                by_header.append(quoted)
        items.append(ClassifiedCommit(item.sha, item.header, "reverted") if cancelled else item)
        parsed.append(None if cancelled else commit)
    return items, parsed
