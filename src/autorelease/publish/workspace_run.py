"""`autorelease publish` of a workspace: every releasable package in one release.

One release commit holds every package's new version, rewritten requirements and changelog
section; each package's tag goes on it, and one atomic push sends the branch and every tag (the
remote is still the lock: a run that loses the race pushed nothing and uploaded nothing). Then,
package by package in dependency order, the build's files go to the index (a package only after
everything it needs is there), and each tag gets its GitHub release. As for one package (run.py),
everything before the push is undone on any failure, a killed run's record lets the next run undo
it, and after the push a re-run on the release commit finds the tags on HEAD and finishes exactly
each package's missing steps.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from autorelease import git
from autorelease.core import config, workspace
from autorelease.core.plan import FileChange
from autorelease.core.workspace import Package
from autorelease.core.workspace_plan import (
    PackagePlan,
    chosen,
    package_config,
    plan_workspace,
)
from autorelease.errors import ConfigError, ExitCode
from autorelease.publish import preflight, run, unfinished
from autorelease.publish.options import PublishOptions
from autorelease.publish.preflight import Preflight
from autorelease.publish.run import Progress, Run, say
from autorelease.publish.state import Release


class Part(NamedTuple):
    """One package's release in this run."""

    package: Package
    cfg: config.Config  # the repository's configuration with the package's tag and files
    release: Release


def main(options: PublishOptions) -> int:
    """Publish every releasable package of the workspace; returns an exit code."""
    root = git.toplevel(options.repo)
    return run.supervise(root, config.load(root), options, _publish)


def _publish(root: Path, cfg: config.Config, options: PublishOptions, progress: Progress) -> int:
    progress.workspace = True
    if preflight.deepen_if_shallow(root, cfg):
        say("fetched the full history and tags of this shallow clone")
    unfinished.undo_if_found(root, run.remote_to_ask(root, cfg, options), say)
    space = workspace.discover(root, cfg)
    assert space is not None  # the command chose this engine because it is a workspace
    parts, changes = _resumed(root, cfg, space, options), tuple[FileChange, ...]()
    if not parts:
        parts, changes = _planned(root, cfg, space, options)
    if not parts:
        say("nothing to release: no package of the workspace has a change that releases it")
        return ExitCode.OK
    parts = _shared_notes(parts)
    checks = _checked(root, cfg, options, parts, progress)
    whole = Run(root, cfg, options, parts[0].release, checks[0], progress)
    whole, members = _runs(whole, parts, checks)
    try:
        _finish(whole, members, parts, changes)
    except BaseException as exc:
        run.rollback_if_local(whole)
        run.say_how_to_finish(whole, interrupted=isinstance(exc, KeyboardInterrupt))
        raise
    return ExitCode.OK


def _checked(
    root: Path, cfg: config.Config, options: PublishOptions, parts: list[Part], progress: Progress
) -> list[Preflight]:
    """The check step: the repository once, then each package's release."""
    with progress.step("check") as record:
        shared = preflight.check_repository(root, cfg, options, parts[0].release)
        checks = [
            preflight.check_release(root, part.cfg, options, part.release, shared) for part in parts
        ]
        what = ", ".join(_named(parts))
        record.detail = f"releasing {what}"
        if parts[0].release.resuming:
            record.detail = f"{what} tagged here: finishing what is missing"
    progress.index_url = run.index_url_of(checks[0])
    return checks


def _runs(whole: Run, parts: list[Part], checks: list[Preflight]) -> tuple[Run, list[Run]]:
    """The run of the whole release (commit, tests, push of every tag: WHOLE with them), and one
    per package (build, upload, GitHub release...), whose steps are named after it."""
    tags = tuple(dict.fromkeys(part.release.tag for part in parts))  # a linked group may share one
    members = []
    for part, checked in zip(parts, checks, strict=True):
        progress = whole.progress.member(part.package.name)
        progress.release, progress.index_url = part.release, run.index_url_of(checked)
        members.append(
            Run(whole.root, part.cfg, whole.options, part.release, checked, progress,
                folder=part.package.path)
        )  # fmt: skip
    return whole._replace(tags=tags), members


def _shared_notes(parts: list[Part]) -> list[Part]:
    """PARTS, where several share one tag (a lockstep release), each with the notes of them
    all: their one GitHub release then says what changed in every package."""
    by_tag: dict[str, list[Part]] = {}
    for part in parts:
        by_tag.setdefault(part.release.tag, []).append(part)
    notes = {tag: _joined(group) for tag, group in by_tag.items() if len(group) > 1}
    return [
        part._replace(release=part.release._replace(notes=notes[part.release.tag]))
        if part.release.tag in notes else part
        for part in parts
    ]  # fmt: skip


