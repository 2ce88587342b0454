"""How a changelog writes its releases, read from the file itself.

Other tools leave their own headings: commitizen `## v4.13.9 (2026-02-25)`, python-semantic-
release `v10.6.1 (2026-07-06)` underlined with `=` (reStructuredText) or `## v1.2.3 (date)`,
Keep a Changelog `## [1.2.3] - 2024-01-01`. A new section copies the heading of the previous
release (prefix, brackets, date format, level or underline, anchor line) so the file stays in
one style. Pure, and linear in the file: the previous version is looked up with `str.find`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from typing import NamedTuple

_VERSION, _DATE = "\0v\0", "\0d\0"  # placeholders in a copied heading
_RULE_CHARS = frozenset("=-~^*+#`:'\"._")
_ABBR = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_MONTHS = f"(?:{_ABBR})[a-z]*"


def _month(day: dt.date, written: str) -> str:
    """DAY's month as WRITTEN names months: abbreviated (Feb) or in full (February)."""
    return day.strftime("%b" if re.search(rf"\b(?:{_ABBR})\b", written) else "%B")


# Date formats a heading may use: how to find one (a pattern re compiles on first use), and
# how to write a date the same way.
DATES: tuple[tuple[str, Callable[[dt.date, str], str]], ...] = (
    (r"\d{4}-\d{2}-\d{2}", lambda d, _: d.isoformat()),
    (r"\d{4}/\d{2}/\d{2}", lambda d, _: d.strftime("%Y/%m/%d")),
    (r"\d{2}\.\d{2}\.\d{4}", lambda d, _: d.strftime("%d.%m.%Y")),
    (_MONTHS + r" \d{1,2}, \d{4}", lambda d, w: f"{_month(d, w)} {d.day}, {d.year}"),
    (r"\d{1,2} " + _MONTHS + r" \d{4}", lambda d, w: f"{d.day} {_month(d, w)} {d.year}"),
)  # fmt: skip


class Heading(NamedTuple):
    """A release heading in a changelog: where its block starts (anchor or overline included),
    its text line, its Markdown level (0 when underlined), its underline character."""

    start: int
    end: int  # the end of its last line (the underline's, when underlined)
    line: str
    level: int = 0
    underline: str = ""
    overline: bool = False
    anchor: str = ""  # a reStructuredText target line before it: `.. _changelog-v1.2.3:`


class Style(NamedTuple):
    """How to write a release's section: Markdown or reStructuredText, and the shape of the
    previous release's heading when the file has one (else autorelease's own)."""

    rst: bool = False
    level: int = 2  # Markdown: the release heading's level; sections are one deeper
    heading: str = ""  # the previous heading with placeholders for version and date
    date_format: int = -1  # an index in DATES, -1 when the heading has no date
    date_text: str = ""  # the date as the previous heading wrote it
    underline: str = "="
    overline: bool = False
    sub_underline: str = "-"  # reStructuredText: the underline of the sections' titles
    anchor: str = ""  # the anchor line, with a placeholder for the version
    bullet: str = "-"
    titles: tuple[str, ...] = ()  # the file's section titles, newest first: `🪲 Bug Fixes`
    # The commit's short hash as inline code in its link, [`abc1234`](url), as the last
    # release's entries write it (python-semantic-release's templates), else [abc1234](url).
    sha_code: bool = False

    def title_for(self, title: str) -> str:
        """TITLE as the file writes it (`🪲 Bug Fixes` for `Bug Fixes`, an emoji before it or a
        different case), else TITLE."""
        want = title.casefold()
        return next((own for own in self.titles if _bare(own) == want), title)

    def heading_for(self, version: str, date: str) -> str:
        """The copied heading for VERSION released on DATE (ISO)."""
        text = self.heading.replace(_VERSION, version)
        if self.date_format >= 0 and _DATE in text:
            written = DATES[self.date_format][1](dt.date.fromisoformat(date), self.date_text)
            text = text.replace(_DATE, written)
        return text

    def anchor_for(self, version: str) -> str:
        return self.anchor.replace(_VERSION, version)


MD = Style()
RST = Style(rst=True)


def is_rst(path: str | None) -> bool:
    return bool(path) and str(path).lower().endswith((".rst", ".rest"))


def find_headings(text: str, version: str) -> list[Heading]:
    """Every heading of TEXT that names VERSION as a whole (not 11.2.3 for 1.2.3, nor 1.2.3rc1)."""
    found: list[Heading] = []
    pos = text.find(version) if version else -1
    while pos >= 0:
        end = pos + len(version)
        if not _bounded(text, pos, end):
            pos = text.find(version, pos + 1)
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = _line_end(text, end)
        heading = _heading_at(text, line_start, line_end)
        if heading is not None:
            found.append(heading)
        pos = text.find(version, line_end)
    return found


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    if before in "vV":
        before = text[start - 2] if start > 1 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "._") and not (after.isalnum() or after in "._+-")


def _is_rule(line: str) -> bool:
    """A reStructuredText (or setext) underline: one punctuation character, repeated."""
    return len(line) >= 3 and line[0] in _RULE_CHARS and line == line[0] * len(line)


