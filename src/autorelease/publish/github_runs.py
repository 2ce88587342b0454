"""The release workflow's runs on GitHub Actions, for `autorelease stats`: how often a release
run succeeds, how long it takes, and at which step the failed ones stopped.

Read-only: `GET .../actions/workflows/{file}/runs`, and `GET .../actions/runs/{id}/jobs` for
each failed run. PyGithub is imported lazily, as in github.py.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from autorelease.errors import GitHubFailed
from autorelease.publish.github import Pacing, _Session
from autorelease.publish.github_target import GitHubTarget

if TYPE_CHECKING:
    from github.WorkflowRun import WorkflowRun

LIMIT = 100  # the newest runs read
_PACING = Pacing()
# Conclusions of a run that was meant to release and did not; cancelled and skipped runs
# were stopped on purpose (a newer push, a condition) and count neither way.
FAILED = frozenset({"failure", "timed_out", "startup_failure", "action_required"})


class Run(NamedTuple):
    """One completed run: how it ended, how long it ran, and the step that failed."""

    id: int
    conclusion: str
    seconds: int | None  # from its start to its last update
    failed_step: str | None  # "job / step" of a failed run, when GitHub names one
    url: str


class RunsSummary(NamedTuple):
    workflow: str
    runs: int  # completed runs read
    succeeded: int
    failed: int
    success_rate: float | None  # succeeded / (succeeded + failed)
    median_seconds: float | None
    mean_seconds: float | None
    failures: tuple[Run, ...]  # newest first


def read_runs(
    target: GitHubTarget,
    workflow: str,
    *,
    created_since: str | None = None,
    limit: int = LIMIT,
    pacing: Pacing = _PACING,
    log: Callable[[str], None] = lambda _line: None,
) -> list[Run]:
    """The newest LIMIT completed runs of WORKFLOW (a file name under .github/workflows),
    created on CREATED_SINCE (YYYY-MM-DD) or later. Raises GitHubFailed."""
    session = _Session(target, log, pacing)
    doing = f"reading the runs of {workflow}"
    extra: dict[str, Any] = {"created": f">={created_since}"} if created_since else {}
    with session.repository() as repo:
        listing = repo.get_workflow(workflow).get_runs(status="completed", **extra)
        found: list[WorkflowRun] | None = session.lookup(doing, lambda: list(listing[:limit]))
        if found is None:
            raise GitHubFailed(
                f"GitHub has no workflow {workflow} in {target.repository}",
                hint="name the release workflow's file with --workflow FILE; the token needs "
                "`actions: read`",
            )
        return [_run(session, run) for run in found]


def _run(session: _Session, run: WorkflowRun) -> Run:
    conclusion = str(run.conclusion or "unknown")
    step = _failed_step(session, run) if conclusion in FAILED else None
    return Run(run.id, conclusion, _seconds(run), step, run.html_url)


def _seconds(run: WorkflowRun) -> int | None:
    started: object = run.run_started_at  # None in an answer that lacks it
    ended: object = run.updated_at
    if not isinstance(started, datetime) or not isinstance(ended, datetime):
        return None
    return max(0, int((ended - started).total_seconds()))


def _failed_step(session: _Session, run: WorkflowRun) -> str | None:
    """The first failed step of the first failed job, as "job / step"; else the job's name."""
    jobs = session.call(f"reading the jobs of run {run.id}", lambda: list(run.jobs()))
    for job in jobs:
        if job.conclusion in FAILED:
            steps = [s.name for s in job.steps if s.conclusion in FAILED]
            return f"{job.name} / {steps[0]}" if steps else job.name
    return None


def summarize(workflow: str, runs: Sequence[Run]) -> RunsSummary:
    """What RUNS (newest first) say about the release workflow."""
    succeeded = sum(run.conclusion == "success" for run in runs)
    failures = tuple(run for run in runs if run.conclusion in FAILED)
    decided = succeeded + len(failures)
    times = [run.seconds for run in runs if run.seconds is not None]
    return RunsSummary(
        workflow=workflow,
        runs=len(runs),
        succeeded=succeeded,
        failed=len(failures),
        success_rate=succeeded / decided if decided else None,
        median_seconds=statistics.median(times) if times else None,
        mean_seconds=statistics.mean(times) if times else None,
        failures=failures,
    )


def to_json(summary: RunsSummary) -> dict[str, Any]:
    data = summary._asdict()
    data["failures"] = [run._asdict() for run in summary.failures]
    return data


__all__ = ["FAILED", "Run", "RunsSummary", "read_runs", "summarize", "to_json"]
