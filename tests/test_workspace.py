"""A uv workspace planned as one: core, plugin (needs core) and cli (needs both), through the CLI.

Every repository is real: packages in folders with their own pyproject.toml and __version__,
tags per package, commits that touch one, several or no package.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo, sample_project, snapshot, uv

ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/scratch"]
"""
NEEDS = {
    "core": [],
    "plugin": ["core>=1.0,<2"],
    "cli": ["core>=1.0,<2", "plugin==1.0.0"],
}


def run(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(repo.path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def plan(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, repo, "--dry-run", "--json", *args)
    assert (code, err) == (ExitCode.OK, "")
    data: dict[str, Any] = json.loads(out)
    return data


def rows(data: dict[str, Any], *keys: str) -> dict[str, tuple[Any, ...]]:
    """Each package's values of KEYS, by name."""
    return {p["name"]: tuple(p[k] for k in keys) for p in data["packages"]}


def add_package(repo: GitRepo, name: str, version: str, needs: list[str]) -> None:
    folder = repo.path / "packages" / name
    sample_project(folder, name, version)
    pyproject = folder / "pyproject.toml"
    listed = ", ".join(f'"{n}"' for n in needs)
    text = pyproject.read_text().replace(
        f'version = "{version}"\n', f'version = "{version}"\ndependencies = [{listed}]\n'
    )
    pyproject.write_text(text)


def became_workspace(project: GitRepo, message: str) -> None:
    """PROJECT (sample-pkg) released as v1.0.0, then made a uv workspace by MESSAGE, a commit
    adding packages/ext beside it."""
    project.tag("v1.0.0")
    text = (project.path / "pyproject.toml").read_text()
    project.write("pyproject.toml", text + '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    add_package(project, "ext", "0.1.0", ["sample-pkg>=1"])
    project.git("add", ".")
    project.commit(message)


@pytest.fixture
def workspace(repo: GitRepo) -> GitRepo:
    """Three packages at 1.0.0, each tagged {name}-v1.0.0 on the first commit."""
    repo.write("pyproject.toml", ROOT)
    repo.write(".github/workflows/ci.yml", "on: push\n")
    for name, needs in NEEDS.items():
        add_package(repo, name, "1.0.0", needs)
    repo.git("add", ".")
    repo.commit("chore: the workspace")
    for name in NEEDS:
        repo.tag(f"{name}-v1.0.0")
    return repo


def test_a_commit_releases_only_the_package_whose_folder_it_touches(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat: plugins can be listed", ("packages/plugin/src/plugin/a.py", "x = 1\n"))
    sha = workspace.git("rev-parse", "--short=7", "HEAD")
    workspace.commit("fix: ci runs on tags", (".github/workflows/ci.yml", "on: [push]\n"))
    data = plan(capsys, workspace)
    assert rows(data, "current_version", "next_version", "bump", "tag", "cause") == {
        "core": ("1.0.0", None, "none", None, "no releasable commits"),
        "plugin": ("1.0.0", "1.1.0", "minor", "plugin-v1.1.0", "commits"),
        # cli pins plugin==1.0.0, which 1.1.0 does not satisfy
        "cli": ("1.0.0", "1.0.1", "patch", "cli-v1.0.1", "dependencies: plugin 1.1.0"),
    }
    assert data["packages"][1] == {
        "name": "plugin",
        "path": "packages/plugin",
        "current_version": "1.0.0",
        "next_version": "1.1.0",
        "bump": "minor",
        "cause": "commits",
        "tag": "plugin-v1.1.0",
        "last_tag": "plugin-v1.0.0",
        "changelog": f"## 1.1.0 (2023-11-14)\n\n### Features\n\n- plugins can be listed ({sha})\n",
        "changelog_path": "packages/plugin/CHANGELOG.md",
        "files": [
            "packages/plugin/pyproject.toml",
            "packages/plugin/src/plugin/__init__.py",
            "packages/plugin/CHANGELOG.md",
        ],
        "dependencies": ["core"],
        "releasable": True,
    }
    assert list(data) == ["workspace", "root", "branch", "head", "releasable", "packages",
                          "files", "warnings"]  # fmt: skip
    assert (data["workspace"], data["branch"], data["releasable"], data["warnings"]) == (
        True, "main", True, []
    )  # fmt: skip


def file_after(repo: GitRepo, path: str) -> str:
    """What the workspace's plan would write to PATH (the JSON lists only the paths)."""
    from autorelease.core.plan import PlanOptions
    from autorelease.core.workspace_plan import plan_workspace

    found = plan_workspace(repo.path, PlanOptions())
    assert found is not None
    changes = {c.path: c.after for p in found.packages for c in p.plan.file_changes}
    return changes[path]


def test_a_breaking_change_in_core_moves_its_dependents_and_their_requirements(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    data = plan(capsys, workspace)
    assert rows(data, "next_version", "bump", "cause", "files") == {
        "core": ("2.0.0", "major", "commits", [
            "packages/core/pyproject.toml", "packages/core/src/core/__init__.py",
            "packages/core/CHANGELOG.md"]),
        "plugin": ("1.0.1", "patch", "dependencies: core 2.0.0", [
            "packages/plugin/pyproject.toml", "packages/plugin/src/plugin/__init__.py",
            "packages/plugin/CHANGELOG.md"]),
        "cli": ("1.0.1", "patch", "dependencies: core 2.0.0, plugin 1.0.1", [
            "packages/cli/pyproject.toml", "packages/cli/src/cli/__init__.py",
            "packages/cli/CHANGELOG.md"]),
    }  # fmt: skip
    cli = file_after(workspace, "packages/cli/pyproject.toml")
    assert 'version = "1.0.1"\ndependencies = ["core>=2.0.0,<3", "plugin==1.0.1"]\n' in cli
    plugin = file_after(workspace, "packages/plugin/pyproject.toml")
    assert 'dependencies = ["core>=2.0.0,<3"]\n' in plugin
    assert data["packages"][2]["changelog"] == (
        "## 1.0.1 (2023-11-14)\n\n### Bug fixes\n\n- dependencies: core 2.0.0, plugin 1.0.1\n"
    )


def test_a_commit_touching_several_packages_releases_each_and_one_touching_none_nothing(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("docs: the readme", ("README.md", "# all\n"))
    assert rows(plan(capsys, workspace), "next_version") == {
        "core": (None,), "plugin": (None,), "cli": (None,)
    }  # fmt: skip
    assert run(capsys, workspace, "version")[0] == ExitCode.NOTHING_TO_RELEASE
    workspace.commit(
        "fix: one name for the option",
        ("packages/core/src/core/opt.py", "o = 1\n"),
        ("packages/cli/src/cli/opt.py", "o = 1\n"),
    )
    assert rows(plan(capsys, workspace), "next_version", "cause") == {
        "core": ("1.0.1", "commits"),
        "plugin": (None, "no releasable commits"),  # core>=1.0,<2 admits 1.0.1
        "cli": ("1.0.1", "commits"),
    }


def test_a_rename_from_one_package_to_another_belongs_to_both(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("chore: a helper", ("packages/core/src/core/helper.py", "h = 1\n" * 20))
    workspace.tag("core-v1.0.1")
    workspace.git("mv", "packages/core/src/core/helper.py", "packages/plugin/src/plugin/helper.py")
    workspace.commit("feat: the helper lives in plugin")
    assert rows(plan(capsys, workspace), "next_version", "cause") == {
        "core": ("1.1.0", "commits"),
        "plugin": ("1.1.0", "commits"),
        "cli": ("1.0.1", "dependencies: plugin 1.1.0"),
    }


def test_a_merged_branch_counts_its_commits_for_their_packages(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.git("checkout", "-q", "-b", "topic")
    workspace.commit("feat: a plugin hook", ("packages/plugin/src/plugin/hook.py", "h = 1\n"))
    workspace.git("checkout", "-q", "main")
    workspace.commit("fix: a core typo", ("packages/core/src/core/typo.py", "t = 1\n"))
    workspace.git("merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic")
    assert rows(plan(capsys, workspace), "next_version", "bump") == {
        "core": ("1.0.1", "patch"),
        "plugin": ("1.1.0", "minor"),
        "cli": ("1.0.1", "patch"),  # plugin==1.0.0
    }


def test_each_package_counts_its_commits_since_its_own_last_tag(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    workspace.commit("feat: plugin grows", ("packages/plugin/src/plugin/g.py", "g = 1\n"))
    workspace.write("packages/core/pyproject.toml",
                    (workspace.path / "packages/core/pyproject.toml").read_text().replace(
                        'version = "1.0.0"', 'version = "1.1.0"'))  # fmt: skip
    workspace.write("packages/core/src/core/__init__.py", '__version__ = "1.1.0"\n')
    workspace.git("add", ".")
    workspace.commit("chore(release): core 1.1.0")
    workspace.tag("core-v1.1.0")
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    data = plan(capsys, workspace)
    assert rows(data, "current_version", "last_tag", "next_version") == {
        "core": ("1.1.0", "core-v1.1.0", "1.1.1"),
        "plugin": ("1.0.0", "plugin-v1.0.0", "1.1.0"),  # its feat is older than core-v1.1.0
        "cli": ("1.0.0", "cli-v1.0.0", "1.0.1"),
    }
    code, out, _ = run(capsys, workspace, "status")
    assert (code, out) == (ExitCode.OK, (
        "package  current  next   bump   tag            cause\n"
        "core     1.1.0    1.1.1  patch  core-v1.1.1    commits\n"
        "plugin   1.0.0    1.1.0  minor  plugin-v1.1.0  commits\n"
        "cli      1.0.0    1.0.1  patch  cli-v1.0.1     dependencies: plugin 1.1.0\n"
        "HEAD released  none\n"
    ))  # fmt: skip


def configured(repo: GitRepo, settings: str) -> None:
    repo.write("pyproject.toml", ROOT + "\n[tool.autorelease]\n" + settings)
    repo.git("add", "pyproject.toml")
    repo.commit("ci: configure the release")


def test_a_linked_group_shares_the_highest_version(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'linked = [["core", "plugin"]]\n')
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    workspace.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    data = plan(capsys, workspace)
    assert rows(data, "next_version", "bump", "cause") == {
        "core": ("1.1.0", "minor", "commits"),
        "plugin": ("1.1.0", "minor", "commits; linked: core"),
        "cli": ("1.0.1", "patch", "dependencies: plugin 1.1.0"),
    }


ONE_TAG = "\n[tool.autorelease.packages]\n" + "".join(
    f'{name} = {{tag_format = "v{{version}}"}}\n' for name in NEEDS
)


def test_a_linked_group_may_share_one_tag_for_a_lockstep_release(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # pydantic-ai's layout: every package at one version, released under one v{version} tag.
    configured(workspace, 'linked = [["core", "plugin", "cli"]]\n' + ONE_TAG)
    workspace.tag("v1.0.0")
    workspace.commit("feat: plugin grows", ("packages/plugin/src/plugin/g.py", "g = 1\n"))
    data = plan(capsys, workspace)
    assert rows(data, "next_version", "tag", "last_tag", "cause") == {
        "core": ("1.1.0", "v1.1.0", "v1.0.0", "linked: plugin, cli"),
        "plugin": ("1.1.0", "v1.1.0", "v1.0.0", "commits"),
        "cli": ("1.1.0", "v1.1.0", "v1.0.0", "dependencies: plugin 1.1.0; linked: core, plugin"),
    }


def test_packages_sharing_a_tag_format_unlinked_is_a_configuration_error(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'linked = [["core", "plugin"]]\n' + ONE_TAG)
    assert run(capsys, workspace, "--dry-run") == (
        ExitCode.CONFIG, "",
        "autorelease: error: the packages cli, core, plugin share the tag format v{version} but "
        'are not linked — link them to release them together under one tag (linked = [["cli", '
        '"core", "plugin"]]), or give each its own tag_format\n',
    )  # fmt: skip


def test_a_package_s_contributors_are_those_of_its_own_commits(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, "changelog_contributors = true\n")
    for who, name in (("Ada Lovelace <ada@example.com>", "core"),
                      ("Bob Builder <bob@example.com>", "cli")):  # fmt: skip
        workspace.write(f"packages/{name}/src/{name}/new.py", "N = 1\n")
        workspace.git("add", ".")
        workspace.git("commit", "-q", f"--author={who}", "-m", f"fix: {name} mends")
    sections = rows(plan(capsys, workspace), "changelog")
    assert sections["core"][0].endswith("### Contributors\n\n- Ada Lovelace (first contribution)\n")
    assert sections["cli"][0].endswith("### Contributors\n\n- Bob Builder (first contribution)\n")


def test_scope_routes_send_a_commit_to_the_package_its_scope_names(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("fix(cli): the docs name the right flag", ("docs/cli.md", "--flag\n"))
    assert rows(plan(capsys, workspace), "next_version") == {
        "core": (None,), "plugin": (None,), "cli": (None,)
    }  # fmt: skip
    configured(workspace, "scope_routes = true\n")
    assert rows(plan(capsys, workspace), "next_version") == {
        "core": (None,), "plugin": (None,), "cli": ("1.0.1",)
    }  # fmt: skip


def test_dependents_update_only_rewrites_the_requirement_without_a_release(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'dependents = "update-only"\n')
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    data = plan(capsys, workspace)
    assert rows(data, "next_version", "files") == {
        "core": ("2.0.0", ["packages/core/pyproject.toml", "packages/core/src/core/__init__.py",
                           "packages/core/CHANGELOG.md"]),
        "plugin": (None, ["packages/plugin/pyproject.toml"]),
        "cli": (None, ["packages/cli/pyproject.toml"]),
    }  # fmt: skip
    cli = file_after(workspace, "packages/cli/pyproject.toml")
    assert 'version = "1.0.0"\ndependencies = ["core>=2.0.0,<3", "plugin==1.0.0"]\n' in cli
    configured(workspace, 'dependents = "ignore"\n')
    assert rows(plan(capsys, workspace), "next_version", "files") == {
        "core": ("2.0.0", ["packages/core/pyproject.toml", "packages/core/src/core/__init__.py",
                           "packages/core/CHANGELOG.md"]),
        "plugin": (None, []),
        "cli": (None, []),
    }  # fmt: skip


def test_package_restricts_the_plan_status_and_version(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    data = plan(capsys, workspace, "--package", "cli", "--package", "core")
    assert [p["name"] for p in data["packages"]] == ["core", "cli"]
    assert run(capsys, workspace, "version", "--print", "--package", "cli") == (
        ExitCode.OK, "1.0.1\n", ""
    )  # fmt: skip
    assert run(capsys, workspace, "version") == (
        ExitCode.OK, "core 1.0.0 -> 2.0.0\nplugin 1.0.0 -> 1.0.1\ncli 1.0.0 -> 1.0.1\n", ""
    )  # fmt: skip
    code, out, _ = run(capsys, workspace, "status", "--json", "--package", "plugin")
    assert (code, json.loads(out)) == (ExitCode.OK, {"packages": [{
        "name": "plugin", "current_version": "1.0.0", "last_tag": "plugin-v1.0.0",
        "next_version": "1.0.1", "bump": "patch", "cause": "dependencies: core 2.0.0",
        "tag": "plugin-v1.0.1"}], "warnings": []})  # fmt: skip
    assert run(capsys, workspace, "status", "--package", "nope") == (
        ExitCode.USAGE, "",
        "autorelease: error: --package nope: no such package in the workspace — name one of "
        "core, plugin, cli\n",
    )  # fmt: skip


def test_the_dry_run_shows_a_table_and_the_files_each_package_writes(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    before = snapshot(workspace.path, git_files=True)
    code, out, err = run(capsys, workspace, "--dry-run")
    assert (code, err) == (ExitCode.OK, "")
    assert snapshot(workspace.path, git_files=True) == before
    assert out.startswith(
        "Dry run: nothing will be written.\n\n"
        f"Workspace      {workspace.path} (branch main)\n"
        "Packages       3, 3 to release (in dependency order)\n\n"
        "package  current  next   bump   tag            cause\n"
        "core     1.0.0    2.0.0  major  core-v2.0.0    commits\n"
        "plugin   1.0.0    1.0.1  patch  plugin-v1.0.1  dependencies: core 2.0.0\n"
        "cli      1.0.0    1.0.1  patch  cli-v1.0.1     dependencies: core 2.0.0, plugin 1.0.1\n"
    )
    assert (
        "\ncli 1.0.1: files that would change: packages/cli/pyproject.toml, "
        "packages/cli/src/cli/__init__.py, packages/cli/CHANGELOG.md\n"
    ) in out
    assert out.endswith(
        "\nSteps publish would take:\n"
        "  1. check: clean working tree, release branch, HEAD equal to the remote branch, every "
        "tag free, no version on the index, credentials\n"
        "  2. write every package's files; one release commit; tags core-v2.0.0, plugin-v1.0.1, "
        "cli-v1.0.1\n"
        "  3. run the tests once\n"
        "  4. build each package's sdist and wheel (core -> plugin -> cli); twine check --strict\n"
        "  5. push the release commit and every tag atomically (the remote is the lock)\n"
        "  6. upload to pypi in dependency order: core -> plugin -> cli\n"
        "  7. a GitHub release for each tag (3) with its changelog section and files\n"
        "  8. a 'Released in' comment on each issue and pull request the notes name\n"
    )
    code, out, err = run(capsys, workspace, "--dry-run", "--no-push", "--package", "cli")
    assert out.endswith(
        "  4. build each package's sdist and wheel (cli); twine check --strict\n"
        "  5. no push, no upload, no GitHub release (--no-push): all stay in this clone\n"
    )


def locked(repo: GitRepo) -> None:
    """The workspace's requirements on each other served by the workspace, and uv.lock made."""
    for name in ("plugin", "cli"):
        with (repo.path / "packages" / name / "pyproject.toml").open("a") as out:
            out.write("\n[tool.uv.sources]\ncore = { workspace = true }\n"
                      "plugin = { workspace = true }\n")  # fmt: skip
    made = uv(repo, "lock")
    assert made.returncode == 0, made.stderr
    repo.git("add", ".")
    repo.commit("build: lock the workspace")


def test_the_release_moves_each_package_s_version_in_uv_lock(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    locked(workspace)
    workspace.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    data = plan(capsys, workspace)
    assert data["files"] == ["uv.lock"]
    code, out, err = run(capsys, workspace, "--dry-run", "--verbose")
    assert (code, err) == (ExitCode.OK, "")
    assert "\nworkspace: files that would change: uv.lock\n" in out
    moves = (("core", "1.0.0", "2.0.0"), ("plugin", "1.0.0", "1.0.1"), ("cli", "1.0.0", "1.0.1"))
    for name, old, new in moves:
        assert f' name = "{name}"\n-version = "{old}"\n+version = "{new}"\n' in out
    assert uv(workspace, "lock", "--check").returncode == 0  # the dry run wrote nothing


def test_rolling_back_a_workspace_release_without_its_package_is_refused_writing_nothing(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    before = snapshot(workspace.path, git_files=True)
    code, out, err = run(capsys, workspace, "rollback")
    assert (code, out) == (ExitCode.USAGE, "")
    assert err == (
        "autorelease: error: rollback takes back one package's release of a workspace at a "
        "time — name it with --package NAME (one of core, plugin, cli)\n"
    )
    assert snapshot(workspace.path, git_files=True) == before


def test_a_dependency_cycle_is_a_configuration_error(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    add_package(workspace, "core", "1.0.0", ["cli>=1"])
    workspace.git("add", ".")
    workspace.commit("feat: core needs cli")
    assert run(capsys, workspace, "--dry-run") == (
        ExitCode.CONFIG, "",
        "autorelease: error: the workspace's packages depend on each other in a cycle: "
        "cli -> core -> cli — remove one of these dependencies: packages are released in "
        "dependency order\n",
    )  # fmt: skip


def test_a_repository_that_became_a_workspace_keeps_its_v_tags_for_the_root_package(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """sample-pkg was released as v1.0.0; then it gained packages/ext beside it."""
    became_workspace(project, "build: an extension package joins")
    project.commit("fix: the root module mends", ("src/sample_pkg/m.py", "m = 1\n"))
    data = plan(capsys, project)
    assert rows(data, "path", "current_version", "last_tag", "next_version", "tag") == {
        "sample-pkg": (".", "1.0.0", "v1.0.0", "1.0.1", "sample-pkg-v1.0.1"),
        "ext": ("packages/ext", "0.1.0", None, "0.1.0", "ext-v0.1.0"),
    }
    assert data["packages"][0]["changelog_path"] == "CHANGELOG.md"


def test_packages_listed_in_tool_autorelease_with_their_own_settings(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_project(repo.path / "libs" / "alpha", "alpha", "3.0.0")
    sample_project(repo.path / "tools" / "beta", "beta", "0.4.0")
    repo.write("pyproject.toml", """\
[tool.autorelease.packages]
alpha = "libs/alpha"

[tool.autorelease.packages.beta]
path = "tools/beta"
tag_format = "beta@{version}"
changelog_file = "NEWS.md"
previous_tag_format = "v{version}"
""")  # fmt: skip
    repo.git("add", ".")
    repo.commit("chore: two packages")
    repo.tag("alpha-v3.0.0")
    repo.tag("v0.4.0")  # beta's tag from before it moved into the workspace
    repo.commit("feat: beta learns", ("tools/beta/src/beta/l.py", "l = 1\n"))
    data = plan(capsys, repo)
    assert rows(data, "last_tag", "next_version", "tag", "changelog_path") == {
        "alpha": ("alpha-v3.0.0", None, None, None),
        "beta": ("v0.4.0", "0.5.0", "beta@0.5.0", "tools/beta/NEWS.md"),
    }


def test_a_package_table_that_names_no_member_is_a_configuration_error(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, "[tool.autorelease.packages]\nghost = {}\n")
    assert run(capsys, workspace, "--dry-run") == (
        ExitCode.CONFIG, "",
        "autorelease: error: pyproject.toml: [tool.autorelease.packages].ghost is no workspace "
        'member and has no path — write ghost = "path/to/ghost" (the folder of its '
        "pyproject.toml)\n",
    )  # fmt: skip


def test_package_on_a_single_package_repository_accepts_only_its_name(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, released, "version", "--print", "--package", "sample-pkg") == (
        ExitCode.OK, "1.1.0\n", ""
    )  # fmt: skip
    code, _, err = run(capsys, released, "version", "--package", "other")
    assert (code, err) == (
        ExitCode.USAGE,
        "autorelease: error: --package other: this repository is one package (sample-pkg), "
        "not a workspace — drop --package, or list the packages in [tool.uv.workspace] or "
        "[tool.autorelease.packages]\n",
    )


def test_git_streams_each_commit_with_the_paths_it_changes(repo: GitRepo) -> None:
    from autorelease import git

    repo.commit("feat: a", ("a/x.py", "x\n" * 20), ("a/name with space.txt", "s\n"))
    (repo.path / "b").mkdir()
    repo.git("mv", "a/x.py", "b/x.py")
    repo.commit("refactor: moved")
    repo.commit("chore: nothing")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("fix: side", ("c/y.py", "y\n"))
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side")
    streamed = [(c.commit.message, c.paths) for c in git.iter_commits_with_paths(repo.path, "HEAD")]
    assert streamed == [
        ("Merge branch 'side'", ()),
        ("fix: side", ("c/y.py",)),
        ("chore: nothing", ()),
        ("refactor: moved", ("a/x.py", "b/x.py")),
        ("feat: a", ("a/name with space.txt", "a/x.py")),
    ]


def test_outside_files_all_lets_a_commit_outside_every_package_release_them_all(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'outside_files = "all"\n')  # a ci: commit: releases nothing
    workspace.commit("fix: the shared lint settings", ("ruff.toml", "line-length = 100\n"))
    assert rows(plan(capsys, workspace), "next_version", "cause") == {
        "core": ("1.0.1", "commits"),
        "plugin": ("1.0.1", "commits"),
        "cli": ("1.0.1", "commits; dependencies: plugin 1.0.1"),  # it pins plugin==1.0.0
    }


def test_a_package_table_adds_version_files_and_scopes_to_a_uv_member(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("packages/cli/src/cli/_version.py", 'VERSION = "1.0.0"\n')
    configured(workspace, """\
scope_routes = true

[tool.autorelease.packages.cli]
version_files = ["src/cli/_version.py:VERSION"]
scopes = ["command-line"]
""")  # fmt: skip
    workspace.commit("feat(command-line): --quiet", ("docs/cli.md", "--quiet\n"))
    data = plan(capsys, workspace, "--package", "cli")
    assert rows(data, "next_version", "files") == {
        "cli": ("1.1.0", ["packages/cli/pyproject.toml", "packages/cli/src/cli/_version.py",
                          "packages/cli/CHANGELOG.md"]),
    }  # fmt: skip
    assert file_after(workspace, "packages/cli/src/cli/_version.py") == 'VERSION = "1.1.0"\n'


def test_a_version_file_named_through_dots_is_one_file_under_one_name(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """packages/core/../../version.py is version.py, as git names it; core's own pyproject.toml
    named through its folder's parent is the one the build reads, written once."""
    workspace.write("version.py", '__version__ = "1.0.0"\n')
    configured(workspace, """\
[tool.autorelease.packages]
core = { version_files = ["../../version.py", "../core/./pyproject.toml"] }
plugin = { version_files = ["../plugin/../../version.py:__version__"] }
""")  # fmt: skip
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    workspace.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    data = plan(capsys, workspace, "--package", "core", "--package", "plugin")
    assert rows(data, "next_version", "files") == {
        "core": ("1.0.1", ["version.py", "packages/core/pyproject.toml",
                           "packages/core/CHANGELOG.md"]),
        "plugin": ("1.0.1", ["packages/plugin/pyproject.toml", "version.py",
                             "packages/plugin/CHANGELOG.md"]),
    }  # fmt: skip


def test_a_version_file_that_leaves_the_repository_is_refused_as_a_changelog_is(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, """\
[tool.autorelease.packages]
core = { version_files = ["../../../version.py"] }
""")  # fmt: skip
    root = workspace.path.resolve()
    code, out, err = run(capsys, workspace, "--dry-run")
    assert (code, out, err) == (
        ExitCode.CONFIG, "",
        f"autorelease: error: ../version.py is outside the repository {root} — name a regular "
        "file inside the repository, relative to its root\n",
    )  # fmt: skip
    configured(workspace, """\
[tool.autorelease.packages]
core = { changelog_file = "../../../CHANGES.md" }
""")  # fmt: skip
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    code, _, err = run(capsys, workspace, "--dry-run")
    assert (code, err) == (
        ExitCode.CONFIG, f"autorelease: error: ../CHANGES.md is outside the repository {root} — "
        "name a regular file inside the repository, relative to its root\n",
    )  # fmt: skip


def test_bump_with_package_moves_that_package_alone_and_its_dependents(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    data = plan(capsys, workspace, "--bump", "major", "--package", "plugin", "--package", "core")
    assert rows(data, "next_version", "cause") == {
        "core": ("2.0.0", "--bump major"),
        "plugin": ("2.0.0", "--bump major; dependencies: core 2.0.0"),
    }
    assert rows(
        plan(capsys, workspace, "--bump", "minor", "--package", "plugin"), "next_version"
    ) == {"plugin": ("1.1.0",)}
    assert plan(capsys, workspace, "--package", "cli")["packages"][0]["next_version"] is None


def test_a_tag_on_another_branch_is_not_a_package_s_last_release(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.git("checkout", "-q", "-b", "maint")
    workspace.commit("fix: a backport", ("packages/core/src/core/b.py", "b = 1\n"))
    workspace.tag("core-v1.5.0")  # higher, but main does not descend from it
    workspace.git("checkout", "-q", "main")
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    workspace.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    assert rows(plan(capsys, workspace), "last_tag", "next_version") == {
        "core": ("core-v1.0.0", "1.1.0"),
        "plugin": ("plugin-v1.0.0", "1.0.1"),
        "cli": ("cli-v1.0.0", "1.0.1"),
    }


def test_a_tag_format_with_name_is_each_package_s(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, 'tag_format = "{name}/v{version}"\n')
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    assert rows(plan(capsys, workspace), "last_tag", "tag") == {  # no core/v tag yet
        "core": (None, "core/v1.0.0"), "plugin": (None, "plugin/v1.0.0"),
        "cli": (None, "cli/v1.0.0"),
    }  # fmt: skip


def test_a_tag_format_with_name_is_refused_for_one_package(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = released.path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.autorelease]\ntag_format = "{name}-v{version}"\n'
    )
    assert run(capsys, released, "--dry-run") == (
        ExitCode.CONFIG, "",
        "autorelease: error: tag_format = '{name}-v{version}' (pyproject.toml [tool.autorelease]) "
        "holds {name}, which only a workspace's packages fill in, and this repository is one "
        "package — write the name itself, e.g. 'mypkg-v{version}', or list the packages in "
        "[tool.uv.workspace] or [tool.autorelease.packages]\n",
    )  # fmt: skip


# --- changelog: each package's own file, tags and commits -------------------------------------


def test_changelog_previews_each_releasing_package_s_section_or_the_one_named(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, workspace, "changelog") == (
        ExitCode.NOTHING_TO_RELEASE, "", "nothing to release: no package has a new section\n"
    )  # fmt: skip
    fix = workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    feat = workspace.commit("feat: plugin hooks", ("packages/plugin/src/plugin/h.py", "h = 1\n"))
    core = f"## 1.0.1 (2023-11-14)\n\n### Bug fixes\n\n- core mends ({fix[:7]})\n"
    assert run(capsys, workspace, "changelog") == (ExitCode.OK, (
        f"==> packages/core/CHANGELOG.md <==\n{core}\n"
        "==> packages/plugin/CHANGELOG.md <==\n"
        f"## 1.1.0 (2023-11-14)\n\n### Features\n\n- plugin hooks ({feat[:7]})\n\n"
        "==> packages/cli/CHANGELOG.md <==\n"
        "## 1.0.1 (2023-11-14)\n\n### Bug fixes\n\n- dependencies: plugin 1.1.0\n"
    ), "")  # fmt: skip
    assert run(capsys, workspace, "changelog", "--package", "core") == (ExitCode.OK, core, "")
    code, out, err = run(capsys, workspace, "changelog", "--package", "nope")
    assert (code, out) == (ExitCode.USAGE, "")
    assert "--package nope: no such package in the workspace — name one of" in err


def released_packages(workspace: GitRepo) -> dict[str, str]:
    """WORKSPACE after core 1.1.0 and plugin 1.0.1 were released, then more commits: the
    short shas by message."""
    shas = {
        "feat: core grows": workspace.commit(
            "feat: core grows", ("packages/core/src/core/g.py", "g = 1\n")
        ),
        "fix: plugin mends": workspace.commit(
            "fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n")
        ),
    }
    workspace.tag("core-v1.1.0")
    workspace.tag("plugin-v1.0.1")
    shas["docs: the readme"] = workspace.commit("docs: the readme", ("README.md", "# all\n"))
    shas["fix: both mend"] = workspace.commit(
        "fix: both mend",
        ("packages/core/src/core/b.py", "b = 1\n"),
        ("packages/cli/src/cli/b.py", "b = 1\n"),
    )
    workspace.tag("core-v1.1.1")
    workspace.tag("cli-v1.0.1")
    return {message: sha[:7] for message, sha in shas.items()}


HEADER = "# Changelog\n\n<!-- autorelease: new releases go below this line -->\n\n"
NO_CHANGES = "No user-facing changes.\n"


def test_changelog_init_writes_each_package_s_file_from_its_own_tags_and_commits(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = released_packages(workspace)
    before = snapshot(workspace.path, git_files=True)
    code, out, err = run(capsys, workspace, "changelog", "--init", "--dry-run")
    assert (code, err) == (ExitCode.OK, "")
    assert snapshot(workspace.path, git_files=True) == before
    core = (
        f"{HEADER}## 1.1.1 (2023-11-14)\n\n### Bug fixes\n\n"
        f"- both mend ({sha['fix: both mend']})\n\n"
        f"## 1.1.0 (2023-11-14)\n\n### Features\n\n- core grows ({sha['feat: core grows']})\n\n"
        f"## 1.0.0 (2023-11-14)\n\n{NO_CHANGES}"
    )
    plugin = (
        f"{HEADER}## 1.0.1 (2023-11-14)\n\n### Bug fixes\n\n"
        f"- plugin mends ({sha['fix: plugin mends']})\n\n## 1.0.0 (2023-11-14)\n\n{NO_CHANGES}"
    )
    cli = (
        f"{HEADER}## 1.0.1 (2023-11-14)\n\n### Bug fixes\n\n- both mend ({sha['fix: both mend']})"
        f"\n\n## 1.0.0 (2023-11-14)\n\n{NO_CHANGES}"
    )
    assert out == (
        f"==> packages/core/CHANGELOG.md <==\n{core}\n==> packages/plugin/CHANGELOG.md <==\n"
        f"{plugin}\n==> packages/cli/CHANGELOG.md <==\n{cli}"
    )
    assert run(capsys, workspace, "changelog", "--init") == (ExitCode.OK, "", (
        "wrote packages/core/CHANGELOG.md\nwrote packages/plugin/CHANGELOG.md\n"
        "wrote packages/cli/CHANGELOG.md\n"
    ))  # fmt: skip
    files = {n: (workspace.path / f"packages/{n}/CHANGELOG.md").read_text() for n in NEEDS}
    assert files == {"core": core, "plugin": plugin, "cli": cli}


def test_changelog_init_with_package_writes_that_package_s_file_alone(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    released_packages(workspace)
    assert run(capsys, workspace, "changelog", "--init", "--package", "plugin") == (
        ExitCode.OK, "", "wrote packages/plugin/CHANGELOG.md\n"
    )  # fmt: skip
    written = sorted(p.relative_to(workspace.path).as_posix()
                     for p in workspace.path.rglob("CHANGELOG.md"))  # fmt: skip
    assert written == ["packages/plugin/CHANGELOG.md"]
    code, out, _ = run(capsys, workspace, "changelog", "--init", "--dry-run", "--package", "core")
    assert code == ExitCode.OK
    assert out.startswith(f"{HEADER}## 1.1.1 (2023-11-14)\n")  # one file: no ==> heading


def test_changelog_init_leaves_out_a_package_that_keeps_none_unless_it_is_named(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(workspace, '[tool.autorelease.packages.cli]\nchangelog_file = ""\n')
    code, out, err = run(capsys, workspace, "changelog", "--init")
    assert (code, out) == (ExitCode.OK, "")
    assert err == "wrote packages/core/CHANGELOG.md\nwrote packages/plugin/CHANGELOG.md\n"
    code, out, err = run(capsys, workspace, "changelog", "--init", "--package", "cli")
    assert (code, out) == (ExitCode.NO_CHANGELOG, "")
    assert err.startswith('autorelease: error: changelog_file = "" ([tool.autorelease.packages]')


def test_changelog_init_of_a_project_that_became_a_workspace_keeps_its_old_releases(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.commit("feat: the first feature", ("src/sample_pkg/f.py", "f = 1\n"))
    became_workspace(project, "feat: an extension package joins")
    project.tag("sample-pkg-v1.1.0")
    project.tag("ext-v0.1.0")
    code, out, _ = run(capsys, project, "changelog", "--init", "--dry-run")
    assert code == ExitCode.OK
    root, ext = out.split("==> packages/ext/CHANGELOG.md <==\n")
    assert root.startswith("==> CHANGELOG.md <==\n")
    assert "## 1.1.0 (2023-11-14)" in root
    assert "## 1.0.0 (2023-11-14)\n\n### Features\n\n- the first feature" in root
    assert "an extension package joins" in ext  # the commit that added its folder
    assert "## 1.0.0" not in ext


def test_changelog_package_on_one_package_is_its_own_name_only(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = run(capsys, released, "changelog")
    assert plain[0] == ExitCode.OK
    assert run(capsys, released, "changelog", "--package", "sample-pkg") == plain
    code, _, err = run(capsys, released, "changelog", "--init", "--package", "other")
    assert (code, err.split(" — ")[0]) == (
        ExitCode.USAGE,
        "autorelease: error: --package other: this repository is one package (sample-pkg), "
        "not a workspace",
    )


# asaf/uvws: a uv workspace released by python-semantic-release once per folder, each with its
# own [tool.semantic_release] (tags core-0.1.1, uvws-0.1.0); svc1 here keeps commitizen's
# per-component .cz.toml instead, as commitizen's monorepo guide has it (tag 0.1.0-svc1).
UVWS_ROOT = """\
[project]
name = "uvws"
version = "0.1.0"

[tool.uv.workspace]
members = ["packages/core", "packages/svc1"]

[tool.semantic_release]
commit_parser = "conventional-monorepo"
allow_zero_version = true
tag_format = "uvws-{version}"
version_toml = ["pyproject.toml:project.version"]

[tool.semantic_release.commit_parser_options]
path_filters = [".", "!packages/core/*", "!packages/svc1/*"]
"""
UVWS_CORE = """\
[project]
name = "uvws-core"
version = "0.1.1"

[tool.semantic_release]
commit_parser = "conventional-monorepo"
allow_zero_version = true
tag_format = "core-{version}"
version_toml = ["pyproject.toml:project.version"]
version_variables = ["src/uvws_core/__init__.py:__version__"]
"""
UVWS_SVC1 = """\
[project]
name = "uvws-svc1"
version = "0.1.0"
dependencies = ["uvws-core==0.1.1"]
"""
SVC1_CZ = """\
[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "${version}-svc1"
version_provider = "pep621"
"""


def test_packages_released_by_semantic_release_or_commitizen_keep_their_own_tags(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("pyproject.toml", UVWS_ROOT)
    repo.write("packages/core/pyproject.toml", UVWS_CORE)
    repo.write("packages/core/src/uvws_core/__init__.py", '__version__ = "0.1.1"\n')
    repo.write("packages/svc1/pyproject.toml", UVWS_SVC1)
    repo.write("packages/svc1/.cz.toml", SVC1_CZ)
    repo.git("add", ".")
    repo.commit("feat: initial commit")
    for tag in ("uvws-0.1.0", "core-0.1.1", "0.1.0-svc1"):
        repo.tag(tag)
    repo.commit("fix(core): update hi", ("packages/core/src/uvws_core/hi.py", "HI = 2\n"))

    data = plan(capsys, repo)

    assert rows(data, "last_tag", "next_version", "tag") == {
        "uvws": ("uvws-0.1.0", None, None),
        "uvws-core": ("core-0.1.1", "0.1.2", "core-0.1.2"),
        "uvws-svc1": ("0.1.0-svc1", "0.1.1", "0.1.1-svc1"),  # its pin on core moves
    }
    core = next(p for p in data["packages"] if p["name"] == "uvws-core")
    assert core["files"] == [
        "packages/core/pyproject.toml", "packages/core/src/uvws_core/__init__.py",
        "packages/core/CHANGELOG.md",
    ]  # fmt: skip


def test_stats_measures_one_package_by_its_tags_and_its_own_commits(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat: core grows", ("packages/core/src/core/g.py", "g = 1\n"))
    workspace.commit("fix: cli mends", ("packages/cli/src/cli/m.py", "m = 1\n"))
    workspace.commit("fix: core mends", ("packages/core/src/core/m.py", "m = 1\n"))
    workspace.tag("core-v1.1.0")
    workspace.tag("cli-v1.0.1")

    code, out, _ = run(capsys, workspace, "stats", "--no-runs", "--json", "--package", "core")

    assert code == ExitCode.OK
    releases = {r["tag"]: r["commits"] for r in json.loads(out)["releases"]}
    assert releases["core-v1.1.0"] == {"total": 2, "feat": 1, "fix": 1, "breaking": 0, "other": 0}
    assert set(releases) == {"core-v1.1.0", "core-v1.0.0"}
    assert run(capsys, workspace, "stats", "--no-runs") == (
        ExitCode.USAGE, "",
        "autorelease: error: stats measures one package of a workspace at a time — name it with "
        "--package NAME (one of core, plugin, cli)\n",
    )  # fmt: skip


def test_a_member_s_own_configuration_that_cannot_work_names_its_folder(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    with (workspace.path / "packages/core/pyproject.toml").open("a") as out:
        out.write('\n[tool.semantic_release.changelog]\nchangelog_file = "../../CHANGELOG.md"\n')
    workspace.git("commit", "-qam", "chore: core's old release settings")
    assert run(capsys, workspace, "--dry-run") == (
        ExitCode.CONFIG, "",
        "autorelease: error: packages/core/pyproject.toml [tool.semantic_release]: "
        "changelog.changelog_file = '../../CHANGELOG.md' is outside the repository — use a "
        "path relative to the repository root, inside it, e.g. 'CHANGELOG.md'; or set "
        "tag_format, version_files and changelog_file in its [tool.autorelease.packages] table\n",
    )  # fmt: skip
    configured(
        workspace,
        "\n[tool.autorelease.packages]\ncore = { tag_format = "
        '"core-v{version}", version_files = [], changelog_file = "CHANGELOG.md" }\n',
    )
    assert rows(plan(capsys, workspace), "current_version")["core"] == ("1.0.0",)


def test_a_release_made_after_the_checked_out_commit_is_not_its_last_release(
    workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.commit("feat: plugins can be listed", ("packages/plugin/src/plugin/a.py", "a = 1\n"))
    workspace.commit("feat: plugins can be sorted", ("packages/plugin/src/plugin/b.py", "b = 1\n"))
    for name in NEEDS:  # every package's last release on one commit, after HEAD's
        workspace.tag(f"{name}-v1.1.0")
    workspace.git("checkout", "-q", "--detach", "HEAD~1")
    data = plan(capsys, workspace)
    assert rows(data, "last_tag", "next_version")["plugin"] == ("plugin-v1.0.0", "1.1.0")
    assert rows(data, "last_tag")["core"] == ("core-v1.0.0",)
