"""Conventional Commits 1.0.0: parse a message into a Commit, or say exactly why it is not one.

Pure functions over strings. The rules quoted in ParseError come from
https://www.conventionalcommits.org/en/v1.0.0/#specification (numbered as there).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

# type(scope)!: description -- the type is a noun; extra spaces after the colon are tolerated.
_HEADER = re.compile(
    r"(?P<type>[A-Za-z][A-Za-z0-9_-]*)"
    r"(?:\((?P<scope>[^()\n]*)\))?"
    r"(?P<bang>!)?"
    r"(?P<colon>:)(?P<space>[ \t]*)"
    r"(?P<description>.*)"
)
# The same shape, restricted to headers with no problem: a scope that is not blank, a space
# after the colon, and a description.
VALID_HEADER = re.compile(
    r"(?P<type>[A-Za-z][A-Za-z0-9_-]*)"
    r"(?:\((?P<scope>[^()\n]*[^()\s][^()\n]*)\))?"
    r"(?P<bang>!)?"
    r":[ \t]+"
    r"(?P<description>\S.*)"
)
_FOOTER = re.compile(
    r"(?P<token>BREAKING CHANGE|[A-Za-z0-9][A-Za-z0-9-]*)(?P<sep>: | #)(?P<value>.*)"
)
# The usual types: commitlint's config-conventional list (its type-enum).
CONVENTIONAL_TYPES = (
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert",
)  # fmt: skip
# Words that, first in a header without a colon, show the writer meant a type.
_COMMON_TYPES = frozenset((*CONVENTIONAL_TYPES, "feature", "bugfix"))
_BREAKING_TOKENS = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})
_SQUASH_ITEM = r"^[ \t]*[*-][ \t]+(?P<header>[A-Za-z][\w-]*(?:\([^()\n]*\))?!?:[ \t]+\S.*)$"
_SQUASH_LINE = re.compile(_SQUASH_ITEM)


class Footer(NamedTuple):
    """One footer: `Token: value` or `Token #value`; values may span lines."""

    token: str
    value: str
    separator: str = ": "


class Commit(NamedTuple):
    """A message that follows the Conventional Commits specification.

    The body and footers are split from `rest` (everything after the header) on first use:
    most questions a release asks are answered by the header alone, and on long histories
    that is most of the work saved. A NamedTuple: one is made for every commit of a range.
    """

    type: str
    scope: str | None
    description: str
    bang: bool = False
    header: str = ""
    rest: str = ""

    @property
    def _parts(self) -> tuple[str, tuple[Footer, ...]]:
        return _split_rest(self.rest) if self.rest else ("", ())

    @property
    def body(self) -> str:
        return self._parts[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        return self._parts[1]

    @property
    def breaking(self) -> bool:
        """A `!` before the colon, or a BREAKING CHANGE / BREAKING-CHANGE footer."""
        if self.bang:
            return True
        return "BREAKING" in self.rest and any(f.token in _BREAKING_TOKENS for f in self.footers)

    @property
    def breaking_notes(self) -> tuple[str, ...]:
        """What the breaking change is: the footers' text, else the description (rule 13)."""
        return self.breaking_footers or ((self.description,) if self.bang else ())

    @property
    def breaking_footers(self) -> tuple[str, ...]:
        """The text of the BREAKING CHANGE footers (none for a `!` alone)."""
        if "BREAKING" not in self.rest:
            return ()
        return tuple(f.value for f in self.footers if f.token in _BREAKING_TOKENS)

    def footer(self, token: str) -> str | None:
        """The value of the last footer named TOKEN (case-insensitive), if any."""
        if not self.rest or not _footer_line(token).search(self.rest):
            return None  # no line starts with TOKEN: no need to split the footers
        wanted = token.lower()
        values = [f.value for f in self.footers if f.token.lower() == wanted]
        return values[-1] if values else None


class Problem(NamedTuple):
    """One broken rule: what is wrong, and the rule of the specification it breaks."""

    message: str
    rule: str


