"""The values a publish run passes forward: what it releases, and what it did, at the end.

Plain frozen data: the run decides a Release once, the check returns a Preflight
(preflight.py), and the report and CI outputs are made from the Summary alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple


class Release(NamedTuple):
    """What this run releases: decided by the plan, or by the release tag already on HEAD."""

    version: str
    tag: str
    previous_tag: str | None
    notes: str
    prerelease: bool
    resuming: bool  # HEAD already carries the release tag: finish what is missing


class Step(NamedTuple):
    """One step of a finished run, for --report and the CI step summary."""

    name: str
    status: str  # done | skipped | failed (pending: never reached its end)
    seconds: float
    detail: str


class Failure(NamedTuple):
    """Why a run did not finish: the exit code, the message and where it stopped."""

    code: int
    message: str
    output: str = ""  # the end of a failed tool's output
    step: str = ""  # the step that failed, or `after STEP`
    dist_dir: str = ""  # the kept build directory of a pushed release

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        data.update({"output": self.output} if self.output else {})
        data["step"] = self.step
        data.update({"dist_dir": self.dist_dir} if self.dist_dir else {})
        return data


class PackageResult(NamedTuple):
    """One package of a workspace's release, at the run's end."""

    name: str
    release: Release
    release_url: str | None

    def to_json(self) -> dict[str, Any]:
        release = self.release
        return {
            "name": self.name, "version": release.version, "tag": release.tag,
            "previous_tag": release.previous_tag, "release_url": self.release_url,
        }  # fmt: skip


class Summary(NamedTuple):
    """A publish run at its end: what was decided and what happened."""

    outcome: str
    release: Release | None  # None when nothing was decided (nothing to release, or failed)
    previous_version: str
    pushed: bool
    index_url: str | None
    release_url: str | None
    steps: tuple[Step, ...]
    failure: Failure | None
    seconds: float
    report: Path | None  # where --report writes the run
    packages: tuple[PackageResult, ...] = ()  # a workspace's released packages, in order
    workspace: bool = False  # a workspace's run: `packages` is reported even when empty
