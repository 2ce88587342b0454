"""Changelog sections: render one release as Markdown and insert it without touching the rest.

`render` and `insert` are pure. The default rendering is plain Python (no Jinja2 import on the
hot path); a user template is rendered with Jinja2, the commit text passed as data only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.errors import ChangelogError
from autorelease.fileio import NotUtf8, read_text, unframe

SECTIONS: tuple[tuple[str, str], ...] = (
    ("breaking", "⚠ Breaking changes"),
    ("feat", "Features"),
    ("fix", "Bug fixes"),
    ("perf", "Performance"),
)
SECTION_KINDS = frozenset(kind for kind, _ in SECTIONS)
# Markers other tools leave in changelogs they manage; new sections go right below them.
FOREIGN_MARKERS = ("<!-- version list -->", "<!-- insertion marker -->")
_ISSUE = re.compile(r"(?<![\w/\[])#(\d+)\b")


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
    """The built-in layout's sections after the breaking changes: (kind, title) in order, and
    whether kinds it does not name get a section of their own (after, titled by the kind)."""

    sections: tuple[tuple[str, str], ...] = SECTIONS[1:]
    others: bool = False


DEFAULT_LAYOUT = Layout()


def render(release: Release, template: Path | None = None, layout: Layout = DEFAULT_LAYOUT) -> str:
    """The Markdown section for RELEASE, from TEMPLATE when one is given."""
    if template is not None:
        return _render_template(release, template)
    breaking, groups = _group(release, layout)
    return _markdown(release, breaking, groups, layout)


def section(
    meta: Release,
    commits: Iterable[tuple[str, object]],
    template: Path | None = None,
    layout: Layout = DEFAULT_LAYOUT,
) -> str:
    """render() for META with the entries of COMMITS, (sha, Commit) pairs, newest first.

    The built-in layout is written straight from the commits, without Entry objects: a first
    release lists tens of thousands. Pairs whose second item is not a Commit are skipped.
    """
    if template is not None:
        return _render_template(meta._replace(entries=entries_from(commits)), template)
    from autorelease.commits import Commit

    url = meta.repo_url
    groups: dict[str, list[str]] = {kind: [] for kind, _ in layout.sections}
    breaking: list[str] = []
    others = layout.others  # a local: the loop runs once per commit
    for sha, commit in commits:
        if not isinstance(commit, Commit):
            continue
        kind, scope, description, bang, _, rest = commit
        lines = groups.setdefault(kind, []) if others else groups.get(kind)
        may_break = bang or "BREAKING" in rest
        if lines is None and not may_break:
            continue  # a type the section does not show: spare the footer parsing
        notes, refs = _notes_and_refs(commit, may_break)
        breaking += [_line(url, sha, scope, note, refs) for note in notes]
        if lines is not None:
            lines.append(_line(url, sha, scope, description, refs))
    return _markdown(meta, breaking, groups, layout)


def _markdown(
    release: Release, breaking: list[str], groups: dict[str, list[str]], layout: Layout
) -> str:
    lines = [_heading(release), ""]
    if breaking:
        lines += [f"### {SECTIONS[0][1]}", "", *breaking, ""]
    titles = dict(layout.sections)
    for kind, entries in groups.items():  # the layout's sections first: groups starts with them
        if entries:
            lines += [f"### {titles.get(kind, kind)}", "", *entries, ""]
    if len(lines) == 2:
        lines += ["No user-facing changes.", ""]
    return "\n".join(lines)


def _heading(release: Release) -> str:
    if release.repo_url and release.previous_tag:
        link = f"{release.repo_url}/compare/{release.previous_tag}...{release.tag}"
        return f"## [{release.version}]({link}) ({release.date})"
    if release.repo_url:
        link = f"{release.repo_url}/releases/tag/{release.tag}"
        return f"## [{release.version}]({link}) ({release.date})"
    return f"## {release.version} ({release.date})"


def _group(release: Release, layout: Layout) -> tuple[list[str], dict[str, list[str]]]:
    """The breaking-change lines and those of each other section, in one pass over the
    entries (a release may have many)."""
    groups: dict[str, list[str]] = {kind: [] for kind, _ in layout.sections}
    breaking: list[str] = []
    url = release.repo_url
    for entry in release.entries:
        for note in entry.breaking_notes:
            breaking.append(_line(url, entry.sha, entry.scope, note, entry.refs))
        lines = groups.setdefault(entry.kind, []) if layout.others else groups.get(entry.kind)
        if lines is not None:
            lines.append(_line(url, entry.sha, entry.scope, entry.description, entry.refs))
    return breaking, groups


def _line(url: str | None, sha: str, scope: str | None, text: str, refs: tuple[str, ...]) -> str:
    """One entry: `- **scope:** text (links)`, the issues it names linked when URL is known."""
    scope = f"**{as_data(scope) if '<!--' in scope else scope}:** " if scope else ""
    if "\n" in text or text[:1] in _MARKUP_START or "<!--" in text or text[-1:].isspace():
        text = as_data(text)
    if not url:
        return f"- {scope}{text} ({', '.join([*(f'#{ref}' for ref in refs), sha[:7]])})"
    commit_link = f"[{sha[:7]}]({url}/commit/{sha})"
    if "#" not in text and not refs:
        return f"- {scope}{text} ({commit_link})"  # most entries
    if "#" in text:
        text = _ISSUE.sub(lambda m: f"[#{m[1]}]({url}/issues/{m[1]})", text)
    links = [f"[#{ref}]({url}/issues/{ref})" for ref in refs if f"#{ref}" not in text]
    return f"- {scope}{text} ({', '.join([*links, commit_link])})"


# What a line of commit text may start with that Markdown could read as structure: a heading
# (`#`), a setext underline (`===`, `---`) or a thematic break (`***`, `___`, `- - -`). Up to
# three spaces before it; four make an indented code block, which stays text.
_BLOCK_MARKUP = re.compile(
    r"^( {0,3})(?=#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$)",
    re.MULTILINE,
)
_MARKUP_START = frozenset("#=-*_ \t\r\n")  # a first character that sends a text to as_data
# A code span (left alone: Markdown shows it verbatim), or the start of an HTML comment.
_CODE_OR_COMMENT = re.compile(r"(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)|<!--")


def as_data(text: str) -> str:
    """Commit TEXT made the content of a list item that cannot end it or start structure.

    Its lines after the first are indented by two spaces (inside the item), a line that would
    be a heading, a setext underline or a rule starts with a backslash, and `<!--` outside
    code spans becomes `<\\!--`, which shows the same but opens no comment (nor a changelog
    marker): commit text is data. So nothing a commit says begins a line of the changelog.
    """
    text = text.strip()
    if "<!--" in text:
        text = _CODE_OR_COMMENT.sub(lambda m: m[0] if m[1] else "<\\!--", text)
    return _BLOCK_MARKUP.sub(r"\1\\", text).replace("\n", "\n  ")


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


def insert(existing: str | None, section: str, marker: str, version: str) -> str:
    """EXISTING with SECTION added at the marker, or under the title; older text untouched.

    Raises ChangelogError when the file has neither, rather than silently skipping.
    """
    if not section.endswith("\n") or section.endswith("\n\n"):  # else spare a copy: megabytes
        section = section.rstrip("\n") + "\n"
    if not existing or not existing.strip():
        return f"# Changelog\n\n{marker}\n\n{section}"
    if has_version(existing, version):
        return existing
    for candidate in (marker, *FOREIGN_MARKERS):
        end = _marker_line_end(existing, candidate)
        if end >= 0:
            return existing[:end] + "\n" + section + "\n" + existing[end:].lstrip("\n")
    title = re.search(r"^# .*$", existing, re.MULTILINE)
    if title is None:
        raise ChangelogError(
            "the changelog has no insertion marker and no '# ' title, so autorelease cannot "
            "tell where the new release goes",
            f"add the line {marker!r} where new releases should appear",
        )
    first_release = re.compile(r"^## ", re.MULTILINE).search(existing, title.end())
    where = first_release.start() if first_release else len(existing)
    before = existing[:where].rstrip("\n") + "\n\n"
    after = existing[where:]
    return before + section + ("\n" + after if after else "")


def _marker_line_end(text: str, marker: str) -> int:
    """Where the first line of TEXT that is MARKER ends (after its line end), or -1.

    Only a whole line counts, from its first column (trailing blanks aside): the marker quoted
    in an entry or in the middle of a line is not one. str.find, not a regex: a long
    changelog is megabytes.
    """
    index = text.find(marker)
    while index >= 0:
        end = text.find("\n", index)
        end = len(text) if end < 0 else end + 1
        at_start = index == 0 or text[index - 1] == "\n"
        if at_start and not text[index + len(marker) : end].strip():
            return end
        index = text.find(marker, end)
    return -1


def has_version(text: str, version: str) -> bool:
    """True when TEXT already holds a section headed with VERSION (a re-run)."""
    pattern = rf"^##\s.*(?<![\w.]){re.escape(version)}(?![\w.])"
    return re.search(pattern, text, re.MULTILINE) is not None


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
    from autorelease.commits import Commit

    result: list[Entry] = []
    for sha, commit in commits:
        if not isinstance(commit, Commit):
            continue
        kind, scope, description, bang, _, rest = commit
        may_break = bang or "BREAKING" in rest
        if kinds is not None and kind not in kinds and not (may_break and commit.breaking):
            continue  # the section would not show it: spare the footer parsing
        notes, refs = _notes_and_refs(commit, may_break)
        result.append(Entry(kind, description, sha, scope, notes, refs))
    return tuple(result)


def _notes_and_refs(commit: Any, may_break: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """COMMIT's breaking-change notes and the issue numbers its footers name."""
    rest = commit.rest
    notes = commit.breaking_notes if may_break else ()
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
    heading = re.compile(rf"^##\s.*(?<![\w.]){re.escape(version)}(?![\w.]).*$", re.MULTILINE)
    match = heading.search(text)
    if match is None:
        return ""
    following = re.compile(r"^## ", re.MULTILINE).search(text, match.end())
    return text[match.start() : following.start() if following else len(text)].strip() + "\n"
