"""Whose rules decide a commit's bump level, when a project comes from another release tool.

A project configured only by `[tool.commitizen]` (or `.cz.toml`) releases what `cz bump` would,
and one configured by `[tool.semantic_release]` what `semantic-release version` would: the
decision is theirs, ported here from commitizen's `cz_conventional_commits` rule set and from
python-semantic-release's `conventional` and `angular` commit parsers. Pure and light: nothing
here imports either tool, and none of it runs for a project with autorelease's own rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import reduce
from typing import TYPE_CHECKING, Any, NamedTuple

from autorelease.core.version import Bump
from autorelease.errors import ConfigError

if TYPE_CHECKING:
    from autorelease.core import config

AUTORELEASE, COMMITIZEN, SEMANTIC_RELEASE = "autorelease", "commitizen", "semantic-release"

# commitizen/defaults.py: BUMP_PATTERN, BUMP_MAP and BUMP_MAP_MAJOR_VERSION_ZERO. The first key
# that matches the token (re.match) wins; cz_conventional_commits ignores a configured bump_map.
# The pattern without its groups, for the first line and (after a line end, a literal the regex
# engine scans for fast) for every other line: each match is the token and its colon.
_CZ_HEAD = re.compile(r"(?:BREAKING[\-\ ]CHANGE|\w+)(?:\(.+\))?!?:")
_CZ_LINE = re.compile(r"\n((?:BREAKING[\-\ ]CHANGE|\w+)(?:\(.+\))?!?:)")
_CZ_MAP = (
    (re.compile(r"^.+!$"), Bump.MAJOR),
    (re.compile(r"^BREAKING[\-\ ]CHANGE"), Bump.MAJOR),
    (re.compile(r"^feat"), Bump.MINOR),
    (re.compile(r"^fix"), Bump.PATCH),
    (re.compile(r"^refactor"), Bump.PATCH),
    (re.compile(r"^perf"), Bump.PATCH),
)


class CzConventional:
    """commitizen's cz_conventional_commits: every line of a message that starts like a
    header (`type(scope)!:`) counts, merges included, and the highest level wins."""

    name = "commitizen cz_conventional_commits"

    def __init__(self, major_version_zero: bool = False) -> None:
        self.major_version_zero = major_version_zero
        self._known: dict[str, Bump] = {}  # token and colon -> level: a few distinct ones

    def level(self, message: str, merge: bool) -> Bump:
        del merge  # cz reads merge commits like any other
        known = self._known
        head = _CZ_HEAD.match(message)
        best = Bump.NONE
        if head is not None and (best := known.get(head[0])) is None:  # type: ignore[assignment]
            best = self._token(head[0])
        end = message.find("\n")
        if end < 0 or message.find(":", end) < 0:
            return best  # no other line can start like a header
        for token in _CZ_LINE.findall(message, end):
            level = known.get(token)
            best = max(best, self._token(token) if level is None else level)
        return best

    def _token(self, match: str) -> Bump:
        token = match[:-1]
        level = next((lvl for key, lvl in _CZ_MAP if key.match(token)), Bump.NONE)
        if level is Bump.MAJOR and self.major_version_zero:
            level = Bump.MINOR  # BUMP_MAP_MAJOR_VERSION_ZERO, whatever the version
        self._known[match] = level
        return level


# python-semantic-release 10: commit_parser/conventional, angular.py and util.py.
_PSR_PARSERS = ("conventional", "angular", "conventional-monorepo")
# conventional-monorepo (PSR 10.4) is the conventional parser run per package folder: in a
# workspace autorelease assigns commits to packages itself, so its own options are accepted
# and the folder is the package's (core/workspace_history.py).
_PSR_MONOREPO_OPTIONS = frozenset(("path_filters", "scope_prefix"))
_PSR_OTHER_TAGS = ("build", "chore", "ci", "docs", "style", "refactor", "test")
# allowed_tags' default is fixed when PSR's options class is defined: setting minor_tags
# alone does not add to it.
_PSR_ALLOWED = ("feat", "fix", "perf", *_PSR_OTHER_TAGS)
_PSR_OPTIONS = frozenset(
    ("minor_tags", "patch_tags", "other_allowed_tags", "allowed_tags", "default_bump_level",
     "parse_squash_commits", "ignore_merge_commits")
)  # fmt: skip
_PSR_LEVELS = {0: Bump.NONE, 1: Bump.NONE, 2: Bump.PATCH, 3: Bump.MINOR, 4: Bump.MAJOR}
_PSR_LEVEL_NAMES = {"no_release": 0, "prerelease_revision": 1, "patch": 2, "minor": 3, "major": 4}
# Patterns for the rarer messages, kept as text: re compiles (and caches) each on first use,
# not at every import.
_BREAKING = r"BREAKING[ -]CHANGE:\s?(.*)"
_TRIM_LINE_ENDS = r"[\r\t\f\v ]*\r?\n"
_UNWRAP_HYPHEN = r"((?<=\w)-\n(?=\w))"
_SPREAD_FOOTERS = r"(?m)^ {0,2}([\w-]*: .+)$\n?((?!\n) *[^:\n]+:)"
_UNWRAP = r"((?<!-)\n(?![\s*-]))"
_GIT_HEADER = r"(?m)^[\t ]*commit [0-9a-f]+$\n?"
_SQUASH_FILTERS: tuple[tuple[str | re.Pattern[str], str], ...] = (
    (r"(\S)  +(\S)", r"\1 \2"),
    (_GIT_HEADER, ""),
    (r"(?m)^[\t ]*Author: .+$\n?", ""),
    (r"(?m)^[\t ]*Date: .+$\n?", ""),
    (r"(?m)^[\t ]*Squashed commit of the following:.*$\n?", ""),
)


class PsrParser(NamedTuple):
    """python-semantic-release's conventional (or angular) parser with the project's options."""

    parser: str
    subject: re.Pattern[str]  # a commit's first line: type(scope)!: subject
    message: re.Pattern[str]  # the whole message, the body in the group `text`
    prefix: re.Pattern[str]  # a squashed commit's bullet or indent before its type
    levels: Mapping[str, Bump]
    default: Bump
    squash: bool
    ignore_merges: bool
    starts: tuple[str, ...] = ("",)  # what a commit's first line starts with ("": anything)
    warnings: tuple[str, ...] = ()  # the options it ignores, as python-semantic-release does

    @property
    def name(self) -> str:
        return f"python-semantic-release {self.parser}"

    def level(self, message: str, merge: bool) -> Bump:
        if self.ignore_merges and merge:
            return Bump.NONE
        parts = self._unsquash(message) if self.squash else [message]
        return max(map(self._one, parts), default=Bump.NONE)

    def _one(self, message: str) -> Bump:
        match = self.message.match(message)
        if match is None:
            return Bump.NONE
        if match["break"] or ("BREAKING" in message and _breaking(match["subject"], match["text"])):
            return Bump.MAJOR
        return self.levels.get(match["type"], self.default)

    def _unsquash(self, message: str) -> list[str]:
        text = message.replace("\r", "").strip()
        parts: list[str] = []
        pieces = re.split(_GIT_HEADER, text) if "commit " in text else [text]
        for piece in pieces:
            parts += self._squashed(piece)
        return [p for p in parts if p] or [message]

    def _squashed(self, text: str) -> list[str]:
        # The filters change nothing in text with no double space, git header, indent or
        # bullet: most messages. Then they, and dedent, are skipped; one paragraph is itself.
        plain = _plain(text)
        if plain and "\n\n" not in text:
            return [text.strip()]
        from textwrap import dedent  # only for a squash merge's indented body

        found: list[str] = []
        current = ""
        filters = (*_SQUASH_FILTERS, (self.prefix, r"\1"))
        for paragraph in filter(None, text.strip().split("\n\n")):
            clean = paragraph if plain else reduce(_reduce, filters, paragraph)
            if not clean.strip():
                continue
            if self._starts_commit(clean):
                if current:
                    found.append(current)
                current = clean
            elif not found and not current:
                current = clean if plain else dedent(clean)
            elif current:
                current += f"\n\n{clean if plain else dedent(clean)}"
        return [*found, current]

    def _starts_commit(self, paragraph: str) -> bool:
        if not paragraph.startswith(self.starts):
            return False  # no type starts the paragraph
        match = self.subject.search(paragraph)
        if self.parser == "angular":
            return match is not None
        # conventional: a one-word subject is a closing footer such as `fix: #123`
        return match is not None and len(match["subject"].split(" ")) > 1


def _plain(text: str) -> bool:
    """TEXT holds nothing python-semantic-release's squash filters or dedent would change."""
    return not (
        "  " in text
        or "commit " in text
        or "Author: " in text
        or "Date: " in text
        or text[:1] in (" ", "\t", "*", "-")
        or "\n " in text
        or "\n\t" in text
        or "\n*" in text
        or "\n-" in text
    )


