"""`autorelease stats`: release health from the tags, and from the release workflow's runs
when a GitHub token is at hand. A table, `--markdown` or `--json`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from autorelease import git, remote_url
from autorelease.core import config, stats
from autorelease.errors import ExitCode

if TYPE_CHECKING:
    from autorelease.publish.github_runs import RunsSummary

_COLUMNS = ("release", "date", "commits", *stats.KINDS, "lead time", "median wait", "contributors")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `stats` command (its help line is in cli/main.py's COMMANDS)."""
    command = subparsers.add_parser(
        "stats",
        description="For each release tag (newest first): its date, commits by kind, "
        "contributors and lead time; across releases the cadence. With GITHUB_TOKEN also the "
        "release workflow's runs: success rate, run time and the step each failed run stopped at.",
    )
    command.add_argument("--since", metavar="DATE|TAG", help="only releases after TAG or from DATE")
    shape = command.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON")
    shape.add_argument("--markdown", action="store_true", help="print a Markdown table")
    command.add_argument(
        "--workflow", metavar="FILE", help="the release workflow (default: the one that runs "
        "`autorelease publish` under .github/workflows)",
    )  # fmt: skip
    command.add_argument("--no-runs", action="store_true", help="do not read GitHub Actions")
    from autorelease.cli.publish import package_argument

    package_argument(command)
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = git.toplevel(args.repo)
    cfg, folder = _package(root, config.load(root), tuple(args.packages or ()))
    found = stats.read(root, cfg, args.since, folder)
    runs = None if args.no_runs else _runs(root, cfg, args.workflow, found.since)
    if args.json:
        data = stats.to_json(found)
        if runs is not None:
            from autorelease.publish import github_runs

            data["runs"] = github_runs.to_json(runs)
        print(json.dumps(data, indent=2))
        return ExitCode.OK
    if not found.releases:
        print(f"no release tags (tag_format {cfg.tag_format}) to measure", file=sys.stderr)
    render = markdown if args.markdown else table
    print("\n".join(render(found, runs)))
    return ExitCode.OK


def _package(root: Path, cfg: config.Config, only: tuple[str, ...]) -> tuple[config.Config, str]:
    """The configuration whose tags stats measures, and the folder whose commits count: a
    workspace's package (--package NAME, one), or the repository."""
    from autorelease.core.workspace_plan import one_selected, package_config

    found = one_selected(root, cfg, only, "stats measures one package")
    if found is None:
        return cfg, "."
    _space, package = found
    return package_config(cfg, package), package.path


def _runs(
    root: Path, cfg: config.Config, workflow: str | None, since: int | None
) -> RunsSummary | None:
    """The release workflow's runs summed up; None without a token, a GitHub remote or a
    workflow to read."""
    if not os.environ.get("GITHUB_TOKEN", "").strip():
        return None
    from autorelease.publish import github_runs, github_target

    target = github_target.resolve_target(os.environ, remote_url.of_remote(root, str(cfg.remote)))
    name = Path(workflow).name if workflow else release_workflow(root)
    if target is None or name is None:
        why = "no GitHub repository" if target is None else "no workflow runs autorelease"
        print(f"autorelease: {why}: the release workflow's runs are not read", file=sys.stderr)
        return None
    created = stats.iso(since)[:10] if since is not None else None
    return github_runs.summarize(name, github_runs.read_runs(target, name, created_since=created))


def release_workflow(root: Path) -> str | None:
    """The file name of the first workflow under .github/workflows that runs autorelease."""
    from autorelease.cli import workflows

    for path in workflows.workflow_files(root):
        if workflows.runs_autorelease(path.read_text(encoding="utf-8", errors="replace")):
            return path.name
    return None


def table(found: stats.Stats, runs: RunsSummary | None) -> list[str]:
    """STATS as aligned columns, then the cadence and the runs."""
    rows = [list(_COLUMNS), *(_cells(r) for r in found.releases)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]])
             for row in rows]  # fmt: skip
    return [line.rstrip() for line in lines] + ["", *_totals(found, runs)]


def markdown(found: stats.Stats, runs: RunsSummary | None) -> list[str]:
    """STATS as a Markdown table (a step summary, a wiki page), then the cadence and runs."""
    rows = [list(_COLUMNS), ["---"] * len(_COLUMNS), *(_cells(r) for r in found.releases)]
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return ["## Release health", "", *lines, "", *(f"- {line}" for line in _totals(found, runs))]


def _cells(release: stats.ReleaseStats) -> list[str]:
    names = ", ".join(release.contributors)
    return [
        release.tag,
        release.date[:10],
        str(release.commits["total"]),
        *(str(release.commits[kind]) for kind in stats.KINDS),
        duration(release.lead_time_seconds),
        duration(release.median_commit_seconds),
        f"{len(release.contributors)}: {names}" if names else "0",
    ]


def _totals(found: stats.Stats, runs: RunsSummary | None) -> list[str]:
    cadence = found.cadence
    lines = [f"cadence: {cadence.releases} final release(s)"]
    if cadence.median_days is not None and cadence.mean_days is not None:
        lines[0] += (
            f", {cadence.median_days:.1f} days apart (median), {cadence.mean_days:.1f} (mean)"
        )
    return lines + (_run_lines(runs) if runs is not None else [])


def _run_lines(runs: RunsSummary) -> list[str]:
    rate = "-" if runs.success_rate is None else f"{runs.success_rate:.0%}"
    lines = [
        f"release workflow {runs.workflow}: {runs.runs} run(s), {runs.succeeded} succeeded, "
        f"{runs.failed} failed ({rate} success); run time {duration(runs.median_seconds)} "
        f"(median), {duration(runs.mean_seconds)} (mean)"
    ]
    for failed in runs.failures:
        lines.append(f"failed run {failed.id}: {failed.failed_step or '?'} ({failed.url})")
    return lines


def duration(seconds: float | None) -> str:
    """SECONDS in the two largest units: 3d 4h, 2h 5m, 3m 20s, 12s; "-" for None."""
    if seconds is None:
        return "-"
    whole = round(abs(seconds))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else ""
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    return f"{sign}{minutes}m {secs}s" if minutes else f"{sign}{secs}s"