class ParseError(NamedTuple):
    """A message that is not a conventional commit, with every problem found at once."""

    header: str
    problems: tuple[Problem, ...] = ()


def parse(message: str) -> Commit | ParseError:
    """Parse a full commit message (header, body, footers)."""
    header, _, rest = message.strip("\n").partition("\n")
    return parse_parts(header, rest)


def parse_parts(header: str, rest: str) -> Commit | ParseError:
    """parse() for a message already split into its first line and the rest."""
    header = header.rstrip()
    match = VALID_HEADER.fullmatch(header)
    if match is None:  # the common case skips the detailed diagnosis below
        problems = _header_problems(header)
        if problems:
            return ParseError(header, tuple(problems))
        match = _HEADER.fullmatch(header)
        assert match is not None  # guaranteed by _header_problems
    kind, scope, bang, description = match.group("type", "scope", "bang", "description")
    return Commit(
        kind.lower(),
        scope.strip() if scope is not None else None,
        description.strip(),
        bool(bang),
        header,
        rest,
    )


def _header_problems(header: str) -> list[Problem]:
    if not header.strip():
        return [Problem("the message is empty", "1: a commit starts with a type")]
    match = _HEADER.fullmatch(header)
    if match is None:
        return [_no_type_problem(header)]
    problems = []
    if match["scope"] is not None and not match["scope"].strip():
        problems.append(Problem("the scope is empty: `()`", "4: a scope is a noun in parentheses"))
    if not match["space"]:
        problems.append(
            Problem("no space after the colon", "1: the type is followed by a colon and a space")
        )
    if not match["description"].strip():
        problems.append(
            Problem("the description is missing", "5: a description follows the colon and space")
        )
    return problems


def _no_type_problem(header: str) -> Problem:
    if re.match(r"[A-Za-z][\w-]*\([^)]*$", header):
        return Problem("the scope's closing parenthesis is missing", "4: scope in parentheses")
    typed = re.match(r"(?P<type>[A-Za-z][\w-]*)(?P<scope>\([^()]*\))?!?\s+\S", header)
    if typed and (typed["scope"] or typed["type"].lower() in _COMMON_TYPES):
        return Problem(
            "no colon after the type", "1: a type, an optional scope, then a colon and a space"
        )
    return Problem(
        "the header does not start with a type such as feat or fix",
        "1: commits are prefixed with a type, e.g. `fix: correct the login redirect`",
    )


@functools.lru_cache(maxsize=32)
def _footer_line(token: str) -> re.Pattern[str]:
    """A line that starts with TOKEN and a footer separator, in any case."""
    return re.compile(rf"^{re.escape(token)}(?:: | #)", re.IGNORECASE | re.MULTILINE)


@functools.lru_cache(maxsize=1024)
def _split_rest(rest: str) -> tuple[str, tuple[Footer, ...]]:
    """Split what follows the header into the body and the trailing footer block."""
    # Cached: a changelog entry asks a commit for its footers more than once in a row.
    paragraphs = _paragraphs(rest)
    start = len(paragraphs)
    # The footer block is the trailing run of paragraphs that each open with a footer...
    while start > 0 and _FOOTER.fullmatch(paragraphs[start - 1].partition("\n")[0]):
        start -= 1
    # ...or begins at the first paragraph that opens with BREAKING CHANGE (rule 12), whose
    # description may run over several paragraphs.
    if "BREAKING" in rest:
        for index, paragraph in enumerate(paragraphs[:start]):
            match = _FOOTER.fullmatch(paragraph.partition("\n")[0])
            if match and match["token"] in _BREAKING_TOKENS and match["sep"] == ": ":
                start = index
                break
    body = "\n\n".join(paragraphs[:start])
    return body, _footers(
        "\n\n".join(paragraphs[start:]).split("\n") if start < len(paragraphs) else []
    )


