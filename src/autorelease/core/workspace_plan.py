"""The release plan of a workspace: one plan per package, decided together. Reads only.

workspace_history reads each package's tags and own commits in one pass over git; each
package's ReleasePlan is then decided by plan.decide from its own commits since its own last
tag, in its own folder (its version declarations, its changelog). Last,
the packages move together: a dependent whose requirement no longer admits a new version gets
its requirement rewritten and (dependents = "bump") a patch release, and a linked group shares
the highest version of its members. plan.decide sees those causes as messages on top of HEAD
(`fix: dependencies: core 2.0.0`, a `Release-As:` footer), so its changelog lists them. A
message not committed yet (`check --message`'s PR title) has no paths: it counts for the
packages its scope names. Commits made on top of HEAD and not checked out (a rollback's
revert) count for the packages whose folders they change, as committed ones do.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import fileio, git
from autorelease.core import (
    config,
    history,
    sections,
    version_files,
    workspace,
    workspace_history,
)
from autorelease.core import plan as single
from autorelease.core.classify import LEVEL_BY_NAME, ClassifiedCommit, Classifier
from autorelease.core.version import Bump, parse_version
from autorelease.core.workspace import Dependency, Package, Workspace
from autorelease.errors import ConfigError, UsageError, VersionError
from autorelease.fileio import inside


class Moves(NamedTuple):
    """What moves a package beyond its own commits."""

    # (name, new version) of each dependency its requirements no longer admit
    dependencies: tuple[tuple[str, str], ...] = ()
    linked: tuple[str, ...] = ()  # the others of its linked group, which lift it ...
    linked_version: str = ""  # ... to this version

    def said(self) -> list[str]:
        """The causes in words, as the dry run's table says them."""
        said = [self._dependencies_said()] if self.dependencies else []
        return said + ([f"linked: {', '.join(self.linked)}"] if self.linked else [])

    def messages(self) -> tuple[str, ...]:
        """The messages plan.decide sees on top of HEAD for them: its changelog lists them."""
        out = [f"fix: {self._dependencies_said()}"] if self.dependencies else []
        if self.linked:
            others = ", ".join(self.linked)
            out.append(f"chore(release): linked with {others}\n\nRelease-As: {self.linked_version}")
        return tuple(out)

    def _dependencies_said(self) -> str:
        return f"dependencies: {', '.join(f'{name} {new}' for name, new in self.dependencies)}"


class PackagePlan(NamedTuple):
    """One package's part of the workspace's release."""

    name: str
    path: str
    dependencies: tuple[str, ...]  # the workspace's packages it needs
    cause: str  # why it releases: commits, dependencies: core 2.0.0, linked: ...
    plan: single.ReleasePlan  # its version, tag, changelog section and file changes
    # The packages whose new versions move it: those its requirements no longer admit, and
    # the others of its linked group (it must be released with them).
    moved_by: tuple[str, ...] = ()
    # Its cause as data: why its own commits release it (their plan's bump_reason, "" when they
    # do not), its own commits of the highest level (newest first), and what else moves it.
    own_reason: str = ""
    own_commits: tuple[ClassifiedCommit, ...] = ()
    moves: Moves = Moves()

    @property
    def releasable(self) -> bool:
        return self.plan.releasable

    def to_json(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "name": self.name,
            "path": self.path,
            "current_version": plan.current_version,
            "next_version": plan.next_version,
            "bump": plan.bump,
            "cause": self.cause,
            "tag": plan.tag,
            "last_tag": plan.last_tag,
            "changelog": plan.changelog,
            "changelog_path": plan.changelog_path,
            "files": [change.path for change in plan.file_changes],
            "dependencies": list(self.dependencies),
            "releasable": plan.releasable,
        }


