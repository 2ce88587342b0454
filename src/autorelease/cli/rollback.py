"""`autorelease rollback [VERSION]`: take a bad release's changes out and release that as a patch.

The revert is planned read-only (core/rollback.py); the release that follows is `publish`'s,
with the same checks, flags and steps. In a workspace, `--package NAME` names the package whose
release is rolled back, and the workspace's publish releases it (and what must follow it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autorelease import git
from autorelease.cli import publish
from autorelease.core import config, rollback
from autorelease.core.plan import plan_release
from autorelease.errors import ExitCode

if TYPE_CHECKING:
    from autorelease.core.workspace_plan import WorkspacePlan
    from autorelease.publish.options import PublishOptions


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `rollback` command (its help line is in cli/main.py's COMMANDS)."""
    parser = subparsers.add_parser(
        "rollback",
        description="Revert the changes of release VERSION (default: the latest) as one commit "
        "on top of HEAD and release it as the next patch, as `publish` would.",
    )
    parser.add_argument(
        "release", nargs="?", metavar="VERSION", help="the release to roll back (default: latest)"
    )
    publish.arguments(parser)
    parser.set_defaults(handler=cmd_rollback, full_preview=True, publishes=True)


def cmd_rollback(args: argparse.Namespace) -> int:
    root = git.toplevel(args.repo)
    cfg, scope = _scope(root, config.load(root), tuple(args.packages or ()))
    if not args.dry_run:
        _undo_killed_run(root, cfg, args)
    finishing = None if args.release else rollback.released_on_head(root, cfg, scope)
    if finishing is not None:  # a re-run after the push: finish that release, not a new one
        return _finish(root, cfg, args, finishing, workspace=scope is not None)
    planned = rollback.plan(root, cfg, args.release, scope)
    if args.dry_run and args.json:
        return _json(root, args, planned, str(cfg.version_scheme))
    sys.stdout.write(summary(planned))
    if args.dry_run:
        if scope is not None:
            return _preview_workspace(root, args, planned)
        return _preview(root, args, planned)
    return _release(root, cfg, args, planned, scope)


def _undo_killed_run(root: Path, cfg: config.Config, args: argparse.Namespace) -> None:
    """The release a killed run left in this clone, undone first (unless its push arrived):
    else its release commit on top of its revert would read as a rollback to finish."""
    from autorelease.publish import run, unfinished

    unfinished.undo_if_found(
        root, run.remote_to_ask(root, cfg, publish.publish_options(args)), _say
    )


def _scope(
    root: Path, cfg: config.Config, only: tuple[str, ...]
) -> tuple[config.Config, rollback.Scope | None]:
    """The configuration whose tags name the releases, and in a workspace the package whose
    release is rolled back (--package NAME, one)."""
    from autorelease.core.workspace_plan import one_selected, package_config

    found = one_selected(root, cfg, only, "rollback takes back one package's release")
    if found is None:
        return cfg, None
    space, package = found
    return package_config(cfg, package), rollback.Scope(space, package)


def _on_top(root: Path, planned: rollback.Rollback) -> git.RawCommit:
    """The revert as a commit object only (as `git merge-tree` makes them): no branch, index
    or file moves; publish counts it as on top of HEAD, and checks it out when it writes."""
    head = git.output(["rev-parse", "HEAD"], root)
    sha = rollback.commit_object(root, planned.tree, head, planned.message)
    return git.RawCommit(sha, (head,), planned.message)


def _with_revert(
    root: Path, args: argparse.Namespace, planned: rollback.Rollback
) -> PublishOptions:
    """The publish options of the command line, releasing a patch on top of the revert."""
    return publish.publish_options(args)._replace(bump="patch", on_top=(_on_top(root, planned),))


def _release(
    root: Path,
    cfg: config.Config,
    args: argparse.Namespace,
    planned: rollback.Rollback,
    scope: rollback.Scope | None,
) -> int:
    options = _with_revert(root, args, planned)
    code = _publish(options, workspace=scope is not None)
    if code != ExitCode.OK or options.no_push:
        return code
    done = rollback.released_on_head(root, cfg, scope)
    return _mark(root, cfg, options, done) if done is not None else code


def _publish(options: PublishOptions, *, workspace: bool) -> int:
    """The release, by the engine `publish` uses: a WORKSPACE's, or one package's."""
    if workspace:
        from autorelease.publish import workspace_run

        return workspace_run.main(options)
    from autorelease.publish import run

    return run.main(options)


def _finish(
    root: Path,
    cfg: config.Config,
    args: argparse.Namespace,
    done: rollback.Released,
    *,
    workspace: bool,
) -> int:
    options = publish.publish_options(args)
    code = _publish(
        options, workspace=workspace
    )  # finishes exactly what is missing (upload, GitHub release)
    if code != ExitCode.OK or options.no_push:
        return code
    return _mark(root, cfg, options, done)


