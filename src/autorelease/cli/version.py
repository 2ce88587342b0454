"""`autorelease version`: the next version, or (--print) that version alone for scripts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from autorelease.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `version` command (its help line is in cli/main.py's COMMANDS)."""
    version = subparsers.add_parser("version")
    version.add_argument("--print", action="store_true", help="print the next version alone")
    version.add_argument("--bump", choices=("patch", "minor", "major"))
    version.add_argument("--pre", choices=("a", "b", "rc"))
    from autorelease.cli.publish import package_argument

    package_argument(version)
    version.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from autorelease.cli import publish

    workspace = publish.workspace_plan(args, changelog=False)
    if workspace is not None:
        return _workspace_version(workspace, args.print)
    plan = publish.plan(args, changelog=False)
    if not plan.next_version:
        if not args.print:
            print(f"nothing to release: {plan.current_version} is current", file=sys.stderr)
        return ExitCode.NOTHING_TO_RELEASE
    print(plan.next_version if args.print else f"{plan.current_version} -> {plan.next_version}")
    return ExitCode.OK


def _workspace_version(workspace: Any, bare: bool) -> int:
    from autorelease.cli import workspace_render

    lines = workspace_render.versions(workspace, bare)
    if not lines:
        if not bare:
            print("nothing to release: every package is current", file=sys.stderr)
        return ExitCode.NOTHING_TO_RELEASE
    print("\n".join(lines))
    return ExitCode.OK