class WorkspacePlan(NamedTuple):
    """Every package's plan, in dependency order (a package after those it needs)."""

    root: str
    branch: str | None
    head: str
    packages: tuple[PackagePlan, ...]
    warnings: tuple[str, ...]
    # Files of the whole workspace the release rewrites: uv.lock's entries of its packages.
    file_changes: tuple[single.FileChange, ...] = ()

    @property
    def releasable(self) -> bool:
        return any(p.releasable for p in self.packages)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": True,
            "root": self.root,
            "branch": self.branch,
            "head": self.head,
            "releasable": self.releasable,
            "packages": [p.to_json() for p in self.packages],
            "files": [change.path for change in self.file_changes],
            "warnings": list(self.warnings),
        }


def plan_workspace(
    root: Path,
    options: single.PlanOptions | None = None,
    only: Sequence[str] = (),
    *,
    every: bool = False,
    cfg: config.Config | None = None,
) -> WorkspacePlan | None:
    """The workspace's plan under ROOT, or None when the repository is a single package.

    ONLY (package names) restricts which packages the plan lists (unless EVERY) and which ones
    --bump moves; all are decided. CFG is the configuration to plan with (default: the one
    ROOT's files hold).
    """
    options = options or single.PlanOptions()
    root = git.toplevel(root)
    cfg = cfg or config.load(root)
    space = selected(root, cfg, only)
    if space is None:
        return None
    facts = workspace_history.read(root, space)
    date = options.date or single.today()
    url = sections.repository_url(root, cfg)
    extra = _extra_commits(root, space, options.extra_commits)
    context = _Context(root, cfg, space, facts, options, date, url, tuple(only), extra)
    plans = _decide_all(context)
    listed = [p for p in plans if every or not only or p.name in only]
    warnings = [f"{p.name}: {w}" for p in listed for w in p.plan.warnings]
    # The workspace's own files, moved for the packages a release of ONLY releases.
    shared = single.on_top(root, options.extra_commits, lock_changes(root, chosen(listed, only)))
    return WorkspacePlan(
        str(root), facts.branch, facts.head, tuple(listed), tuple(warnings), shared
    )


def lock_changes(root: Path, releasing: Sequence[PackagePlan]) -> tuple[single.FileChange, ...]:
    """uv.lock with the RELEASING packages' new versions, when the workspace has one: uv
    records each member's static version there, and `uv sync --locked` refuses a stale one."""
    lock = version_files.LOCK
    if not (root / lock).is_file():
        return ()
    before = fileio.read_text(inside(root, lock))
    text = before
    for package in releasing:
        entry = version_files.lock_entry(package.name)
        if package.plan.next_version and version_files.locate(entry, text):
            text = version_files.replace(entry, text, package.plan.next_version)
    return (single.FileChange(lock, before, text),) if text != before else ()


def chosen(packages: Sequence[PackagePlan], only: Sequence[str]) -> list[PackagePlan]:
    """The releasable packages; with --package ONLY, those named and the ones that must follow
    them (a requirement that no longer admits a new version, a linked group)."""
    if not only:
        return [p for p in packages if p.releasable]
    found: dict[str, PackagePlan] = {}
    for _ in packages:  # until nothing more follows (a linked package may come first)
        for package in packages:
            follows = any(name in found for name in package.moved_by)
            if package.releasable and (package.name in only or follows):
                found[package.name] = package
    return [p for p in packages if p.name in found]


def _extra_commits(
    root: Path, space: Workspace, extra: Sequence[git.RawCommit]
) -> dict[str, tuple[git.RawCommit, ...]]:
    """EXTRA (commits on top of HEAD, newest first) by the packages they belong to: their
    paths read in one pass, as for the commits of the history."""
    if not extra:
        return {}
    stream = git.iter_commits_with_paths(root, [c.sha for c in extra], [git.head(root) or ""])
    owners = workspace_history.assign(space, stream)
    return {name: tuple(c for c in extra if c.sha in shas) for name, shas in owners.items()}


def is_workspace(root: Path, only: Sequence[str] = ()) -> bool:
    """Whether ROOT's repository is a workspace; --package ONLY is checked either way."""
    root = git.toplevel(root)
    return selected(root, config.load(root), only) is not None


