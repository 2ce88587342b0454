"""What `--dry-run`, `status` and `version` print for a workspace of several packages."""

from __future__ import annotations

from collections.abc import Sequence

from autorelease.cli import render
from autorelease.core.workspace_plan import PackagePlan, WorkspacePlan
from autorelease.publish.options import PublishOptions

_COLUMNS = ("package", "current", "next", "bump", "tag", "cause")


def table(packages: Sequence[PackagePlan]) -> list[str]:
    """One row per package: current and next version, bump, tag and cause, aligned."""
    rows = [_COLUMNS] + [
        (
            p.name,
            p.plan.current_version,
            p.plan.next_version or "-",
            p.plan.bump,
            p.plan.tag or "-",
            p.cause,
        )
        for p in packages
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]


def preview(
    plan: WorkspacePlan,
    verbose: bool = False,
    steps: tuple[PublishOptions, render.Switches] | None = None,
) -> list[str]:
    """The dry run of a workspace: the table, each package's files and changelog section, then
    (with OPTIONS) the steps publish would take."""
    out = [
        "Dry run: nothing will be written.",
        "",
        f"Workspace      {plan.root} (branch {plan.branch or 'detached HEAD'})",
        f"Packages       {len(plan.packages)}, "
        f"{sum(p.releasable for p in plan.packages)} to release (in dependency order)",
        "",
        *table(plan.packages),
    ]
    out += [f"Warning        {w}" for w in plan.warnings]
    parts = ["\n".join(out) + "\n"]
    for package in plan.packages:
        parts += _package_parts(package, verbose)
    if plan.file_changes:
        shared = ", ".join(change.path for change in plan.file_changes)
        parts.append(f"\nworkspace: files that would change: {shared}\n")
        if verbose:
            for change in plan.file_changes:
                parts.append(render.diff(change.path, change.before, change.after) or render.NL)
    if not plan.releasable:
        parts.append("\nNothing to release.\n")
    elif steps is not None:
        parts.append("\nSteps publish would take:\n")
        parts += [f"  {n}. {step}\n" for n, step in enumerate(publish_steps(plan, *steps), 1)]
    return parts


def publish_steps(
    plan: WorkspacePlan, options: PublishOptions, switches: render.Switches
) -> list[str]:
    """The steps `publish` would take to release the workspace's releasable packages."""
    releasing = [p for p in plan.packages if p.releasable]
    tags = ", ".join(str(p.plan.tag) for p in releasing)
    order = " -> ".join(p.name for p in releasing)
    count = len(releasing)
    steps = [
        "check: clean working tree, release branch, HEAD equal to the remote branch, every tag "
        "free, no version on the index, credentials",
        f"write every package's files; one release commit; tags {tags}",
        "SKIP the tests (--skip-tests)" if options.skip_tests else "run the tests once",
        f"build each package's sdist and wheel ({order}); twine check --strict",
    ]
    if options.no_push:
        return [*steps, "no push, no upload, no GitHub release (--no-push): all stay in this clone"]
    repository = options.index_spec(releasing[0].plan.repository)
    return [
        *steps,
        "push the release commit and every tag atomically (the remote is the lock)",
        "no upload (--no-upload)" if options.no_upload
        else f"upload to {repository} in dependency order: {order}",
        render.no_github(options, switches)
        or f"a GitHub release for each tag ({count}) with its changelog section and files",
        *render.after_github(options, switches),
    ]  # fmt: skip


def _package_parts(package: PackagePlan, verbose: bool) -> list[str]:
    files = package.plan.file_changes
    if not files:
        return []
    title = f"{package.name} {package.plan.next_version or '(not released)'}"
    parts = [f"\n{title}: files that would change: {', '.join(c.path for c in files)}\n"]
    if verbose:
        for change in files:
            parts.append(render.diff(change.path, change.before, change.after) or render.NL)
    if package.plan.changelog:
        parts.append(f"\n{package.name} changelog section ({package.plan.changelog_path}):\n\n")
        parts += ["".join(f"    {line}\n" for line in package.plan.changelog.splitlines())]
    return parts


def status(plan: WorkspacePlan) -> str:
    """`autorelease status` for a workspace: the table, and what HEAD already released."""
    lines = table(plan.packages)
    released = [p.name for p in plan.packages if p.plan.head_released]
    lines.append(f"HEAD released  {', '.join(released) or 'none'}")
    lines += [f"Warning        {w}" for w in plan.warnings]
    return "\n".join(lines) + "\n"


def versions(plan: WorkspacePlan, bare: bool) -> list[str]:
    """`version` for a workspace: each releasing package's move (BARE: one package's version)."""
    moving = [p for p in plan.packages if p.plan.next_version]
    if bare and len(plan.packages) == 1:
        return [p.plan.next_version or "" for p in moving]
    return [f"{p.name} {p.plan.current_version} -> {p.plan.next_version}" for p in moving]
