"""The code base stays clean: ruff (lint and format) and mypy --strict, as configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # mypy alone takes half a minute


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["ruff", "check", "src", "tests", "benchmarks"], id="ruff-check"),
        pytest.param(["ruff", "format", "--check", "src", "tests", "benchmarks"], id="ruff-format"),
        pytest.param(["mypy"], id="mypy-strict"),
    ],
)
def test_tool_is_clean(command: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
