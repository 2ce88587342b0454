"""`autorelease changelog`: preview the next section, or (--init) write the file from all tags.

On a workspace each package has its own changelog: the command does every package, or those
--package names; with more than one file, each text is headed `==> path <==`, as `head` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from autorelease import git
from autorelease.core import config, plan
from autorelease.core.changelog_rebuild import existing_text, full_changelog, target
from autorelease.errors import ExitCode
from autorelease.fileio import write_atomic


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `changelog` command (its help line is in cli/main.py's COMMANDS)."""
    from autorelease.cli.publish import package_argument

    log = subparsers.add_parser("changelog")
    log.add_argument("--init", action="store_true", help="write the file from all release tags")
    log.add_argument("--dry-run", action="store_true")
    package_argument(log)
    log.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = git.toplevel(args.repo)
    only = tuple(getattr(args, "packages", None) or ())
    if not args.init:
        return _preview(root, only)
    from autorelease.core import workspace_changelog

    rebuilt = workspace_changelog.rebuild(root, only)
    if rebuilt is not None:
        return _write_packages(root, rebuilt, args.dry_run)
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


def _preview(root: Path, only: tuple[str, ...]) -> int:
    """The section the next release adds; on a workspace, each releasing package's."""
    from autorelease.core.workspace_plan import plan_workspace

    space = plan_workspace(root, plan.PlanOptions(), only)
    if space is None:
        release_plan = plan.plan_release(root)
        if not release_plan.next_version:
            print("nothing to release: no new section", file=sys.stderr)
            return ExitCode.NOTHING_TO_RELEASE
        print(release_plan.changelog, end="")
        return ExitCode.OK
    texts = [
        (p.plan.changelog_path or p.name, p.plan.changelog)
        for p in space.packages
        if p.plan.next_version and p.plan.changelog
    ]
    if not texts:
        print("nothing to release: no package has a new section", file=sys.stderr)
        return ExitCode.NOTHING_TO_RELEASE
    _print_files(texts)
    return ExitCode.OK


def _write_packages(root: Path, rebuilt: list[Any], dry_run: bool) -> int:
    """Each package's rebuilt changelog printed (DRY_RUN) or written, every text made first."""
    where = root.resolve()
    if dry_run:
        _print_files([(r.path.relative_to(where).as_posix(), r.text) for r in rebuilt])
        return ExitCode.OK
    for item in rebuilt:
        write_atomic(item.path, item.framing.apply(item.text))
        print(f"wrote {item.path.relative_to(where)}", file=sys.stderr)
    return ExitCode.OK


def _print_files(texts: list[tuple[str, str]]) -> None:
    """TEXTS (name, text) on stdout; with more than one, each after `==> name <==`."""
    for index, (name, text) in enumerate(texts):
        if len(texts) > 1:
            print(f"{chr(10) if index else ''}==> {name} <==")
        print(text, end="")
