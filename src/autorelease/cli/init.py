"""`autorelease init`: adopt autorelease in an existing project, after showing the diff."""

from __future__ import annotations

import argparse
import sys

from autorelease import git
from autorelease.cli.render import diff
from autorelease.errors import ExitCode
from autorelease.fileio import inside, write_atomic


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `init` command (its help line is in cli/main.py's COMMANDS)."""
    init = subparsers.add_parser(
        "init",
        description="Write [tool.autorelease] (detected version declaration and tag format, "
        "carried-over commitizen / semantic-release settings), autorelease's hooks in "
        ".pre-commit-config.yaml and .github/workflows/release.yml. Shows the diff first.",
    )
    init.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    init.add_argument("--dry-run", action="store_true", help="show the diff; write nothing")
    init.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # 8 ms of imports that only `init` needs, not every command
    from autorelease.cli import adopt, workflows

    root = git.toplevel(args.repo)
    todo = adopt.changes(root)
    for change in todo:
        print(f"# {change.path}: {change.why}")
        print(diff(change.path, change.before, change.after), end="")
    existing = workflows.survey(root)
    for line in adopt.notes(root) + workflows.describe(existing):
        print(line)
    if not todo:
        print("autorelease is already set up here: nothing to change", file=sys.stderr)
        return ExitCode.OK
    if args.dry_run:
        return ExitCode.OK
    if not args.yes and not _confirm(len(todo)):
        print("nothing written", file=sys.stderr)
        return ExitCode.USAGE if not sys.stdin.isatty() else ExitCode.OK
    for change in todo:
        write_atomic(inside(root, change.path), change.after)  # checked again right before
        print(f"wrote {change.path}", file=sys.stderr)
    retire = (
        "retire the release automation listed above in the same commit, " if existing.retire else ""
    )
    print(
        f"next: `pre-commit install`, commit these files, {retire}and add PyPI trusted "
        "publishing for the release workflow (docs/ci.md)",
        file=sys.stderr,
    )
    return ExitCode.OK


def _confirm(count: int) -> bool:
    if not sys.stdin.isatty():
        print("autorelease: not a terminal: pass --yes to apply these changes", file=sys.stderr)
        return False
    answer = input(f"Write these {count} file(s)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
