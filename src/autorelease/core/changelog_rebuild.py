"""Sections of past releases, from the release tags: the whole changelog rebuilt (`changelog
--init`), the sections a changelog left behind is missing, and the notes of a release that a
re-run finishes."""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from autorelease import git
from autorelease.core import changelog, changelog_style, config, history, sections
from autorelease.core.classify import Classifier
from autorelease.errors import NoChangelog
from autorelease.fileio import Framing, NotUtf8, inside, read_text, unframe


class Source(NamedTuple):
    """A workspace package's releases: its release tags, the commits read from them (from
    every package's tags, in git's order) and the shas of those that are its own."""

    tags: Sequence[history.ReleaseTag]
    commits: Sequence[git.RawCommit]
    owned: Container[str]


def full_changelog(
    root: Path,
    cfg: config.Config | None = None,
    existing: str | None = None,
    source: Source | None = None,
) -> str:
    """The whole changelog: one section per final release tag, newest first. EXISTING is the
    changelog as it stands, without its framing (read here when not given). SOURCE: a
    workspace package's, whose sections hold only its own commits."""
    cfg = cfg or config.load(root)
    if existing is None:
        existing = existing_text(target(root, cfg))[0]
    found = source.tags if source else history.release_tags(git.list_tags(root), cfg.tag_format)
    tags = _final(found)
    rst = changelog_style.is_rst(cfg.changelog_path)
    newest = tags[-1].version.render(str(cfg.version_scheme)) if tags else None
    style = changelog_style.detect(existing, newest, rst)
    how = sections.rendering(root, cfg, Classifier(cfg), style, sections.repository_url(root, cfg))
    body = "\n".join(reversed(_sections(root, cfg, tags, how, source=source)))
    return changelog.rebuilt(existing, body, str(cfg.changelog_marker), newest, rst=rst)


def _final(tags: Iterable[history.ReleaseTag]) -> list[history.ReleaseTag]:
    """The final releases among TAGS, oldest first."""
    return sorted(
        (t for t in tags if not t.version.is_prerelease), key=lambda t: t.version.sort_key()
    )


def _sections(
    root: Path,
    cfg: config.Config,
    tags: Sequence[history.ReleaseTag],
    how: sections.Rendering,
    skip: int = 0,
    *,
    source: Source | None = None,
) -> list[str]:
    """The section of each release of TAGS (oldest first), but the first SKIP ones; with
    SOURCE, of its commits that are the package's own."""
    # One pass over the whole history: each commit belongs to the first release containing it.
    entries: list[tuple[str, object]] = []

    def keep(raw: git.RawCommit) -> None:  # while git streams the history
        if source is not None and raw.sha not in source.owned:
            return
        item, parsed = how.classify.entry(raw)
        if parsed is not None and item.kind == "conventional":
            entries.append((raw.sha, parsed))

    if not tags:
        first: dict[str, int] = {}
    elif source is None:
        first = history.first_releases(root, tags, keep)
    else:  # a commit no tag of the package holds is in none of its releases (len(tags))
        first = history.assign_releases(tags, source.commits, keep)
    pairs: list[list[tuple[str, object]]] = [[] for _ in tags]
    for sha, parsed in entries:
        if skip <= first[sha] < len(tags):
            pairs[first[sha]].append((sha, parsed))
    found = []
    for index in range(skip, len(tags)):
        tag = tags[index]
        meta = changelog.Release(
            tag.version.render(str(cfg.version_scheme)), tag.name, tag.date,
            previous_tag=tags[index - 1].name if index else None, repo_url=how.repo_url,
        )  # fmt: skip
        found.append(sections.section(meta, pairs[index], how))
    return found


def left_off(
    existing: str, tags: Iterable[history.ReleaseTag], *, last: history.ReleaseTag, scheme: str
) -> list[history.ReleaseTag]:
    """When EXISTING stops at a release older than LAST (its newest heading names one of TAGS,
    and none names LAST), the releases from that one up to LAST, oldest first. Empty when no
    older release has exactly one heading in the file."""
    older = [t for t in _final(tags) if t.version.sort_key() <= last.version.sort_key()]
    for index in range(len(older) - 2, -1, -1):
        headings = len(changelog_style.find_headings(existing, older[index].version.render(scheme)))
        if headings:
            return older[index:] if headings == 1 else []
    return []


def missing(
    root: Path, cfg: config.Config, releases: list[history.ReleaseTag], how: sections.Rendering
) -> str:
    """The sections of RELEASES but the first (which the file has), newest first: what
    `cz bump --changelog` adds to a changelog left behind."""
    return "\n".join(reversed(_sections(root, cfg, releases, how, skip=1)))


def release_notes(
    root: Path, cfg: config.Config, tag: history.ReleaseTag, previous: history.ReleaseTag | None
) -> str:
    """The section of the release TAG, counted from PREVIOUS, in Markdown, as the plan wrote
    it: the notes of a release that a re-run finishes, when no changelog holds them."""
    repo_url = sections.repository_url(root, cfg)
    how = sections.rendering(root, cfg, Classifier(cfg), changelog_style.MD, repo_url)
    releases = [previous, tag] if previous else [tag]
    return _sections(root, cfg, releases, how, skip=len(releases) - 1)[0]


def target(root: Path, cfg: config.Config) -> Path:
    """The changelog file to rebuild; NoChangelog when `changelog_file = ""` keeps none."""
    if cfg.changelog_path is None:
        raise NoChangelog(
            f'changelog_file = "" ({cfg.origin["changelog_file"]}) keeps no changelog file, '
            "so changelog --init has none to write",
            'set changelog_file = "CHANGELOG.md" in [tool.autorelease] to keep one; '
            "`autorelease changelog` shows the next release's section",
        )
    return inside(root, cfg.changelog_path)


def existing_text(path: Path) -> tuple[str | None, Framing]:
    """The changelog at PATH as it stands, without its framing, and that framing (a byte
    order mark, CRLF line ends); None when there is none or it cannot be read: it is then
    written anew."""
    try:
        return unframe(read_text(path))
    except (OSError, NotUtf8):
        return None, Framing()


__all__ = [
    "Source",
    "existing_text",
    "full_changelog",
    "left_off",
    "missing",
    "release_notes",
    "target",
]
