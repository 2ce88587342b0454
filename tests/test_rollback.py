"""`autorelease rollback`: a bad release's changes taken out as one revert, released as a patch.

Real repositories: two releases made the way autorelease makes them (a release commit that
writes the version files and the changelog, then a tag), a merged feature branch in the bad
release, and work on top of it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo, git_out, snapshot
from publish_world import HOOK_ENV, Published, World

pytest_plugins = ["index_server", "publish_world"]

APP_1_0 = "def greet():\n    return 'hello'\n\n\ndef answer():\n    return 42\n"
APP_1_1 = "def greet():\n    return 'HELLO!'\n\n\ndef answer():\n    return 42\n"


def _release(repo: GitRepo, version: str) -> str:
    """A release commit as autorelease makes it (version files, changelog), tagged."""
    pyproject = (repo.path / "pyproject.toml").read_text()
    old = pyproject.split('version = "', 1)[1].split('"', 1)[0]
    changelog = repo.path / "CHANGELOG.md"
    before = changelog.read_text() if changelog.exists() else "# Changelog\n"
    sha = repo.commit(
        f"chore(release): {version}",
        ("pyproject.toml", pyproject.replace(f'version = "{old}"', f'version = "{version}"')),
        ("src/sample_pkg/__init__.py", f'__version__ = "{version}"\n'),
        ("CHANGELOG.md", before + f"\n## {version}\n\n- released\n"),
    )
    repo.tag(f"v{version}", annotated=True)
    return sha


@pytest.fixture
def shipped(project: GitRepo) -> GitRepo:
    """1.0.0, then 1.1.0 with a merged feature branch (the bad feature) and a fix, then a
    docs commit on top: rolling back 1.1.0 restores what 1.0.0 shipped."""
    project.commit("feat: greet", ("src/sample_pkg/app.py", APP_1_0))
    _release(project, "1.0.0")
    project.git("switch", "-q", "-c", "topic")
    project.commit("feat: shout", ("src/sample_pkg/app.py", APP_1_1))
    project.commit("feat: bad feature", ("src/sample_pkg/bad.py", "BAD = True\n"))
    project.git("switch", "-q", "main")
    project.commit("fix: tidy the readme", ("README.md", "# sample-pkg\n\nTidy.\n"))
    project.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    _release(project, "1.1.0")
    project.commit("docs: usage", ("docs/usage.md", "Use it.\n"))
    return project


def _run(repo: GitRepo, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(repo.path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_shows_the_revert_and_the_patch_release(
    shipped: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shipped.path)
    code, out, err = _run(shipped, "rollback", "--dry-run", "--offline", capsys=capsys)
    assert code == ExitCode.OK, err
    assert "Roll back      1.1.0 (v1.0.0..v1.1.0): 3 commits taken out" in out
    for header in ("feat: shout", "feat: bad feature", "fix: tidy the readme"):
        assert header in out
    assert "Merge branch" not in out  # its changes go, through its branch's commits
    assert "chore(release): 1.1.0" not in out.split("Revert")[0]  # its version stays
    # The revert restores what 1.0.0 shipped, and keeps the version files and the changelog.
    revert = out.split("Revert         ", 1)[1].split("\n\n", 1)[0]
    assert revert.splitlines() == [
        "3 files:",
        "                 M README.md",
        "                 M src/sample_pkg/app.py",
        "                 D src/sample_pkg/bad.py",
    ]
    assert "Next version   1.1.1" in out
    assert "Tag            v1.1.1" in out
    assert "commit the revert on top of HEAD: revert: roll back 1.1.0" in out
    assert "note at the top of the GitHub release v1.1.0 pointing to v1.1.1" in out
    # The changelog section says what was rolled back, and what was taken out.
    assert "### Rolled back" in out
    assert "Rolled back 1.1.0, taking out: " in out
    assert "feat: bad feature (" in out
    assert snapshot(shipped.path) == before  # nothing written: files, index, refs


def test_dry_run_json_is_the_plan_with_the_revert_as_rollback(
    shipped: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shipped.path)
    code, out, err = _run(shipped, "rollback", "--dry-run", "--json", capsys=capsys)
    assert code == ExitCode.OK, err
    data = json.loads(out)  # the JSON alone: no summary in front of it
    assert (data["next_version"], data["tag"], data["bump"]) == ("1.1.1", "v1.1.1", "patch")
    assert "Rolled back 1.1.0, taking out: " in data["changelog"]
    log = git_out(shipped.path, "log", "--no-merges", "--format=%H %s", "v1.0.0..v1.1.0^")
    assert data["rollback"] == {
        "package": None,
        "bad": {"tag": "v1.1.0", "version": "1.1.0"},
        "good": {"tag": "v1.0.0", "version": "1.0.0"},
        "commit": "revert: roll back 1.1.0",
        "reverted": [
            {"sha": sha, "header": header}
            for sha, header in (line.split(" ", 1) for line in log.splitlines())
        ],
        "files": [
            {"status": "M", "path": "README.md"},
            {"status": "M", "path": "src/sample_pkg/app.py"},
            {"status": "D", "path": "src/sample_pkg/bad.py"},
        ],
    }
    plain = json.loads(_run(shipped, "--dry-run", "--json", "--bump", "patch", capsys=capsys)[1])
    assert set(data) - set(plain) == {"rollback"}  # the keys of `autorelease --dry-run --json`
    assert snapshot(shipped.path) == before


def test_an_older_release_is_named(shipped: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    shipped.commit("feat: more", ("src/sample_pkg/more.py", "MORE = 1\n"))
    _release(shipped, "1.2.0")
    code, out, err = _run(shipped, "rollback", "1.1.0", "--dry-run", "--offline", capsys=capsys)
    assert code == ExitCode.OK, err
    assert "Roll back      1.1.0 (v1.0.0..v1.1.0)" in out
    assert "D src/sample_pkg/bad.py" in out
    assert "more.py" not in out.split("Revert")[1].split("\n\n")[0]  # 1.2.0's work stays
    assert "Next version   1.2.1" in out


def test_a_conflicting_revert_is_refused_with_the_tree_unchanged(
    shipped: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped.commit("fix: louder", ("src/sample_pkg/app.py", APP_1_1.replace("HELLO!", "HEY!!")))
    before = snapshot(shipped.path)
    for args in (("rollback", "--dry-run", "--offline"), ("rollback", "--no-push")):
        code, _, err = _run(shipped, *args, capsys=capsys)
        assert code == ExitCode.REVERT_CONFLICT
        assert "conflicts in src/sample_pkg/app.py; nothing was written" in err
        assert snapshot(shipped.path) == before


def test_unknown_and_first_releases_are_refused(
    shipped: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(shipped, "rollback", "3.0.0", "--dry-run", capsys=capsys)
    assert code == ExitCode.NO_SUCH_RELEASE
    assert "there is no release 3.0.0" in err
    assert "1.1.0, 1.0.0" in err
    code, _, err = _run(shipped, "rollback", "1.0.0", "--dry-run", capsys=capsys)
    assert code == ExitCode.NO_SUCH_RELEASE
    assert "1.0.0 is the first release" in err


def test_nothing_to_roll_back_when_already_reverted(
    shipped: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped.git("revert", "--no-edit", "-m", "1", "HEAD~2")  # the merge
    shipped.git("revert", "--no-edit", "HEAD~4")  # the readme fix
    code, _, err = _run(shipped, "rollback", "--dry-run", capsys=capsys)
    assert code == ExitCode.NO_SUCH_RELEASE
    assert "no longer has the changes of 1.1.0" in err


def test_a_binary_file_is_restored(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    logo = project.path / "logo.bin"
    logo.write_bytes(bytes(range(256)))
    project.git("add", "logo.bin")
    project.commit("feat: logo")
    _release(project, "1.0.0")
    logo.write_bytes(bytes(reversed(range(256))))
    project.git("add", "logo.bin")
    project.commit("feat: new logo")
    _release(project, "1.1.0")
    code, out, err = _run(project, "rollback", "--dry-run", "--offline", capsys=capsys)
    assert code == ExitCode.OK, err
    assert "M logo.bin" in out


def test_the_command_is_listed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "autorelease", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "rollback" in out


# --- the release: real git, pypiserver, build and twine; GitHub faked over HTTP ---------------


def _bad_release_out(w: World) -> str:
    """1.1.0 released by publish (the greeting feature), then a docs commit pushed on top."""
    done = w.publish()
    assert done.code == ExitCode.OK, done.err
    w.repo.commit("docs: usage", ("docs/usage.md", "Use it.\n"))
    w.repo.git("push", "-q", "origin", "main")
    return w.repo.head()


def _rollback(w: World, *args: str) -> Published:
    """`autorelease -C REPO rollback --repository URL ARGS`, in this process."""
    return w.releasing("rollback", *args)


@pytest.mark.slow
def test_a_bad_release_is_rolled_back_and_released_as_a_patch(w: World) -> None:
    start = _bad_release_out(w)
    done = _rollback(w)
    assert done.code == ExitCode.OK, done.err
    # git: the revert on top of the docs commit, then the release commit, both on origin
    log = git_out(w.repo.path, "log", "--format=%s", "-3").splitlines()
    assert log == ["chore(release): 1.1.1", "revert: roll back 1.1.0", "docs: usage"]
    assert git_out(w.repo.path, "rev-parse", "HEAD~2") == start
    assert not (w.repo.path / "src/sample_pkg/greet.py").exists()  # the feature is gone
    assert (w.repo.path / "docs/usage.md").exists()  # later work stays
    assert git_out(w.origin, "rev-parse", "v1.1.1^{}") == w.repo.head()
    body = git_out(w.repo.path, "log", "-1", "--format=%b", "HEAD^")
    assert "Rolled-back: " in body
    assert "feat: greet people" in body
    changelog = (w.repo.path / "CHANGELOG.md").read_text()
    section = changelog.split("## 1.1.1", 1)[1].split("## 1.1.0", 1)[0]
    assert "### Rolled back" in section
    assert "Rolled back 1.1.0, taking out: feat: greet people (" in section
    assert '__version__ = "1.1.1"' in (w.repo.path / "src/sample_pkg/__init__.py").read_text()
    # the index and GitHub: the patch is out, and the bad release points to it
    assert "sample_pkg-1.1.1.tar.gz" in w.index_files()
    new, bad = w.github.release("v1.1.1"), w.github.release("v1.1.0")
    assert new is not None
    assert bad is not None
    assert bad.body.startswith("> [!WARNING]\n> Rolled back in [1.1.1](")
    assert "Rolled back 1.1.0" in new.body
    assert "noted on the GitHub release v1.1.0: rolled back in 1.1.1" in done.err
    assert "to yank 1.1.0" in done.err
    assert done.report["outcome"] == "released"
    # a re-run finishes nothing new and notes nothing twice
    again = _rollback(w)
    assert again.code == ExitCode.OK, again.err
    assert w.github.release("v1.1.0").body.count("Rolled back in") == 1  # type: ignore[union-attr]
    assert len(w.github.requests_matching("PATCH", r"/releases/\d+$")) == 1
    assert git_out(w.repo.path, "log", "-1", "--format=%s") == "chore(release): 1.1.1"


def test_a_failure_before_the_push_undoes_the_revert_too(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bad_release_out(w)
    before = snapshot(w.repo.path)
    monkeypatch.setenv(HOOK_ENV, "exit 3")  # the project's tests fail
    done = _rollback(w)
    assert done.code == ExitCode.TESTS_FAILED, done.err
    assert snapshot(w.repo.path) == before  # no revert commit, no release commit, no tag
    assert git_out(w.origin, "tag", "--list", "v1.1.1") == ""


@pytest.mark.slow
def test_a_rerun_after_github_failed_finishes_and_notes_the_bad_release(w: World) -> None:
    _bad_release_out(w)
    w.github.fail("POST", r"/releases$", status=422, times=1)
    done = _rollback(w)
    assert done.code == ExitCode.GITHUB_FAILED, done.err
    assert w.github.release("v1.1.1") is None
    assert not w.github.release("v1.1.0").body.startswith(">")  # type: ignore[union-attr]
    again = _rollback(w)
    assert again.code == ExitCode.OK, again.err
    assert w.github.release("v1.1.1") is not None
    assert w.github.release("v1.1.0").body.startswith("> [!WARNING]")  # type: ignore[union-attr]
    assert git_out(w.repo.path, "log", "-2", "--format=%s").splitlines() == [
        "chore(release): 1.1.1", "revert: roll back 1.1.0",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("index", "where"),
    [
        ("pypi", "open https://pypi.org/manage/project/sample-pkg/release/1.1.0/ (Options, Yank)"),
        ("testpypi", "open https://test.pypi.org/manage/project/sample-pkg/release/1.1.0/"),
        ("http://127.0.0.1:9/", "yank it in 127.0.0.1:9's web interface (twine cannot)"),
    ],
)
def test_the_yank_advice_names_the_index_page(shipped: GitRepo, index: str, where: str) -> None:
    from autorelease.core import config
    from autorelease.publish.options import PublishOptions
    from autorelease.publish.rollback import yank_advice

    cfg = config.load(shipped.path)
    text = yank_advice(cfg, PublishOptions(repository=index), "sample-pkg", "1.1.0", "bad")
    assert where in text
    assert text.endswith("with the reason: bad")
