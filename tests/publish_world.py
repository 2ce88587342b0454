"""A release world for publish tests: a project with a bare origin, pypiserver and fake GitHub.

Everything is real except GitHub: git with a bare repository on a local path as origin, a
pypiserver with htpasswd on 127.0.0.1, `python -m build`, twine, and PyGithub talking HTTP to the
fake in github_fake.py. The fake's tags are the bare origin's, as GitHub's tags are the ones
pushed to it. PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autorelease.cli.main import main
from conftest import GitRepo, git_out, sample_project
from github_fake import FakeGitHub, Recorded
from index_server import FaultyProxy, LocalIndex

TOKEN = "ghs_fakeToken0123456789abcd"  # FakeGitHub's default token
HOOK_ENV = "AUTORELEASE_TEST_HOOK"  # the sample's test command runs what this variable holds
# build_isolation = false: hatchling is installed in the test environment, so no build pulls
# it from an index (there is none to reach) and each build takes about a second, not ten.
CONFIG = f"""
[tool.autorelease]
build_isolation = false
version_files = ["pyproject.toml:project.version", "src/sample_pkg/__init__.py:__version__"]
test_command = 'eval "${{{HOOK_ENV}:-true}}"'
"""
GREET = 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n'


class OriginGitHub(FakeGitHub):
    """The fake GitHub, whose tags are those of the bare ORIGIN repository."""

    def __init__(self, origin: Path) -> None:
        super().__init__(token=TOKEN)
        self.origin = origin

    def _get_tag(self, request: Recorded, tag: str) -> tuple[int, Any]:
        sha = git_out(self.origin, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{}}")
        if sha:
            self.tags[tag] = sha
        return super()._get_tag(request, tag)

    def commit_email(self, sha: str) -> str | None:
        return git_out(self.origin, "log", "-1", "--format=%ae", sha) or None

    def comment_posts(self) -> list[Recorded]:
        return self.requests_matching("POST", r"/issues/\d+/comments$")

    def release_posts(self) -> list[Recorded]:
        return self.requests_matching("POST", r"/releases$")

    def asset_posts(self, name: str) -> list[Recorded]:
        return [r for r in self.requests_matching("POST", r"/assets$") if r.query["name"] == name]


@dataclass
class Published:
    """What one `autorelease publish` did: its exit code, stderr and --report."""

    code: int
    err: str
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("autorelease: error:")]


@dataclass
class World:
    """The project clone, its origin, the index and GitHub, and ways to publish."""

    repo: GitRepo
    origin: Path
    index: LocalIndex
    upload_url: str  # the index itself, or a faulty proxy in front of it
    github: OriginGitHub
    tmp: Path
    capsys: pytest.CaptureFixture[str]
    runs: int = 0

    def publish(self, *args: str, path: Path | None = None) -> Published:
        """`autorelease -C PATH publish --repository URL ARGS`, in this process."""
        return self.releasing("publish", *args, path=path)

    def releasing(self, command: str, *args: str, path: Path | None = None) -> Published:
        """`autorelease -C PATH COMMAND --repository URL ARGS` (publish, or a command that
        releases as publish does: rollback), in this process, with a report."""
        self.runs += 1
        report = self.tmp / f"report-{self.runs}.json"
        self.capsys.readouterr()
        argv = ["-C", str(path or self.repo.path), command, "--repository", self.upload_url]
        code = main([*argv, "--report", str(report), *args])
        err = self.capsys.readouterr().err
        sys.stderr.write(err)  # shown by pytest when the test fails
        data = json.loads(report.read_text()) if report.exists() else {}
        return Published(code, err, data)

    def publish_process(self, path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
        """`python -m autorelease` in another process, as a second CI run would be."""
        argv = [sys.executable, "-m", "autorelease", "-C", str(path), "publish"]
        argv += ["--repository", self.upload_url, *args]
        return subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def clone(self, name: str) -> Path:
        """Another clone of origin, as another machine would have it."""
        path = self.tmp / name
        subprocess.run(["git", "clone", "-q", str(self.origin), str(path)], check=True)
        return path

    def index_files(self) -> dict[str, str]:
        """The files on the index, by name, with their sha256."""
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.index.packages.iterdir())
        }


def installed(simple_url: str, venv: Path, requirement: str, code: str) -> str:
    """pip install REQUIREMENT from SIMPLE_URL alone (no other index, no cache, no pip
    configuration of this machine) into a fresh VENV, then what CODE prints there."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [str(python), "-m", "pip", "install", "-q", "--no-cache-dir"]
    subprocess.run([*pip, "--index-url", simple_url, requirement], env=env, check=True)
    return subprocess.run(
        [str(python), "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def git_wrapper(folder: Path, match: str, action: str, *, after: bool, when: str) -> Path:
    """A `git` in FOLDER (put it first on PATH) that runs the shell ACTION on the first call
    whose arguments contain MATCH, instead of git, or AFTER git ran; only once WHEN (a shell
    test) holds. Every other call is the real git. Returns the file it touches when it fires.
    """
    real = shutil.which("git")
    assert real is not None
    folder.mkdir(exist_ok=True)
    fired = folder / "fired"
    first = f'"{real}" "$@"; ' if after else ""
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" {match} "*)\n'
        f'  if [ ! -e "{fired}" ] && {when}; then\n'
        f'    : > "{fired}"; {first}{action}\n'
        "  fi;;\n"
        "esac\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o755)
    return fired


def git_killer(folder: Path, match: str, *, after: bool = False, when: str = "true") -> Path:
    """A `git` that kills its caller (SIGKILL) at MATCH: see git_wrapper."""
    return git_wrapper(folder, match, "kill -9 $PPID; exit 137", after=after, when=when)


def interrupt_at(
    w: World, monkeypatch: pytest.MonkeyPatch, match: str, *, after: bool = False,
    when: str = "true",
) -> Path:  # fmt: skip
    """Ctrl-C at a git call: from now on a `git` first on PATH sends SIGINT to its caller (the
    publish run in this process) at MATCH, as git_wrapper says. Returns the file it touches."""
    folder = w.tmp / "interrupter"
    fired = git_wrapper(folder, match, "kill -INT $PPID; exit 130", after=after, when=when)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return fired


def make_sample(repo: GitRepo) -> None:
    """sample-pkg: 1.0.0 released and tagged, then a feature; everything pushed to origin."""
    sample_project(repo.path)
    with (repo.path / "pyproject.toml").open("a") as out:
        out.write(CONFIG)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: initial project")
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat: greet people", ("src/sample_pkg/greet.py", GREET))
    repo.git("push", "-q", "origin", "main", "v1.0.0")


def own_temp(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FOLDER/system-temp as TMPDIR, for this process and the runs it starts: the build
    directories that runs keep (a failure after the push) or cannot remove (killed) stay in
    the test's folder, not in the machine's /tmp."""
    temp = folder / "system-temp"
    temp.mkdir(exist_ok=True)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    return temp


@contextmanager
def world(
    *,
    repo: GitRepo,
    origin: Path,
    index: LocalIndex,
    upload_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[GitRepo], None] = make_sample,
) -> Iterator[World]:
    """The project MAKE writes (the sample by default) pushed to ORIGIN, and the environment
    of a CI release job."""
    make(repo)
    with OriginGitHub(origin) as github:
        for key, value in {
            "TWINE_USERNAME": index.username,
            "TWINE_PASSWORD": index.password,
            "GITHUB_API_URL": github.api_url,
            "GITHUB_REPOSITORY": github.repository,
            "GITHUB_TOKEN": github.token,
        }.items():
            monkeypatch.setenv(key, value)
        own_temp(repo.path.parent, monkeypatch)
        yield World(repo, origin, index, upload_url, github, repo.path.parent, capsys)
    assert not github.crashes, github.crashes[0]


@pytest.fixture
def w(
    repo: GitRepo,
    origin: Path,
    pypiserver_index: LocalIndex,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """The world of a release job, uploading to a real pypiserver."""
    with world(
        repo=repo, origin=origin, index=pypiserver_index, upload_url=pypiserver_index.url,
        capsys=capsys, monkeypatch=monkeypatch,
    ) as it:  # fmt: skip
        yield it


@pytest.fixture
def faulty(
    repo: GitRepo,
    origin: Path,
    faulty_index: FaultyProxy,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[World, FaultyProxy]]:
    """The world, uploading through a proxy that can fail POSTs and make simple pages lag."""
    with world(
        repo=repo, origin=origin, index=faulty_index.upstream, upload_url=faulty_index.url,
        capsys=capsys, monkeypatch=monkeypatch,
    ) as it:  # fmt: skip
        yield it, faulty_index