def _mark(root: Path, cfg: config.Config, options: PublishOptions, done: rollback.Released) -> int:
    """The bad release noted on GitHub, and how to yank it."""
    from autorelease.publish import preflight
    from autorelease.publish import rollback as after

    url = after.mark_on_github(root, cfg, options, done)
    reason = f"rolled back in {done.version}" + (f": {url}" if url else "")
    project = preflight.project_name(root, cfg)
    _say(after.yank_advice(cfg, options, project, done.bad_version, reason))
    return ExitCode.OK


def _say(line: str) -> None:
    import logging

    logging.getLogger(__name__).info(line)


def summary(planned: rollback.Rollback) -> str:
    """What the revert takes out and which files it changes."""
    bad, good = planned.bad, planned.good
    lines = [
        f"Roll back      {planned.label} ({good.name}..{bad.name}): "
        f"{len(planned.reverted)} commits taken out",
        *(f"                 {sha[:7]} {header}" for sha, header in planned.reverted[:20]),
    ]
    if len(planned.reverted) > 20:
        lines.append(f"                 and {len(planned.reverted) - 20} more")
    lines.append(f"Revert         {len(planned.changes)} files:")
    lines += [f"                 {status} {path}" for status, path in planned.changes[:50]]
    if len(planned.changes) > 50:
        lines.append(f"                 and {len(planned.changes) - 50} more")
    return "\n".join(lines) + "\n\n"


def _json(root: Path, args: argparse.Namespace, planned: rollback.Rollback, scheme: str) -> int:
    """The plan as `autorelease --dry-run --json` prints it (one package's, or the
    workspace's: the package and what follows it), with the revert as its `rollback`."""
    from autorelease.cli import render

    options = _with_revert(root, args, planned)
    if planned.package:
        data = _releasing(root, options).to_json()
    else:
        data = plan_release(root, options.plan_options()).to_json()
    data["rollback"] = as_json(planned, scheme)
    sys.stdout.writelines(render.json_parts(data))
    return ExitCode.OK


def as_json(planned: rollback.Rollback, scheme: str) -> dict[str, Any]:
    """The revert as plain JSON data: the releases, the commits taken out, the files."""
    bad, good = planned.bad, planned.good
    return {
        "package": planned.package or None,
        "bad": {"tag": bad.name, "version": planned.version},
        "good": {"tag": good.name, "version": good.version.render(scheme)},
        "commit": rollback.HEADER.format(version=planned.label),
        "reverted": [{"sha": sha, "header": header} for sha, header in planned.reverted],
        "files": [{"status": status, "path": path} for status, path in planned.changes],
    }


def _steps(
    published: list[str], args: argparse.Namespace, planned: rollback.Rollback, new_tag: str | None
) -> list[str]:
    """PUBLISHED (publish's steps) with the rollback's own: the revert after the checks, the
    note on the bad release (pointing to NEW_TAG) and the yank advice at the end."""
    steps = [
        published[0],
        f"commit the revert on top of HEAD: {rollback.HEADER.format(version=planned.label)}",
        *published[1:],
    ]
    if not (args.no_push or args.no_github):
        steps.append(
            f"note at the top of the GitHub release {planned.bad.name} pointing to {new_tag}"
        )
    if not args.no_push:
        steps.append(f"say how to yank {planned.label} on the index (no upload API can)")
    return steps


def _preview(root: Path, args: argparse.Namespace, planned: rollback.Rollback) -> int:
    from autorelease.cli import render

    options = _with_revert(root, args, planned)
    plan = plan_release(root, options.plan_options())
    published = render.publish_steps(plan, options, publish.switches(root))
    steps = _steps(published, args, planned, plan.tag)
    sys.stdout.writelines(render.preview_parts(plan, steps, args.verbose))
    return ExitCode.OK


def _preview_workspace(root: Path, args: argparse.Namespace, planned: rollback.Rollback) -> int:
    """The workspace's plan with the revert on top of HEAD: the package and what follows it."""
    from autorelease.cli import workspace_render

    options = _with_revert(root, args, planned)
    plan = _releasing(root, options)
    published = workspace_render.publish_steps(plan, options, publish.switches(root))
    new = next(p.plan.tag for p in plan.packages if p.name == planned.package)
    steps = _steps(published, args, planned, new)
    parts = workspace_render.preview(plan, args.verbose)
    parts += [
        "\nSteps publish would take:\n",
        *(f"  {n}. {step}\n" for n, step in enumerate(steps, 1)),
    ]
    sys.stdout.writelines(parts)
    return ExitCode.OK


def _releasing(root: Path, options: PublishOptions) -> WorkspacePlan:
    """The workspace's plan of what the release would release: the package and its followers."""
    from autorelease.core.workspace_plan import chosen, plan_workspace

    plan = plan_workspace(root, options.plan_options(), options.packages, every=True)
    assert plan is not None  # --package named one of its packages
    return plan._replace(packages=tuple(chosen(plan.packages, options.packages)))
