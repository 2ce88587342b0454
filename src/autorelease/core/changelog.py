"""Changelog sections: render one release as Markdown or reStructuredText, in the style of the
file it goes into, and insert it without touching the rest.

`render` and `insert` are pure. The default rendering is plain Python (no Jinja2 import on the
hot path); a user template is rendered with Jinja2, the commit text passed as data only. How the
file's own release headings look is read by `changelog_style`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.core.changelog_style import MD, Style, find_headings
from autorelease.errors import ChangelogError
from autorelease.fileio import NotUtf8, read_text, unframe

SECTIONS: tuple[tuple[str, str], ...] = (
    ("breaking", "⚠ Breaking changes"),
    ("feat", "Features"),
    ("fix", "Bug fixes"),
    ("perf", "Performance"),
)
SECTION_KINDS = frozenset(kind for kind, _ in SECTIONS)
# A rollback's revert commit (`autorelease rollback`): listed first in every layout, with what
# it took out, from its `Rolled-back:` footers.
ROLLBACK = ("rollback", "Rolled back")
_ROLL_BACK = "roll back "
# Markers other tools leave in changelogs they manage (python-semantic-release's Markdown and
# reStructuredText defaults, commitizen's); new sections go right below them.
FOREIGN_MARKERS = ("<!-- version list -->", "..\n    version list", "<!-- insertion marker -->")
# Patterns for rarer text, kept as text: re compiles (and caches) each on first use.
_ISSUE = r"(?<![\w/\[])#(\d+)\b"


class Entry(NamedTuple):
    """One changelog line: a commit's kind, scope and text, and what it links to."""

    kind: str
    description: str
    sha: str
    scope: str | None = None
    breaking_notes: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()


class Release(NamedTuple):
    """What a section is about: the version, its tag, the previous tag and the entries."""

    version: str
    tag: str
    date: str
    entries: tuple[Entry, ...] = ()
    previous_tag: str | None = None
    repo_url: str | None = None


class Layout(NamedTuple):
    """The sections of a release: (kind, title) in order, where the kind `breaking` holds the
    breaking-change notes, and whether kinds it does not name get a section of their own
    (after, titled by the kind)."""

    sections: tuple[tuple[str, str], ...] = SECTIONS
    others: bool = False
    # Commits whose header matches `exclude` are left out, unless their type is in `keep`
    # (it bumps the version) or they are breaking: python-semantic-release's
    # exclude_commit_patterns.
    exclude: re.Pattern[str] | None = None
    keep: frozenset[str] = frozenset()
    # A `!` without a BREAKING CHANGE footer lists its description under breaking changes
    # (rule 13); commitizen's and python-semantic-release's changelogs list footers only.
    bang_notes: bool = True


DEFAULT_LAYOUT = Layout()


def layout_of(sections: Mapping[str, str]) -> Layout:
    """The layout a `changelog_sections` table describes: type = title, in the table's order;
    a type it does not name is not listed, nor one whose title is empty. Breaking changes go
    first unless the table places (or hides) `breaking` itself."""
    pairs = tuple((str(kind).lower(), str(title)) for kind, title in sections.items())
    if "breaking" not in dict(pairs):
        pairs = (SECTIONS[0], *pairs)
    return Layout(tuple((kind, title) for kind, title in pairs if title))


def excluding(pairs: Iterable[tuple[str, object]], layout: Layout) -> Iterable[tuple[str, object]]:
    """PAIRS without the commits LAYOUT excludes (PAIRS itself when it excludes none)."""
    exclude, keep = layout.exclude, layout.keep
    if exclude is None:
        return pairs
    from autorelease.core.commits import Commit

    return (
        (sha, commit) for sha, commit in pairs
        if not (isinstance(commit, Commit) and exclude.match(commit.header)
                and commit.type.lower() not in keep and not commit.breaking)
    )  # fmt: skip


def render(
    release: Release,
    template: Path | None = None,
    layout: Layout = DEFAULT_LAYOUT,
    style: Style = MD,
) -> str:
    """The section for RELEASE in STYLE, from TEMPLATE when one is given."""
    if template is not None:
        return _render_template(release, template)
    return _text(release, _group(release.entries, release.repo_url, layout, style), layout, style)


