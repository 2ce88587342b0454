"""`autorelease publish` end to end: real git, pypiserver, build and twine; GitHub faked over HTTP.

The failure paths (rollback, resume, races, faults) are in test_publish_faults.py.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autorelease.errors import ExitCode
from autorelease.publish.build import build
from autorelease.publish.index import index_files, upload
from autorelease.publish.index_target import resolve_target
from conftest import EPOCH, git_out, refs, sample_project, snapshot
from index_server import PASSWORD
from publish_world import HOOK_ENV, TOKEN, Published, World, installed, interrupt_at

pytest_plugins = ["index_server", "publish_world"]

WHEEL = "sample_pkg-1.1.0-py3-none-any.whl"
SDIST = "sample_pkg-1.1.0.tar.gz"
STEPS = ["check", "commit", "tests", "build", "push", "upload", "github", "comments"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the happy path ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_release_reaches_git_the_index_and_github(
    w: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    start = w.repo.head()
    test_env = tmp_path / "test-env.txt"
    outputs, summary = tmp_path / "github-output", tmp_path / "step-summary.md"
    monkeypatch.setenv(HOOK_ENV, f"env > {test_env}")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    assert_released_in_git(w, start)
    on_index = assert_on_index_and_github(w)
    assert_reported(w, done.report, outputs, summary)
    # secrets: nowhere in what we print or write, and not handed to the project's tests
    for text in (done.err, str(done.report), outputs.read_text(), summary.read_text()):
        assert PASSWORD not in text
        assert TOKEN not in text
    seen_by_tests = test_env.read_text()
    assert "TWINE_USERNAME=" in seen_by_tests
    assert "TWINE_PASSWORD=" not in seen_by_tests
    assert "GITHUB_TOKEN=" not in seen_by_tests
    # anyone can now install the release from the index
    assert sorted(on_index) == [WHEEL, SDIST]
    said = installed(
        w.index.simple_url, tmp_path / "venv", "sample-pkg==1.1.0",
        "import sample_pkg, sample_pkg.greet as g; print(sample_pkg.__version__, g.greet('you'))",
    )  # fmt: skip
    assert said == "1.1.0 Hello, you!"


def assert_released_in_git(w: World, start: str) -> None:
    """One release commit on top of START, an annotated tag, both on origin."""
    head = w.repo.head()
    assert git_out(w.repo.path, "rev-parse", "HEAD^") == start
    assert git_out(w.repo.path, "log", "-1", "--format=%s") == "chore(release): 1.1.0"
    assert git_out(w.repo.path, "cat-file", "-t", "v1.1.0") == "tag"
    assert git_out(w.repo.path, "rev-parse", "v1.1.0^{}") == head
    assert git_out(w.repo.path, "status", "--porcelain") == ""
    assert refs(w.origin) == {k: v for k, v in refs(w.repo.path).items() if "remotes" not in k}
    changed = git_out(w.repo.path, "diff", "--name-only", "HEAD^", "HEAD").splitlines()
    assert changed == ["CHANGELOG.md", "pyproject.toml", "src/sample_pkg/__init__.py"]
    assert 'version = "1.1.0"' in (w.repo.path / "pyproject.toml").read_text()
    assert (w.repo.path / "src/sample_pkg/__init__.py").read_text() == '__version__ = "1.1.0"\n'
    changelog = (w.repo.path / "CHANGELOG.md").read_text()
    assert "## 1.1.0 (2023-11-14)" in changelog
    assert "### Features" in changelog
    assert "- greet people" in changelog


def assert_on_index_and_github(w: World) -> dict[str, str]:
    """Both files on the index and on the GitHub release, the same bytes; their sha256."""
    on_index = w.index_files()
    assert sorted(on_index) == [WHEEL, SDIST]
    listed = index_files(w.index.simple_url, "sample-pkg", "1.1.0")
    assert listed == on_index
    # GitHub: the release of the pushed tag, notes from the changelog, the same two files
    release = w.github.release("v1.1.0")
    assert release is not None
    assert not release.prerelease
    assert "- greet people" in release.body
    assert "## 1.1.0" not in release.body  # GitHub shows the title itself
    assert f"pip install --index-url {w.index.simple_url} sample-pkg==1.1.0" in release.body
    assert {a.name: sha256(a.data) for a in release.assets} == on_index
    assert w.github.tags_created_by_api == []
    return on_index


def assert_reported(w: World, report: dict[str, Any], outputs: Path, summary: Path) -> None:
    """--report, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY tell the same story."""
    assert [s["name"] for s in report["steps"]] == STEPS
    # the sample's commits name no issue: nothing to comment on
    assert [s["status"] for s in report["steps"]] == ["done"] * 7 + ["skipped"]
    assert report["steps"][-1]["detail"] == "the release names no issue or pull request"
    assert all(isinstance(s["seconds"], float) for s in report["steps"])
    assert report["outcome"] == "released"
    assert (report["version"], report["tag"], report["previous_tag"]) == (
        "1.1.0",
        "v1.1.0",
        "v1.0.0",
    )
    assert report["failure"] is None
    assert report["release_url"] == f"{w.github.root}/octo/hello/releases/tag/v1.1.0"
    # GitHub Actions
    assert outputs.read_text().splitlines() == [
        "released=true",
        "version=1.1.0",
        "tag=v1.1.0",
        "previous_version=1.0.0",
        f"release_url={report['release_url']}",
        "outcome=released",
    ]
    assert "### autorelease: released 1.1.0" in summary.read_text()
    assert "| upload | done |" in summary.read_text()


# --- safety checks: each fails alone, with its code and one line, and changes nothing -------------


@pytest.fixture(scope="module")
def sample_110(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """sample-pkg 1.1.0 built once, to be on the index before the release tries to put it there."""
    root = tmp_path_factory.mktemp("sample-110")
    project = sample_project(root / "project", version="1.1.0")
    return list(build(project, "1.1.0", EPOCH, root / "dist", isolation=False).files)


def _dirty(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.write("notes.txt", "work in progress\n")


def _topic_branch(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.git("switch", "-q", "-c", "topic")


def _behind(w: World, _mp: pytest.MonkeyPatch) -> None:
    other = w.clone("other")
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "fix: b"], cwd=other, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=other, check=True)


def _ahead(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.commit("fix: not pushed yet")


def _tag_on_remote(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.git("push", "-q", "origin", "HEAD^:refs/tags/v1.1.0")


def _unpushed_release_tag(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.tag("v1.0.5", rev="HEAD^")  # made by hand, never pushed: a release nobody has


def _no_remote(w: World, _mp: pytest.MonkeyPatch) -> None:
    w.repo.git("remote", "remove", "origin")


def _no_index_credentials(_w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")


def _no_github_token(_w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (_dirty, ExitCode.DIRTY_TREE, "uncommitted changes (notes.txt)"),
        (_topic_branch, ExitCode.WRONG_BRANCH, "on topic, not on the release branch main"),
        (_behind, ExitCode.NOT_UP_TO_DATE, "main is not equal to origin/main"),
        (_ahead, ExitCode.NOT_UP_TO_DATE, "main is not equal to origin/main"),
        (_tag_on_remote, ExitCode.TAG_EXISTS, "tag v1.1.0 already exists on origin"),
        (_unpushed_release_tag, ExitCode.NOT_UP_TO_DATE, "v1.0.5 is only in this clone"),
        (_no_remote, ExitCode.NO_REMOTE, "there is no remote named origin to push the release"),
        (_no_index_credentials, ExitCode.NO_CREDENTIALS, "no credentials to upload"),
        (_no_github_token, ExitCode.NO_CREDENTIALS, "GITHUB_TOKEN is not set"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_a_failed_check_changes_nothing(
    w: World,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[World, pytest.MonkeyPatch], None],
    code: ExitCode,
    message: str,
) -> None:
    setup(w, monkeypatch)
    before, origin_before = snapshot(w.repo.path), refs(w.origin)

    done = w.publish()

    assert_refused(w, done, code, message)
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) == origin_before


def assert_refused(w: World, done: Published, code: ExitCode, message: str) -> None:
    assert done.code == code, done.err
    (line,) = done.error_lines
    assert message in line
    assert " — " in line  # and what to do about it
    assert done.report["failure"]["step"] == "check"
    assert [s["name"] for s in done.report["steps"]] == ["check"]
    assert w.index_files() == {}
    assert w.github.requests == []


def test_a_version_already_on_the_index_is_refused(w: World, sample_110: list[Path]) -> None:
    upload(sample_110, resolve_target(w.index.url))
    before, origin_before, held = snapshot(w.repo.path), refs(w.origin), w.index_files()

    done = w.publish()

    assert done.code == ExitCode.ALREADY_ON_INDEX, done.err
    (line,) = done.error_lines
    where = w.index.url.removeprefix("http://").rstrip("/")
    assert f"sample-pkg 1.1.0 is already on {where} ({WHEEL}, {SDIST})" in line
    assert "release the next version" in line
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) == origin_before
    assert w.index_files() == held
    assert w.github.requests == []


# --- --no-push: local only, nothing public -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("more", [[], ["--no-github"]], ids=["no-push", "no-push-no-github"])
def test_no_push_keeps_the_release_local_and_a_plain_publish_finishes_it(
    w: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, more: list[str]
) -> None:
    origin_before = refs(w.origin)
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))

    local = w.publish("--no-push", *more)

    assert local.code == ExitCode.OK, local.err
    said = "--no-push: the release commit and tag stay in this clone: no upload and no GitHub "
    assert said + "release (nothing goes public before the release is on the remote)" in local.err
    assert "v1.1.0 is only in this clone: nothing was pushed, uploaded or published" in local.err
    assert "autorelease: tagged locally: 1.1.0 (v1.1.0) in " in local.err
    assert "released" not in local.err
    assert local.report["outcome"] == "tagged locally"
    steps = {s["name"]: (s["status"], s["detail"]) for s in local.report["steps"]}
    assert steps["push"] == ("skipped", "--no-push")
    assert steps["upload"] == ("skipped", "v1.1.0 is not on origin (--no-push)")
    github = "--no-github" if more else "v1.1.0 is not on origin (--no-push)"
    assert steps["github"] == ("skipped", github)
    assert {"released=false", "outcome=tagged locally"} <= set(outputs.read_text().splitlines())
    assert git_out(w.repo.path, "rev-parse", "v1.1.0^{}") == w.repo.head()  # tagged here
    assert refs(w.origin) == origin_before
    assert w.index_files() == {}
    assert w.github.requests == []

    done = w.publish(*more)

    assert done.code == ExitCode.OK, done.err
    assert done.report["outcome"] == "released"
    assert git_out(w.origin, "rev-parse", "v1.1.0^{}") == w.repo.head()
    assert git_out(w.origin, "log", "--format=%s", "main").count("chore(release)") == 1
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    assert len(w.github.releases) == (0 if more else 1)


@pytest.mark.slow
def test_no_push_finishes_a_release_whose_tag_is_on_the_remote(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/recovery.md: main moved on, so finish from a clone whose main is set to the tag."""
    interrupt_at(w, monkeypatch, "push --atomic", after=True)  # Ctrl-C as the push ends
    assert w.publish().code == ExitCode.INTERRUPTED
    w.repo.commit("fix: greet politely", ("src/sample_pkg/greet.py", GREET_POLITELY))
    w.repo.git("push", "-q", "origin", "main")
    finish = w.clone("finish")
    git_out(finish, "checkout", "-q", "-B", "main", "v1.1.0", check=True)

    done = w.publish("--no-push", path=finish)

    assert done.code == ExitCode.OK, done.err
    assert done.report["outcome"] == "released"
    steps = {s["name"]: (s["status"], s["detail"]) for s in done.report["steps"]}
    assert steps["push"] == ("skipped", "--no-push: v1.1.0 is on the remote")
    assert steps["upload"][1].startswith("sent 2, already there 0")
    assert sorted(w.index_files()) == [WHEEL, SDIST]
    assert len(w.github.releases) == 1


