"""Options mean the same before and after the subcommand, and `| head` is not an error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autorelease.cli.main import main
from conftest import GitRepo


@pytest.fixture
def ready(project: GitRepo) -> GitRepo:
    project.tag("v1.0.0")
    project.commit("fix: a bug")
    return project


@pytest.mark.parametrize(
    "argv",
    [
        ["--dry-run", "publish"],
        ["publish", "--dry-run"],
        ["--dry-run"],
    ],
)
def test_dry_run_wherever_it_is_written(
    ready: GitRepo, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    refs = ready.git("for-each-ref")
    assert main(["-C", str(ready.path), *argv, "--offline"]) == 0
    assert capsys.readouterr().out.startswith("Dry run: nothing will be written.")
    assert ready.git("for-each-ref") == refs
    assert ready.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--bump", "major", "version", "--print"],
        ["version", "--print", "--bump", "major"],
    ],
)
def test_bump_wherever_it_is_written(
    ready: GitRepo, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(ready.path), *argv]) == 0
    assert capsys.readouterr().out == "2.0.0\n"


def test_json_before_the_subcommand(ready: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(ready.path), "--json", "status"]) == 0
    assert '"next_version": "1.0.1"' in capsys.readouterr().out


def test_a_closed_pipe_is_not_an_error(ready: GitRepo) -> None:
    proc = subprocess.run(
        f"{sys.executable} -m autorelease -C {ready.path} --dry-run | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == "Dry run: nothing will be written.\n"
    assert proc.stderr == ""
