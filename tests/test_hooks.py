"""The hooks for real: pre-commit installs them into a repository, then git commit and git push.

The fast variant (default) mounts the hooks of .pre-commit-hooks.yaml as a `repo: local` with
`language: system` running this interpreter. The slow variant uses the manifest untouched: a
`repo:` pointing at a clone of this project, which pre-commit pip-installs from the package index.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import autorelease
from autorelease.cli.main import main
from autorelease.hooks.check import pushed_ranges
from conftest import GitRepo

REPO_ROOT = Path(__file__).resolve().parents[1]
SRC = Path(autorelease.__file__).resolve().parents[1]
ZERO = "0" * 40


def _manifest() -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    return hooks


def _local_config() -> str:
    """The manifest's hooks, run by this interpreter instead of a pip-installed environment."""
    python = shlex.quote(sys.executable)
    hooks = []
    for hook in _manifest():
        command = hook["entry"].removeprefix("autorelease ")
        hooks.append({**hook, "entry": f"{python} -m autorelease {command}", "language": "system"})
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def _import_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hooks run `python -m autorelease`: let them import the package under test."""
    paths = [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=path, capture_output=True, text=True, check=False, timeout=600)


def _install(repo: GitRepo, config: str) -> None:
    repo.commit("chore: add pre-commit config", (".pre-commit-config.yaml", config))
    proc = _run(
        repo.path, sys.executable, "-m", "pre_commit", "install",
        "--hook-type", "commit-msg", "--hook-type", "pre-push",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _commit(repo: GitRepo, message: str) -> subprocess.CompletedProcess[str]:
    return _run(repo.path, "git", "commit", "--allow-empty", "-m", message)


def _push(repo: GitRepo, *refs: str) -> subprocess.CompletedProcess[str]:
    return _run(repo.path, "git", "push", "origin", *refs)


def _remote_head(origin: Path, branch: str = "main") -> str | None:
    proc = _run(origin, "git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    return proc.stdout.strip() or None


@pytest.fixture
def hooked(repo: GitRepo, origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """REPO with the fast variant of the hooks installed by pre-commit, and a bare origin."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    _import_from_source(monkeypatch)
    _install(repo, _local_config())
    return repo


@pytest.mark.slow
def test_manifest_is_valid_for_pre_commit() -> None:
    proc = _run(REPO_ROOT, sys.executable, "-m", "pre_commit", "validate-manifest",
                ".pre-commit-hooks.yaml")  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_id = {hook["id"]: hook for hook in _manifest()}
    assert by_id["autorelease-commit-msg"]["stages"] == ["commit-msg"]
    assert by_id["autorelease-pre-push"]["pass_filenames"] is False


def test_commit_msg_hook_rejects_a_bad_message_and_shows_the_fix(hooked: GitRepo) -> None:
    before = hooked.head()
    proc = _commit(hooked, "Added search\nit is fast")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert hooked.head() == before
    assert "does not start with a type such as feat or fix (rule 1:" in output
    assert "(rule 6:" in output
    assert "try: feat: added search" in output


@pytest.mark.parametrize(
    "message",
    [
        "feat: add search",
        "fix(api)!: drop v1\n\nBREAKING CHANGE: v1 is gone",
        "Merge branch 'feature' into main",
        "fixup! feat: add search",
    ],
)
def test_commit_msg_hook_accepts_good_and_git_written_messages(
    hooked: GitRepo, message: str
) -> None:
    proc = _commit(hooked, message)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert hooked.git("log", "-1", "--format=%B") == message


def test_pre_push_hook_rejects_a_first_push_with_a_bad_commit(
    hooked: GitRepo, origin: Path
) -> None:
    hooked.history([("feat: search", None), ("Fix login", None), ("docs: readme", None)])
    proc = _push(hooked, "main")
    assert proc.returncode != 0
    assert "Fix login" in proc.stdout + proc.stderr
    assert "try: fix: login" in proc.stdout + proc.stderr
    assert _remote_head(origin) is None


def test_pre_push_hook_checks_only_the_new_commits(hooked: GitRepo, origin: Path) -> None:
    hooked.git("commit", "--allow-empty", "--no-verify", "-m", "Old bad message")
    hooked.git("push", "--no-verify", "origin", "main")
    hooked.commit("feat: good")
    assert _push(hooked, "main").returncode == 0  # the old bad commit is already on the remote
    bad = hooked.commit("Oops")
    proc = _push(hooked, "main")
    assert proc.returncode != 0
    assert f"{bad[:7]} Oops" in proc.stdout + proc.stderr
    assert "Old bad message" not in proc.stdout + proc.stderr
    assert _remote_head(origin) != bad


def test_pre_push_hook_checks_a_new_branch_against_the_remote(
    hooked: GitRepo, origin: Path
) -> None:
    hooked.commit("feat: base")
    assert _push(hooked, "main").returncode == 0
    hooked.git("switch", "-q", "-c", "feature")
    hooked.commit("fix: fine")
    hooked.commit("WIP")
    proc = _push(hooked, "feature")
    assert proc.returncode != 0
    assert "WIP" in proc.stdout + proc.stderr
    assert _remote_head(origin, "feature") is None
    hooked.git("commit", "--amend", "--allow-empty", "--no-verify", "-m", "feat: finished")
    assert _push(hooked, "feature").returncode == 0


# --- as a raw git hook, without pre-commit: git's standard input protocol ----------------------


@pytest.fixture
def raw_hooked(repo: GitRepo, origin: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """REPO whose .git/hooks/pre-push runs `autorelease hook pre-push` directly."""
    _import_from_source(monkeypatch)
    hook = repo.path / ".git" / "hooks" / "pre-push"
    hook.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m autorelease hook pre-push "$@"\n'
    )
    hook.chmod(0o755)
    return repo