def section(
    meta: Release,
    commits: Iterable[tuple[str, object]],
    template: Path | None = None,
    layout: Layout = DEFAULT_LAYOUT,
    style: Style = MD,
) -> str:
    """render() for META with the entries of COMMITS, (sha, Commit) pairs, newest first.

    The entries are grouped as they are made, never kept: a first release lists tens of
    thousands. Pairs whose second item is not a Commit are skipped.
    """
    if template is not None:
        return _render_template(meta._replace(entries=entries_from(commits)), template)
    shown = None if layout.others else frozenset(kind for kind, _ in layout.sections)
    groups = _group(_entries(commits, shown, layout.bang_notes), meta.repo_url, layout, style)
    return _text(meta, groups, layout, style)


def _text(release: Release, groups: dict[str, list[str]], layout: Layout, style: Style) -> str:
    """The section: its heading, then each group that has entries under its title."""
    lines = _heading(release, style)
    start = len(lines)
    titles = dict((ROLLBACK, *layout.sections))
    shown: set[int] = set()  # kinds titled alike share one list: it is shown once
    for kind, entries in groups.items():  # the layout's sections first: groups starts with them
        if entries and id(entries) not in shown:
            shown.add(id(entries))
            lines += [*_title(titles.get(kind, kind), style), "", *entries, ""]
    if len(lines) == start:
        lines += ["No user-facing changes.", ""]
    return "\n".join(lines)


def _rolled_back(commit: Any) -> str:
    """A rollback's entry: the release it rolled back and the commits it took out."""
    taken = [f.value.partition(" ") for f in commit.footers if f.token == "Rolled-back"]
    listed = "; ".join(f"{header} ({sha[:7]})" for sha, _, header in taken)
    version = commit.description.removeprefix(_ROLL_BACK)
    return f"Rolled back {version}" + (f", taking out: {listed}" if listed else "")


def with_block(section: str, title: str, items: list[str], style: Style = MD) -> str:
    """SECTION with one more group at its end: TITLE in the section's style, then ITEMS (list
    lines written by autorelease, such as the contributors)."""
    if not items:
        return section
    bullet = style.bullet
    items = [f"{bullet}{item[1:]}" if item.startswith("-") else item for item in items]
    return section.rstrip("\n") + "\n\n" + "\n".join([*_title(title, style), "", *items]) + "\n"


def _title(title: str, style: Style) -> list[str]:
    title = style.title_for(title)
    if style.rst:
        return [title, style.sub_underline * _columns(title)]
    return [f"{'#' * (style.level + 1)} {title}"]


def _columns(text: str) -> int:
    """How many columns TEXT takes, as docutils counts them for an underline: a wide
    character (the emoji of `🪲 Bug Fixes`) two, a combining one none."""
    if text.isascii():
        return len(text)
    import unicodedata

    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return len(text) + wide - sum(bool(unicodedata.combining(c)) for c in text)


def _heading(release: Release, style: Style) -> list[str]:
    """The release's heading lines, followed by an empty line."""
    if style.heading:
        text = style.heading_for(release.version, release.date)
    else:
        text = _own_heading(release, style.rst)
    if not style.rst:
        return [f"{'#' * style.level} {text}" if not style.heading else text, ""]
    anchor = [style.anchor_for(release.version), ""] if style.anchor else []
    over = [style.underline * len(text)] if style.overline else []
    return [*anchor, *over, text, style.underline * len(text), ""]


def _own_heading(release: Release, rst: bool) -> str:
    """autorelease's heading text: the version (linked to its changes) and the date."""
    if not release.repo_url:
        return f"{release.version} ({release.date})"
    if release.previous_tag:
        link = f"{release.repo_url}/compare/{release.previous_tag}...{release.tag}"
    else:
        link = f"{release.repo_url}/releases/tag/{release.tag}"
    if rst:
        return f"`{release.version} <{link}>`__ ({release.date})"
    return f"[{release.version}]({link}) ({release.date})"


