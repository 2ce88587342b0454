"""`autorelease changelog`: preview the next section, or (--init) write the file from all tags."""

from __future__ import annotations

import argparse
import sys

from autorelease import git
from autorelease.core import config, plan
from autorelease.core.changelog_rebuild import existing_text, full_changelog, target
from autorelease.errors import ExitCode
from autorelease.fileio import write_atomic


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `changelog` command (its help line is in cli/main.py's COMMANDS)."""
    log = subparsers.add_parser("changelog")
    log.add_argument("--init", action="store_true", help="write the file from all release tags")
    log.add_argument("--dry-run", action="store_true")
    log.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = git.toplevel(args.repo)
    if not args.init:
        release_plan = plan.plan_release(root)
        if not release_plan.next_version:
            print("nothing to release: no new section", file=sys.stderr)
            return ExitCode.NOTHING_TO_RELEASE
        print(release_plan.changelog, end="")
        return ExitCode.OK
    cfg = config.load(root)
    path = target(root, cfg)
    existing, framing = existing_text(path)
    text = full_changelog(root, cfg, existing)
    if args.dry_run:
        print(text, end="")
        return ExitCode.OK
    write_atomic(path, framing.apply(text))  # the old file's byte order mark and line ends
    print(f"wrote {path.relative_to(root.resolve())}", file=sys.stderr)
    return ExitCode.OK
