"""Lint a commit message at commit time: every problem at once, and a corrected example.

Pure functions over strings, on top of commits.parse. Rules are numbered as in
https://www.conventionalcommits.org/en/v1.0.0/#specification; the two checks that are not in the
specification (header length, allowed types) say so in their rule text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from autorelease.core.commits import (
    CONVENTIONAL_TYPES,
    Commit,
    ParseError,
    Problem,
    parse,
    special_kind,
)

DEFAULT_TYPES = CONVENTIONAL_TYPES
# commitlint's header-max-length default; the specification itself sets no limit.
DEFAULT_MAX_HEADER_LENGTH = 100
SCISSORS = "# ------------------------ >8 ------------------------"

_LOOSE_HEADER = re.compile(
    r"(?P<type>[A-Za-z][\w-]*)[ \t]*(?:\((?P<scope>[^()\n]*)\)?)?[ \t]*(?P<bang>!)?[ \t]*:[ \t]*"
    r"(?P<description>.*)"
)
_NO_COLON_HEADER = re.compile(
    r"(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?[ \t]+(?P<description>\S.*)"
)
# `Reviewed by: Alice` -- a trailer-like line whose token has spaces (rule 9).
_SPACED_TOKEN = re.compile(r"(?P<token>[A-Z][a-z]+(?:[ \t]+[a-z]+){1,2}):[ \t]+\S.*")
# Anything meant as a breaking-change footer that is not spelled exactly as rule 12 says.
_LOOSE_BREAKING = re.compile(r"(?i)(?P<token>breaking[ _-]?changes?)[ \t]*:[ \t]*(?P<value>.*)")
_EXACT_BREAKING = re.compile(r"(?:BREAKING CHANGE|BREAKING-CHANGE): \S.*")

_TYPE_SYNONYMS = {
    "feature": "feat",
    "features": "feat",
    "add": "feat",
    "new": "feat",
    "bugfix": "fix",
    "bug": "fix",
    "hotfix": "fix",
    "fixes": "fix",
    "fixed": "fix",
    "doc": "docs",
    "documentation": "docs",
    "tests": "test",
    "testing": "test",
    "refactoring": "refactor",
    "performance": "perf",
    "chores": "chore",
    "deps": "build",
}
_FIX_WORDS = frozenset({"fix", "fixed", "fixes", "fixing", "bug", "bugs", "bugfix", "hotfix"})
_DOCS_WORDS = frozenset({"docs", "doc", "readme", "documentation", "docstring", "docstrings"})
_FEAT_WORDS = frozenset(
    {"add", "added", "adds", "adding", "new", "implement", "implemented", "implements", "feature"}
)


@dataclass(frozen=True)
class LintResult:
    """The verdict on one message: problems (empty when it passes) and a corrected example.

    `skipped` names why a message passes without being a conventional commit: `empty` (git
    aborts the commit anyway) or a kind git writes itself (`merge`, `revert`, `fixup`, `release`).
    """

    header: str
    problems: tuple[Problem, ...] = ()
    suggestion: str | None = None
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """True when the message may be committed."""
        return not self.problems


def clean(message: str) -> str:
    """The message git will record: comment lines and everything after the scissors removed."""
    kept = []
    for line in message.replace("\r\n", "\n").split("\n"):
        if line.startswith(SCISSORS):
            break
        if not line.startswith("#"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip("\n")


def lint(
    message: str,
    *,
    max_header_length: int | None = DEFAULT_MAX_HEADER_LENGTH,
    allowed_types: Collection[str] | None = DEFAULT_TYPES,
    editing: bool = True,
) -> LintResult:
    """Check a message; None for either option turns that check off.

    EDITING is for the text of a commit-msg file, which git has not cleaned up yet: `#` lines
    are comments, and an empty message passes because git aborts the commit anyway. Turn it off
    for messages already committed, where a `#12 ...` line is text and empty is a problem.
    """
    text, lines, skipped = _prepared(message, editing)
    if skipped is not None:
        return skipped
    header = lines[0]
    parsed = parse(text)
    problems = list(parsed.problems if isinstance(parsed, ParseError) else ())
    problems += _type_problems(parsed, allowed_types)
    problems += _length_problems(header, max_header_length)
    problems += _body_problems(lines[1:])
    if not problems:
        return LintResult(header)
    allowed = tuple(t.lower() for t in allowed_types) if allowed_types else None
    fixed = suggest(text, max_header_length=max_header_length, allowed_types=allowed, editing=False)
    return LintResult(header, tuple(problems), fixed)


def _prepared(message: str, editing: bool) -> tuple[str, list[str], LintResult | None]:
    """The text to check and its lines, or the verdict for a message that is not checked:
    empty while editing (git aborts the commit) or a kind git writes itself."""
    text = clean(message) if editing else message.replace("\r\n", "\n").strip("\n")
    lines = text.split("\n")
    if editing and not text.strip():
        return text, lines, LintResult(lines[0], skipped="empty")
    kind = special_kind(lines[0], "\n".join(lines[1:]), None)
    return text, lines, LintResult(lines[0], skipped=kind) if kind is not None else None


def lint_by_schema(
    message: str,
    schema: re.Pattern[str],
    rule_set: str,
    *,
    max_header_length: int | None = DEFAULT_MAX_HEADER_LENGTH,
    editing: bool = True,
    example: str = "",
) -> LintResult:
    """Check a message as `cz check` does for a commitizen rule set: its schema_pattern must
    match the message; what git writes itself (merges, reverts, fixups) passes."""
    text, lines, skipped = _prepared(message, editing)
    if skipped is not None:
        return skipped
    header = lines[0]
    problems = _length_problems(header, max_header_length)
    if not schema.match(text):
        rule = f"{rule_set}: the schema_pattern {schema.pattern}"
        problems.insert(0, Problem(f"the message does not follow the {rule_set} rule set", rule))
    return LintResult(header, tuple(problems), (example or None) if problems else None)


def _type_problems(
    parsed: Commit | ParseError, allowed_types: Collection[str] | None
) -> list[Problem]:
    if not allowed_types or not isinstance(parsed, Commit):
        return []
    allowed = [t.lower() for t in allowed_types]
    if parsed.type in allowed:  # parse lowercases the type: rule 15, types ignore case
        return []
    return [
        Problem(
            f"unknown type `{parsed.type}`",
            f"project setting (allowed types): {', '.join(allowed)}",
        )
    ]


def _length_problems(header: str, limit: int | None) -> list[Problem]:
    if not limit or len(header) <= limit:
        return []
    return [
        Problem(
            f"the header is {len(header)} characters long, more than {limit}",
            f"project setting (max_header_length = {limit}, as commitlint's header-max-length;"
            " not a rule of the specification): move details to the body",
        )
    ]


def _body_problems(rest: list[str]) -> list[Problem]:
    problems = []
    if rest and rest[0].strip():
        problems.append(
            Problem(
                "the body is not separated from the header by a blank line",
                "6: the body begins one blank line after the description",
            )
        )
    for line in rest:
        loose = _LOOSE_BREAKING.fullmatch(line)
        if loose and not _EXACT_BREAKING.fullmatch(line):
            problems.append(
                Problem(
                    f"`{loose['token']}:` is not recognised as a breaking change;"
                    " write `BREAKING CHANGE: <description>` in capitals",
                    "12, 15: a breaking-change footer is the uppercase text BREAKING CHANGE,"
                    " a colon, a space and a description",
                )
            )
    for line in _last_paragraph(rest):
        spaced = _SPACED_TOKEN.fullmatch(line)
        if spaced and not _LOOSE_BREAKING.fullmatch(line):
            token = spaced["token"]
            problems.append(
                Problem(
                    f"footer token `{token}` contains a space; write `{_hyphenate(token)}`",
                    "9: a footer's token uses - in place of whitespace (only BREAKING CHANGE"
                    " may contain a space)",
                )
            )
    return problems


def _last_paragraph(rest: list[str]) -> list[str]:
    """The last blank-line-separated paragraph after the header (where footers live)."""
    paragraph: list[str] = []
    for line in rest:
        if not line.strip():
            paragraph = []
        else:
            paragraph.append(line)
    return paragraph if len(paragraph) < len(rest) else []


def _hyphenate(token: str) -> str:
    return re.sub(r"\s+", "-", token.strip())


# --- the corrected example -------------------------------------------------------------------


def suggest(
    text: str,
    *,
    max_header_length: int | None = DEFAULT_MAX_HEADER_LENGTH,
    allowed_types: Collection[str] | None = DEFAULT_TYPES,
    editing: bool = True,
) -> str:
    """A valid message built from the user's own text: header, body and footers fixed."""
    lines = (clean(text) if editing else text.strip("\n")).split("\n")
    header = suggest_header(lines[0], allowed_types)
    extra: list[str] = []
    if max_header_length and len(header) > max_header_length:
        header, overflow = _shorten(header, max_header_length)
        extra = [overflow, ""]
    rest = lines[1:]
    footer_start = len(rest) - len(_last_paragraph(rest))
    rest = [_fix_footer_line(line, i >= footer_start) for i, line in enumerate(rest)]
    while rest and not rest[0].strip():
        rest.pop(0)
    body = extra + rest
    return header if not any(body) else f"{header}\n\n" + "\n".join(body).strip("\n")