def _joined(group: list[Part]) -> str:
    """The notes of GROUP's packages in one text: the first's heading, then each package's."""
    heading = group[0].release.notes.partition("\n")[0]
    bodies = [
        f"**{part.package.name}**\n\n{part.release.notes.partition(chr(10))[2].strip()}"
        for part in group
    ]
    return heading + "\n\n" + "\n\n".join(bodies) + "\n"


def _named(parts: Sequence[Part]) -> list[str]:
    return [f"{part.package.name} {part.release.version}" for part in parts]


def _finish(
    whole: Run, members: list[Run], parts: list[Part], changes: tuple[FileChange, ...]
) -> None:
    """Every step after the check; a new release is made locally first."""
    if not whole.release.resuming:
        if preflight.local_only(whole.options, whole.release):
            say(f"--no-push: {run.LOCAL_ONLY}")
        _release_locally(whole, parts, changes)
    run.tests_step(whole)
    for member in members:
        run.build_step(member)
    run.push_step(whole)
    for member in members:
        member.progress.pushed = whole.progress.pushed
        member.progress.by_another = whole.progress.by_another
    for step in (run.upload_step, run.github_step, run.comments_step, run.notify_step):
        for member in members:  # in dependency order: what a package needs is there first
            step(member)
    if not whole.progress.pushed:
        say(
            f"{', '.join(whole.pushed_tags)} are only in this clone: nothing was pushed, "
            "uploaded or published; autorelease publish without --no-push pushes them and "
            "finishes the release"
        )
    unfinished.clear(whole.root)


# --- what to release ----------------------------------------------------------------------


def _resumed(
    root: Path, cfg: config.Config, space: workspace.Workspace, options: PublishOptions
) -> list[Part]:
    """The packages whose release tag is on HEAD: a run got that far, this one finishes them."""
    parts = []
    head, refs = git.head(root), git.list_tags(root)  # once for every package
    for package in space.packages:
        package_cfg = package_config(cfg, package)
        tag = run.resumable_tag(package_cfg, options, head, refs)
        if tag is not None:
            release = run.release_of_tag(root, package_cfg, tag)
            parts.append(Part(package, package_cfg, release))
    return parts


def _planned(
    root: Path, cfg: config.Config, space: workspace.Workspace, options: PublishOptions
) -> tuple[list[Part], tuple[FileChange, ...]]:
    """The packages to release (in dependency order) and every file the release writes."""
    plan = plan_workspace(root, options.plan_options(), options.packages, every=True)
    assert plan is not None
    releasing = chosen(plan.packages, options.packages)
    by_name = {package.name: package for package in space.packages}
    parts = [
        Part(by_name[p.name], package_config(cfg, by_name[p.name]), run.release_of_plan(p.plan))
        for p in releasing
    ]
    return parts, (*_file_changes(plan.packages, releasing), *plan.file_changes)


def _file_changes(
    packages: Sequence[PackagePlan], chosen: Sequence[PackagePlan]
) -> tuple[FileChange, ...]:
    """Every file the release writes: the chosen packages' files, and the
    requirements of packages that only follow (dependents = "update-only")."""
    names = {p.name for p in chosen}
    writing = [*chosen]
    writing += [
        p for p in packages
        if not p.releasable and p.plan.file_changes and set(p.dependencies) & names
    ]  # fmt: skip
    changes: dict[str, FileChange] = {}
    for package in writing:
        for change in package.plan.file_changes:
            path = posixpath.normpath(change.path)  # one file, however a package names it
            if path in changes and changes[path].after != change.after:
                raise ConfigError(
                    f"two packages of the workspace write {path}",
                    "give each package its own version files and changelog",
                )
            changes[path] = change
    return tuple(changes.values())


# --- the local part: undone on any failure ---------------------------------------------------


def _release_locally(whole: Run, parts: list[Part], changes: tuple[FileChange, ...]) -> None:
    """One commit with every package's files, and each package's tag on it."""
    with whole.progress.step("commit") as record:
        named = ", ".join(_named(parts))
        message = str(whole.cfg.commit_message).format(version=named)
        notes = {
            tag: "Release " + ", ".join(_named([p for p in parts if p.release.tag == tag]))
            for tag in whole.pushed_tags
        }
        run.commit_release(whole, changes, message, named, notes)
        record.detail = f"{message!r}, tags {', '.join(whole.pushed_tags)}"