@pytest.mark.slow
def test_without_a_changelog_publish_writes_none_and_a_rerun_takes_the_notes_from_the_commits(
    w: World,
) -> None:
    """changelog_file = "" keeps no changelog: the release commit has none, and the GitHub
    release of a release finished by a re-run lists the commits, as the plan would have."""
    with (w.repo.path / "pyproject.toml").open("a") as out:
        out.write('changelog_file = ""\n')  # in [tool.autorelease], the file's last table
    w.repo.git("commit", "-q", "-am", "chore: keep no changelog")
    w.repo.git("push", "-q", "origin", "main")

    local = w.publish("--no-push")
    done = w.publish()

    assert (local.code, done.code) == (ExitCode.OK, ExitCode.OK), local.err + done.err
    assert "v1.1.0 is tagged here: finishing what is missing" in done.err
    changed = git_out(w.repo.path, "show", "--name-only", "--format=", "v1.1.0^{commit}")
    assert changed.splitlines() == ["pyproject.toml", "src/sample_pkg/__init__.py"]
    assert not (w.repo.path / "CHANGELOG.md").exists()
    release = w.github.release("v1.1.0")
    assert release is not None
    assert "### Features\n\n- greet people (" in release.body
    assert done.report["previous_tag"] == "v1.0.0"


