"""A workspace's publish under attack: bad paths and names in its configuration, kills and
interrupts at each step, with real git, a real pypiserver, build and twine, and the GitHub fake.

Each test is a promise of issue 8 kept for a workspace: nothing outside the repository is read
or written, a name git refuses is refused before anything is written, a killed or interrupted
run is finished or cleaned up by the next `autorelease publish`, no token in any output.
"""

from __future__ import annotations

import os
import signal
import sys

import pytest

from autorelease.errors import ExitCode
from conftest import git_out, refs, snapshot
from publish_world import TOKEN, Published, World
from test_publish_faults import alive, wait_for
from test_publish_killed import release_commits
from workspace_world import full_history

pytest_plugins = ["index_server", "publish_world", "workspace_world"]

FULL_SUBJECT = "chore(release): core 2.0.0, plugin 1.1.0, cli 1.0.1"


def assert_no_token(w: World, *texts: str) -> None:
    """Neither the index password nor the GitHub token in TEXTS (outputs, reports...)."""
    for text in texts:
        assert w.index.password not in text
        assert TOKEN not in text


def assert_released_once(w: World, done: Published) -> None:
    """DONE released the whole of full_history: one release commit on origin, every file."""
    assert done.code == ExitCode.OK, done.err
    assert done.report["outcome"] == "released"
    assert release_commits(w.origin) == [FULL_SUBJECT]
    assert release_commits(w.repo.path) == [FULL_SUBJECT]
    assert len(w.index_files()) == 6
    assert len(w.github.releases) == 3
    assert git_out(w.repo.path, "status", "--porcelain") == ""


# --- interrupts ----------------------------------------------------------------------------------

# A hatchling build hook for plugin: while ARMED exists, it writes its pid to STARTED, then
# sleeps, then writes into the package's folder, as a slow backend that outlives its frontend.
SLOW_BUILD = """\
import os, pathlib, time
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SlowHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if pathlib.Path({armed!r}).exists():
            pathlib.Path({started!r}).write_text(str(os.getpid()))
            time.sleep(30)
            (pathlib.Path(self.root) / "late.txt").write_text("written after the rollback")
"""


@pytest.mark.slow
def test_sigterm_during_plugin_s_build_ends_the_backend_undoes_all_and_a_rerun_releases(
    ws: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed, started = ws.tmp / "armed", ws.tmp / "build-started"
    plugin = ws.repo.path / "packages/plugin"
    (plugin / "hatch_build.py").write_text(
        SLOW_BUILD.format(armed=str(armed), started=str(started))
    )
    with (plugin / "pyproject.toml").open("a") as out:
        out.write("\n[tool.hatch.build.hooks.custom]\n")
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-qm", "build: a build hook in plugin")
    full_history(ws.repo)
    before, origin_before = snapshot(ws.repo.path), refs(ws.origin)
    armed.touch()
    report, outputs = ws.tmp / "killed-report.json", ws.tmp / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    run = ws.publish_process(ws.repo.path, dict(os.environ), "--report", str(report))
    wait_for(started, timeout=120)

    run.send_signal(signal.SIGTERM)
    output = run.communicate(timeout=60)[0]
    sys.stderr.write(output)

    assert run.returncode == ExitCode.INTERRUPTED, output
    assert (
        "undone: the local release commit and tag core-v2.0.0, plugin-v1.1.0, cli-v1.0.1" in output
    )
    assert not alive(int(started.read_text()))  # the backend ended with the run
    assert not (plugin / "late.txt").exists()
    assert (snapshot(ws.repo.path), refs(ws.origin)) == (before, origin_before)
    assert (ws.index_files(), ws.github.releases) == ({}, {})
    armed.unlink()

    again = ws.publish()

    assert_released_once(ws, again)
    assert "undoing" not in again.err  # the interrupted run cleaned up after itself
    assert_no_token(ws, output, report.read_text(), outputs.read_text(), again.err,
                    (ws.tmp / f"report-{ws.runs}.json").read_text())  # fmt: skip
