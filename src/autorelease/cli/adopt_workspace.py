"""`autorelease init` on a workspace: what its [tool.autorelease] table says (pure + reads).

The packages come from core/workspace.discover; each package's tag format from the tags it
already has (`core-v1.2.0`, `core@1.2.0`), the workspace's from the format they share. adopt.py
writes the table as TOML; `check` plans the workspace with that text before anything is
written, so the table init shows is one that `autorelease --dry-run` plans.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import git
from autorelease.core import config, workspace
from autorelease.core.workspace import Package, Workspace
from autorelease.errors import ConfigError

# The keys that are each package's own in a workspace: init writes them per package.
PER_PACKAGE = ("tag_format", "version_files", "version_source")
_TAGGED = re.compile(r"(?P<prefix>.*?)(?P<version>\d+\.\d+(?:\.\d+)?(?:[-.+]?\w+)*)")
_SEPARATOR = re.compile(r"[^A-Za-z0-9]*v?[^A-Za-z0-9]*")  # between a name and its version


class Setting(NamedTuple):
    """A key of [tool.autorelease], its value, and the comment lines written above it."""

    key: str
    value: Any
    comment: tuple[str, ...]


class Member(NamedTuple):
    """A package's line in [tool.autorelease.packages]: its settings and a trailing comment."""

    name: str
    settings: dict[str, str]
    comment: str


class Layout(NamedTuple):
    """What init writes for a workspace."""

    settings: tuple[Setting, ...]
    packages: tuple[Member, ...]


def layout(root: Path, cfg: config.Config, space: Workspace) -> Layout:
    """The workspace's settings made explicit, and each package with its tag formats."""
    names = [p.name for p in space.packages]
    found = tag_formats((t.name for t in git.list_tags(root)), names)
    common = shared_format(found, space.packages)
    settings = (
        Setting("tag_format", common, (
            "A workspace: each package below releases with its own version, changelog (in its",
            "folder) and tag, from the commits that change its folder (docs/monorepo.md).",
            "The tag of a package with no tag_format of its own ({name}: the package's name).",
        )),
        Setting("dependents", space.dependents, (
            "A package whose requirement no longer admits the new version of one it needs:",
            '"bump" rewrites the requirement and releases it too (at least a patch),',
            '"update-only" rewrites the requirement alone, "ignore" leaves it.',
        )),
        Setting("scope_routes", space.scope_routes, (
            "true: a commit also belongs to the packages its scope names, fix(core): ...",
        )),
        Setting("outside_files", space.outside_files, (
            "A commit that changes only files outside every package (CI, root docs):",
            '"ignore" releases nothing, "all" releases every package.',
        )),
        Setting("linked", [list(g) for g in space.linked], (
            'Groups of packages that share one version, e.g. [["core", "plugin"]].',
        )),
    )  # fmt: skip
    old = _old_format(cfg, found)
    members = tuple(_member(p, found, common, old) for p in space.packages)
    return Layout(settings, members)


def tag_formats(tags: Iterable[str], names: Sequence[str]) -> dict[str | None, Counter[str]]:
    """The tag formats in use, by the package they name (None: a tag that names none),
    each format with the number of tags that use it: `core-v{version}`: 3."""
    found: dict[str | None, Counter[str]] = {}
    for tag in tags:
        match = _TAGGED.fullmatch(tag)
        if match:
            prefix = match["prefix"]
            found.setdefault(_named(prefix, names), Counter())[prefix + "{version}"] += 1
    return found


def _named(prefix: str, names: Sequence[str]) -> str | None:
    """The package whose name PREFIX starts with, then only separators (`core-v`, `core@`);
    the longest such name, so `core-utils-v` is core-utils's, not core's."""
    lowered = prefix.lower()
    named = [
        name
        for name in names
        for spelling in {
            name.lower(),
            name.lower().replace("-", "_"),
            name.lower().replace("_", "-"),
        }
        if lowered.startswith(spelling) and _SEPARATOR.fullmatch(prefix[len(spelling) :])
    ]
    return max(named, key=len, default=None)


def shared_format(found: dict[str | None, Counter[str]], packages: Sequence[Package]) -> str:
    """The format every package's tags share, with {name} for the name (`{name}@{version}`);
    the default `{name}-v{version}` when they share none or there are no tags yet."""
    general = set()
    for package in packages:
        if package.name in found:
            fmt = found[package.name].most_common(1)[0][0]
            general.add(
                "{name}" + fmt[len(package.name) :] if fmt.startswith(package.name) else None
            )
    if len(general) == 1 and None not in general:
        return str(general.pop())
    return workspace.DEFAULT_TAG_FORMAT


def _old_format(cfg: config.Config, found: dict[str | None, Counter[str]]) -> str | None:
    """The format of the tags that name no package (a single project's `v1.2.0`): the one
    the configuration names, else the most common; None without such tags."""
    if None not in found:
        return None
    configured = str(cfg.tag_format)
    if cfg.origin["tag_format"] != "default" and configured in found[None]:
        return configured
    return found[None].most_common(1)[0][0]


def _member(
    package: Package, found: dict[str | None, Counter[str]], common: str, old: str | None
) -> Member:
    """The package's tag_format (the most common of its tags', else the workspace's) and its
    previous_tag_format (its second format, or the root package's old single-project tags)."""
    formats = [fmt for fmt, _ in found.get(package.name, Counter()).most_common()]
    settings = {"tag_format": formats[0] if formats else common.replace("{name}", package.name)}
    previous = formats[1] if len(formats) > 1 else old if package.path == "." else None
    if previous:
        settings["previous_tag_format"] = previous
    count = sum(found.get(package.name, Counter()).values())
    tags = f"{count} release tag{'s' * (count != 1)}" if count else "no release tag yet"
    where = "the repository's root" if package.path == "." else package.path
    return Member(package.name, settings, f"{where}, {tags}")


def notes(root: Path, cfg: config.Config, space: Workspace) -> list[str]:
    """What init cannot decide for a workspace: old tags that no package counts."""
    found = tag_formats((t.name for t in git.list_tags(root)), [p.name for p in space.packages])
    old = _old_format(cfg, found)
    if old is None or any(p.path == "." for p in space.packages):
        return []
    return [
        f"tags of the format {old} name no package of the workspace: if a package was released "
        "with them before it moved into its folder, add previous_tag_format = "
        f'"{old}" to its table in [tool.autorelease.packages]'
    ]


def check_members(root: Path, cfg: config.Config) -> None:
    """A uv workspace whose members match no package and whose root is no project: refused,
    since there is nothing to release."""
    table = cfg.pyproject.get("tool", {}).get("uv", {}).get("workspace")
    if table is None or isinstance(cfg.pyproject.get("project", {}).get("name"), str):
        return
    members = table.get("members", []) if isinstance(table, dict) else []
    raise ConfigError(
        f"pyproject.toml: [tool.uv.workspace] members {members!r} match no folder that holds "
        "a pyproject.toml, and the root has no [project]: there is no package to release",
        "fix members (globs of package folders, relative to the root), then run autorelease "
        "init again",
    )


def check(root: Path, text: str) -> None:
    """Plan the workspace with TEXT as the root pyproject.toml; the planning's own error (a
    package without a version, versions that disagree) when it cannot be planned."""
    from autorelease.core import plan, workspace_plan

    cfg = config.load(root, tomllib.loads(text))
    workspace_plan.plan_workspace(root, plan.PlanOptions(changelog=False), cfg=cfg)
