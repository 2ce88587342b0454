"""`autorelease rollback --package NAME` on a uv workspace: one package's bad release taken out
of its own folder, and released as a patch by the workspace's publish.

Real git with a bare origin, a real pypiserver, build, twine and pip; GitHub faked over HTTP.
The world is tests/workspace_world.py's: core, plugin (needs core>=1.0,<2) and cli (needs core
and plugin), each released as 1.0.0, then released once more by the workspace's publish.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo, git_out, refs, sample_project, snapshot
from index_server import LocalIndex
from publish_world import (
    HOOK_ENV,
    Published,
    World,
    git_killer,
    installed,
    interrupt_at,
    world,
)
from test_publish_killed import assert_no_record
from test_workspace import add_package
from workspace_world import init_py, package_files

pytest_plugins = ["index_server", "publish_world", "workspace_world"]

BAD = {"core": "2.0.0", "plugin": "1.1.0", "cli": "1.0.1"}  # what bad_history releases
CORE_NAME = 'return "core"'  # core's name() as 1.0.0 shipped it, and as 2.0.0 changed it
CORE_NAME_2 = 'return "core two"'
PLUGIN_OPTION = "packages/plugin/src/plugin/option.py"
CORE_OPTION = "packages/core/src/core/option.py"


def bad_history(repo: GitRepo) -> None:
    """One commit changing core and plugin together, a change to core alone, a breaking
    change in core, and a root file; pushed. Next: core 2.0.0, plugin 1.1.0, cli 1.0.1."""
    repo.commit(
        "feat: one option for core and plugin",
        (CORE_OPTION, "OPTION = 'core'\n"),
        (PLUGIN_OPTION, "OPTION = 'plugin'\n"),
    )
    core_init = (repo.path / init_py("core")).read_text()
    repo.commit("fix(core): core names itself", (init_py("core"), core_init.replace(
        CORE_NAME, CORE_NAME_2)))  # fmt: skip
    repo.commit("docs: the readme", ("README.md", "# the workspace\n\nThree packages.\n"))
    repo.commit("feat(core)!: core speaks v2", ("packages/core/src/core/api.py", "V = 2\n"))
    repo.git("push", "-q", "origin", "main")


def released(w: World) -> str:
    """BAD released by the workspace's publish, then a docs commit pushed on top; its sha."""
    bad_history(w.repo)
    done = w.publish()
    assert done.code == ExitCode.OK, done.err
    assert git_out(w.origin, "tag", "--list", "core-v2.0.0") == "core-v2.0.0"
    w.repo.commit("docs: how to release", ("RELEASING.md", "autorelease publish\n"))
    w.repo.git("push", "-q", "origin", "main")
    return w.repo.head()


def rollback(w: World, *args: str) -> Published:
    """`autorelease -C REPO rollback --repository URL ARGS`, in this process."""
    return w.releasing("rollback", *args)


def at_head(w: World, path: str) -> str:
    return git_out(w.repo.path, "show", f"HEAD:{path}")


def version_of(w: World, name: str) -> str:
    text = at_head(w, f"packages/{name}/pyproject.toml")
    return str(tomllib.loads(text)["project"]["version"])


def requirement(w: World, package: str, on: str) -> Requirement:
    text = at_head(w, f"packages/{package}/pyproject.toml")
    found = [Requirement(r) for r in tomllib.loads(text)["project"]["dependencies"]]
    (req,) = [r for r in found if r.name == on]
    return req


def new_tags(path: Path) -> list[str]:
    """The tags at PATH beside the 1.0.0 releases and BAD's."""
    old = {f"{name}-v{version}" for name, version in BAD.items()}
    names = [r.removeprefix("refs/tags/") for r in refs(path) if r.startswith("refs/tags/")]
    return sorted(n for n in names if not n.endswith("-v1.0.0") and n not in old)


