"""Lessons from real projects that release with python-semantic-release or commitizen.

Each test is a small repository built in a temp folder with the setting of a real project that
autorelease once read differently from the project's own tool; the docstring names the project.
Where it is cheap, the tool itself (installed with the test extras) decides on the same
repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo
from test_bump_rules import PSR, ours, started
from test_differential import psr_next


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- python-roborock: a commit_parser_options key PSR does not have -------------------------

ROBOROCK_OPTIONS = """
[tool.semantic_release.commit_parser_options]
allowed_tags = ["chore", "docs", "feat", "fix", "refactor"]
major_tags = ["refactor"]
"""


@pytest.mark.slow  # runs semantic-release as a process
def test_an_option_the_psr_parser_lacks_is_ignored_as_psr_ignores_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-roborock sets `major_tags = ["refactor"]`, which PSR's conventional parser does
    not have: PSR's options class drops it, so a refactor releases nothing and a fix a patch.
    autorelease used to refuse the whole configuration (exit 13); now it plans what PSR
    plans and warns that the option does nothing."""
    started(repo, tmp_path, PSR + ROBOROCK_OPTIONS, "7.1.1").commit("refactor: rework")
    assert (ours(repo), psr_next(repo.path, "7.1.1")) == (None, None)
    repo.commit("fix(api): retry")
    assert (ours(repo), psr_next(repo.path, "7.1.1")) == ("7.1.2", "7.1.2")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    (warning,) = [w for w in json.loads(out)["warnings"] if "major_tags" in w]
    assert warning.startswith(
        "pyproject.toml [tool.semantic_release]: commit_parser_options.major_tags is not an "
        "option of the conventional parser; python-semantic-release ignores it"
    )