def _regular(text: str) -> bool:
    """TEXT splits into paragraphs at blank lines with one split: ASCII, no line that ends in
    whitespace or is only whitespace, no run of blank lines, no line end but \\n. Substring
    tests, each a fast scan (a regex that starts with a character class is far slower)."""
    return (
        text.isascii()
        and not text[-1:].isspace()
        and " \n" not in text
        and "\t\n" not in text
        and "\n\n\n" not in text
        and "\r" not in text
        and "\x0b" not in text
        and "\x0c" not in text
        and "\x1c" not in text
        and "\x1d" not in text
        and "\x1e" not in text
        and "\x1f" not in text
    )


def _paragraphs(rest: str) -> list[str]:
    """The paragraphs of REST: runs of lines that are not blank, each line right-stripped."""
    text = rest.strip("\n")
    if _regular(text):
        return text.split("\n\n") if text else []  # the common case: no loop over the lines
    return _paragraphs_by_lines(rest)


def _paragraphs_by_lines(rest: str) -> list[str]:
    """_paragraphs by its definition, line by line: for text the one split would get wrong."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in rest.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _footers(lines: list[str]) -> tuple[Footer, ...]:
    footers: list[list[str]] = []  # [token, separator, value lines...]
    for line in lines:
        match = _FOOTER.fullmatch(line)
        if match:
            footers.append([match["token"], match["sep"], match["value"]])
        elif footers:
            footers[-1].append(line)
    return tuple(
        Footer(token, "\n".join(value).strip(), separator) for token, separator, *value in footers
    )


# --- messages that real histories hold besides conventional commits -------------------------
# Patterns for rare messages are kept as text: re compiles (and caches) one on its first use,
# so that a run whose commits never need it does not compile it at import.

_MERGE = r"Merge (pull request|branch|remote-tracking branch|tag|commit|[0-9a-f]{7,}) "
# `Reapply "..."` is what git 2.43+ writes when a revert is itself reverted.
# GitHub's squash merge adds the pull request: `Revert "fix: broken thing" (#276)`.
_REVERT = r'(?:Revert|Reapply) "(?P<header>.*)"(?:\s*\(#\d+\))?\s*$'
_REVERTED_SHA = r"This reverts commit (?P<sha>[0-9a-f]{7,40})"
_AUTOSQUASH = ("fixup! ", "squash! ", "amend! ")
PSR_BODY = "Automatically generated by python-semantic-release"
_CZ_BUMP = r"bump: version \S+ → \S+"
SPECIAL_STARTS = ("bump: version ", "Merge", "Revert ", "Reapply ", *_AUTOSQUASH)


def special_kind(header: str, body: str, release_subject: re.Pattern[str] | None) -> str | None:
    """merge, revert, fixup or release for messages git or a release tool writes; else None."""
    if release_subject is not None and release_subject.fullmatch(header):
        return "release"
    if body and PSR_BODY in body:
        return "release"
    # Cheap prefix tests first: this runs once for every commit of the range.
    if not header.startswith(SPECIAL_STARTS):
        return None
    if re.fullmatch(_CZ_BUMP, header):
        return "release"
    if re.match(_MERGE, header) or header.startswith(("Merge ", "Merged PR ")):
        return "merge"
    if re.match(_REVERT, header):
        return "revert"
    if header.startswith(_AUTOSQUASH):
        return "fixup"
    return None


def reverted_sha(message: str) -> str | None:
    """The commit a `git revert` message names, if any."""
    match = re.search(_REVERTED_SHA, message)
    return match["sha"] if match else None


def reverted_header(header: str) -> str | None:
    """The header a `Revert "<header>"` names (None for Reapply, or another header)."""
    match = re.match(_REVERT, header.strip())
    return match["header"] if match and header.startswith("Revert ") else None


def squashed_items(body: str) -> list[Commit]:
    """Conventional commits listed in a squash-merge body (`* feat: ...`, as GitHub writes)."""
    if ":" not in body:  # most bodies: asked of every commit when squash bodies are read
        return []
    items = []
    for line in body.splitlines():
        match = _SQUASH_LINE.match(line) if line.lstrip(" \t")[:1] in ("*", "-") else None
        if match:
            parsed = parse(match["header"])
            if isinstance(parsed, Commit):
                items.append(parsed)
    return items
