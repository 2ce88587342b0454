"""A workspace's publish under attack: bad paths and names in its configuration, kills and
interrupts at each step, with real git, a real pypiserver, build and twine, and the GitHub fake.

Each test is a promise of issue 8 kept for a workspace: nothing outside the repository is read
or written, a name git refuses is refused before anything is written, a killed or interrupted
run is finished or cleaned up by the next `autorelease publish`, no token in any output.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from autorelease.errors import ExitCode
from conftest import GitRepo, git_out, refs, sample_project, snapshot
from publish_world import TOKEN, Published, World, git_killer
from test_locale import in_locale, latin1_locale  # noqa: F401 (a fixture)
from test_publish_faults import alive, wait_for
from test_publish_killed import SLOW_HOOK, assert_no_record, killed, release_commits
from test_workspace_rollback import rollback
from workspace_world import ROOT, full_history, only_cli_history, package_files

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


# --- refused when the configuration is read: nothing written, nothing read outside -----------

# Outside the repository: read, it would fail as no TOML, and the error would say so.
OUTSIDE = "[project]\nname = evil, read\n"


def members(repo: GitRepo, *patterns: str) -> None:
    listed = ", ".join(f'"{p}"' for p in ("packages/*", *patterns))
    repo.write("pyproject.toml", ROOT.replace('["packages/*"]', f"[{listed}]"))


def packages(repo: GitRepo, table: str) -> None:
    with (repo.path / "pyproject.toml").open("a") as out:
        out.write(f"\n[tool.autorelease.packages]\n{table}\n")


def refused(w: World, change: Callable[[GitRepo, Path], None]) -> Published:
    """`autorelease publish` after CHANGE(repo, a folder outside it holding a project) was
    committed and a fix to cli pushed: refused with nothing written, the outside unread."""
    outside = w.tmp / "outside"
    outside.mkdir()
    (outside / "pyproject.toml").write_text(OUTSIDE)
    change(w.repo, outside)
    w.repo.git("add", ".")
    w.repo.git("commit", "-qm", "chore: the packages")
    only_cli_history(w.repo)
    before, origin, there = snapshot(w.repo.path), refs(w.origin), files_in(outside)

    done = w.publish()

    assert done.code == ExitCode.CONFIG, done.err
    assert len(done.error_lines) == 1, done.err
    assert (snapshot(w.repo.path), refs(w.origin)) == (before, origin)
    assert (w.index_files(), w.github.releases) == ({}, {})
    assert files_in(outside) == there
    return done


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


ERROR = "autorelease: error: "


def test_a_members_glob_that_climbs_out_of_the_repository_is_refused(ws: World) -> None:
    done = refused(ws, lambda repo, outside: members(repo, "../outside"))
    assert done.error_lines == [
        f"{ERROR}pyproject.toml: [tool.uv.workspace] members: '../outside' is outside the "
        "repository — list the members' folders relative to the repository root, inside it"
    ]


def test_an_absolute_members_glob_is_refused_not_an_internal_error(ws: World) -> None:
    where = str(ws.tmp / "outside")
    done = refused(ws, lambda repo, outside: members(repo, str(outside)))
    assert done.error_lines == [
        f"{ERROR}pyproject.toml: [tool.uv.workspace] members: '{where}' is outside the "
        "repository — list the members' folders relative to the repository root, inside it"
    ]


def test_a_package_path_that_climbs_out_through_its_own_folder_is_refused(ws: World) -> None:
    done = refused(ws, lambda repo, outside: packages(repo, 'evil = "packages/../../outside"'))
    assert done.error_lines == [
        f"{ERROR}pyproject.toml: [tool.autorelease.packages].evil = 'packages/../../outside' is "
        "outside the repository — give the package's folder relative to the repository root"
    ]


def test_a_member_folder_that_is_a_link_to_outside_is_refused_before_it_is_read(
    ws: World,
) -> None:
    done = refused(ws, lambda repo, outside: (repo.path / "packages/evil").symlink_to(outside))
    (line,) = done.error_lines
    assert line.startswith(
        f"{ERROR}packages/evil/pyproject.toml leads outside the repository through a symbolic "
        "link (to "
    )


def test_a_package_s_changelog_outside_the_repository_is_refused(
    ws: World,
) -> None:
    table = 'cli = { changelog_file = "../../../outside/CHANGELOG.md" }'
    done = refused(ws, lambda repo, outside: packages(repo, table))
    (line,) = done.error_lines
    assert line.startswith(f"{ERROR}../outside/CHANGELOG.md is outside the repository ")


def test_a_package_s_version_file_outside_the_repository_is_refused(ws: World) -> None:
    table = (
        'cli = { version_files = ["pyproject.toml:project.version", '
        '"../../../outside/v.py:__version__"] }'
    )

    def change(repo: GitRepo, outside: Path) -> None:
        (outside / "v.py").write_text('__version__ = "1.0.0"\n')
        packages(repo, table)

    done = refused(ws, change)
    (line,) = done.error_lines
    assert line.startswith(f"{ERROR}../outside/v.py is outside the repository ")


def test_a_package_s_changelog_that_links_outside_is_refused_unread(ws: World) -> None:
    def change(repo: GitRepo, outside: Path) -> None:
        (outside / "CHANGELOG.md").write_text(f"# {TOKEN}\n")
        (repo.path / "packages/cli/CHANGELOG.md").symlink_to(outside / "CHANGELOG.md")

    done = refused(ws, change)
    (line,) = done.error_lines
    assert line.startswith(
        f"{ERROR}packages/cli/CHANGELOG.md leads outside the repository through a symbolic link"
    )
    assert TOKEN not in done.err


@pytest.mark.parametrize("target", ["../../.git/hooks/post-commit", "../../.GIT/config"])
def test_a_package_s_changelog_in_the_git_directory_is_refused(ws: World, target: str) -> None:
    """Not a file of the work tree: written, it would stay out of the release commit (git adds
    nothing under .git) and the run would still say "released"."""
    done = refused(
        ws, lambda repo, outside: packages(repo, f'cli = {{ changelog_file = "{target}" }}')
    )
    shown = target.removeprefix("../../")
    assert done.error_lines == [
        f"{ERROR}{shown} is inside the git directory — name a file of the work tree, relative "
        "to the repository root, e.g. 'CHANGELOG.md'"
    ]
    assert not (ws.repo.path / ".git/hooks/post-commit").exists()


def test_a_changelog_in_the_git_directory_is_refused_for_one_package_too(w: World) -> None:
    with (w.repo.path / "pyproject.toml").open("a") as out:
        out.write('changelog_file = ".git/hooks/post-commit"\n')  # in [tool.autorelease]
    w.repo.git("commit", "-qam", "docs: the changelog")
    w.repo.git("push", "-q", "origin", "main")
    before, origin = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert done.code == ExitCode.CONFIG, done.err
    assert done.error_lines == [
        f"{ERROR}.git/hooks/post-commit is inside the git directory — name a file of the work "
        "tree, relative to the repository root, e.g. 'CHANGELOG.md'"
    ]
    assert (snapshot(w.repo.path), refs(w.origin)) == (before, origin)
    assert not (w.repo.path / ".git/hooks/post-commit").exists()


def test_two_names_for_one_folder_are_refused_not_released_twice(ws: World) -> None:
    """cli2 would release packages/cli again, at a version cli released already."""
    table = 'cli2 = { path = "packages/cli", tag_format = "cli2-v{version}" }'
    done = refused(ws, lambda repo, outside: packages(repo, table))
    assert done.error_lines == [
        f"{ERROR}the packages cli and cli2 are the same folder, packages/cli — name each "
        "package's folder once in [tool.autorelease.packages] (a uv member is named by its "
        "[project].name already)"
    ]


def test_two_members_of_one_name_are_refused(ws: World) -> None:
    done = refused(ws, lambda repo, outside: sample_project(repo.path / "packages/zcore", "core"))
    assert done.error_lines == [
        f"{ERROR}the workspace members packages/core and packages/zcore are both named core — "
        "give each its own [project].name, or exclude one in [tool.uv.workspace]"
    ]


LONG = "x" * 250
REFUSED_FORMATS = [
    ("{name} v{version}", "'pkg v1.2.3', which git refuses: it contains ' '"),
    ("-{name}-v{version}", "'-pkg-v1.2.3', which git refuses: it starts with '-'"),
    ("{name}..v{version}", "'pkg..v1.2.3', which git refuses: it contains '..'"),
    ("{name}:v{version}", "'pkg:v1.2.3', which git refuses: it contains ':'"),
    ("{name}/v{version}.lock", "'pkg/v1.2.3.lock', which git refuses: a part ends with '.lock'"),
    (LONG + "{version}", f"'{LONG}1.2.3', which git refuses: a part is longer than 250 bytes "
     "(each is a file name in .git/refs)"),
]  # fmt: skip


@pytest.mark.parametrize(("tag_format", "problem"), REFUSED_FORMATS)
def test_a_package_s_tag_format_git_refuses_is_refused_before_the_release_commit(
    ws: World, tag_format: str, problem: str
) -> None:
    done = refused(
        ws, lambda repo, outside: packages(repo, f"cli = {{ tag_format = '{tag_format}' }}")
    )
    assert done.error_lines == [
        f"{ERROR}pyproject.toml: [tool.autorelease.packages].cli.tag_format = {tag_format!r} "
        f"makes tags like {problem} — start it with a letter or digit; use letters, digits, "
        ". - _ and /, e.g. 'v{version}'"
    ]


def test_a_package_name_that_makes_tags_git_refuses_is_refused(ws: World) -> None:
    def change(repo: GitRepo, outside: Path) -> None:
        sample_project(repo.path / "tools/tool", "tool")
        packages(repo, '"tool..x" = "tools/tool"')

    done = refused(ws, change)
    assert done.error_lines == [
        f"{ERROR}the package 'tool..x' makes tags like 'tool..x-v1.2.3', which git refuses: it "
        "contains '..' — give it a tag_format without {name} in its [tool.autorelease.packages] "
        'table, e.g. tag_format = "mypkg-v{version}"'
    ]


# Names that are no project name: they would go into the release commit's message
# (`chore(release): NAME 1.0.0`) and into tags, where a newline or ", " would be read as
# structure.
ODD_NAMES = ["-tool", "my tool", "tool~1", "tool:x", "tool@{x", "core, cli 9.9.9",
             "x\\nBREAKING CHANGE: boom"]  # fmt: skip


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_package_table_key_that_is_no_project_name_is_refused(ws: World, name: str) -> None:
    def change(repo: GitRepo, outside: Path) -> None:
        sample_project(repo.path / "tools/tool", "tool")
        packages(repo, f'"{name}" = {{ path = "tools/tool", tag_format = "tool-v{{version}}" }}')

    done = refused(ws, change)
    shown = repr(name.replace("\\n", "\n"))
    assert done.error_lines == [
        f"{ERROR}pyproject.toml: [tool.autorelease.packages] names a package {shown}, which is "
        "no project name — use letters, digits and . _ - and start and end with a letter or "
        "digit, as [project].name does"
    ]


def test_a_member_whose_project_name_is_no_project_name_is_refused(ws: World) -> None:
    def change(repo: GitRepo, outside: Path) -> None:
        sample_project(repo.path / "packages/odd", "odd, cli 9.9.9")
        packages(repo, 'odd = { tag_format = "odd-v{version}" }')

    done = refused(ws, change)
    assert done.error_lines == [
        f"{ERROR}packages/odd/pyproject.toml: [project].name = 'odd, cli 9.9.9' is no project "
        "name — use letters, digits and . _ - and start and end with a letter or digit"
    ]


def test_a_previous_tag_format_that_is_another_package_s_tag_format_is_refused(
    ws: World,
) -> None:
    """plugin would count core's tags (core-v2.0.0) as its own releases."""
    table = 'plugin = { previous_tag_format = "core-v{version}" }'
    done = refused(ws, lambda repo, outside: packages(repo, table))
    assert done.error_lines == [
        f"{ERROR}the packages core, plugin share the tag format core-v{{version}} but are not "
        'linked — link them to release them together under one tag (linked = [["core", '
        '"plugin"]]), or give each its own tag_format'
    ]


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


