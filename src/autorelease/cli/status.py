"""`autorelease status`: the version, the last tag and the unreleased commits."""

from __future__ import annotations

import argparse

from autorelease.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `status` command (its help line is in cli/main.py's COMMANDS)."""
    status = subparsers.add_parser("status")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from autorelease.cli import publish, render

    plan = publish.plan(args, changelog=False)
    if args.json:
        import json

        data = plan.to_json()
        keys = ("current_version", "current_source", "last_tag", "next_version", "bump", "tag",
                "head_released", "counts")  # fmt: skip
        print(json.dumps({k: data[k] for k in keys}, indent=2))
    else:
        print(render.status(plan), end="")
    return ExitCode.OK