def selected(root: Path, cfg: config.Config, only: Sequence[str]) -> Workspace | None:
    """The workspace under ROOT, or None for a repository of one package, once --package ONLY
    is known to name its packages (or, for one package, its own name)."""
    space = workspace.discover(root, cfg)
    if space is None:
        check_single(cfg, only)
        return None
    check_selection(space, only)
    return space


def one_selected(
    root: Path, cfg: config.Config, only: Sequence[str], doing: str
) -> tuple[Workspace, Package] | None:
    """The workspace under ROOT and the one package --package ONLY names, for a command that
    DOES ("stats measures one package") one at a time; None for a repository of one package.
    Raises UsageError unless ONLY names exactly one package."""
    space = selected(root, cfg, only)
    if space is None:
        return None
    if len(only) != 1:
        names = ", ".join(p.name for p in space.packages)
        raise UsageError(
            f"{doing} of a workspace at a time",
            f"name it with --package NAME (one of {names})",
        )
    return space, next(p for p in space.packages if p.name == only[0])


def check_single(cfg: config.Config, only: Sequence[str]) -> None:
    """--package on a repository of one package: only its own name is accepted. A tag_format
    with {name} is a workspace's: one package has no package name to fill in."""
    name = str(cfg.pyproject.get("project", {}).get("name") or "")
    if "{name}" in str(cfg.tag_format):
        raise ConfigError(
            f"tag_format = {str(cfg.tag_format)!r} ({cfg.origin['tag_format']}) holds {{name}}, "
            "which only a workspace's packages fill in, and this repository is one package",
            "write the name itself, e.g. 'mypkg-v{version}', or list the packages in "
            "[tool.uv.workspace] or [tool.autorelease.packages]",
        )
    unknown = [n for n in only if n != name]
    if unknown:
        raise UsageError(
            f"--package {unknown[0]}: this repository is one package ({name or 'unnamed'}), "
            "not a workspace",
            "drop --package, or list the packages in [tool.uv.workspace] or "
            "[tool.autorelease.packages]",
        )


def check_selection(space: Workspace, only: Sequence[str]) -> None:
    names = [p.name for p in space.packages]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UsageError(
            f"--package {unknown[0]}: no such package in the workspace",
            f"name one of {', '.join(names)}",
        )


# --- the decision --------------------------------------------------------------------------


class _Context(NamedTuple):
    root: Path
    cfg: config.Config
    space: Workspace
    facts: workspace_history.Facts
    options: single.PlanOptions
    date: str
    repo_url: str | None
    only: tuple[str, ...]  # --package: --bump applies to these alone
    extra: dict[str, tuple[git.RawCommit, ...]]  # each package's commits on top of HEAD


class _Package(NamedTuple):
    """What one package's decisions need, worked out once."""

    package: Package
    cfg: config.Config
    classifier: Classifier
    declarations: list[version_files.Declaration]
    found: list[version_files.Found]


def _decide_all(context: _Context) -> list[PackagePlan]:
    """Every package's plan: its own first, then moved by dependencies and linked groups."""
    parts = {p.name: _prepare(context, p) for p in context.space.packages}
    quick = context.options._replace(changelog=False)
    own = {name: _decide(context, part, quick, Moves()) for name, part in parts.items()}
    extras = _moved(context, parts, own)
    decided: dict[str, single.ReleasePlan] = {}  # in dependency order: what each needs first
    plans = []
    for package in context.space.packages:
        part, moves = parts[package.name], extras.get(package.name, Moves())
        decided[package.name] = _decide(context, part, context.options, moves)
        plans.append(_finished(context, part, decided, own[package.name], moves))
    return plans


def _prepare(context: _Context, package: Package) -> _Package:
    cfg = package_config(context.cfg, package)
    hist = context.facts.histories[package.name]
    classifier = Classifier(cfg)
    for raw in hist.commits:
        classifier(raw)
    declarations, found = _versions(context.root, package, cfg, hist)
    return _Package(package, cfg, classifier, declarations, found)


