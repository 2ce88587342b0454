"""The command table: every command is a cli module mounted from one list, with one help line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autorelease
from autorelease.cli.main import COMMANDS, build_parser, main


def _help_lines(text: str) -> dict[str, list[str]]:
    """The commands --help lists, each with its (unwrapped) help lines, in order."""
    block = text.split("COMMAND\n", 1)[1].split("\n\n", 1)[0]
    listed: dict[str, list[str]] = {}
    for match in re.finditer(r"^ {4}(\S+) +(.*(?:\n {10,}.*)*)", block, re.MULTILINE):
        listed.setdefault(match[1], []).append(" ".join(match[2].split()))
    return listed


def _expected() -> dict[str, list[str]]:
    return {name: [" ".join(command.help.split())] for name, command in COMMANDS.items()}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_in_the_table_is_mounted(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Named on the command line, a command is its module's parser, not the help-only stub
    (which has no --help of its own)."""
    with pytest.raises(SystemExit) as exited:
        main([name, "--help"])
    out, err = capsys.readouterr()
    assert (exited.value.code, err) == (0, "")
    assert out.startswith(f"usage: autorelease {name} [-h]")


def test_help_lists_each_command_once_with_its_line_from_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert _help_lines(capsys.readouterr().out) == _expected()


@pytest.mark.parametrize("argv", [None, ["status"], ["hook", "pre-push"], ["init", "check"]])
def test_mounted_or_not_the_commands_are_the_table_in_its_order(argv: list[str] | None) -> None:
    """Whichever modules are mounted (None: all), the same commands and lines: no module adds
    a command the table lacks, or a second line for one."""
    assert _help_lines(build_parser(argv).format_help()) == _expected()


def _broken_copy(tmp_path: Path, module: str, text: str | None) -> Path:
    """A copy of the installed package whose cli/MODULE.py is TEXT (None: the file is gone)."""
    copy = tmp_path / "site" / "autorelease"
    shutil.copytree(
        Path(autorelease.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    target = copy / "cli" / f"{module}.py"
    if text is None:
        target.unlink()
    else:
        target.write_text(text, encoding="utf-8")
    return copy.parent


def _run_copy(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "autorelease", *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "text", "command", "error"),
    [
        ("status", None, "status", "No module named 'autorelease.cli.status'"),
        ("check", None, "hook", "No module named 'autorelease.cli.check'"),
        ("init", "import autorelease.cli.adopted\n", "init", "autorelease.cli.adopted"),
    ],
    ids=["renamed", "renamed-second-command", "broken-import"],
)
def test_a_command_module_that_does_not_import_fails_the_command_loudly(
    tmp_path: Path, module: str, text: str | None, command: str, error: str
) -> None:
    site = _broken_copy(tmp_path, module, text)
    proc = _run_copy(site, command, "--help")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ModuleNotFoundError" in proc.stderr
    assert error in proc.stderr
    assert str(site) in proc.stderr  # the copy ran, not the installed package
    assert "usage:" not in proc.stdout + proc.stderr  # no help-only stub stood in for it
    listed = _run_copy(site, "--help")  # commands not named are not imported
    assert listed.returncode == 0, listed.stderr
    assert _help_lines(listed.stdout) == _expected()
