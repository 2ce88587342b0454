"""`autorelease check` and `autorelease hook commit-msg` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_check_message_shows_the_release_merging_would_cause(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "-C", str(released.path), "check", "--message", "feat: add search")
    assert code == ExitCode.OK
    assert "merging this releases 1.1.0 (minor) because of feat: add search" in out


def test_check_message_before_the_first_release_names_it(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """No tag yet: merging releases the declared version, not "nothing"."""
    code, out = _run(capsys, "-C", str(project.path), "check", "--message", "docs: a")
    assert code == ExitCode.OK
    assert "merging this releases 1.0.0 (first release: the declared 1.0.0" in out
    assert "releases nothing" not in out


def test_check_message_rejects_a_pr_title_with_the_fix(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "-C", str(released.path), "check", "-m", "Added search")
    assert code == ExitCode.INVALID_COMMIT == 4
    assert "(rule 1:" in out
    assert "try: feat: added search" in out
    assert "merging this" not in out


def test_check_message_outside_a_repository_still_lints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "-C", str(tmp_path), "check", "-m", "fix: x")[0] == ExitCode.OK
    assert _run(capsys, "-C", str(tmp_path), "check", "-m", "x")[0] == ExitCode.INVALID_COMMIT


def test_check_range_reports_each_bad_commit_and_skips_merges(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = released.head()
    released.git("switch", "-q", "-c", "topic")
    bad = released.commit("Update the README")
    released.commit("feat(api): search")
    released.git("switch", "-q", "main")
    released.commit("fix: on main")
    released.git("merge", "-q", "--no-ff", "--no-edit", "topic")
    code, out = _run(capsys, "-C", str(released.path), "check", f"{base}..HEAD")
    assert code == ExitCode.INVALID_COMMIT
    assert f"{bad[:7]} Update the README" in out
    assert "try: docs: update the README" in out
    assert "2 of 3 message(s) pass; 1 rejected" in out
    assert "Merge branch" not in out


def test_check_range_json(released: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    base = released.head()
    sha = released.commit("feat!: drop python 3.10")
    code, out = _run(capsys, "-C", str(released.path), "check", f"{base}..HEAD", "--json")
    data = json.loads(out)
    assert code == ExitCode.OK
    assert data["ok"] is True
    assert [c["sha"] for c in data["commits"]] == [sha]
    assert data["release"]["next_version"] == "2.0.0"
    assert data["release"]["bump"] == "major"
    assert data["release"]["because"][0]["header"] == "feat!: drop python 3.10"


def test_check_json_lists_problems_and_suggestion(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "-C", str(released.path), "check", "-m", "Fix login", "--json")
    commit = json.loads(out)["commits"][0]
    assert code == ExitCode.INVALID_COMMIT
    assert commit["ok"] is False
    assert commit["problems"][0]["rule"].startswith("1:")
    assert commit["suggestion"] == "fix: login"


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "-m", "wip: x"], ExitCode.INVALID_COMMIT),
        (["check", "-m", "wip: x", "--types", "any"], ExitCode.OK),
        (["check", "-m", "wip: x", "--types", "wip,feat"], ExitCode.OK),
        (["check", "-m", "fix: " + "x" * 120], ExitCode.INVALID_COMMIT),
        (["check", "-m", "fix: " + "x" * 120, "--max-header-length", "0"], ExitCode.OK),
        (["check"], ExitCode.USAGE),
        (["check", "HEAD", "-m", "fix: x"], ExitCode.USAGE),
    ],
)
def test_check_options(
    released: GitRepo, capsys: pytest.CaptureFixture[str], argv: list[str], code: int
) -> None:
    assert _run(capsys, "-C", str(released.path), *argv)[0] == code


def test_allowed_types_come_from_the_configuration(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = released.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.autorelease]\nallowed_types = ["wip"]\n')
    assert _run(capsys, "-C", str(released.path), "check", "-m", "wip: x")[0] == ExitCode.OK
    assert _run(capsys, "-C", str(released.path), "check", "-m", "feat: x")[0] == 4


def test_hook_commit_msg_ignores_comments_and_the_diff(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    message = released.write(
        ".git/COMMIT_EDITMSG",
        "feat: add search\n\n# Please enter the commit message\n"
        "# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n",
    )
    argv = ["-C", str(released.path), "hook", "commit-msg", str(message)]
    assert _run(capsys, *argv)[0] == ExitCode.OK
    message.write_text("Added search\n# Please enter the commit message\n")
    code, out = _run(capsys, *argv)
    assert code == ExitCode.INVALID_COMMIT
    assert "try: feat: added search" in out
    assert f"--file={message}" in out


def test_hook_commit_msg_names_a_missing_file(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "-C", str(released.path), "hook", "commit-msg", "nope.txt")
    assert code == ExitCode.USAGE
    assert "nope.txt" in out


def test_a_message_not_committed_yet_has_no_sha_in_the_preview(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PR title is no commit: no made-up hash in the JSON or the changelog section."""
    argv = ("-C", str(released.path), "check", "--json", "--message", "feat: add search")
    code, out = _run(capsys, *argv)
    assert code == ExitCode.OK
    preview = json.loads(out)["release"]
    assert {"sha": "", "header": "feat: add search"} in preview["because"]
    assert "(message" not in out
