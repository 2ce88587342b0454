"""`autorelease check` and the pre-push hook on a uv workspace: what merging releases, per package.

The workspace is test_workspace's (core, plugin needs core, cli needs both, each at 1.0.0 and
tagged); the pre-push hook runs through `git push` to a bare origin, as a plain git hook and
installed by pre-commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from autorelease.core.plan import PlanOptions
from autorelease.core.workspace_plan import plan_workspace
from autorelease.errors import ExitCode
from autorelease.hooks import workspace_preview
from conftest import GitRepo
from test_hooks import _import_from_source, _install, _local_config, _push, raw_hooked
from test_workspace import configured, run, workspace

__all__ = ["raw_hooked", "workspace"]  # fixtures, used by name

BREAKING = "merging this releases core 2.0.0 (feat!: core speaks v2), plugin 1.0.1 (dependencies: core 2.0.0), cli 1.0.1 (dependencies: core 2.0.0, plugin 1.0.1)"  # noqa: E501
NOTHING = "merging this releases nothing: core 1.0.0, plugin 1.0.0, cli 1.0.0 stay current"


def check(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> tuple[int, str]:
    code, out, err = run(capsys, repo, "check", *args)
    return code, out + err


def pushed_range(repo: GitRepo) -> str:
    """The workspace's first commit is on origin/main; what follows is the range checked."""
    return f"{repo.git('rev-list', '--max-parents=0', 'HEAD')}..HEAD"