def _heading_at(text: str, start: int, end: int) -> Heading | None:
    line = text[start:end].rstrip()
    if line.startswith("#"):
        level = len(line) - len(line.lstrip("#"))
        return Heading(start, end, line, level) if line[level : level + 1] == " " else None
    if not line or line[0] in " \t-*+>|" or line.startswith(".."):
        return None  # a list item, a quote, a comment or an indented line
    under = text[end + 1 : _line_end(text, end + 1)].rstrip() if end < len(text) else ""
    if not _is_rule(under) or len(under) < len(line):
        return None
    block = start
    above = text.rfind("\n", 0, max(start - 1, 0)) + 1 if start else -1
    overline = above >= 0 and text[above : start - 1].rstrip() == under
    if overline:
        block = above
    anchor, block = _anchor_before(text, block)
    return Heading(block, _line_end(text, end + 1), line, 0, under[0], overline, anchor)


def _anchor_before(text: str, start: int) -> tuple[str, int]:
    """The `.. _name:` target line just above START (blank lines between), and where it starts."""
    probe = start - 1
    while probe > 0 and text[probe - 1] == "\n":  # skip blank lines
        probe -= 1
    if probe <= 0:
        return "", start
    line_start = text.rfind("\n", 0, probe) + 1
    line = text[line_start:probe].rstrip()
    if line.startswith(".. _") and line.endswith(":"):
        return line, line_start
    return "", start


def detect(text: str | None, version: str | None, rst: bool) -> Style:
    """The style of the file TEXT, from the heading of VERSION (the previous release) when
    exactly one names it; else autorelease's own style for the format."""
    base = RST if rst else MD
    if not text or not version:
        return base
    headings = find_headings(text, version)
    if len(headings) != 1:
        return base
    heading = headings[0]
    if bool(heading.underline) != rst:
        return base._replace(bullet=_bullet(text, heading))  # a setext heading in Markdown
    own = "](" in heading.line or "<http" in heading.line  # a linked heading: write our links
    template, date_format, date_text = ("", -1, "") if own else _template(heading.line, version)
    return base._replace(
        level=heading.level or base.level,
        heading=template,
        date_format=date_format,
        date_text=date_text,
        underline=heading.underline or base.underline,
        overline=heading.overline,
        sub_underline=_sub_underline(text, heading) if rst else base.sub_underline,
        anchor=_template(heading.anchor, version)[0] if heading.anchor else "",
        bullet=_bullet(text, heading),
        titles=_titles(text, heading, level=heading.level, rule=_sub_underline(text, heading)),
        sha_code=not rst and _sha_code(text, heading),
    )


_TITLE_SCAN = 200_000  # characters read for the section titles: enough for years of releases


def _titles(text: str, heading: Heading, *, level: int, rule: str) -> tuple[str, ...]:
    """The section titles of TEXT from HEADING on (Markdown headings one level under it, else
    lines underlined with RULE), each once, in the order of the file."""
    if level:  # from a line end, a literal: the regex engine looks for it at C speed
        pattern = re.compile(rf"\n{'#' * (level + 1)} +(\S.*?)[ \t]*$", re.MULTILINE)
    else:
        pattern = re.compile(rf"^(\S.*?)[ \t]*\n{re.escape(rule)}{{3,}}[ \t]*$", re.MULTILINE)
    found = pattern.findall(text, heading.start, heading.start + _TITLE_SCAN)
    return tuple(dict.fromkeys(found))


def _bare(title: str) -> str:
    """TITLE without what precedes its first letter or digit (an emoji), case-folded."""
    return re.sub(r"^\W+", "", title).strip().casefold()


def _template(line: str, version: str) -> tuple[str, int, str]:
    """LINE with its version and its date replaced by placeholders; the date's format and
    the date as written."""
    start = 0
    while True:
        pos = line.find(version, start)
        if pos < 0:
            return line, -1, ""
        if _bounded(line, pos, pos + len(version)):
            break
        start = pos + 1
    head, tail = line[:pos], line[pos + len(version) :]
    for index, (pattern, _) in enumerate(DATES):
        match = re.search(pattern, tail)
        if match:
            tail = tail[: match.start()] + _DATE + tail[match.end() :]
            return head + _VERSION + tail, index, match[0]
    return head + _VERSION + tail, -1, ""


def _following(text: str, heading: Heading, limit: int = 200) -> list[str]:
    """Up to LIMIT lines of the section under HEADING."""
    lines = text[heading.end + 1 : heading.end + 1 + 20_000].split("\n")
    return lines[:limit]


_SHA_CODE = r"\[`[0-9a-f]{7,40}`\]\("  # a link whose text is a short hash in backticks


def _sha_code(text: str, heading: Heading) -> bool:
    """True when the section under HEADING links commits as [`abc1234`](url)."""
    return any("[`" in line and re.search(_SHA_CODE, line) for line in _following(text, heading))


def _bullet(text: str, heading: Heading) -> str:
    for line in _following(text, heading):
        if line[:2] in ("- ", "* "):
            return line[0]
    return "-"


def _sub_underline(text: str, heading: Heading) -> str:
    lines = _following(text, heading)
    for title, under in itertools.pairwise(lines):
        rule = under.rstrip()
        if title.strip() and _is_rule(rule) and rule[0] != heading.underline:
            return rule[0]
    return "-"
