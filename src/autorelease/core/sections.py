"""A release's section from its commits: the one place where commits become changelog entries.

The plan's new section, the sections `changelog --init` rebuilds and those a changelog left
behind is missing, and the notes of a release finished by a re-run all come from `section`,
with what `rendering` decides once: the commit rules, the groups, the file's style, the links
and the user's template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from autorelease import remote_url
from autorelease.core import changelog, config
from autorelease.core.changelog_style import Style
from autorelease.core.classify import Classifier
from autorelease.fileio import inside


class Rendering(NamedTuple):
    """How sections are written: the commit rules, the groups, the file's style, the links,
    and the user's Jinja2 template (None: the built-in layout)."""

    classify: Classifier
    layout: changelog.Layout
    style: Style
    repo_url: str | None
    template: Path | None = None


def rendering(
    root: Path, cfg: config.Config, classifier: Classifier, style: Style, repo_url: str | None
) -> Rendering:
    """The Rendering of the project under ROOT: CFG's sections and template, in STYLE."""
    # Read from inside the repository only, through no link, as a file autorelease writes.
    template = inside(root, str(cfg.changelog_template)) if cfg.changelog_template else None
    return Rendering(classifier, layout(cfg, classifier), style, repo_url, template)


def section(meta: changelog.Release, pairs: Iterable[tuple[str, object]], how: Rendering) -> str:
    """The section of the release META with PAIRS, (sha, Commit or None) newest first, as its
    entries: a squash merge followed by the commits its body lists, the excluded ones left out."""
    if how.classify.listed:
        pairs = changelog.with_listed(pairs, how.classify.listed)
    pairs = changelog.excluding(pairs, how.layout)
    return changelog.section(meta, pairs, how.template, how.layout, how.style)


_TOOLS = ("commitizen", "semantic-release")  # the bump_rules of the tools a project came from


def layout(cfg: config.Config, classifier: Classifier) -> changelog.Layout:
    """The sections a release lists: `changelog_sections` (set, or carried over from
    commitizen's or python-semantic-release's defaults), else a commitizen rule set's, else
    the built-in ones. Under those tools' bump rules, breaking changes are listed from their
    footers only, as the tools list them."""
    if cfg.changelog_sections:
        chosen = changelog.layout_of(cfg.changelog_sections)
    else:
        chosen = classifier.rules.layout() if classifier.rules else changelog.DEFAULT_LAYOUT
    if cfg.bump_rules in _TOOLS and not cfg.commit_rules:  # as cz or PSR write the section
        chosen = chosen._replace(bang_notes=False)
    if not cfg.changelog_exclude:
        return chosen
    exclude = re.compile("|".join(f"(?:{pattern})" for pattern in cfg.changelog_exclude))
    keep = frozenset(kind for kind, level in classifier.levels.items() if level)
    return chosen._replace(exclude=exclude, keep=keep)


def repository_url(root: Path, cfg: config.Config) -> str | None:
    """The repository's web page, for the links: `repository_url`, else the remote's."""
    return remote_url.web_page(root, str(cfg.remote), str(cfg.repository_url))