@pytest.mark.slow
def test_a_rerun_finishes_a_prerelease_counting_from_the_release_the_plan_chose(
    w: World,
) -> None:
    """An abandoned 2.0.0a1 before the 1.1.0 release: the alpha after 1.1.0 counts from 1.1.0,
    in the first run and in the run that finishes it (which once took the highest tag)."""
    w.repo.tag("v2.0.0a1")
    w.repo.commit("fix: greet politely", ("src/sample_pkg/greet.py", GREET_POLITELY))
    w.repo.tag("v1.1.0")
    w.repo.commit("fix: c", ("c.txt", "c\n"))
    w.repo.git("push", "-q", "origin", "main", "v2.0.0a1", "v1.1.0")

    local = w.publish("--no-push", "--pre", "a")
    done = w.publish("--pre", "a")

    assert (local.code, done.code) == (ExitCode.OK, ExitCode.OK), local.err + done.err
    assert (local.report["tag"], done.report["tag"]) == ("v1.1.1a1", "v1.1.1a1")
    assert local.report["previous_tag"] == done.report["previous_tag"] == "v1.1.0"


def test_the_dry_run_of_no_push_says_nothing_goes_public(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    from autorelease.cli.main import main

    code = main(["-C", str(w.repo.path), "publish", "--dry-run", "--offline", "--no-push"])

    out = capsys.readouterr().out
    assert code == ExitCode.OK
    steps = out.split("Steps publish would take:\n")[1].splitlines()
    assert steps == [
        "  1. check: clean working tree, release branch, tag v1.1.0 free in this clone",
        "  2. write pyproject.toml, src/sample_pkg/__init__.py, CHANGELOG.md; commit and tag "
        "v1.1.0 locally",
        "  3. run the tests",
        "  4. build sdist and wheel into a fresh directory; twine check --strict; check the "
        "version",
        "  5. no push (--no-push): the release commit and tag stay in this clone",
        "  6. no upload (--no-push: nothing goes public before the release is on the remote)",
        "  7. no GitHub release (--no-push: nothing goes public before the release is on the "
        "remote)",
    ]


# --- dry run, shallow clones --------------------------------------------------------------------


def test_dry_run_changes_nothing(w: World, capsys: pytest.CaptureFixture[str]) -> None:
    before, origin_before = snapshot(w.repo.path), refs(w.origin)
    capsys.readouterr()

    from autorelease.cli.main import main

    code = main(["-C", str(w.repo.path), "publish", "--dry-run", "--repository", w.index.url])

    out = capsys.readouterr().out
    assert code == ExitCode.OK
    assert "1.1.0" in out
    assert "push the release commit and v1.1.0 atomically" in out
    assert f"upload to {w.index.url}" in out
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) == origin_before
    assert w.index_files() == {}
    assert {r.method for r in w.github.requests} <= {"GET"}  # it may look, never write
    assert w.github.releases == {}