def package_config(cfg: config.Config, package: Package) -> config.Config:
    """The repository's configuration with the package's tag, changelog and version files."""
    values = {
        **cfg.values,
        "tag_format": package.tag_format,
        "changelog_file": package.changelog_file,
        "version_files": list(package.version_files),
    }
    where = f"[tool.autorelease.packages] / workspace default for {package.name}"
    origin = {**cfg.origin, **dict.fromkeys(("tag_format", "changelog_file", "version_files"),
                                             where)}  # fmt: skip
    return config.Config(cfg.root, values, origin, package.pyproject)


def _versions(
    root: Path, package: Package, cfg: config.Config, hist: history.History
) -> tuple[list[version_files.Declaration], list[version_files.Found]]:
    declarations = _declarations(root, package, cfg)
    if not declarations and not hist.tags and not single.uses_scm(cfg):
        where = "pyproject.toml" if package.path == "." else f"{package.path}/pyproject.toml"
        raise VersionError(
            f"no version found for the package {package.name}: no {package.tag_format} tag "
            f"and no version in {where}",
            f'add version = "0.1.0" to [project] in {where}',
        )
    latest = hist.pending or hist.last_final
    found = version_files.read_all(root, declarations, latest.version.render() if latest else None)
    single.check_agreement(found)
    return declarations, found


def _declarations(
    root: Path, package: Package, cfg: config.Config
) -> list[version_files.Declaration]:
    """The package's declarations, every path relative to the repository root."""
    specs = [one for spec in package.version_files for one in version_files.expand(spec, root)]
    listed = [version_files.parse_spec(s, root, package.tag_format) for s in specs]
    if single.uses_scm(cfg):
        return listed
    here = "" if package.path == "." else f"{package.path}/"
    found = version_files.discover(root / package.path, package.pyproject)
    # uv.lock is the workspace's, moved for every package at once (lock_changes).
    discovered = [d._replace(path=f"{here}{d.path}") for d in found if d.kind != "uv_lock"]
    if not listed:
        return discovered
    build = version_files.Declaration(f"{here}pyproject.toml", "toml", "project.version")
    if build in discovered and build not in listed:
        return [build, *listed]
    return listed


def _decide(
    context: _Context, part: _Package, options: single.PlanOptions, moves: Moves
) -> single.ReleasePlan:
    name = part.package.name
    named = [m for m in options.extra_messages
             if name in workspace_history.named_by_scope(context.space, m)]  # fmt: skip
    extra = (*moves.messages(), *named)
    options = options._replace(
        extra_messages=extra, extra_commits=context.extra.get(name, ()), folder=part.package.path
    )
    if context.only and name not in context.only:
        options = options._replace(bump=None)  # `--package cli --bump major` moves cli alone
    return single.decide(
        context.root, part.cfg, context.facts.histories[part.package.name], found=part.found,
        options=options, date=context.date, repo_url=context.repo_url,
        declarations=part.declarations, classifier=part.classifier,
    )  # fmt: skip


def _moved(
    context: _Context, parts: dict[str, _Package], own: dict[str, single.ReleasePlan]
) -> dict[str, Moves]:
    """What moves each package beyond its own commits: a dependency's release its requirement
    does not admit, a linked group's version. Repeated until nothing moves."""
    quick = context.options._replace(changelog=False)
    plans, extras = dict(own), dict[str, Moves]()
    for _ in range(len(parts) + 1):
        wanted = {}
        for package in context.space.packages:
            linked, version = _linked(context.space, package, plans, own)
            moves = Moves(_dependencies_moved(context.space, package, plans), linked, version)
            if moves != Moves():
                wanted[package.name] = moves
            if moves != extras.get(package.name, Moves()):
                plans[package.name] = _decide(context, parts[package.name], quick, moves)
        if wanted == extras:
            return extras
        extras = wanted
    return extras


def _dependencies_moved(
    space: Workspace, package: Package, plans: dict[str, single.ReleasePlan]
) -> tuple[tuple[str, str], ...]:
    if space.dependents != "bump":
        return ()
    return tuple((dep.name, new) for dep, new in _outdated(package, plans))


