"""`publish --dry-run` reads what the remote, the index and GitHub hold, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from autorelease.cli.main import main
from conftest import GitRepo, snapshot
from github_fake import FakeGitHub
from index_server import LocalIndex

pytest_plugins = ["index_server"]


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake
    assert not fake.crashes, fake.crashes[0]


@pytest.fixture
def pushed(
    released: GitRepo,
    origin: Path,
    fake_github: FakeGitHub,
    pypiserver_index: LocalIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> GitRepo:
    """RELEASED (next release 1.1.0) pushed to origin, with GitHub and an index."""
    released.git("push", "-q", "origin", "main", "--tags")
    monkeypatch.setenv("GITHUB_API_URL", fake_github.api_url)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake_github.repository)
    monkeypatch.setenv("GITHUB_TOKEN", fake_github.token)
    monkeypatch.setenv("TWINE_USERNAME", pypiserver_index.username)
    monkeypatch.setenv("TWINE_PASSWORD", pypiserver_index.password)
    return released


def dry_run(repo: GitRepo, index: LocalIndex, *extra: str) -> int:
    return main(["-C", str(repo.path), "publish", "--dry-run", "-r", index.url, *extra])


def test_publish_dry_run_shows_an_empty_remote_state(
    pushed: GitRepo,
    pypiserver_index: LocalIndex,
    fake_github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(pushed.path)
    assert dry_run(pushed, pypiserver_index) == 0
    out = capsys.readouterr().out
    assert "Next version   1.1.0" in out
    assert "git remote origin: v1.1.0 is not there yet" in out
    assert "sample-pkg 1.1.0 is not there yet; credentials: TWINE_USERNAME" in out
    assert f"GitHub {fake_github.repository}: no release v1.1.0 yet" in out
    assert "BLOCKS" not in out
    assert fake_github.token not in out
    assert snapshot(pushed.path) == before
    assert not [r for r in fake_github.requests if r.method != "GET"]


def test_publish_dry_run_shows_what_blocks_a_release(
    pushed: GitRepo,
    pypiserver_index: LocalIndex,
    fake_github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (pypiserver_index.packages / "sample_pkg-1.1.0-py3-none-any.whl").write_bytes(b"PK")
    pushed.git("push", "-q", "origin", "HEAD~1:refs/tags/v1.1.0")  # a tag on another commit
    fake_github.add_tag("v1.1.0")
    fake_github.add_release("v1.1.0")
    assert dry_run(pushed, pypiserver_index, "--json") == 0
    state = {f["where"].split()[0]: f for f in json.loads(capsys.readouterr().out)["remote_state"]}
    assert state["git"]["blocks"] is True
    assert "another commit" in state["git"]["state"]
    assert state["index"]["blocks"] is True
    assert "sample_pkg-1.1.0-py3-none-any.whl" in state["index"]["state"]
    assert state["GitHub"]["state"].startswith("release v1.1.0 exists")


def test_offline_and_top_level_dry_run_make_no_lookups(
    pushed: GitRepo,
    pypiserver_index: LocalIndex,
    fake_github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert dry_run(pushed, pypiserver_index, "--offline") == 0
    assert main(["-C", str(pushed.path), "--dry-run"]) == 0
    assert "What the remote" not in capsys.readouterr().out
    assert fake_github.requests == []


def test_an_unreachable_index_is_reported_not_fatal(
    pushed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    down = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    assert main(["-C", str(pushed.path), "publish", "--dry-run", "-r", down]) == 0
    out = capsys.readouterr().out
    assert "index: unknown:" in out or "index 127.0.0.1" in out
    assert "git remote origin: v1.1.0 is not there yet" in out


def test_simple_url_setting_says_where_the_index_is_read(
    pushed: GitRepo, pypiserver_index: LocalIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    (pypiserver_index.packages / "sample_pkg-1.1.0-py3-none-any.whl").write_bytes(b"PK")
    upload = pypiserver_index.url + "upload/"  # derived reads would go to .../upload/simple/
    with (pushed.path / "pyproject.toml").open("a") as out:
        out.write(f'\n[tool.autorelease]\nsimple_url = "{pypiserver_index.simple_url}"\n')
    pushed.git("commit", "-qam", "chore: read the index where it is")
    pushed.git("push", "-q", "origin", "main")
    assert main(["-C", str(pushed.path), "publish", "--dry-run", "-r", upload]) == 0
    assert "BLOCKS index" in capsys.readouterr().out


def test_missing_upload_credentials_block_the_release(
    pushed: GitRepo,
    pypiserver_index: LocalIndex,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")
    assert dry_run(pushed, pypiserver_index) == 0
    out = capsys.readouterr().out
    assert "BLOCKS index" in out
    assert "no credentials to upload (set TWINE_USERNAME and TWINE_PASSWORD" in out


def test_check_remote_adds_the_lookups_to_the_plain_dry_run(
    pushed: GitRepo, pypiserver_index: LocalIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-C", str(pushed.path), "--dry-run", "--check-remote", "-r", pypiserver_index.url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "What the remote, the index and GitHub hold (read-only):" in out
    assert "git remote origin: v1.1.0 is not there yet" in out