@pytest.mark.skipif(os.name == "nt", reason="a shell-script git hook")
def test_raw_pre_push_hook_reads_git_standard_input(raw_hooked: GitRepo, origin: Path) -> None:
    raw_hooked.commit("feat: base")
    assert _push(raw_hooked, "main").returncode == 0
    raw_hooked.commit("bad one")
    proc = _push(raw_hooked, "main")
    assert proc.returncode != 0
    assert "bad one" in proc.stdout + proc.stderr
    raw_hooked.git("commit", "--amend", "--allow-empty", "--no-verify", "-m", "fix: good one")
    assert _push(raw_hooked, "main").returncode == 0
    raw_hooked.git("push", "--no-verify", "origin", "main:doomed")
    assert _push(raw_hooked, ":doomed").returncode == 0  # a deletion sends no commit


@pytest.mark.skipif(os.name == "nt", reason="a shell-script git hook")
def test_a_passing_push_of_one_package_says_what_merging_releases_as_check_does(
    released: GitRepo, origin: Path, raw_hooked: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hook's one line is `check`'s for the same commits: the release, or that none comes."""
    first = released.git("rev-list", "--max-parents=0", "HEAD")
    assert main(["-C", str(released.path), "check", f"{first}..HEAD"]) == 0
    said = capsys.readouterr().out.splitlines()[-1]
    assert said == "merging this releases 1.1.0 (minor) because of feat(x): c"
    proc = _push(released, "main")
    assert (proc.returncode, proc.stdout) == (0, f"{said}\n"), proc.stderr
    released.tag("v1.1.0")
    released.commit("docs: the readme")
    proc = _push(released, "main")
    assert (proc.returncode, proc.stdout) == (
        0, "merging this releases nothing: 1.1.0 stays current\n"
    ), proc.stderr  # fmt: skip
    released.commit("Oops")
    proc = _push(released, "main")
    assert proc.returncode != 0
    assert "merging" not in proc.stdout + proc.stderr  # a refused push previews nothing


def test_pushed_ranges_from_pre_commit_and_from_git(repo: GitRepo, origin: Path) -> None:
    first = repo.commit("feat: a")
    repo.git("push", "-q", "origin", "main")
    second = repo.commit("feat: b")
    env_pc = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": first, "PRE_COMMIT_TO_REF": second}
    assert pushed_ranges(repo.path, env_pc, []) == [(second, (first,))]
    env_root = {"PRE_COMMIT": "1", "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main"}
    assert pushed_ranges(repo.path, env_root, ["ignored"]) == [("refs/heads/main", (first,))]
    assert pushed_ranges(repo.path, {"PRE_COMMIT": "1"}, []) == []
    lines = [
        f"refs/heads/main {second} refs/heads/main {first}",
        f"refs/heads/new {second} refs/heads/new {ZERO}",
        f"(delete) {ZERO} refs/heads/old {first}",
        f"refs/heads/x {second} refs/heads/x {'f' * 40}",  # a remote tip we never fetched
    ]
    assert pushed_ranges(repo.path, {}, lines) == [
        (second, (first,)),
        (second, (first,)),
        (second, (first,)),
    ]


# --- slow: the manifest as other projects use it (pre-commit pip-installs autorelease) --------

_NETWORK_HINTS = (
    "Could not find a version",
    "No matching distribution",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectionError",
    "ProxyError",
)


@pytest.fixture(scope="session")
def project_clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone of this project's committed state, and the commit pre-commit should use."""
    clone = tmp_path_factory.mktemp("autorelease-src") / "autorelease"
    proc = _run(REPO_ROOT, "git", "clone", "-q", "--no-hardlinks", str(REPO_ROOT), str(clone))
    if proc.returncode != 0:
        pytest.skip(f"cannot clone this project: {proc.stderr.strip()}")
    sha = _run(clone, "git", "rev-parse", "HEAD").stdout.strip()
    return clone, sha


@pytest.fixture(scope="session")
def shared_pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the session: the pip install happens once."""
    return tmp_path_factory.mktemp("pre-commit-home-shared")


@pytest.fixture
def installed(
    repo: GitRepo,
    origin: Path,
    project_clone: tuple[Path, str],
    shared_pre_commit_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> GitRepo:
    """REPO using the real manifest from a clone of this project, its environment installed."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(shared_pre_commit_home))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    clone, sha = project_clone
    config = yaml.safe_dump(
        {
            "repos": [
                {
                    "repo": str(clone),
                    "rev": sha,
                    "hooks": [{"id": "autorelease-commit-msg"}, {"id": "autorelease-pre-push"}],
                }
            ]
        }
    )
    _install(repo, config)
    started = time.monotonic()
    proc = _run(repo.path, sys.executable, "-m", "pre_commit", "install-hooks")
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 and any(hint in output for hint in _NETWORK_HINTS):
        pytest.skip(f"pre-commit could not install autorelease from the package index:\n{output}")
    assert proc.returncode == 0, output
    sys.stderr.write(f"pre-commit install-hooks: {time.monotonic() - started:.1f} s\n")
    return repo


@pytest.mark.slow
def test_manifest_hooks_installed_by_pre_commit(installed: GitRepo, origin: Path) -> None:
    rejected = _commit(installed, "Fix login")
    assert rejected.returncode != 0
    assert "try: fix: login" in rejected.stdout + rejected.stderr
    assert _commit(installed, "fix: login").returncode == 0
    installed.git("commit", "--allow-empty", "--no-verify", "-m", "bad")
    pushed = _push(installed, "main")
    assert pushed.returncode != 0
    assert "try: chore: bad" in pushed.stdout + pushed.stderr
    assert _remote_head(origin) is None