def _reduce(text: str, pair: tuple[str | re.Pattern[str], str]) -> str:
    return re.sub(pair[0], pair[1], text) if text else text


def _breaking(subject: str, text: str | None) -> bool:
    """A paragraph (the subject first) that opens with BREAKING CHANGE: and says something."""
    return any(
        (m := re.match(_BREAKING, p)) is not None and bool(m.group(1))
        for p in (subject, *_paragraphs(text or ""))
    )


def _paragraphs(text: str) -> list[str]:
    """python-semantic-release's parse_paragraphs: lines unwrapped, git footers kept apart."""
    adjusted = re.sub(_UNWRAP_HYPHEN, "-", re.sub(_TRIM_LINE_ENDS, "\n", text))
    previous = ""
    while previous != adjusted:
        previous, adjusted = adjusted, re.sub(_SPREAD_FOOTERS, r"\1\n\n\2", adjusted)
    return [
        p for p in (re.sub(_UNWRAP, " ", p).strip() for p in adjusted.strip().split("\n\n")) if p
    ]


def psr_parser(psr: Mapping[str, Any], where: str) -> PsrParser:
    """The parser `[tool.semantic_release]` names, with its commit_parser_options.

    Raises ConfigError for a parser other than conventional or angular. An option the parser
    does not have is ignored, as PSR's options class ignores it, and named in its warnings.
    """
    name = str(psr.get("commit_parser", "conventional"))
    if name not in _PSR_PARSERS:
        raise ConfigError(
            f"{where}: commit_parser = {name!r} is not supported (autorelease follows "
            "python-semantic-release's conventional, conventional-monorepo and angular parsers)",
            'use commit_parser = "conventional", or set bump_rules = "autorelease" in '
            "[tool.autorelease]",
        )
    options = dict(psr.get("commit_parser_options") or {})
    if name == "conventional-monorepo":
        name = "conventional"
        options = {k: v for k, v in options.items() if k not in _PSR_MONOREPO_OPTIONS}
    unknown = sorted(set(options) - _PSR_OPTIONS)
    warnings = tuple(
        f"{where}: commit_parser_options.{key} is not an option of the {name} parser; "
        "python-semantic-release ignores it, and so does autorelease (its options are "
        f"{', '.join(sorted(_PSR_OPTIONS))})"
        for key in unknown
    )
    known = {key: value for key, value in options.items() if key in _PSR_OPTIONS}
    return _psr_parser(name, known, where)._replace(warnings=warnings)