def suggest_header(header: str, allowed_types: Collection[str] | None = DEFAULT_TYPES) -> str:
    """`Fix login` -> `fix: login`; `Added search` -> `feat: added search`."""
    header = header.strip()
    allowed = [t.lower() for t in allowed_types] if allowed_types else None
    match = _LOOSE_HEADER.fullmatch(header) or _NO_COLON_HEADER.fullmatch(header)
    if match:
        kind = _known_type(match["type"], allowed, strict=match.re is _NO_COLON_HEADER)
        if kind is not None:
            scope = (match["scope"] or "").strip()
            prefix = f"{kind}({scope})" if scope else kind
            return f"{prefix}{match['bang'] or ''}: {_description(match['description'])}"
        if match.re is _LOOSE_HEADER:
            header = f"{match['type']} {match['description']}".strip()
    words = header.split()
    first = words[0].lower() if words else ""
    if first in (allowed or DEFAULT_TYPES):
        return f"{first}: {_description(' '.join(words[1:]))}"
    return f"{_guess_type(header, allowed)}: {_description(header)}"


def _known_type(word: str, allowed: list[str] | None, *, strict: bool) -> str | None:
    """The type WORD names, or None if it is not one to keep.

    Before a colon any word is meant as a type, so synonyms (`feature`) are mapped; without a
    colon (`Fix login`, `Added search`) only an exact type name counts as one.
    """
    kind = word.lower()
    if strict:
        return kind if kind in (allowed or DEFAULT_TYPES) else None
    if allowed is None:
        return kind
    kind = kind if kind in allowed else _TYPE_SYNONYMS.get(kind, "")
    return kind if kind in allowed else None