def test_a_shallow_clone_is_deepened_before_planning(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    shallow = w.repo.path.parent / "shallow"
    url = f"file://{w.origin}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(shallow)], check=True)
    assert git_out(shallow, "rev-parse", "--is-shallow-repository") == "true"
    interrupt_at(w, monkeypatch, "add --")  # Ctrl-C as the release commit is made

    done = w.publish(path=shallow)

    assert done.code == ExitCode.INTERRUPTED, done.err
    assert "fetched the full history and tags of this shallow clone" in done.err
    assert git_out(shallow, "rev-parse", "--is-shallow-repository") == "false"
    assert done.report["version"] == "1.1.0"  # v1.0.0 is known: not a first release
    assert done.report["failure"]["step"] == "commit"


# --- pre-releases -------------------------------------------------------------------------------


@pytest.mark.slow
def test_test_releases_then_the_final_release(w: World) -> None:
    first = w.publish("--test")
    assert first.code == ExitCode.OK, first.err
    w.repo.commit("fix: greet politely", ("src/sample_pkg/greet.py", GREET_POLITELY))
    w.repo.git("push", "-q", "origin", "main")
    second = w.publish("--test")
    assert second.code == ExitCode.OK, second.err
    final = w.publish()
    assert final.code == ExitCode.OK, final.err

    assert [r.report["version"] for r in (first, second, final)] == ["1.1.0a1", "1.1.0a2", "1.1.0"]
    assert [r.report["previous_tag"] for r in (first, second, final)] == [
        "v1.0.0",
        "v1.1.0a1",
        "v1.0.0",
    ]
    tags = [t for t in refs(w.origin) if t.startswith("refs/tags/")]
    assert sorted(tags) == [f"refs/tags/v{v}" for v in ("1.0.0", "1.1.0", "1.1.0a1", "1.1.0a2")]
    assert sorted(w.index_files()) == sorted(
        f"sample_pkg-{v}{end}"
        for v in ("1.1.0a1", "1.1.0a2", "1.1.0")
        for end in ("-py3-none-any.whl", ".tar.gz")
    )
    flags = {}
    for tag in ("v1.1.0a1", "v1.1.0a2", "v1.1.0"):
        release = w.github.release(tag)
        assert release is not None
        assert len(release.assets) == 2
        flags[tag] = release.prerelease
    assert flags == {"v1.1.0a1": True, "v1.1.0a2": True, "v1.1.0": False}
    assert 'version = "1.1.0"' in (w.repo.path / "pyproject.toml").read_text()
    changelog = (w.repo.path / "CHANGELOG.md").read_text()
    final_section = changelog.split("## 1.1.0 ")[1].split("\n## ")[0]
    assert "greet people" in final_section
    assert "greet politely" in final_section


GREET_POLITELY = 'def greet(name: str) -> str:\n    return f"Good day, {name}."\n'


@pytest.mark.slow
def test_a_rerun_of_a_finished_release_changes_nothing_and_says_so(
    w: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert w.publish().code == 0
    files, posts = w.index_files(), len(w.github.requests_matching("POST", ".*"))
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv(HOOK_ENV, "exit 1")  # the tests must not run again: they would fail

    again = w.publish()

    assert again.code == 0, again.err
    assert again.report["outcome"] == "already released"
    steps = {s["name"]: s for s in again.report["steps"]}
    assert steps["tests"]["status"] == "skipped"
    assert steps["github"]["status"] == "skipped"
    assert w.index_files() == files
    assert len(w.github.requests_matching("POST", ".*")) == posts
    assert {"released=false", "outcome=already released"} <= set(outputs.read_text().splitlines())
    assert "what this run found and did: push done: already on the remote; upload done: sent 0, " \
        "already there 2" in again.err  # fmt: skip