def _psr_parser(name: str, options: dict[str, Any], where: str) -> PsrParser:
    allowed = _tags(options, "allowed_tags", _PSR_ALLOWED, where)
    default = _psr_level(options.get("default_bump_level", 0), where)
    levels = dict.fromkeys(allowed, default)
    levels.update(dict.fromkeys(_tags(options, "patch_tags", ("fix", "perf"), where), Bump.PATCH))
    levels.update(dict.fromkeys(_tags(options, "minor_tags", ("feat",), where), Bump.MINOR))
    types = f"(?P<type>{'|'.join(allowed)})"
    head = rf"^{types}(?:\((?P<scope>[^\n]+)\))?(?P<break>!)?:\s+"
    try:
        subject = re.compile(head + r"(?P<subject>[^\n]+)")
        message = re.compile(subject.pattern + r"(?:\n\n(?P<text>.+))?", re.DOTALL)
        prefix = re.compile(rf"^(?:[\t ]*[*-][\t ]+|[\t ]+)?{types}\b", re.MULTILINE)
    except re.error:
        raise ConfigError(
            f"{where}: commit_parser_options.allowed_tags cannot make a pattern",
            "remove or escape the regular expression characters in the commit types",
        ) from None
    conventional = name == "conventional"  # angular parses neither squashes nor merges
    return PsrParser(
        name, subject if conventional else re.compile(head), message, prefix,
        {t: lvl for t, lvl in levels.items() if "|" not in t}, default,
        bool(options.get("parse_squash_commits", conventional)),
        bool(options.get("ignore_merge_commits", conventional)),
        tuple(allowed) if all(t.isidentifier() for t in allowed) else ("",),
    )  # fmt: skip