def test_a_range_that_changes_only_cli_releases_cli_alone(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = workspace.head()
    workspace.commit("feat: cli --quiet", ("packages/cli/src/cli/quiet.py", "q = 1\n"))
    workspace.commit("fix: cli --help names --quiet", ("packages/cli/src/cli/h.py", "h = 1\n"))
    code, out = check(capsys, workspace, f"{base}..HEAD")
    assert (code, out) == (
        ExitCode.OK,
        "2 of 2 message(s) pass\nmerging this releases cli 1.1.0 (feat: cli --quiet)\n",
    )


def test_a_breaking_change_in_core_releases_its_dependents_for_the_dependencies(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = workspace.head()
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    assert check(capsys, workspace, f"{base}..HEAD") == (
        ExitCode.OK, f"1 of 1 message(s) pass\n{BREAKING}\n"
    )  # fmt: skip


def test_a_range_that_touches_no_package_releases_nothing(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = workspace.head()
    workspace.commit("fix: ci runs on tags", (".github/workflows/ci.yml", "on: [push]\n"))
    workspace.commit("docs: the readme", ("README.md", "# all\n"))
    assert check(capsys, workspace, f"{base}..HEAD") == (
        ExitCode.OK, f"2 of 2 message(s) pass\n{NOTHING}\n"
    )  # fmt: skip


def test_several_commits_of_one_level_are_named_by_the_newest_and_counted(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'linked = [["core", "plugin"]]\n')
    base = workspace.head()
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    workspace.commit("feat: core grows more", ("packages/core/src/core/h.py", "h = 1\n"))
    workspace.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    code, out = check(capsys, workspace, f"{base}..HEAD")
    assert code == ExitCode.OK
    assert out.splitlines()[-1] == (
        "merging this releases core 1.1.0 (feat: core grows more and 1 more), "
        "plugin 1.1.0 (fix: plugin mends; linked: core), "
        "cli 1.0.1 (dependencies: plugin 1.1.0)"
    )


def test_package_restricts_what_the_check_names(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = workspace.head()
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    code, out = check(capsys, workspace, f"{base}..HEAD", "--package", "cli")
    assert (code, out.splitlines()[-1]) == (
        ExitCode.OK, "merging this releases cli 1.0.1 (dependencies: core 2.0.0, plugin 1.0.1)"
    )  # fmt: skip
    code, out = check(capsys, workspace, "HEAD~1..HEAD", "--package", "cli", "-m", "docs: x")
    assert code == ExitCode.USAGE  # a RANGE or a message, as for a single package
    workspace.commit("docs: core's readme", ("packages/core/README.md", "# core\n"))
    code, out = check(capsys, workspace, "HEAD~1..HEAD", "--package", "plugin")
    assert out.splitlines()[-1] == ("merging this releases plugin 1.0.1 (dependencies: core 2.0.0)")
    workspace.tag("core-v2.0.0")
    code, out = check(capsys, workspace, "HEAD~1..HEAD", "--package", "core")
    assert out.splitlines()[-1] == "merging this releases nothing: core 2.0.0 stays current"
    code, out = check(capsys, workspace, f"{base}..HEAD", "--package", "nope")
    assert (code, out) == (
        ExitCode.USAGE,
        "autorelease: error: --package nope: no such package in the workspace — name one of "
        "core, plugin, cli\n",
    )


def test_check_json_has_the_packages_of_the_dry_run_and_their_commits(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = workspace.head()
    sha = workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    code, out = check(capsys, workspace, f"{base}..HEAD", "--json")
    release: dict[str, Any] = json.loads(out)["release"]
    assert code == ExitCode.OK
    assert list(release) == ["workspace", "releasable", "packages", "text"]
    assert (release["workspace"], release["releasable"], release["text"]) == (True, True, BREAKING)
    _, dry, _ = run(capsys, workspace, "--dry-run", "--json")
    planned = json.loads(dry)["packages"]
    assert [{k: v for k, v in p.items() if k != "because"} for p in release["packages"]] == planned
    assert [p["because"] for p in release["packages"]] == [
        [{"sha": sha, "header": "feat!: core speaks v2"}],
        [],
        [],
    ]


def test_a_pr_title_counts_for_the_packages_its_scope_names(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A squash message has no paths yet: its scope (a package's name or `scopes`) places it."""
    configured(workspace, '[tool.autorelease.packages.cli]\nscopes = ["command-line"]\n')
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    assert check(capsys, workspace, "-m", "feat(command-line): --quiet") == (
        ExitCode.OK,
        "1 of 1 message(s) pass\nmerging this releases core 1.0.1 (fix: core mends), "
        "cli 1.1.0 (feat(command-line): --quiet)\n",
    )
    assert check(capsys, workspace, "-m", "feat(core,plugin)!: v2")[1].splitlines()[-1] == (
        "merging this releases core 2.0.0 (feat(core,plugin)!: v2), plugin 2.0.0 "
        "(feat(core,plugin)!: v2; dependencies: core 2.0.0), "
        "cli 1.0.1 (dependencies: core 2.0.0, plugin 2.0.0)"
    )
    assert check(capsys, workspace, "-m", "feat: --quiet") == (
        ExitCode.OK,
        "1 of 1 message(s) pass\nmerging this releases core 1.0.1 (fix: core mends); the "
        "message counts for no package listed: a message counts for the packages its scope "
        "names (feat(core): ...)\n",
    )
    assert check(capsys, workspace, "-m", "fix(core): x")[1].endswith(
        "merging this releases core 1.0.1 (fix(core): x and 1 more)\n"
    )


def test_the_preview_says_why_from_the_plan_s_data_not_from_its_cause_words(
    workspace: GitRepo,
) -> None:
    """The table's cause is words for people: the preview's line reads what the plan decided
    (own commits, dependencies moved, linked group), so rewording the cause changes nothing."""
    configured(workspace, 'linked = [["core", "plugin"]]\n')
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    workspace.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    planned = plan_workspace(workspace.path, PlanOptions(changelog=False))
    assert planned is not None
    reworded = planned._replace(
        packages=tuple(p._replace(cause=f"{p.cause}; reworded") for p in planned.packages)
    )
    said = (
        "merging this releases core 2.0.0 (feat!: core speaks v2), "
        "plugin 2.0.0 (fix: plugin mends; dependencies: core 2.0.0; linked: core), "
        "cli 1.0.1 (dependencies: core 2.0.0, plugin 2.0.0)"
    )
    assert (workspace_preview.text(planned), workspace_preview.text(reworded)) == (said, said)
    because = [p["because"] for p in workspace_preview.preview(reworded)["packages"]]
    assert [[c["header"] for c in b] for b in because] == [
        ["feat!: core speaks v2"],
        ["fix: plugin mends"],
        [],
    ]


def test_a_single_package_repository_keeps_its_preview(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, released, "check", "-m", "fix: x", "--package", "sample-pkg")
    assert (code, out) == (
        ExitCode.OK,
        "1 of 1 message(s) pass\nmerging this releases 1.1.0 (minor) because of feat(x): c\n",
    )
    code, _, err = run(capsys, released, "check", "-m", "fix: x", "--package", "other")
    assert code == ExitCode.USAGE
    assert "--package other: this repository is one package (sample-pkg)" in err


# --- the pre-push hook, run by git ------------------------------------------------------------


def _published(repo: GitRepo) -> None:
    """The workspace's history so far is on origin: the next push sends what follows."""
    repo.git("push", "-q", "--no-verify", "origin", "main")


@pytest.mark.skipif(__import__("os").name == "nt", reason="a shell-script git hook")
def test_the_pre_push_hook_names_what_merging_releases_per_package(
    workspace: GitRepo, origin: Path, raw_hooked: GitRepo
) -> None:
    _published(workspace)
    workspace.commit("fix: ci runs on tags", (".github/workflows/ci.yml", "on: [push]\n"))
    proc = _push(workspace, "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert NOTHING in proc.stdout
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    proc = _push(workspace, "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert BREAKING in proc.stdout
    workspace.commit("Oops", ("packages/cli/src/cli/o.py", "o = 1\n"))
    proc = _push(workspace, "main")
    assert proc.returncode != 0
    assert "Nothing was pushed." in proc.stdout
    assert (
        "merging this" not in proc.stdout + proc.stderr
    )  # a push that is refused previews nothing


def test_pre_commit_shows_the_preview_of_a_verbose_pre_push_hook(
    workspace: GitRepo, origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit shows what a passing hook prints only with `verbose: true`."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    _import_from_source(monkeypatch)
    config = yaml.safe_load(_local_config())
    for hook in config["repos"][0]["hooks"]:
        if hook["id"] == "autorelease-pre-push":
            hook.update(verbose=True, args=["--package", "cli"])
    _install(workspace, yaml.safe_dump(config, sort_keys=False))
    _published(workspace)
    workspace.commit("feat: cli --quiet", ("packages/cli/src/cli/quiet.py", "q = 1\n"))
    proc = _push(workspace, "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "merging this releases cli 1.1.0 (feat: cli --quiet)" in proc.stdout + proc.stderr
