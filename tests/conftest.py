"""Shared fixtures: git isolated from the machine, and repositories described as data.

Every helper that several test modules use lives here once: the sample project (`PYPROJECT`,
`sample_project`), the `project` and `released` repositories, and `snapshot` of a work tree.
Each test gets its own temp dirs and (in index_server.py, github_fake.py) its own ports, so the
suite runs in parallel under pytest-xdist.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

EPOCH = 1_700_000_000  # 2023-11-14: every commit in a test gets a date counted from here
# A test that starts a package index (and so the release world), pre-commit's hooks or actionlint
# takes seconds: it is slow whether or not it says so, so `-m "not slow"` never waits for one.
SLOW_FIXTURES = frozenset(
    {"pypiserver_index", "devpi_server", "actionlint", "hooked", "raw_hooked", "installed"}
)


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects by the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use a SLOW_FIXTURES slow, and start the slow tests first: under
    xdist a long test then never runs alone at the end while the other workers are idle."""
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], Any]
) -> Any:
    """The JSON value MAKE returns, made once per test run: every xdist worker has its own
    session, so the first worker to ask makes it (under a lock) and the others read it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's temp dir, which holds every worker's basetemp
    path = root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            path.write_text(json.dumps(make()))
        return json.loads(path.read_text())


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
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """twine and our pre-flight check never reach the machine's keyring."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


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


README = "# {name}\n\nA sample project built by the tests.\n"
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A sample project built by the tests."
readme = {{file = "README.md", content-type = "{content_type}"}}
requires-python = ">=3.9"

[tool.ruff]
target-version = "py311"
"""


def pyproject_toml(name: str, version: str, content_type: str = "text/markdown") -> str:
    """The sample project's pyproject.toml (hatchling, a README) for NAME at VERSION."""
    return PYPROJECT.format(name=name, version=version, content_type=content_type)


def sample_project(
    path: Path,
    name: str = "sample-pkg",
    version: str = "1.0.0",
    *,
    readme: str | None = None,
    content_type: str = "text/markdown",
) -> Path:
    """Write a tiny hatchling project at PATH whose module holds its version; return PATH."""
    module = name.replace("-", "_")
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(pyproject_toml(name, version, content_type))
    (path / "README.md").write_text(readme if readme is not None else README.format(name=name))
    package = path / "src" / module
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(f'__version__ = "{version}"\n')
    return path


def uv(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """The real uv (installed with the tests), offline: a project's own packages need no index."""
    env = {**os.environ, "UV_OFFLINE": "1", "UV_NO_CACHE": "1"}
    command = [sys.executable, "-m", "uv", *args]
    return subprocess.run(
        command, cwd=repo.path, env=env, capture_output=True, text=True, check=False
    )


GOLDEN = Path(__file__).parent / "golden"


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; AUTORELEASE_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("AUTORELEASE_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def git_out(path: Path, *args: str, check: bool = False) -> str:
    proc = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=check)
    return proc.stdout.strip()


def refs(path: Path) -> dict[str, str]:
    """Every branch and tag of the repository at PATH, with what it points to."""
    out = git_out(
        path, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"
    )
    return dict(line.split(" ", 1) for line in out.splitlines())


def snapshot(path: Path, *, git_files: bool = False) -> dict[str, Any]:
    """HEAD, the refs, the index, the status and every file of the work tree (ignored ones too)
    by sha256; with GIT_FILES also every file of .git but its objects (what a dry run leaves)."""
    files = {
        p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and _kept(p.relative_to(path).parts, git_files)
    }
    return {
        "head": git_out(path, "symbolic-ref", "-q", "HEAD") or git_out(path, "rev-parse", "HEAD"),
        "commit": git_out(path, "rev-parse", "HEAD"),
        "refs": refs(path),
        "index": git_out(path, "ls-files", "--stage"),
        "status": git_out(path, "--no-optional-locks", "status", "--porcelain", "-uall"),
        "files": files,
    }


def _kept(parts: tuple[str, ...], git_files: bool) -> bool:
    if parts[0] != ".git":
        return True
    return git_files and "objects" not in parts


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repository on branch main."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return GitRepo(path)


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """A repository holding the sample project (sample-pkg) at version 1.0.0, committed."""
    sample_project(repo.path)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: initial project")
    return repo


@pytest.fixture
def released(project: GitRepo) -> GitRepo:
    """PROJECT with `feat: a` tagged v1.0.0, then `fix: b` (closing #4) and `feat(x): c`: the
    next release is 1.1.0 (minor)."""
    project.history([("feat: a", "v1.0.0"), ("fix: b\n\nCloses #4", None), ("feat(x): c", None)])
    return project


@pytest.fixture
def origin(repo: GitRepo, tmp_path: Path) -> Path:
    """A bare repository on a local path, registered as `origin` of REPO."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    return bare
