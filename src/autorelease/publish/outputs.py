"""The end of a publish run: the summary line, --report JSON, and GitHub Actions outputs.

All of it is made from the run's Summary (state.py), a frozen value: nothing here reads the run.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from autorelease.fileio import write_atomic
from autorelease.publish.state import Summary
from autorelease.scrub import for_display

_log = logging.getLogger(__name__)


def finish(summary: Summary) -> None:
    release = summary.release
    for package in summary.packages:
        url = f", {package.release_url}" if package.release_url else ""
        _log.info(f"{summary.outcome}: {package.name} {package.release.version} "
                  f"({package.release.tag}){url}")  # fmt: skip
    if summary.packages:
        count = len(summary.packages)
        packages = "1 package" if count == 1 else f"{count} packages"
        _log.info(f"{summary.outcome}: {packages} in {summary.seconds:.1f} s")
    if release is not None:
        _log.info(
            f"{summary.outcome}: {release.version} ({release.tag})"
            + (f", index {summary.index_url}" if summary.index_url and summary.pushed else "")
            + (f", {summary.release_url}" if summary.release_url else "")
            + f" in {summary.seconds:.1f} s"
        )
    if summary.outcome.startswith("already released"):
        _log.info(f"what this run found and did: {_found_and_done(summary)}")
    report = report_json(summary)
    if summary.report is not None:
        write_atomic(summary.report, json.dumps(report, indent=2) + "\n")
    _github_actions(summary, report)


def report_json(summary: Summary) -> dict[str, Any]:
    """The --report document: the run's outcome, release, URLs, steps and failure, scrubbed."""
    release = summary.release
    failure = summary.failure.to_json() if summary.failure is not None else None
    if failure is not None:
        failure["message"] = for_display(str(failure["message"]))
        if "output" in failure:  # the end of a failed tool's output
            failure["output"] = for_display(str(failure["output"]))
    return {
        "outcome": summary.outcome,
        "version": release.version if release else None,
        "tag": release.tag if release else None,
        "previous_tag": release.previous_tag if release else None,
        "index_url": summary.index_url,
        "release_url": summary.release_url,
        "seconds": round(summary.seconds, 3),
        "steps": [{**s._asdict(), "detail": for_display(s.detail)} for s in summary.steps],
        "failure": failure,
    } | ({"packages": [p.to_json() for p in summary.packages]} if summary.workspace else {})


def _found_and_done(summary: Summary) -> str:
    """The push, upload and GitHub steps of a run that found its release made: what each did."""
    steps = [s for s in summary.steps if s.name.split(" ")[0] in ("push", "upload", "github")]
    return "; ".join(f"{s.name} {s.status}" + (f": {s.detail}" if s.detail else "") for s in steps)


def _github_actions(summary: Summary, report: dict[str, Any]) -> None:
    output_file = os.environ.get("GITHUB_OUTPUT")
    released = summary.outcome == "released"
    release = summary.release
    if output_file:
        lines = {
            "released": str(released).lower(),
            "version": release.version if released and release else "",
            "tag": release.tag if released and release else "",
            "previous_version": summary.previous_version,
            "release_url": summary.release_url or "",
            "outcome": summary.outcome,
        }
        if summary.workspace:  # every tag, and each package's release (both may be empty)
            lines["tags"] = " ".join(p.release.tag for p in summary.packages)
            lines["packages"] = json.dumps(
                [p.to_json() for p in summary.packages], separators=(",", ":")
            )
        with open(output_file, "a", encoding="utf-8") as out:
            out.writelines(f"{k}={v}\n" for k, v in lines.items())
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        rows = "".join(
            f"| {s['name']} | {s['status']} | {s['seconds']:.1f} s | {s['detail']} |\n"
            for s in report["steps"]
        )
        what = release.version if release else ", ".join(_named(summary))
        title = f"### autorelease: {summary.outcome} {what}\n\n"
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(title + "| step | status | time | detail |\n|---|---|---|---|\n" + rows)


def _named(summary: Summary) -> list[str]:
    return [f"{p.name} {p.release.version}" for p in summary.packages]