def assert_core_rolled_back(w: World, start: str) -> None:
    """The revert on top of START, then the release commit of core 2.0.1; core's folder as
    1.0.0 had it but for its version files and changelog; everything else as at START."""
    log = git_out(w.repo.path, "log", "--format=%s", "-3").splitlines()
    assert log == ["chore(release): core 2.0.1", "revert: roll back core 2.0.0",
                   "docs: how to release"]  # fmt: skip
    assert git_out(w.repo.path, "rev-parse", "HEAD~2") == start
    reverted = git_out(w.repo.path, "diff", "--name-status", "HEAD~2", "HEAD~1").splitlines()
    assert sorted(reverted) == [
        "D\tpackages/core/src/core/api.py",
        "D\tpackages/core/src/core/option.py",
        "M\tpackages/core/src/core/__init__.py",
    ]
    assert CORE_NAME in at_head(w, init_py("core"))
    assert CORE_NAME_2 not in at_head(w, init_py("core"))
    assert '__version__ = "2.0.1"' in at_head(w, init_py("core"))
    assert version_of(w, "core") == "2.0.1"
    # the same commit's change to plugin stays, and so do the root files and plugin's version
    assert at_head(w, PLUGIN_OPTION) == "OPTION = 'plugin'"  # (stripped)
    assert "Three packages." in at_head(w, "README.md")
    assert (version_of(w, "plugin"), version_of(w, "cli")) == ("1.1.0", "1.0.1")
    body = git_out(w.repo.path, "log", "-1", "--format=%b", "HEAD^")
    taken = [line for line in body.splitlines() if line.startswith("Rolled-back: ")]
    assert [line.split(" ", 2)[2] for line in taken] == [
        "feat(core)!: core speaks v2",
        "fix(core): core names itself",
        "feat: one option for core and plugin",
    ]  # fmt: skip: the docs commit changed no file of core's
    changelog = at_head(w, "packages/core/CHANGELOG.md")
    section = changelog.split("## 2.0.1", 1)[1].split("## 2.0.0", 1)[0]
    assert section.split("###")[1].startswith(" Rolled back\n")  # the section opens with it
    assert "Rolled back core 2.0.0, taking out: feat(core)!: core speaks v2 (" in section
    assert "2.0.1" not in at_head(w, "packages/plugin/CHANGELOG.md")


# --- the release -------------------------------------------------------------------------------


@pytest.mark.slow
def test_core_s_bad_release_is_taken_out_of_its_folder_alone_and_released_as_a_patch(
    ws: World, tmp_path: Path
) -> None:
    start = released(ws)

    done = rollback(ws, "--package", "core")

    assert done.code == ExitCode.OK, done.err
    assert_core_rolled_back(ws, start)
    assert git_out(ws.origin, "rev-parse", "core-v2.0.1^{}") == ws.repo.head()
    assert git_out(ws.origin, "rev-parse", "main") == ws.repo.head()
    assert new_tags(ws.origin) == ["core-v2.0.1"]  # nothing had to follow core
    assert sorted(f for f in ws.index_files() if "2.0.1" in f) == package_files("core", "2.0.1")
    assert [p["name"] for p in done.report["packages"]] == ["core"]
    assert done.report["outcome"] == "released"
    # GitHub: the patch's release, and core 2.0.0's points to it; how to yank 2.0.0
    new, bad = ws.github.release("core-v2.0.1"), ws.github.release("core-v2.0.0")
    assert new is not None
    assert bad is not None
    assert "Rolled back core 2.0.0" in new.body
    assert bad.body.startswith("> [!WARNING]\n> Rolled back in [2.0.1](")
    assert "the changes of core-v2.0.0 were taken out, and 2.0.1 ships what 1.0.0" in bad.body
    assert not ws.github.release("plugin-v1.1.0").body.startswith(">")  # type: ignore[union-attr]
    assert "noted on the GitHub release core-v2.0.0: rolled back in 2.0.1" in done.err
    assert "to yank 2.0.0 (" in done.err
    # anyone installs the patch from the index alone: 1.0.0's code at 2.0.1
    said = installed(
        ws.index.simple_url, tmp_path / "venv", "core==2.0.1",
        "import core, importlib.util as u; "
        "print(core.__version__, core.name(), u.find_spec('core.api'), u.find_spec('core.option'))",
    )  # fmt: skip
    assert said == "2.0.1 core None None"
    # a re-run finishes nothing new, notes nothing twice, and rolls back no rollback
    again = rollback(ws, "--package", "core")
    assert again.code == ExitCode.OK, again.err
    assert git_out(ws.repo.path, "log", "-1", "--format=%s") == "chore(release): core 2.0.1"
    assert ws.github.release("core-v2.0.0").body.count("Rolled back in") == 1  # type: ignore[union-attr]
    assert len(ws.github.requests_matching("PATCH", r"/releases/\d+$")) == 1
    assert new_tags(ws.origin) == ["core-v2.0.1"]


