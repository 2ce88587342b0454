"""Shared fixtures: git isolated from the machine, and repositories described as data."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

EPOCH = 1_700_000_000  # 2023-11-14: every commit in a test gets a date counted from here


@pytest.fixture(autouse=True)
def _isolated_git(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test sees the machine's git configuration, identity, hooks or environment."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
        "[advice]\n\tdetachedHead = false\n"
    )
    for key in list(os.environ):
        if key.startswith(("GIT_", "GITHUB_", "TWINE_", "PYPI_")) or key == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test User")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test User")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that tries to reach anything but 127.0.0.1 / ::1 / a unix socket fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach {address!r}: only 127.0.0.1 is allowed")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _autorelease_logs_enabled() -> None:
    """Importing commitizen (some tests do, in this process) runs logging.config.dictConfig,
    which disables every logger that exists then: autorelease's must still reach its handler."""
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("autorelease.") and isinstance(logger, logging.Logger):
            logger.disabled = False


class GitRepo:
    """A real repository in a temp folder, with helpers to describe history as data."""

    def __init__(self, path: Path):
        self.path = path
        self.clock = EPOCH

    def git(self, *args: str, check: bool = True) -> str:
        self.clock += 60
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
            "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
        }
        proc = subprocess.run(
            ["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
        return proc.stdout.strip()

    def write(self, relpath: str, text: str) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def commit(self, message: str, *files: tuple[str, str]) -> str:
        """Commit MESSAGE (with FILES written and added first, or empty)."""
        for relpath, text in files:
            self.write(relpath, text)
            self.git("add", relpath)
        self.git("commit", "--allow-empty", "--no-verify", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, annotated: bool = False, rev: str = "HEAD") -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"release {name}", rev)
        else:
            self.git("tag", name, rev)

    def history(self, entries: Sequence[tuple[str, str | None]]) -> list[str]:
        """Commit each (message, tag-or-None) in order; return the shas."""
        shas = []
        for message, tag in entries:
            shas.append(self.commit(message))
            if tag:
                self.tag(tag)
        return shas

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A test package."
requires-python = ">=3.9"

[tool.ruff]
target-version = "py311"
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repository on branch main."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return GitRepo(path)


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """A repository holding a minimal Python project at version 1.0.0, committed."""
    repo.write("pyproject.toml", PYPROJECT.format(name="sample-pkg", version="1.0.0"))
    repo.write("src/sample_pkg/__init__.py", '__version__ = "1.0.0"\n')
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: initial project")
    return repo


@pytest.fixture
def origin(repo: GitRepo, tmp_path: Path) -> Path:
    """A bare repository on a local path, registered as `origin` of REPO."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    return bare