def _group(
    entries: Iterable[_EntryFields], url: str | None, layout: Layout, style: Style
) -> dict[str, list[str]]:
    """The lines of each section (breaking changes included), in one pass over the entries
    (a release may have many). Kinds the layout titles alike share one list, in commit
    order, as commitizen groups the types its change_type_map names alike."""
    by_title: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {ROLLBACK[0]: []}
    for kind, title in layout.sections:
        groups[kind] = by_title.setdefault(title, [])
    breaking = groups.get("breaking")
    bullet, others = style.bullet, layout.others  # locals: the loop runs once per entry
    line = _rst_line if style.rst else functools.partial(_line, code=style.sha_code)
    for kind, description, sha, scope, notes, refs in entries:
        if breaking is not None and notes:
            breaking += [line(url, sha, scope, note, refs, bullet=bullet) for note in notes]
        lines = groups.setdefault(kind, []) if others else groups.get(kind)
        if lines is not None:
            lines.append(line(url, sha, scope, description, refs, bullet=bullet))
    return groups


def _tidy(text: str) -> str:
    """TEXT on one line, or its lines indented under the bullet, none ending in whitespace
    (multi-paragraph notes would leave whitespace-only lines: most projects reject those)."""
    if "\n" not in text:
        return text.strip()
    lines = [part.rstrip() for part in text.strip().split("\n")]
    return "\n".join([lines[0], *(f"  {part}" if part else "" for part in lines[1:])])


def _line(
    url: str | None,
    sha: str,
    scope: str | None,
    text: str,
    refs: tuple[str, ...],
    *,
    bullet: str = "-",
    code: bool = False,
) -> str:
    """One entry: `- **scope:** text (links)`, the issues it names linked when URL is known;
    CODE writes the commit's hash as inline code, [`abc1234`](url)."""
    scope = f"**{as_data(scope) if '<!--' in scope else scope}:** " if scope else ""
    if "\n" in text or text[:1] in _MARKUP_START or "<!--" in text or text[-1:].isspace():
        text = as_data(text)
    if not url or not sha:
        return f"{bullet} {scope}{text}{_plain_links(refs, sha)}"
    short = f"`{sha[:7]}`" if code else sha[:7]
    commit_link = f"[{short}]({url}/commit/{sha})"
    if "#" not in text and not refs:
        return f"{bullet} {scope}{text} ({commit_link})"  # most entries
    if "#" in text:
        text = re.sub(_ISSUE, lambda m: f"[#{m[1]}]({url}/issues/{m[1]})", text)
    links = [f"[#{ref}]({url}/issues/{ref})" for ref in refs if f"#{ref}" not in text]
    return f"{bullet} {scope}{text} ({', '.join([*links, commit_link])})"


def _plain_links(refs: tuple[str, ...], sha: str) -> str:
    """` (#12, abc1234)`: the issues and the commit, unlinked. A message given on top of HEAD
    (no commit yet: its sha is empty) has no commit to name."""
    names = [*(f"#{ref}" for ref in refs), *([sha[:7]] if sha else [])]
    return f" ({', '.join(names)})" if names else ""


_MD_CODE = r"(?<!`)`([^`\n]+)`(?!`)"


def _rst_line(
    url: str | None,
    sha: str,
    scope: str | None,
    text: str,
    refs: tuple[str, ...],
    *,
    bullet: str = "-",
) -> str:
    """One entry in reStructuredText: inline code and links in rst syntax (anonymous links,
    which may repeat)."""
    scope = f"**{scope}:** " if scope else ""
    text = as_data(text)
    if "`" in text:
        text = re.sub(_MD_CODE, r"``\1``", text)
    if not url or not sha:
        return f"{bullet} {scope}{text}{_plain_links(refs, sha)}"
    if "#" in text:
        text = re.sub(_ISSUE, lambda m: f"`#{m[1]} <{url}/issues/{m[1]}>`__", text)
    links = [f"`#{ref} <{url}/issues/{ref}>`__" for ref in refs if f"#{ref}" not in text]
    links.append(f"`{sha[:7]} <{url}/commit/{sha}>`__")
    return f"{bullet} {scope}{text} ({', '.join(links)})"