@pytest.mark.slow
def test_a_rerun_after_github_refused_core_s_release_finishes_it_and_notes_the_bad_one(
    ws: World,
) -> None:
    start = released(ws)
    ws.github.fail("POST", r"/releases$", status=422, times=1)

    done = rollback(ws, "--package", "core")

    assert done.code == ExitCode.GITHUB_FAILED, done.err
    assert git_out(ws.origin, "rev-parse", "core-v2.0.1^{}") == ws.repo.head()  # pushed
    assert ws.github.release("core-v2.0.1") is None
    assert not ws.github.release("core-v2.0.0").body.startswith(">")  # type: ignore[union-attr]

    again = rollback(ws, "--package", "core")  # finishes core 2.0.1: rolls back no rollback

    assert again.code == ExitCode.OK, again.err
    assert_core_rolled_back(ws, start)
    assert ws.github.release("core-v2.0.1") is not None
    assert ws.github.release("core-v2.0.0").body.startswith("> [!WARNING]")  # type: ignore[union-attr]
    assert new_tags(ws.origin) == ["core-v2.0.1"]
    assert "to yank 2.0.0 (" in again.err


@pytest.mark.slow
def test_a_dependent_whose_pin_no_longer_admits_the_patch_follows(ws: World) -> None:
    released(ws)
    pyproject = at_head(ws, "packages/cli/pyproject.toml")
    needs = tomllib.loads(pyproject)["project"]["dependencies"]
    (on_core,) = [r for r in needs if r.startswith("core")]
    pinned = pyproject.replace(f'"{on_core}"', '"core==2.0.0"')
    assert pinned != pyproject
    ws.repo.commit("build: cli needs core 2.0.0 exactly", ("packages/cli/pyproject.toml", pinned))
    ws.repo.git("push", "-q", "origin", "main")

    done = rollback(ws, "--package", "core")

    assert done.code == ExitCode.OK, done.err
    assert new_tags(ws.origin) == ["cli-v1.0.2", "core-v2.0.1"]
    assert git_out(ws.repo.path, "log", "-1", "--format=%s") == (
        "chore(release): core 2.0.1, cli 1.0.2"
    )
    assert str(requirement(ws, "cli", "core").specifier) == "==2.0.1"
    assert version_of(ws, "plugin") == "1.1.0"  # core>=2.0.0,<3 admits 2.0.1: it stays
    assert "dependencies: core 2.0.1" in at_head(ws, "packages/cli/CHANGELOG.md")
    assert [p["name"] for p in done.report["packages"]] == ["core", "cli"]
    assert ws.github.release("cli-v1.0.2") is not None
    assert "cli-1.0.2.tar.gz" in ws.index_files()
    assert ws.github.release("core-v2.0.0").body.startswith("> [!WARNING]")  # type: ignore[union-attr]


