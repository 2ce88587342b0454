"""`autorelease check` and `autorelease hook`: conventional commits enforced before they land.

check --message TEXT    a PR title or squash message (and the release merging it would cause)
check RANGE             every commit of a git range such as origin/main..HEAD
hook commit-msg FILE    git's (or pre-commit's) commit-msg hook
hook pre-push           git's (or pre-commit's) pre-push hook: every commit being pushed

Exit status: 0 when every message passes, ExitCode.INVALID_COMMIT (4) when one is rejected.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from autorelease import git
from autorelease.errors import AutoreleaseError, ExitCode, GitError, UsageError
from autorelease.hooks.lint import (
    DEFAULT_MAX_HEADER_LENGTH,
    DEFAULT_TYPES,
    LintResult,
    lint,
    lint_by_schema,
)

if TYPE_CHECKING:
    from autorelease.core.config import Config
    from autorelease.core.rules import Rules

SPEC_URL = "https://www.conventionalcommits.org/en/v1.0.0/"
_ZERO_SHA = frozenset("0")


@dataclass(frozen=True)
class Checked:
    """One message and its verdict; `sha` is empty for a message that is not a commit yet."""

    sha: str
    result: LintResult


@dataclass(frozen=True)
class LintOptions:
    """The project's rules for messages: header length and allowed types (None: no check)."""

    max_header_length: int | None = DEFAULT_MAX_HEADER_LENGTH
    allowed_types: tuple[str, ...] | None = DEFAULT_TYPES
    rules: Rules | None = None  # a commitizen rule set with a schema_pattern judges instead

    def lint(self, message: str, *, editing: bool) -> LintResult:
        if self.rules is not None and self.rules.schema is not None:
            return lint_by_schema(
                message, self.rules.schema, self.rules.name,
                max_header_length=self.max_header_length, editing=editing,
                example=self.rules.example,
            )  # fmt: skip
        return lint(
            message,
            max_header_length=self.max_header_length,
            allowed_types=self.allowed_types,
            editing=editing,
        )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `check` and `hook` commands to the main parser's subcommands."""
    check = subparsers.add_parser(
        "check",
        help="check commit messages: a PR title, or every commit of a range",
        description="Check messages against Conventional Commits 1.0.0 and show what merging "
        "would release. Exit status 4 when a message is rejected.",
    )
    check.add_argument("range", nargs="?", metavar="RANGE", help="e.g. origin/main..HEAD")
    check.add_argument("--message", "-m", help="a message to check, e.g. a PR title")
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    _lint_arguments(check)
    check.set_defaults(handler=cmd_check)

    hook = subparsers.add_parser("hook", help="run as a git hook (see .pre-commit-hooks.yaml)")
    hooks = hook.add_subparsers(dest="hook_type", metavar="HOOK", required=True)
    commit_msg = hooks.add_parser("commit-msg", help="check the message file git passes")
    commit_msg.add_argument("file", type=Path, help="the message file, e.g. .git/COMMIT_EDITMSG")
    _lint_arguments(commit_msg)
    commit_msg.set_defaults(handler=cmd_commit_msg)
    pre_push = hooks.add_parser("pre-push", help="check every commit being pushed")
    pre_push.add_argument("remote", nargs="*", help="remote name and URL (git passes them)")
    _lint_arguments(pre_push)
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
    preview = _release_preview(root, args.message) if ok and root is not None else None
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
        return ExitCode.OK
    _report(checked, sys.stdout)
    print(
        "Nothing was pushed. Reword these commits with `git rebase -i` (mark them `reword`) "
        "and push again; `git push --no-verify` skips this check. "
        f"Conventional Commits: {SPEC_URL}"
    )
    return ExitCode.INVALID_COMMIT


# --- gathering -------------------------------------------------------------------------------


def check_range(
    root: Path,
    include: str,
    exclude: Sequence[str],
    options: LintOptions,
    seen: set[str] | None = None,
) -> list[Checked]:
    """Lint every commit reachable from INCLUDE but not EXCLUDE, oldest first; skip merges."""
    seen = set() if seen is None else seen
    checked = []
    for raw in git.iter_commits(root, include, exclude):
        if len(raw.parents) > 1 or raw.sha in seen:
            continue
        seen.add(raw.sha)
        checked.append(Checked(raw.sha, options.lint(raw.message, editing=False)))
    return checked[::-1]


