"""`autorelease check` and `autorelease hook`: conventional commits enforced before they land.

check --message TEXT    a PR title or squash message (and the release merging it would cause)
check RANGE             every commit of a git range such as origin/main..HEAD
hook commit-msg FILE    git's (or pre-commit's) commit-msg hook
hook pre-push           git's (or pre-commit's) pre-push hook: every commit being pushed

Exit status: 0 when every message passes, ExitCode.INVALID_COMMIT (4) when one is rejected.
The checks themselves are hooks/check.py's; this module reads the command line and reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from autorelease import git
from autorelease.cli.publish import package_argument
from autorelease.errors import ExitCode, GitError, UsageError
from autorelease.hooks.check import (
    Checked,
    LintOptions,
    check_range,
    lint_options,
    push_text,
    pushed_ranges,
    release_preview,
)
from autorelease.hooks.lint import DEFAULT_MAX_HEADER_LENGTH, DEFAULT_TYPES

SPEC_URL = "https://www.conventionalcommits.org/en/v1.0.0/"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `check` and `hook` commands (their help lines are in cli/main.py's COMMANDS)."""
    check = subparsers.add_parser(
        "check",
        description="Check messages against Conventional Commits 1.0.0 and show what merging "
        "would release. Exit status 4 when a message is rejected.",
    )
    check.add_argument("range", nargs="?", metavar="RANGE", help="e.g. origin/main..HEAD")
    check.add_argument("--message", "-m", help="a message to check, e.g. a PR title")
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    _lint_arguments(check)
    package_argument(check)
    check.set_defaults(handler=cmd_check)

    hook = subparsers.add_parser("hook")
    hooks = hook.add_subparsers(dest="hook_type", metavar="HOOK", required=True)
    commit_msg = hooks.add_parser("commit-msg", help="check the message file git passes")
    commit_msg.add_argument("file", type=Path, help="the message file, e.g. .git/COMMIT_EDITMSG")
    _lint_arguments(commit_msg)
    commit_msg.set_defaults(handler=cmd_commit_msg)
    pre_push = hooks.add_parser("pre-push", help="check every commit being pushed")
    pre_push.add_argument("remote", nargs="*", help="remote name and URL (git passes them)")
    _lint_arguments(pre_push)
    package_argument(pre_push)
    pre_push.set_defaults(handler=cmd_pre_push)


def _lint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-header-length",
        type=int,
        metavar="N",
        help="longest header allowed; 0 for no limit (default: max_header_length from the "
        f"configuration, else {DEFAULT_MAX_HEADER_LENGTH})",
    )
    parser.add_argument(
        "--types",
        metavar="LIST",
        help="allowed types, comma-separated, or 'any' (default: allowed_types from the "
        f"configuration, else {','.join(DEFAULT_TYPES)} and the bump_map's types)",
    )


# --- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    """`autorelease check --message TEXT` or `autorelease check RANGE`."""
    if (args.message is None) == (args.range is None):
        raise UsageError(
            "check needs either --message TEXT or a RANGE",
            "e.g. `autorelease check origin/main..HEAD` or `autorelease check -m 'feat: x'`",
        )
    root = _root(args, required=args.range is not None)
    options = _lint_options(args, root)
    if args.message is not None:
        checked = [Checked("", options.lint(args.message, editing=False))]
    else:
        assert root is not None
        checked = check_range(root, args.range, (), options)
    ok = all(c.result.ok for c in checked)
    only = tuple(args.packages or ())
    preview = release_preview(root, args.message, only) if ok and root is not None else None
    if args.json:
        print(json.dumps(_as_json(checked, preview), indent=2))
    else:
        _report(checked, sys.stdout)
        if preview is not None:
            print(preview.get("text") or preview["unavailable"])
        if not ok:
            print(f"Conventional Commits: {SPEC_URL}")
    return ExitCode.OK if ok else ExitCode.INVALID_COMMIT