def _guess_type(text: str, allowed: list[str] | None) -> str:
    words = set(re.findall(r"[a-z]+", text.lower()))
    for kind, vocabulary in (("fix", _FIX_WORDS), ("docs", _DOCS_WORDS), ("feat", _FEAT_WORDS)):
        if words & vocabulary and (allowed is None or kind in allowed):
            return kind
    if allowed is None or "chore" in allowed:
        return "chore"
    return allowed[0]


def _description(text: str) -> str:
    text = text.strip()
    if not text:
        return "describe the change"
    first = text.split()[0]
    # `Added search` -> `added search`, but keep `README` and `API` as written.
    return text if first.isupper() and len(first) > 1 else text[0].lower() + text[1:]


def _shorten(header: str, limit: int) -> tuple[str, str]:
    """Cut HEADER at the last space that fits LIMIT; return it and the words that moved out."""
    cut = header.rfind(" ", 0, limit + 1)
    colon = header.find(": ") + 2
    if cut <= colon:
        cut = limit
    return header[:cut].rstrip(), header[cut:].strip()


def _fix_footer_line(line: str, in_footers: bool) -> str:
    loose = _LOOSE_BREAKING.fullmatch(line)
    if loose and not _EXACT_BREAKING.fullmatch(line):
        return f"BREAKING CHANGE: {loose['value'].strip() or 'describe what breaks'}"
    spaced = _SPACED_TOKEN.fullmatch(line)
    if spaced and in_footers:
        return _hyphenate(spaced["token"]) + line[len(spaced["token"]) :]
    return line