# What a line of commit text may start with that Markdown could read as structure: a heading
# (`#`), a setext underline (`===`, `---`) or a thematic break (`***`, `___`, `- - -`). Up to
# three spaces before it; four make an indented code block, which stays text.
_BLOCK_MARKUP = (
    r"(?m)^( {0,3})(?=#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$)"
)
_MARKUP_START = frozenset("#=-*_ \t\r\n")  # a first character that sends a text to as_data
# A code span (left alone: Markdown shows it verbatim), or the start of an HTML comment.
_CODE_OR_COMMENT = r"(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)|<!--"


def as_data(text: str) -> str:
    """Commit TEXT made the content of a list item that cannot end it or start structure.

    Its lines after the first are indented by two spaces (inside the item), a line that would
    be a heading, a setext underline or a rule starts with a backslash, and `<!--` outside
    code spans becomes `<\\!--`, which shows the same but opens no comment (nor a changelog
    marker): commit text is data. So nothing a commit says begins a line of the changelog; no
    line ends in whitespace, and an empty line stays empty.
    """
    text = text.strip()
    if "<!--" in text:
        text = re.sub(_CODE_OR_COMMENT, lambda m: m[0] if m[1] else "<\\!--", text)
    return _tidy(re.sub(_BLOCK_MARKUP, r"\1\\", text))


def _render_template(release: Release, template: Path) -> str:
    import jinja2  # only for users who bring their own template

    try:
        source = unframe(read_text(template))[0]
    except OSError as exc:
        raise ChangelogError(
            f"changelog template {template} cannot be read: {exc.strerror}",
            "fix changelog_template in [tool.autorelease]",
        ) from None
    except NotUtf8 as exc:
        raise ChangelogError(
            f"changelog template {exc}", "convert the template to UTF-8 and commit it"
        ) from None
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return env.from_string(source).render(release=_as_data(release), sections=SECTIONS)
    except jinja2.TemplateError as exc:
        raise ChangelogError(f"changelog template {template}: {exc}") from None


def _as_data(release: Release) -> Release:
    """RELEASE with the commit text of its entries as as_data() makes it, for a template."""
    entries = tuple(
        entry._replace(
            description=as_data(entry.description),
            scope=as_data(entry.scope) if entry.scope else entry.scope,
            breaking_notes=tuple(map(as_data, entry.breaking_notes)),
        )
        for entry in release.entries
    )
    return release._replace(entries=entries)


def insert(
    existing: str | None,
    section: str,
    marker: str,
    version: str,
    previous: str | None = None,
    *,
    name: str = "the changelog",
    rst: bool = False,
) -> str:
    """EXISTING with SECTION added at the marker, else above the heading of the PREVIOUS
    release, else under a Markdown title; older text untouched.

    Raises ChangelogError (naming the file NAME) when it can find none of these, or more than
    one heading for PREVIOUS, rather than guess.
    """
    if not section.endswith("\n") or section.endswith("\n\n"):  # else spare a copy: megabytes
        section = section.rstrip("\n") + "\n"
    marker = rst_marker(marker) if rst else marker
    if not existing or not existing.strip():
        return f"{_title_block(rst)}{marker}\n\n{section}"
    if has_version(existing, version):
        return existing
    for candidate in (marker, *FOREIGN_MARKERS):
        end = _marker_line_end(existing, candidate) if candidate else -1
        if end >= 0:
            return _at_marker(existing, end, section)
    headings = find_headings(existing, previous) if previous else []
    if len(headings) == 1:
        return _above(existing, headings[0].start, section)
    title = None if rst or headings else re.search(r"^# .*$", existing, re.MULTILINE)
    if title is None:
        raise ChangelogError(
            _no_place(name, previous, len(headings)),
            f"add the line {marker!r} where new releases should appear",
        )
    first_release = re.compile(r"^## ", re.MULTILINE).search(existing, title.end())
    return _above(existing, first_release.start() if first_release else len(existing), section)


def has_place(existing: str | None, marker: str, previous: str | None, *, rst: bool) -> bool:
    """True when insert puts a new section into EXISTING by a marker or by the heading of the
    PREVIOUS release (False: the file stops at an older release, or has no releases)."""
    if not existing or not existing.strip():
        return True
    marker = rst_marker(marker) if rst else marker
    if any(_marker_line_end(existing, c) >= 0 for c in (marker, *FOREIGN_MARKERS) if c):
        return True
    return bool(previous) and len(find_headings(existing, str(previous))) == 1


