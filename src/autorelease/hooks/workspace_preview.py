"""What merging would release in a workspace, for `autorelease check` and the pre-push hook:
each package that would release, its next version and why.

`merging this releases core 2.0.0 (feat!: core speaks v2), cli 1.0.1 (dependencies: core
2.0.0)`; the why of a package's own commits is the newest of its highest level, as the preview
of a single package says it.
"""

from __future__ import annotations

from typing import Any

from autorelease.core.classify import ClassifiedCommit
from autorelease.core.plan import BY_COMMITS
from autorelease.core.workspace_plan import PackagePlan, WorkspacePlan


def preview(plan: WorkspacePlan, message: str | None = None) -> dict[str, Any]:
    """The `release` of `check --json`: the dry run's packages, each with the commits that
    cause its release (`because`), and the text. MESSAGE: the PR title planned on top."""
    packages = [
        {
            **package.to_json(),
            "because": [_said(c) for c in package.own_commits] if package.releasable else [],
        }
        for package in plan.packages
    ]
    return {"workspace": True, "releasable": plan.releasable, "packages": packages,
            "text": text(plan) + _unrouted(plan, message)}  # fmt: skip


def text(plan: WorkspacePlan) -> str:
    """One line: each releasing package, its next version and why; or that none releases."""
    moving = [p for p in plan.packages if p.releasable]
    if moving:
        said = ", ".join(f"{p.name} {p.plan.next_version} ({reason(p)})" for p in moving)
        return f"merging this releases {said}"
    staying = [f"{p.name} {p.plan.current_version}" for p in plan.packages]
    if not staying:
        return "merging this releases nothing"
    verb = "stays" if len(staying) == 1 else "stay"
    return f"merging this releases nothing: {', '.join(staying)} {verb} current"


def _unrouted(plan: WorkspacePlan, message: str | None) -> str:
    """What to add when MESSAGE counts for none of the packages listed: it has no paths, so
    only its scope can name its packages."""
    header = (message or "").strip().partition("\n")[0].strip()
    if not header or any(
        not c.sha and c.header == header for p in plan.packages for c in p.plan.commits
    ):
        return ""
    example = plan.packages[0].name if plan.packages else "core"
    return (f"; the message counts for no package listed: a message counts for the packages "
            f"its scope names (feat({example}): ...)")  # fmt: skip


def reason(package: PackagePlan) -> str:
    """Why PACKAGE releases: its cause, with its own commits named by the newest of the
    highest level."""
    own = package.own_reason
    said = [_commits_said(package) if own == BY_COMMITS else own] if own else []
    return "; ".join(said + package.moves.said())


def _commits_said(package: PackagePlan) -> str:
    headers = [c.header for c in package.own_commits]
    if not headers:
        return BY_COMMITS
    more = len(headers) - 1
    return headers[0] + (f" and {more} more" if more else "")


def _said(commit: ClassifiedCommit) -> dict[str, str]:
    return {"sha": commit.sha, "header": commit.header}
