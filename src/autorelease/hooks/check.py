"""Commit messages checked before they land: the checks behind `autorelease check` and the
commit-msg and pre-push hooks (their command line is cli/check.py).

What is checked: every commit of a range (check_range), what a push sends (pushed_ranges),
against the project's rules (lint_options); and what merging would release (release_preview).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autorelease import git
from autorelease.errors import AutoreleaseError, UsageError
from autorelease.hooks.lint import (
    DEFAULT_MAX_HEADER_LENGTH,
    DEFAULT_TYPES,
    LintResult,
    lint,
    lint_by_schema,
)

if TYPE_CHECKING:
    from autorelease.core.config import Config
    from autorelease.core.plan import ReleasePlan
    from autorelease.core.rules import Rules

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


def _remote_tips(root: Path) -> tuple[str, ...]:
    """Every remote-tracking ref's commit: excluding them is `git rev-list --not --remotes`."""
    out = git.run(["for-each-ref", "--format=%(objectname)", "refs/remotes"], root).stdout
    return tuple(sorted(set(out.split())))


def _is_commit(root: Path, sha: str) -> bool:
    return git.run(["cat-file", "-e", f"{sha}^{{commit}}"], root, check=False).returncode == 0


def lint_options(
    root: Path | None, max_header_length: int | None = None, types: str | None = None
) -> LintOptions:
    """The rules given (a header length, 0 for none; TYPES comma-separated or 'any'), else the
    configuration of the project at ROOT (None: outside a repository), else the defaults."""
    from autorelease.core import config

    cfg = config.load(root) if root is not None else None
    limit = max_header_length
    if limit is None:  # max_header_length, which a commitizen or PSR project sets to theirs
        limit = cfg.max_header_length if cfg is not None else DEFAULT_MAX_HEADER_LENGTH
    limit = limit or None
    if types:
        names = [t.strip().lower() for t in types.split(",") if t.strip()]
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


def release_preview(
    root: Path, message: str | None, only: Sequence[str] = (), *, changelog: bool = True
) -> dict[str, Any]:
    """What releasing would do with these commits (and MESSAGE on top of HEAD, if given): for
    a workspace, per package (ONLY: these packages); a --package it has not is a UsageError.
    CHANGELOG: also write the changelog sections (`check --json` shows a workspace's)."""
    try:
        from autorelease.core.plan import PlanOptions, plan_release
        from autorelease.core.workspace_plan import plan_workspace

        extra = (message,) if message else ()
        options = PlanOptions(extra_messages=extra, changelog=changelog)
        space = plan_workspace(root, options, only)
        plan = plan_release(root, options) if space is None else None
    except UsageError:
        raise
    except (AutoreleaseError, ImportError) as exc:
        return {"unavailable": f"(no release preview: {exc})"}
    if space is not None:
        from autorelease.hooks import workspace_preview

        return workspace_preview.preview(space, message)
    assert plan is not None
    return _single_preview(plan)


def push_text(root: Path, only: Sequence[str] = ()) -> str | None:
    """The pre-push hook's line once every commit passes: what merging releases, as `check`
    says it (per package in a workspace). None for a plan that fails: the push is not the
    place for that (`autorelease --dry-run` says it)."""
    text: str | None = release_preview(root, None, only, changelog=False).get("text")
    return text


def _single_preview(plan: ReleasePlan) -> dict[str, Any]:
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