def _at_marker(existing: str, end: int, section: str) -> str:
    """EXISTING with SECTION after its marker line, which ends at END: one empty line before
    and after it, the empty lines that followed the marker dropped.

    One slice and one join: the older releases are megabytes, each copy a fresh allocation.
    """
    rest = end
    while existing.startswith("\n", rest):
        rest += 1
    return "".join((existing[:end], "\n", section, "\n", existing[rest:]))


def _above(existing: str, where: str | int, section: str) -> str:
    """EXISTING with SECTION at offset WHERE, an empty line before and after it."""
    where = int(where)
    before = existing[:where].rstrip("\n")
    after = existing[where:]
    return (before + "\n\n" if before else "") + section + ("\n" + after if after else "")


def _no_place(name: str, previous: str | None, headings: int) -> str:
    if headings > 1:
        return (f"{name} has no insertion marker and {headings} headings for the last release "
                f"{previous}, so autorelease cannot tell where the new release goes")  # fmt: skip
    release = f"no heading for the last release {previous}" if previous else "no release heading"
    return (f"{name} has no insertion marker and {release}, so autorelease cannot tell where "
            "the new release goes")  # fmt: skip


def rst_marker(marker: str) -> str:
    """MARKER as a reStructuredText comment when it is an HTML one (which rst would show)."""
    if marker.startswith("<!--") and marker.endswith("-->"):
        return ".. " + marker[4:-3].strip()
    return marker


def _title_block(rst: bool) -> str:
    return "=========\nChangelog\n=========\n\n" if rst else "# Changelog\n\n"


def new_file(marker: str, body: str, rst: bool) -> str:
    """A whole new changelog: the title, the marker, then BODY (the sections, newest first)."""
    return f"{_title_block(rst)}{rst_marker(marker) if rst else marker}\n\n{body}"


def rebuilt(
    existing: str | None, body: str, marker: str, newest: str | None, *, rst: bool = False
) -> str:
    """A whole changelog of BODY (every release's section, newest first) that keeps what
    EXISTING has above its releases (its title, its marker); a new file without one."""
    head = _head(existing, marker, newest, rst) if existing else None
    if head is None:
        return new_file(marker, body, rst)
    return (head.rstrip("\n") + "\n\n" if head.strip() else "") + body


def _head(existing: str, marker: str, newest: str | None, rst: bool) -> str | None:
    """The part of EXISTING above its releases: up to its marker, or up to the heading of
    NEWEST; None when it has neither."""
    for candidate in (rst_marker(marker) if rst else marker, *FOREIGN_MARKERS):
        end = _marker_line_end(existing, candidate) if candidate else -1
        if end >= 0:
            return existing[:end]
    headings = find_headings(existing, newest) if newest else []
    return existing[: headings[0].start] if len(headings) == 1 else None


def _marker_line_end(text: str, marker: str) -> int:
    """Where the first line of TEXT that is MARKER ends (after its line end), or -1.

    Only a whole line counts, from its first column (trailing blanks aside): the marker quoted
    in an entry or in the middle of a line is not one. str.find, not a regex: a long
    changelog is megabytes.
    """
    index = text.find(marker)
    while index >= 0:
        end = text.find("\n", index + len(marker.rstrip("\n")))  # a marker may be several lines
        end = len(text) if end < 0 else end + 1
        at_start = index == 0 or text[index - 1] == "\n"
        if at_start and not text[index + len(marker) : end].strip():
            return end
        index = text.find(marker, end)
    return -1


def has_version(text: str, version: str) -> bool:
    """True when TEXT already holds a section headed with VERSION (a re-run)."""
    return bool(find_headings(text, version))


