"""Each package's whole changelog rebuilt (`changelog --init` on a workspace). Reads only.

Its sections are its own releases (its tags, `core-v1.2.0`) and hold its own commits: those
that change its folder, as workspace_history assigns them. One `git log --name-only` from every
chosen package's tags reads the commits and their paths for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from autorelease import git
from autorelease.core import changelog_rebuild, config, workspace_history
from autorelease.core.workspace_plan import package_config, selected
from autorelease.fileio import Framing


class Rebuilt(NamedTuple):
    """A package's changelog file and its whole new text (without the file's framing)."""

    package: str
    path: Path
    text: str
    framing: Framing


def rebuild(root: Path, only: Sequence[str] = ()) -> list[Rebuilt] | None:
    """The changelog of each package (those of ONLY, or all) rebuilt from its tags; None
    when the repository is one package. A package that keeps no changelog (changelog_file
    = "") is left out, or refused (NoChangelog) when ONLY names it."""
    root = git.toplevel(root)
    cfg = config.load(root)
    space = selected(root, cfg, only)
    if space is None:
        return None
    chosen = [p for p in space.packages if not only or p.name in only]
    configs = {p.name: package_config(cfg, p) for p in chosen}
    for package in chosen if only else ():  # one named must keep a changelog: NoChangelog
        changelog_rebuild.target(root, configs[package.name])
    chosen = [p for p in chosen if configs[p.name].changelog_path]
    refs = git.list_tags(root)
    tags = {p.name: workspace_history.package_tags(refs, p) for p in chosen}
    starts = list(dict.fromkeys(t.commit for found in tags.values() for t in found))
    stream = list(git.iter_commits_with_paths(root, starts)) if starts else []
    owned = workspace_history.assign(space, stream)
    commits = [item.commit for item in stream]
    return [
        _rebuilt(
            root,
            configs[p.name],
            p.name,
            changelog_rebuild.Source(tags[p.name], commits, owned[p.name]),
        )
        for p in chosen
    ]


def _rebuilt(
    root: Path, cfg: config.Config, name: str, source: changelog_rebuild.Source
) -> Rebuilt:
    path = changelog_rebuild.target(root, cfg)
    existing, framing = changelog_rebuild.existing_text(path)
    text = changelog_rebuild.full_changelog(root, cfg, existing, source)
    return Rebuilt(name, path, text, framing)