# Where a SIGKILL lands: the git call, before or after it ran, what the clone then holds (the
# release commits and the tags on HEAD) and whether the next run finds a release to undo.
KILLS = {
    "files written, none added": ("add --", False, [], [], True),
    "the release commit, no tag": ("tag -a core-v2.0.0", False, [FULL_SUBJECT], [], True),
    "the release commit, core's tag alone": (
        "tag -a plugin-v1.1.0", False, [FULL_SUBJECT], ["core-v2.0.0"], True),
    "everything on origin, nothing uploaded": (
        "push --atomic", True, [FULL_SUBJECT], ["cli-v1.0.1", "core-v2.0.0", "plugin-v1.1.0"],
        False),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("state", list(KILLS))
def test_a_run_killed_at_each_step_of_the_release_commit_is_finished_by_the_next(
    ws: World, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    """SIGKILL leaves STATE; the next `autorelease publish` undoes it or finishes it, and the
    release that lands has one release commit, every file and GitHub release, no token out."""
    match, after, commits, tagged, undone = KILLS[state]
    full_history(ws.repo)
    outputs, summary = ws.tmp / "github-output", ws.tmp / "step-summary"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    fired = git_killer(ws.tmp / "killer", match, after=after)
    output = killed(ws, {"PATH": f"{ws.tmp / 'killer'}{os.pathsep}{os.environ['PATH']}"})
    assert fired.exists(), output
    assert release_commits(ws.repo.path) == commits
    assert sorted(git_out(ws.repo.path, "tag", "--points-at", "HEAD").split()) == tagged
    assert ws.index_files() == {}

    again = ws.publish("--verbose")  # the debug log too: every git, build and twine line

    assert_released_once(ws, again)
    assert ("found an unfinished release" in again.err) is undone
    assert_no_record(ws)
    report = (ws.tmp / f"report-{ws.runs}.json").read_text()
    assert_no_token(ws, output, again.err, report, outputs.read_text(), summary.read_text())


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_run_stopped_while_origin_runs_its_hook_on_the_pushed_tags_is_finished_by_the_next(
    ws: World, sig: signal.Signals
) -> None:
    """The atomic push has updated origin's refs and waits for a slow post-receive hook when
    the run is killed (SIGKILL) or cancelled (SIGTERM): the release is public, so the next run
    finishes it; nothing is undone."""
    full_history(ws.repo)
    started, go = ws.tmp / "hook-started", ws.tmp / "hook-go"
    hook = ws.origin / "hooks" / "post-receive"
    hook.write_text(SLOW_HOOK.format(started=started, go=go))
    hook.chmod(0o755)
    run = ws.publish_process(ws.repo.path, dict(os.environ))
    try:
        wait_for(started, timeout=120)
        run.send_signal(sig)
        output = run.communicate(timeout=60)[0]
    finally:
        go.touch()
    sys.stderr.write(output)

    assert run.returncode == (-sig if sig == signal.SIGKILL else ExitCode.INTERRUPTED), output
    assert "undone" not in output
    if sig == signal.SIGTERM:
        assert "the push of core-v2.0.0 reached origin before the run stopped" in output
    head = ws.repo.head()
    for tag in ("core-v2.0.0", "plugin-v1.1.0", "cli-v1.0.1"):
        assert git_out(ws.origin, "rev-parse", f"{tag}^{{}}") == head
    assert ws.index_files() == {}

    again = ws.publish()

    assert_released_once(ws, again)
    assert "undoing" not in again.err
    assert_no_record(ws)
    assert_no_token(ws, output, again.err)


# --- a rollback's revert, whatever the repository's commit encoding -----------------------------


@pytest.mark.slow
def test_a_rollback_s_revert_is_recorded_as_utf8_under_a_latin1_commit_encoding(
    ws: World,
) -> None:
    """The revert quotes the headers it takes out; git must not label its UTF-8 bytes with
    the repository's i18n.commitEncoding, or every reader shows them garbled."""
    ws.repo.git("config", "i18n.commitEncoding", "ISO-8859-1")
    (ws.repo.path / "packages/core/src/core/greet.py").write_text("G = 1\n")
    ws.repo.git("add", ".")
    latin1 = "feat: Grüße für core\n".encode("iso-8859-1")  # as git writes it in that encoding
    subprocess.run(["git", "commit", "-q", "-F", "-"], input=latin1, cwd=ws.repo.path, check=True)
    ws.repo.git("push", "-q", "origin", "main")
    assert ws.publish().code == ExitCode.OK
    ws.repo.commit("docs: the readme", ("README.md", "# the workspace\n\nRead me.\n"))
    ws.repo.git("push", "-q", "origin", "main")

    done = rollback(ws, "--package", "core")

    assert done.code == ExitCode.OK, done.err
    argv = ["git", "cat-file", "commit", "HEAD^"]
    raw = subprocess.run(argv, cwd=ws.repo.path, capture_output=True, check=True).stdout
    assert raw.split(b"\n\n", 1)[1].startswith(b"revert: roll back core 1.1.0\n")
    assert b"\nencoding " not in raw.split(b"\n\n", 1)[0]  # UTF-8, git's default
    assert " feat: Grüße für core\n".encode() in raw
    changelog = (ws.repo.path / "packages/core/CHANGELOG.md").read_text(encoding="utf-8")
    assert "Rolled back core 1.1.0, taking out: feat: Grüße für core (" in changelog


@pytest.mark.slow
def test_a_hand_made_revert_named_like_a_rollback_is_no_rollback_release_to_finish(
    ws: World,
) -> None:
    """core 1.0.2 was released on top of a contributor's `revert: roll back core 1.0.1`:
    `rollback --package core` rolls 1.0.2 back, and notes nothing on core 1.0.1's release."""
    ws.repo.commit("fix: core mends", ("packages/core/src/core/m.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")
    assert ws.publish().code == ExitCode.OK  # core 1.0.1
    ws.repo.git("rm", "-q", "packages/core/src/core/m.py")
    ws.repo.commit("revert: roll back core 1.0.1")  # by hand: only the title is rollback's
    ws.repo.git("push", "-q", "origin", "main")
    assert ws.publish("--package", "core", "--bump", "patch").code == ExitCode.OK  # 1.0.2

    done = rollback(ws, "--package", "core")

    assert done.code == ExitCode.OK, done.err
    log = git_out(ws.repo.path, "log", "--format=%s", "-3").splitlines()
    assert log == ["chore(release): core 1.0.3", "revert: roll back core 1.0.2",
                   "chore(release): core 1.0.2"]  # fmt: skip
    assert (ws.repo.path / "packages/core/src/core/m.py").is_file()  # the hand revert undone
    release = ws.github.release("core-v1.0.1")
    assert release is not None
    assert "Rolled back in" not in release.body


# --- files as found: CRLF line ends stay ---------------------------------------------------------


@pytest.mark.slow
def test_an_update_only_dependent_s_crlf_pyproject_keeps_its_line_ends(
    ws: World,
) -> None:
    """plugin does not release (dependents = "update-only"): only its requirement on core is
    rewritten, in a file with CRLF line ends, which stay."""
    with (ws.repo.path / "pyproject.toml").open("a") as out:
        out.write('dependents = "update-only"\n')  # in [tool.autorelease], the last table
    pyproject = ws.repo.path / "packages/plugin/pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_bytes(text.replace("\n", "\r\n").encode())
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-qm", "ci: dependents follow without a release")
    ws.repo.commit("feat(core)!: core speaks v2", ("packages/core/src/core/api.py", "V = 2\n"))
    ws.repo.git("push", "-q", "origin", "main")

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    data = pyproject.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 10
    assert b'"core>=2.0.0,<3"' in data
    assert (
        data.replace(b'"core>=2.0.0,<3"', b'"core>=1.0,<2"') == text.replace("\n", "\r\n").encode()
    )


# --- overlapping folders ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_package_inside_another_s_folder_owns_its_commits_and_each_file_is_written_once(
    ws: World,
) -> None:
    """sub lives in packages/core/sub: its fix is sub's alone, core's fix core's alone; one
    release commit writes each package's files once, and each changelog holds its own fix."""
    sample_project(ws.repo.path / "packages/core/sub", "sub")
    packages(ws.repo, 'sub = "packages/core/sub"')
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-qm", "chore: sub, inside core")
    ws.repo.tag("sub-v1.0.0", annotated=True)
    ws.repo.commit("fix: sub mends", ("packages/core/sub/src/sub/m.py", "M = 1\n"))
    ws.repo.commit("fix: core mends", ("packages/core/src/core/m.py", "M = 1\n"))
    ws.repo.git("push", "-q", "origin", "main", "sub-v1.0.0")

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert release_commits(ws.origin) == ["chore(release): core 1.0.1, sub 1.0.1"]
    changed = git_out(ws.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines()
    assert sorted(changed) == sorted(
        f"packages/{folder}/{file}"
        for folder, name in (("core", "core"), ("core/sub", "sub"))
        for file in ("CHANGELOG.md", "pyproject.toml", f"src/{name}/__init__.py")
    )
    core = (ws.repo.path / "packages/core/CHANGELOG.md").read_text()
    sub = (ws.repo.path / "packages/core/sub/CHANGELOG.md").read_text()
    assert ("core mends" in core, "sub mends" in core) == (True, False)
    assert ("sub mends" in sub, "core mends" in sub) == (True, False)
    assert sorted(ws.index_files()) == sorted(
        [*package_files("core", "1.0.1"), *package_files("sub", "1.0.1")]
    )


# --- commit text as data: a path is never a commit -----------------------------------------------

# A file name may hold any byte but NUL: this one reads as the start of a commit record in
# `git log -z --name-only` (a record separator, a sha, a line end, a message) when it is not
# the commit's first path (git lists paths in byte order: "\x01" comes first).
FORGED_PATH = "\x1e" + "0" * 40 + " \nfeat(core)!: a forged breaking change"
FIRST_PATH = "\x01first"


def test_a_file_named_like_a_commit_record_forges_no_commit(ws: World) -> None:
    """The file is changed by a fix to core: core gets a patch, not the major release the
    forged message would make, and its changelog lists the fix alone."""
    ws.repo.commit(
        "fix: core mends",
        (FIRST_PATH, "x\n"),
        (FORGED_PATH, "x\n"),
        ("packages/core/src/core/mend.py", "M = 1\n"),
    )
    ws.repo.git("push", "-q", "origin", "main")

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    assert release_commits(ws.origin) == ["chore(release): core 1.0.1"]
    changelog = (ws.repo.path / "packages/core/CHANGELOG.md").read_text()
    assert "core mends" in changelog
    assert "forged" not in changelog


MARKER = "<!-- autorelease: new releases go below this line -->"
# A contributor's commit dressed as a rollback, whose footers carry the marker and a heading.
FORGED_ROLLBACK = (
    f"revert: roll back core 1.0.0\n\nRolled-back: abcdef123456 x {MARKER}\n"
    "Rolled-back: abcdef123457 ## 9.9.9 (2020-01-01)\n"
)


def test_forged_rollback_footers_and_markers_stay_text_in_a_package_s_changelog(
    ws: World,
) -> None:
    """The next release's section still lands on top of core's changelog, under the one
    marker; the forged lines are words of an entry."""
    ws.repo.commit(FORGED_ROLLBACK, ("packages/core/src/core/m.py", "M = 1\n"))
    ws.repo.commit(f"fix: core mends\n\nBREAKING CHANGE: a note\n{MARKER}\n## 8.8.8\n",
                   ("packages/core/src/core/n.py", "N = 1\n"))  # fmt: skip
    ws.repo.git("push", "-q", "origin", "main")
    assert ws.publish().code == ExitCode.OK
    ws.repo.commit("fix: core mends again", ("packages/core/src/core/o.py", "O = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")

    done = ws.publish()

    assert done.code == ExitCode.OK, done.err
    text = (ws.repo.path / "packages/core/CHANGELOG.md").read_text()
    assert text.count(MARKER) == 1
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 2.0.1 (2023-11-14)", "## 2.0.0 (2023-11-14)"]
    assert text.index(MARKER) < text.index("## 2.0.1") < text.index("core mends again")
    assert text.index("core mends again") < text.index("## 2.0.0")


# --- any locale --------------------------------------------------------------------------------

NAME = "José Müller"


@pytest.mark.slow
def test_a_workspace_release_in_a_latin1_locale_keeps_every_file_and_message_utf8(
    ws: World,
    latin1_locale: dict[str, str],  # noqa: F811 (the fixture imported above)
) -> None:
    """Non-ASCII authors and descriptions in CRLF pyproject.toml files, a non-ASCII commit
    message and commit_message: the release commit, each changelog, each pyproject.toml and
    each uploaded METADATA stay UTF-8, as found."""
    texts = {}
    for name in ("core", "plugin", "cli"):
        pyproject = ws.repo.path / f"packages/{name}/pyproject.toml"
        text = pyproject.read_text(encoding="utf-8").replace(
            'description = "', f'authors = [{{name = "{NAME}"}}]\ndescription = "Grüße, '
        )
        pyproject.write_bytes(text.replace("\n", "\r\n").encode())
        texts[name] = text
    root = ws.repo.path / "pyproject.toml"
    setting = 'commit_message = "chore(release): {version} — ¡olé!"\n'
    text = root.read_text(encoding="utf-8")
    root.write_text(
        text.replace("[tool.autorelease]\n", f"[tool.autorelease]\n{setting}"), encoding="utf-8"
    )
    ws.repo.git("add", ".")
    ws.repo.git("commit", "-qm", "chore: credits")
    ws.repo.commit(f"feat(core)!: credit {NAME} ⚠", ("packages/core/src/core/x.py", "X = 1\n"))
    ws.repo.git("push", "-q", "origin", "main")

    argv = [sys.executable, "-m", "autorelease", "-C", str(ws.repo.path), "publish"]
    proc = subprocess.run(
        [*argv, "--repository", ws.upload_url], env=in_locale(latin1_locale),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False,
    )  # fmt: skip
    out = proc.stdout.decode("iso-8859-1")  # what the terminal shows
    sys.stderr.write(out)

    assert proc.returncode == ExitCode.OK, out
    assert "internal error" not in out
    message = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=ws.repo.path, capture_output=True, check=True
    ).stdout
    assert b"\nencoding " not in message
    subject = "chore(release): core 2.0.0, plugin 1.0.1, cli 1.0.1 — ¡olé!\n"
    assert message.endswith(subject.encode())
    versions = {"core": "2.0.0", "plugin": "1.0.1", "cli": "1.0.1"}
    for name, version in versions.items():
        data = (ws.repo.path / f"packages/{name}/pyproject.toml").read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n")
        assert f'authors = [{{name = "{NAME}"}}]'.encode() in data
        assert f'version = "{version}"'.encode() in data
        assert ws.index.packages is not None
        wheel = ws.index.packages / f"{name}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel) as zf:
            metadata = zf.read(f"{name}-{version}.dist-info/METADATA").decode("utf-8")
        assert f"Author: {NAME}" in metadata
        assert "Summary: Grüße, " in metadata
    changelog = (ws.repo.path / "packages/core/CHANGELOG.md").read_text(encoding="utf-8")
    assert f"credit {NAME} ⚠" in changelog
    release = ws.github.release("core-v2.0.0")
    assert release is not None
    assert f"credit {NAME} ⚠" in release.body