def with_listed(
    pairs: Iterable[tuple[str, object]], listed: Mapping[str, tuple[object, ...]]
) -> Iterator[tuple[str, object]]:
    """PAIRS with each squash merge followed by the commits its body lists, under its sha.

    A merge whose own title is not conventional stands for its first listed commit: then
    only the listed commits appear.
    """
    for sha, commit in pairs:
        extra = listed.get(sha, ()) if commit is not None else ()
        if not extra or commit is not extra[0]:
            yield sha, commit
        for item in extra:
            yield sha, item


def entries_from(
    commits: Iterable[tuple[str, object]], kinds: Collection[str] | None = None
) -> tuple[Entry, ...]:
    """Changelog entries from (sha, Commit) pairs, of KINDS (default: all) or breaking."""
    return tuple(map(Entry._make, _entries(commits, kinds)))


_EntryFields = tuple[str, str, str, str | None, tuple[str, ...], tuple[str, ...]]


def _entries(
    commits: Iterable[tuple[str, object]],
    kinds: Collection[str] | None,
    bang_notes: bool = True,
) -> Iterator[_EntryFields]:
    """The fields of an Entry for each Commit of COMMITS, (sha, Commit) pairs, that is of
    KINDS (None: all) or breaking: the one loop that turns commits into changelog entries
    (plain tuples: it runs once per commit of a range). Without BANG_NOTES, a `!` alone gives
    no breaking-change note."""
    from autorelease.core.commits import Commit

    for sha, commit in commits:
        if not isinstance(commit, Commit):
            continue
        kind, scope, description, bang, _, rest = commit
        if kind == "revert" and description.startswith(_ROLL_BACK):
            yield ROLLBACK[0], _rolled_back(commit), sha, None, (), ()
            continue
        may_break = bang or "BREAKING" in rest
        if kinds is not None and kind not in kinds and not (may_break and commit.breaking):
            continue  # the section would not show it: spare the footer parsing
        notes, refs = _notes_and_refs(commit, may_break, bang_notes)
        yield kind, description, sha, scope, notes, refs


def _notes_and_refs(
    commit: Any, may_break: bool, bang_notes: bool = True
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """COMMIT's breaking-change notes (BANG_NOTES: a `!` alone has one) and the issue numbers
    its footers name."""
    rest = commit.rest
    if not may_break:
        notes = ()
    else:
        notes = commit.breaking_notes if bang_notes else commit.breaking_footers
    # Every reference footer has a colon or a " #": most bodies are ruled out without a regex.
    if (":" in rest or "#" in rest) and _REF_HINT.search("\n" + rest):
        return notes, _refs(commit)
    return notes, ()


_NUMBER = re.compile(r"#?(\d+)")
_REF_TOKENS = frozenset({"refs", "closes", "fixes", "resolves", "close", "fix", "resolve"})
# A cheap test that a message may have a reference footer, before its footers are parsed:
# a line that starts like one, searched in "\n" + the text. Written to start with a literal
# and without IGNORECASE, which the regex engine scans several times faster.
_REF_HINT = re.compile(
    r"\n(?:[\w-]+ #|(?:"
    + "|".join(
        "".join(f"[{c.upper()}{c}]" for c in word) for word in ("refs", "close", "fix", "resolve")
    )
    + r")\w*:)"
)


def _refs(commit: Any) -> tuple[str, ...]:
    """Issue and PR numbers named in the commit's reference footers (Refs, Closes, `Token #N`)."""
    return tuple(
        dict.fromkeys(
            m for f in commit.footers if f.token.lower() in _REF_TOKENS or f.separator == " #"
            for m in _NUMBER.findall(f.value)
        )
    )  # fmt: skip


def section_of(text: str, version: str) -> str:
    """The section of TEXT headed with VERSION (heading included), or '' if there is none."""
    headings = find_headings(text, version)
    if not headings:
        return ""
    heading = headings[0]
    if heading.underline:  # the next line underlined the same way, or the anchor above it
        rule = re.escape(heading.underline)
        following = re.compile(
            rf"^(?:\.\. _[^\n]*:\n\n?)?[^\n]+\n{rule}{{3,}}[ \t]*$", re.MULTILINE
        )
    else:
        following = re.compile(rf"^#{{1,{heading.level}}} ", re.MULTILINE)
    match = following.search(text, heading.end)
    return text[heading.start : match.start() if match else len(text)].strip() + "\n"