def _tags(options: Mapping[str, Any], key: str, default: tuple[str, ...], where: str) -> list[str]:
    value = options.get(key, default)
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ConfigError(f"{where}: commit_parser_options.{key} must be a list of commit types")
    return list(value)


def _psr_level(value: Any, where: str) -> Bump:
    number = _PSR_LEVEL_NAMES.get(str(value).lower(), value)
    if isinstance(number, bool) or number not in _PSR_LEVELS:
        raise ConfigError(
            f"{where}: commit_parser_options.default_bump_level = {value!r} is not a level",
            "use 0 (no release), 2 (patch), 3 (minor) or 4 (major)",
        )
    return _PSR_LEVELS[number]


def psr_prerelease_token(psr: Mapping[str, Any], branch: str | None) -> str | None:
    """The pre-release kind PSR's branches table gives BRANCH (None: a final release).

    The first group whose `match` regex matches the branch's start decides, as PSR's
    select_branch_options does; PSR's default group, `(main|master)`, makes final releases.
    """
    branches = psr.get("branches") or {}
    for group in branches.values() if isinstance(branches, Mapping) else ():
        if branch is None or not re.match(str(group.get("match", "(main|master)")), branch):
            continue
        if not group.get("prerelease", False):
            return None
        token = str(group.get("prerelease_token", "rc"))
        # The three kinds autorelease writes as PSR does (SemVer: 1.1.0-beta.1).
        kind = {"alpha": "a", "beta": "b", "rc": "rc"}.get(token)
        if kind is None:
            raise ConfigError(
                f"[tool.semantic_release.branches]: prerelease_token = {token!r} is not "
                "alpha, beta or rc",
                'use "alpha", "beta" or "rc", the pre-releases autorelease can make',
            )
        return kind
    return None


class LevelRule(NamedTuple):
    """What the plan needs of another tool's rules: the level of a raw message."""

    name: str
    rule: CzConventional | PsrParser | None  # None: autorelease's rules (or a cz rule set)


def for_config(cfg: config.Config) -> LevelRule:
    """The rules `bump_rules` names, with the settings of the tool they come from."""
    chosen = str(cfg.bump_rules)
    if cfg.commit_rules:
        return LevelRule(f"commitizen {cfg.commit_rules}", None)  # rules.py: cz builds it
    if chosen == COMMITIZEN:
        rule = CzConventional(major_version_zero=not cfg.major_on_zero)
        return LevelRule(rule.name, rule)
    if chosen == SEMANTIC_RELEASE:
        where, psr = cfg.semantic_release
        parser = psr_parser(psr, where)
        return LevelRule(parser.name, parser)
    return LevelRule(AUTORELEASE, None)
