"""The end of a publish run: the summary line, --report JSON, and GitHub Actions outputs."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autorelease.core import history
from autorelease.fileio import write_atomic
from autorelease.scrub import for_display

if TYPE_CHECKING:
    from autorelease.publish.run import Run


def finish(run: Run, outcome: str, failure: dict[str, Any] | None, seconds: float) -> None:
    if run.version:
        run.say(
            f"{outcome}: {run.version} ({run.tag})"
            + (f", index {run.index_url}" if run.index_url and run.pushed else "")
            + (f", {run.release_url}" if run.release_url else "")
            + f" in {seconds:.1f} s"
        )
    if outcome.startswith("already released"):
        run.say(f"what this run found and did: {_found_and_done(run)}")
    if failure is not None:
        failure = {**failure, "message": for_display(str(failure.get("message", "")))}
        if "output" in failure:  # the end of a failed tool's output
            failure["output"] = for_display(str(failure["output"]))
    report = {
        "outcome": outcome,
        "version": run.version or None,
        "tag": run.tag or None,
        "previous_tag": run.previous_tag,
        "index_url": run.index_url,
        "release_url": run.release_url,
        "seconds": round(seconds, 3),
        "steps": [{**asdict(s), "detail": for_display(s.detail)} for s in run.steps],
        "failure": failure,
    }
    if run.args.report:
        write_atomic(Path(run.args.report), json.dumps(report, indent=2) + "\n")
    _github_actions(run, outcome, report)


def _found_and_done(run: Run) -> str:
    """The push, upload and GitHub steps of a run that found its release made: what each did."""
    steps = [s for s in run.steps if s.name in ("push", "upload", "github")]
    return "; ".join(f"{s.name} {s.status}" + (f": {s.detail}" if s.detail else "") for s in steps)


def _github_actions(run: Run, outcome: str, report: dict[str, Any]) -> None:
    output_file = os.environ.get("GITHUB_OUTPUT")
    released = outcome == "released"
    if output_file:
        previous = run.previous_tag or ""
        lines = {
            "released": str(released).lower(),
            "version": run.version if released else "",
            "tag": run.tag if released else "",
            "previous_version": _version_of(run, previous),
            "release_url": run.release_url or "",
            "outcome": outcome,
        }
        with open(output_file, "a", encoding="utf-8") as out:
            out.writelines(f"{k}={v}\n" for k, v in lines.items())
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        rows = "".join(
            f"| {s['name']} | {s['status']} | {s['seconds']:.1f} s | {s['detail']} |\n"
            for s in report["steps"]
        )
        title = f"### autorelease: {outcome} {run.version or ''}\n\n"
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(title + "| step | status | time | detail |\n|---|---|---|---|\n" + rows)


def _version_of(run: Run, tag: str) -> str:
    match = history.tag_pattern(str(run.cfg.tag_format)).fullmatch(tag) if tag else None
    return match["version"] if match else ""