# --- before the push: everything is undone -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tests-fail", "interrupted-at-push"])
def test_a_failure_before_the_push_undoes_the_revert_the_release_commit_and_the_tag(
    ws: World, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    start = released(ws)
    before, origin_before, on_index = snapshot(ws.repo.path), refs(ws.origin), ws.index_files()
    if how == "tests-fail":
        monkeypatch.setenv(HOOK_ENV, "exit 1")  # the test command is eval "$HOOK"
    else:
        interrupt_at(ws, monkeypatch, "push --atomic")  # Ctrl-C instead of the push

    done = rollback(ws, "--package", "core")

    wanted = ExitCode.TESTS_FAILED if how == "tests-fail" else ExitCode.INTERRUPTED
    assert done.code == wanted, done.err
    assert "undone" in done.err
    assert snapshot(ws.repo.path) == before  # HEAD, no revert, no release commit, no tag
    assert ws.repo.head() == start
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == on_index
    assert not ws.github.release("core-v2.0.0").body.startswith(">")  # type: ignore[union-attr]
    assert_no_record(ws)

    monkeypatch.delenv(HOOK_ENV, raising=False)  # the interrupter fires once only
    again = rollback(ws, "--package", "core")

    assert again.code == ExitCode.OK, again.err
    assert_core_rolled_back(ws, start)


@pytest.mark.slow
def test_a_rollback_killed_before_its_push_is_undone_by_the_next_rollback_and_made_anew(
    ws: World,
) -> None:
    start = released(ws)
    origin_before = refs(ws.origin)
    wrapper = ws.tmp / "killer"
    fired = git_killer(wrapper, "push --atomic")  # committed, tagged, tested, built: not pushed
    argv = [sys.executable, "-m", "autorelease", "-C", str(ws.repo.path), "rollback",
            "--package", "core", "--repository", ws.upload_url]  # fmt: skip
    env = {**os.environ, "PATH": f"{wrapper}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert fired.exists()
    assert git_out(ws.repo.path, "log", "-2", "--format=%s").splitlines() == [
        "chore(release): core 2.0.1", "revert: roll back core 2.0.0",
    ]  # fmt: skip
    assert refs(ws.origin) == origin_before

    again = rollback(ws, "--package", "core")

    assert again.code == ExitCode.OK, again.err
    assert "found an unfinished release of core 2.0.1 (not pushed): undoing it" in again.err
    assert_core_rolled_back(ws, start)  # one revert, one release commit: made anew
    assert git_out(ws.origin, "rev-parse", "core-v2.0.1^{}") == ws.repo.head()
    assert ws.github.release("core-v2.0.0").body.count("Rolled back in") == 1  # type: ignore[union-attr]
    assert_no_record(ws)


# --- planning: read-only --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_dry_run_shows_the_revert_in_core_s_folder_and_the_plan_and_changes_nothing(
    ws: World, capsys: pytest.CaptureFixture[str]
) -> None:
    released(ws)
    before, origin_before = snapshot(ws.repo.path, git_files=True), refs(ws.origin)
    requests, on_index = len(ws.github.requests), ws.index_files()
    capsys.readouterr()

    code = main(["-C", str(ws.repo.path), "rollback", "--package", "core", "--dry-run",
                 "--repository", ws.index.url])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == ExitCode.OK, err
    assert "Roll back      core 2.0.0 (core-v1.0.0..core-v2.0.0): 3 commits taken out" in out
    assert "feat: one option for core and plugin" in out
    assert "docs: the readme" not in out.split("Revert")[0]  # it changed no file of core's
    revert = out.split("Revert         ", 1)[1].split("\n\n", 1)[0]
    assert revert.splitlines() == [
        "3 files:",
        "                 M packages/core/src/core/__init__.py",
        "                 D packages/core/src/core/api.py",
        "                 D packages/core/src/core/option.py",
    ]
    assert "Packages       1, 1 to release" in out  # plugin and cli admit 2.0.1: they stay
    row = next(line.split() for line in out.splitlines() if line.startswith("core "))
    assert row[:5] == ["core", "2.0.0", "2.0.1", "patch", "core-v2.0.1"]
    assert "Rolled back core 2.0.0, taking out: " in out
    assert "commit the revert on top of HEAD: revert: roll back core 2.0.0" in out
    assert "note at the top of the GitHub release core-v2.0.0 pointing to core-v2.0.1" in out
    assert "say how to yank core 2.0.0 on the index" in out
    assert snapshot(ws.repo.path, git_files=True) == before
    assert refs(ws.origin) == origin_before
    assert ws.index_files() == on_index
    assert {r.method for r in ws.github.requests[requests:]} <= {"GET"}  # it may look, no more


@pytest.mark.slow
def test_a_conflicting_revert_exits_29_naming_the_file_with_nothing_written(ws: World) -> None:
    released(ws)
    core_init = (ws.repo.path / init_py("core")).read_text()
    ws.repo.commit("fix(core): core names itself again", (init_py("core"), core_init.replace(
        CORE_NAME_2, 'return "core three"')))  # fmt: skip
    ws.repo.git("push", "-q", "origin", "main")
    before, origin_before = snapshot(ws.repo.path), refs(ws.origin)

    for args in (("--dry-run",), ()):
        done = rollback(ws, "--package", "core", *args)

        assert done.code == ExitCode.REVERT_CONFLICT, done.err
        (line,) = done.error_lines
        assert f"conflicts in {init_py('core')}; nothing was written" in line
        assert snapshot(ws.repo.path) == before
        assert refs(ws.origin) == origin_before


def test_a_workspace_s_rollback_names_one_package(
    workspace_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(workspace_repo.path)
    for extra in ((), ("--package", "core", "--package", "plugin")):
        code = main(["-C", str(workspace_repo.path), "rollback", "--dry-run", *extra])

        err = capsys.readouterr().err
        assert code == ExitCode.USAGE
        assert "rollback takes back one package's release of a workspace at a time" in err
        assert "name it with --package NAME (one of core, plugin, cli)" in err
        assert snapshot(workspace_repo.path) == before


@pytest.fixture
def workspace_repo(repo: GitRepo, origin: Path) -> GitRepo:
    from workspace_world import make_workspace

    make_workspace(repo)
    return repo


# --- a repository that became a workspace: its old v{version} tags are core's releases --------

BECAME = f"""
[tool.autorelease]
build_isolation = false
test_command = 'eval "${{{HOOK_ENV}:-true}}"'
"""
GREET = "def greet() -> str:\n    return 'hello'\n"


def make_became_workspace(repo: GitRepo) -> None:
    """core, one package released as v1.0.0 (annotated); then made a uv workspace with
    packages/ext (needs core>=1) beside it; everything pushed to origin."""
    sample_project(repo.path, "core", "1.0.0")
    with (repo.path / "pyproject.toml").open("a") as out:
        out.write(BECAME)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: initial project")
    repo.tag("v1.0.0", annotated=True)
    text = (repo.path / "pyproject.toml").read_text()
    repo.write("pyproject.toml", text + '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    add_package(repo, "ext", "0.1.0", ["core>=1"])
    repo.git("add", ".")
    repo.commit("build: an extension package joins")
    repo.git("push", "-q", "origin", "main", "v1.0.0")


@pytest.fixture
def became(
    repo: GitRepo,
    origin: Path,
    pypiserver_index: LocalIndex,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """The world of a project that became a workspace, uploading to a real pypiserver."""
    with world(
        repo=repo, origin=origin, index=pypiserver_index, upload_url=pypiserver_index.url,
        capsys=capsys, monkeypatch=monkeypatch, make=make_became_workspace,
    ) as it:  # fmt: skip
        yield it


def core_released_under_its_new_tags(w: World) -> str:
    """A feature of core released by the workspace's publish as core-v1.1.0 (counted from
    v1.0.0), then a docs commit pushed on top; its sha."""
    w.repo.commit("feat: core greets", ("src/core/greet.py", GREET))
    w.repo.git("push", "-q", "origin", "main")
    done = w.publish()
    assert done.code == ExitCode.OK, done.err
    assert git_out(w.origin, "tag", "--list", "core-v1.1.0") == "core-v1.1.0"
    w.repo.commit("docs: how to release", ("packages/ext/RELEASING.md", "publish\n"))
    w.repo.git("push", "-q", "origin", "main")
    return w.repo.head()


@pytest.mark.slow
def test_core_s_first_release_under_the_workspace_s_tags_rolls_back_to_its_old_v_tag(
    became: World, capsys: pytest.CaptureFixture[str]
) -> None:
    start = core_released_under_its_new_tags(became)
    capsys.readouterr()

    code = main(["-C", str(became.repo.path), "rollback", "--package", "core", "--dry-run",
                 "--repository", became.index.url])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == ExitCode.OK, err
    assert "Roll back      core 1.1.0 (v1.0.0..core-v1.1.0): 2 commits taken out" in out
    revert = out.split("Revert         ", 1)[1].split("\n\n", 1)[0]
    # the workspace's own [tool.uv.workspace], added since v1.0.0, is not taken out
    assert revert.splitlines() == ["1 files:", "                 D src/core/greet.py"]
    assert git_out(became.repo.path, "rev-parse", "HEAD") == start

    done = rollback(became, "--package", "core")

    assert done.code == ExitCode.OK, done.err
    log = git_out(became.repo.path, "log", "--format=%s", "-3").splitlines()
    assert log == ["chore(release): core 1.1.1", "revert: roll back core 1.1.0",
                   "docs: how to release"]  # fmt: skip
    assert git_out(became.repo.path, "rev-parse", "HEAD~2") == start
    assert git_out(became.repo.path, "ls-tree", "HEAD", "src/core/greet.py") == ""
    pyproject = tomllib.loads(at_head(became, "pyproject.toml"))
    assert pyproject["project"]["version"] == "1.1.1"
    assert pyproject["tool"]["uv"]["workspace"] == {"members": ["packages/*"]}
    assert "Takes out what core 1.1.0 changed (v1.0.0..core-v1.1.0)" in git_out(
        became.repo.path, "log", "-1", "--format=%b", "HEAD^"
    )
    assert git_out(became.origin, "rev-parse", "core-v1.1.1^{}") == became.repo.head()
    assert sorted(f for f in became.index_files() if "1.1.1" in f) == package_files("core", "1.1.1")
    bad = became.github.release("core-v1.1.0")
    assert bad is not None
    assert bad.body.startswith("> [!WARNING]\n> Rolled back in [1.1.1](")
    assert "1.1.1 ships what 1.0.0" in bad.body
    # a re-run recognizes the rollback release on HEAD: nothing new, nothing noted twice
    again = rollback(became, "--package", "core")
    assert again.code == ExitCode.OK, again.err
    assert git_out(became.repo.path, "log", "-1", "--format=%s") == "chore(release): core 1.1.1"
    assert became.github.release("core-v1.1.0").body.count("Rolled back in") == 1  # type: ignore[union-attr]
    assert git_out(became.origin, "tag", "--list", "core-v1.1.*").split() == [
        "core-v1.1.0", "core-v1.1.1"
    ]  # fmt: skip


@pytest.mark.slow
def test_a_workspace_s_dry_run_json_is_its_plan_with_core_s_revert_as_rollback(
    became: World, capsys: pytest.CaptureFixture[str]
) -> None:
    core_released_under_its_new_tags(became)
    before = snapshot(became.repo.path, git_files=True)
    capsys.readouterr()

    code = main(["-C", str(became.repo.path), "rollback", "--package", "core", "--dry-run",
                 "--json", "--repository", became.index.url])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["workspace"] is True
    assert [(p["name"], p["next_version"], p["tag"]) for p in data["packages"]] == [
        ("core", "1.1.1", "core-v1.1.1")
    ]  # ext admits core 1.1.1: it stays
    assert "Rolled back core 1.1.0, taking out: " in data["packages"][0]["changelog"]
    rolled = data["rollback"]
    assert (rolled["package"], rolled["bad"], rolled["good"], rolled["commit"]) == (
        "core",
        {"tag": "core-v1.1.0", "version": "1.1.0"},
        {"tag": "v1.0.0", "version": "1.0.0"},
        "revert: roll back core 1.1.0",
    )
    assert [r["header"] for r in rolled["reverted"]] == [
        "feat: core greets", "build: an extension package joins"
    ]  # fmt: skip
    assert rolled["files"] == [{"status": "D", "path": "src/core/greet.py"}]
    assert snapshot(became.repo.path, git_files=True) == before