def pushed_ranges(
    root: Path, env: Mapping[str, str], stdin_lines: Iterable[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """(include, exclude) pairs for what is being pushed.

    Under pre-commit, which reads git's standard input itself, the range comes from
    PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF; when pre-commit sets neither (a first push that
    includes the root commit) the pushed ref is PRE_COMMIT_LOCAL_BRANCH. As a raw git hook the
    lines `<local ref> <local sha> <remote ref> <remote sha>` come on standard input.
    """
    from_ref, to_ref = env.get("PRE_COMMIT_FROM_REF"), env.get("PRE_COMMIT_TO_REF")
    if from_ref and to_ref:
        return [(to_ref, (from_ref,))]
    if env.get("PRE_COMMIT"):
        local = env.get("PRE_COMMIT_LOCAL_BRANCH")
        return [(local, _remote_tips(root))] if local else []
    ranges = []
    for line in stdin_lines:
        parts = line.split()
        if len(parts) != 4:
            continue
        _local_ref, local_sha, _remote_ref, remote_sha = parts
        if set(local_sha) == _ZERO_SHA:
            continue  # deleting the remote ref: no commit is sent
        if set(remote_sha) == _ZERO_SHA or not _is_commit(root, remote_sha):
            # A new branch (or one whose remote tip we never fetched): whatever no remote has.
            ranges.append((local_sha, _remote_tips(root)))
        else:
            ranges.append((local_sha, (remote_sha,)))
    return ranges


def _stdin_lines(env: Mapping[str, str]) -> list[str]:
    if env.get("PRE_COMMIT") or sys.stdin is None or sys.stdin.isatty():
        return []
    return sys.stdin.read().splitlines()


def _remote_tips(root: Path) -> tuple[str, ...]:
    """Every remote-tracking ref's commit: excluding them is `git rev-list --not --remotes`."""
    out = git.run(["for-each-ref", "--format=%(objectname)", "refs/remotes"], root).stdout
    return tuple(sorted(set(out.split())))


def _is_commit(root: Path, sha: str) -> bool:
    return git.run(["cat-file", "-e", f"{sha}^{{commit}}"], root, check=False).returncode == 0


def _root(args: argparse.Namespace, *, required: bool) -> Path | None:
    start = Path(getattr(args, "repo", None) or ".")
    try:
        return git.toplevel(start)
    except GitError:
        if required:
            raise
        return None


def _lint_options(args: argparse.Namespace, root: Path | None) -> LintOptions:
    """The command line's options, else the project's configuration, else the defaults."""
    from autorelease.core import config

    cfg = config.load(root) if root is not None else None
    limit = args.max_header_length
    if limit is None:  # max_header_length, which a commitizen or PSR project sets to theirs
        limit = cfg.max_header_length if cfg is not None else DEFAULT_MAX_HEADER_LENGTH
    limit = limit or None
    if args.types:
        names = [t.strip().lower() for t in args.types.split(",") if t.strip()]
        return LintOptions(limit, None if names == ["any"] else tuple(names))
    if cfg is None or root is None:
        return LintOptions(limit, DEFAULT_TYPES)
    return LintOptions(limit, _configured_types(cfg), _rule_set(root, cfg))


def _rule_set(root: Path, cfg: Config) -> Rules | None:
    """The team's commitizen rule set, which judges messages as `cz check` would; None for
    Conventional Commits. Without commitizen (a hook environment that lacks it) the messages
    are checked as Conventional Commits, and a warning says how to get the rule set."""
    if not cfg.commit_rules:
        return None
    import importlib.util

    if importlib.util.find_spec("commitizen") is None:
        print(
            f"autorelease: warning: {cfg.commit_rules} is commitizen's, and commitizen is not "
            "installed here: checking as Conventional Commits — add commitizen to the hook's "
            "additional_dependencies (pre-commit) or install it",
            file=sys.stderr,
        )
        return None
    from autorelease.core import rules

    return rules.load(root, str(cfg.commit_rules), cfg.pyproject)


def _configured_types(cfg: Config) -> tuple[str, ...]:
    """allowed_types from the configuration, else the defaults plus the bump_map's own types."""
    if cfg.allowed_types:
        return tuple(str(t).lower() for t in cfg.allowed_types)
    extra = [str(t).lower() for t in cfg.bump_map if str(t).lower() not in DEFAULT_TYPES]
    return (*DEFAULT_TYPES, *extra)


# --- the release that merging would cause ----------------------------------------------------


def _release_preview(root: Path, message: str | None) -> dict[str, Any]:
    """What releasing would do with these commits (and MESSAGE on top of HEAD, if given)."""
    try:
        from autorelease.core.plan import PlanOptions, plan_release

        plan = plan_release(root, PlanOptions(extra_messages=(message,) if message else ()))
    except (AutoreleaseError, ImportError) as exc:
        return {"unavailable": f"(no release preview: {exc})"}
    data: dict[str, Any] = {
        "current_version": plan.current_version,
        "next_version": plan.next_version,
        "bump": plan.bump,
        "because": [{"sha": c.sha, "header": c.header} for c in plan.bump_commits],
    }
    if plan.next_version is None:
        data["text"] = f"merging this releases nothing: {plan.current_version} stays current"
        return data
    if plan.bump == "none":  # no release tag yet: the first release, whatever the commits say
        data["text"] = f"merging this releases {plan.next_version} ({plan.bump_reason})"
        return data
    headers = [c.header for c in plan.bump_commits]
    because = headers[0] if headers else "the commits since the last release"
    if len(headers) > 1:
        because += f" (and {len(headers) - 1} more)"
    data["text"] = f"merging this releases {plan.next_version} ({plan.bump}) because of {because}"
    return data


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
