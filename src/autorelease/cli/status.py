"""`autorelease status`: the version, the last tag and the unreleased commits."""

from __future__ import annotations

import argparse
from typing import Any

from autorelease.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `status` command (its help line is in cli/main.py's COMMANDS)."""
    status = subparsers.add_parser("status")
    status.add_argument("--json", action="store_true")
    from autorelease.cli.publish import package_argument

    package_argument(status)
    status.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from autorelease.cli import publish, render

    workspace = publish.workspace_plan(args, changelog=False)
    if workspace is not None:
        return _workspace_status(publish.with_pending_note(workspace), args.json)
    plan = publish.with_pending_note(publish.plan(args, changelog=False))
    if args.json:
        import json

        data = plan.to_json()
        keys = ("current_version", "current_source", "last_tag", "next_version", "bump", "tag",
                "head_released", "counts", "warnings")  # fmt: skip
        print(json.dumps({k: data[k] for k in keys}, indent=2))
    else:
        print(render.status(plan), end="")
    return ExitCode.OK


def _workspace_status(workspace: Any, as_json: bool) -> int:
    from autorelease.cli import workspace_render

    if as_json:
        import json

        keys = ("name", "current_version", "last_tag", "next_version", "bump", "cause", "tag")
        packages = [{k: p.to_json()[k] for k in keys} for p in workspace.packages]
        print(json.dumps({"packages": packages, "warnings": list(workspace.warnings)}, indent=2))
    else:
        print(workspace_render.status(workspace), end="")
    return ExitCode.OK
