"""`autorelease rollback [VERSION]`: take a bad release's changes out and release that as a patch.

The revert is planned read-only (core/rollback.py); the release that follows is `publish`'s,
with the same checks, flags and steps.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autorelease import git
from autorelease.core import config, rollback
from autorelease.core.plan import plan_release
from autorelease.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from autorelease.cli.main import publish_arguments

    parser = subparsers.add_parser(
        "rollback",
        help="release a patch that takes a bad release's changes out",
        description="Revert the changes of release VERSION (default: the latest) as one commit "
        "on top of HEAD and release it as the next patch, as `publish` would.",
    )
    parser.add_argument(
        "release", nargs="?", metavar="VERSION", help="the release to roll back (default: latest)"
    )
    publish_arguments(parser)
    parser.set_defaults(handler=cmd_rollback, full_preview=True)


def cmd_rollback(args: argparse.Namespace) -> int:
    root = git.toplevel(args.repo)
    cfg = config.load(root)
    planned = rollback.plan(root, cfg, args.release)
    if not args.dry_run:
        print("autorelease: rollback needs --dry-run for now", file=sys.stderr)
        return ExitCode.USAGE
    sys.stdout.write(summary(planned))
    return _preview(root, args, planned)


def summary(planned: rollback.Rollback) -> str:
    """What the revert takes out and which files it changes."""
    bad, good = planned.bad, planned.good
    lines = [
        f"Roll back      {planned.version} ({good.name}..{bad.name}): "
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


def _preview(root: Path, args: argparse.Namespace, planned: rollback.Rollback) -> int:
    from autorelease.cli import render

    head = git.output(["rev-parse", "HEAD"], root)
    # The commit as an object only (as `git merge-tree` makes them): no branch, index or file
    # moves, and the plan counts it as on top of HEAD.
    sha = git.run(
        ["commit-tree", planned.tree, "-p", head, "-F", "-"], root, input=planned.message
    ).stdout.strip()
    extra = (git.RawCommit(sha, (head,), planned.message),)
    from autorelease.cli.main import publish_options

    options = publish_options(args)._replace(bump="patch")
    plan = plan_release(root, options.plan_options()._replace(extra_commits=extra))
    publish = render.publish_steps(plan, options)
    steps = [
        publish[0],
        f"commit the revert on top of HEAD: {rollback.HEADER.format(version=planned.version)}",
        *publish[1:],
    ]
    if not (args.no_push or args.no_github):
        steps.append(
            f"note at the top of the GitHub release {planned.bad.name} pointing to {plan.tag}"
        )
    if not args.no_push:
        steps.append(f"say how to yank {planned.version} on the index (no upload API can)")
    sys.stdout.writelines(render.preview_parts(plan, steps, args.verbose))
    return ExitCode.OK