def cmd_commit_msg(args: argparse.Namespace) -> int:
    """`autorelease hook commit-msg FILE`: the message git is about to commit."""
    try:
        text = args.file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(
            f"cannot read the commit message file {args.file}: {exc.strerror}",
            "git passes the file as the hook's only argument",
        ) from exc
    result = _lint_options(args, _root(args, required=False)).lint(text, editing=True)
    if result.ok:
        return ExitCode.OK
    _report([Checked("", result)], sys.stdout)
    print(
        f"The commit was not made. Your message is kept in {args.file}: edit it with "
        f"`git commit --edit --file={args.file}`. Conventional Commits: {SPEC_URL}"
    )
    return ExitCode.INVALID_COMMIT


def cmd_pre_push(args: argparse.Namespace) -> int:
    """`autorelease hook pre-push`: every commit in the ranges being pushed."""
    root = _root(args, required=True)
    assert root is not None
    ranges = pushed_ranges(root, os.environ, _stdin_lines(os.environ))
    options = _lint_options(args, root)
    checked: list[Checked] = []
    seen: set[str] = set()
    for include, exclude in ranges:
        checked += check_range(root, include, exclude, options, seen)
    bad = [c for c in checked if not c.result.ok]
    if not bad:
        preview = push_text(root, tuple(args.packages or ())) if ranges else None
        if preview:
            print(preview)
        return ExitCode.OK
    _report(checked, sys.stdout)
    print(
        "Nothing was pushed. Reword these commits with `git rebase -i` (mark them `reword`) "
        "and push again; `git push --no-verify` skips this check. "
        f"Conventional Commits: {SPEC_URL}"
    )
    return ExitCode.INVALID_COMMIT


def _stdin_lines(env: Mapping[str, str]) -> list[str]:
    if env.get("PRE_COMMIT") or sys.stdin is None or sys.stdin.isatty():
        return []
    return sys.stdin.read().splitlines()


def _root(args: argparse.Namespace, *, required: bool) -> Path | None:
    start = Path(getattr(args, "repo", None) or ".")
    try:
        return git.toplevel(start)
    except GitError:
        if required:
            raise
        return None


def _lint_options(args: argparse.Namespace, root: Path | None) -> LintOptions:
    return lint_options(root, args.max_header_length, args.types)


# --- rendering -------------------------------------------------------------------------------


def _report(checked: Sequence[Checked], out: TextIO) -> None:
    bad = [c for c in checked if not c.result.ok]
    for item in bad:
        label = f"{item.sha[:7]} " if item.sha else ""
        out.write(f"{label}{item.result.header or '(empty message)'}\n")
        for problem in item.result.problems:
            rule = f"rule {problem.rule}" if problem.rule[:1].isdigit() else problem.rule
            out.write(f"  - {problem.message} ({rule})\n")
        if item.result.suggestion:
            first, *rest = item.result.suggestion.split("\n")
            out.write(f"  try: {first}\n")
            out.writelines(f"       {line}".rstrip() + "\n" for line in rest)
    skipped = sum(1 for c in checked if c.result.skipped)
    if len(checked) > 1 or not bad:
        out.write(
            f"{len(checked) - len(bad)} of {len(checked)} message(s) pass"
            + (f" ({skipped} written by git or a release tool)" if skipped else "")
            + (f"; {len(bad)} rejected\n" if bad else "\n")
        )


def _as_json(checked: Sequence[Checked], preview: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "ok": all(c.result.ok for c in checked),
        "checked": len(checked),
        "rejected": sum(1 for c in checked if not c.result.ok),
        "commits": [
            {
                "sha": c.sha or None,
                "header": c.result.header,
                "ok": c.result.ok,
                "skipped": c.result.skipped,
                "problems": [{"message": p.message, "rule": p.rule} for p in c.result.problems],
                "suggestion": c.result.suggestion,
            }
            for c in checked
        ],
        "release": preview,
    }