def _outdated(
    package: Package, plans: dict[str, single.ReleasePlan]
) -> list[tuple[Dependency, str]]:
    """The package's requirements that do not admit the new version of what they require."""
    from packaging.specifiers import SpecifierSet

    out = []
    for dep in package.dependencies:
        new = plans[dep.name].next_version
        if new and not SpecifierSet(dep.specifier).contains(new, prereleases=True):
            out.append((dep, new))
    return out


def _linked(
    space: Workspace,
    package: Package,
    plans: dict[str, single.ReleasePlan],
    own: dict[str, single.ReleasePlan],
) -> tuple[tuple[str, ...], str]:
    """The others of PACKAGE's linked group and their highest next version, when that lifts
    PACKAGE (a Release-As footer then says it); else nothing."""
    for group in space.linked:
        if package.name not in group:
            continue
        versions = [v for name in group if (v := parse_version(plans[name].next_version or ""))]
        target = max(versions, key=lambda v: v.sort_key(), default=None)
        mine = parse_version(own[package.name].next_version or "")
        current = parse_version(own[package.name].current_version)
        if target is None or (mine and mine.sort_key() >= target.sort_key()):
            return (), ""
        if current and target.sort_key() <= current.sort_key():
            return (), ""
        return tuple(n for n in group if n != package.name), target.render()
    return (), ""


def _finished(
    context: _Context,
    part: _Package,
    plans: dict[str, single.ReleasePlan],
    own: single.ReleasePlan,
    moves: Moves,
) -> PackagePlan:
    """The package's plan with its requirements rewritten and its cause said. PLANS holds
    it and every package it needs; OWN is its plan by its own commits alone."""
    package = part.package
    decided = plans[package.name]
    changes = decided.file_changes
    if context.space.dependents != "ignore":
        changes = _requirements_rewritten(context.root, package, plans, changes)
    own_reason = own.bump_reason if own.releasable else ""
    causes = [own_reason] if own_reason else []
    cause = "; ".join(causes + moves.said()) if decided.releasable else decided.bump_reason
    changes = single.on_top(context.root, context.options.extra_commits, changes)
    plan = decided._replace(bump_reason=cause, file_changes=changes)
    deps = tuple(d.name for d in package.dependencies)
    moved_by = [d.name for d, _new in _outdated(package, plans)] if moves != Moves() else []
    moved_by += [n for g in context.space.linked if package.name in g for n in g]
    moved = tuple(n for n in dict.fromkeys(moved_by) if n != package.name)
    return PackagePlan(
        package.name, package.path, deps, cause, plan, moved, own_reason, _top(own.commits), moves
    )


def _top(commits: Sequence[ClassifiedCommit]) -> tuple[ClassifiedCommit, ...]:
    """COMMITS of the highest level that releases (none when none releases)."""
    top = max((LEVEL_BY_NAME[c.level] for c in commits), default=Bump.NONE)
    return tuple(c for c in commits if top and LEVEL_BY_NAME[c.level] == top)


def _requirements_rewritten(
    root: Path,
    package: Package,
    plans: dict[str, single.ReleasePlan],
    changes: tuple[single.FileChange, ...],
) -> tuple[single.FileChange, ...]:
    """CHANGES with the package's pyproject.toml admitting its dependencies' new versions."""
    outdated = _outdated(package, plans)
    if not outdated:
        return changes
    path = "pyproject.toml" if package.path == "." else f"{package.path}/pyproject.toml"
    before = next((c for c in changes if c.path == path), None)
    # As found, byte for byte: a CRLF file keeps its line ends (the rewrite only swaps a string).
    original = before.before if before else fileio.read_text(inside(root, path))
    text = before.after if before else (original or "")
    for dep, new in outdated:
        text = workspace.rewrite_requirement(text, dep, new)
    change = single.FileChange(path, original, text)
    if before is None:
        return (*changes, change)
    return tuple(change if c.path == path else c for c in changes)
