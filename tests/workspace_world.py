"""A release world for a uv workspace: core, plugin (needs core) and cli (needs both).

publish_world's World (a bare origin, a real pypiserver, the GitHub fake) around a workspace
repository instead of the single sample project. Each package is a hatchling project with its
`__version__` in its module; plugin imports core, and cli imports both at import time, so that
importing cli after `pip install cli` proves its dependencies resolved. PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import GitRepo
from index_server import FaultyProxy, LocalIndex
from publish_world import HOOK_ENV, World, world
from test_workspace import add_package

# No version_files: each package's pyproject.toml and __init__.py are found by the planner.
ROOT = f"""\
[tool.uv.workspace]
members = ["packages/*"]

[tool.autorelease]
build_isolation = false
test_command = 'eval "${{{HOOK_ENV}:-true}}"'
"""
NEEDS = {"core": [], "plugin": ["core>=1.0,<2"], "cli": ["core>=1.0,<2", "plugin>=1.0"]}
# What each package's __init__.py holds after its __version__ line.
MODULES = {
    "core": '\n\ndef name() -> str:\n    return "core"\n',
    "plugin": '\nimport core\n\n\ndef name() -> str:\n    return f"plugin on {core.name()}"\n',
    "cli": (
        "\nimport core\nimport plugin\n\n\ndef versions() -> str:\n"
        '    return f"cli {__version__}, core {core.__version__}, plugin {plugin.__version__}"\n'
    ),
}
HELPER = "def helper() -> int:\n    return 1\n" * 5  # moved from core to plugin by the history


def init_py(name: str) -> str:
    return f"packages/{name}/src/{name}/__init__.py"


def make_workspace(repo: GitRepo) -> None:
    """core, plugin and cli at 1.0.0, each tagged {name}-v1.0.0 (annotated) on the first
    commit; everything pushed to origin."""
    repo.write("pyproject.toml", ROOT)
    repo.write("README.md", "# the workspace\n")
    for name, needs in NEEDS.items():
        add_package(repo, name, "1.0.0", needs)
        with (repo.path / init_py(name)).open("a") as out:
            out.write(MODULES[name])
    repo.write("packages/core/src/core/helper.py", HELPER)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: the workspace")
    for name in NEEDS:
        repo.tag(f"{name}-v1.0.0", annotated=True)
    repo.git("push", "-q", "origin", "main", *(f"{name}-v1.0.0" for name in NEEDS))


def full_history(repo: GitRepo) -> None:
    """Commits touching one package, several, none, a rename across packages, a merge and a
    breaking change in core; pushed. Next: core 2.0.0, plugin 1.1.0, cli 1.0.1."""
    repo.commit("feat: plugins can be listed", ("packages/plugin/src/plugin/listing.py", "L = 1\n"))
    repo.commit("fix: the help of cli", ("packages/cli/src/cli/help.py", "H = 1\n"))
    repo.commit(
        "fix: one name for the option",
        ("packages/core/src/core/option.py", "O = 1\n"),
        ("packages/cli/src/cli/option.py", "O = 1\n"),
    )
    repo.commit("docs: the readme", ("README.md", "# the workspace\n\nThree packages.\n"))
    repo.git("mv", "packages/core/src/core/helper.py", "packages/plugin/src/plugin/helper.py")
    repo.commit("feat: the helper lives in plugin")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("fix: a plugin hook", ("packages/plugin/src/plugin/hook.py", "K = 1\n"))
    repo.git("checkout", "-q", "main")
    repo.commit("docs: how to release", ("RELEASING.md", "autorelease publish\n"))
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic")
    repo.git("branch", "-q", "-d", "topic")
    repo.commit("feat(core)!: core speaks v2", ("packages/core/src/core/api.py", "V = 2\n"))
    repo.git("push", "-q", "origin", "main")


def only_cli_history(repo: GitRepo) -> None:
    """One fix in cli, pushed. Next: cli 1.0.1 alone."""
    repo.commit("fix: cli says hello", ("packages/cli/src/cli/hello.py", "HELLO = 1\n"))
    repo.git("push", "-q", "origin", "main")


def package_files(name: str, version: str) -> list[str]:
    """The sdist and wheel of NAME VERSION, as the index names them (sorted)."""
    return sorted([f"{name}-{version}-py3-none-any.whl", f"{name}-{version}.tar.gz"])


@pytest.fixture
def ws(
    repo: GitRepo,
    origin: Path,
    pypiserver_index: LocalIndex,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """The world of a workspace's release job, uploading to a real pypiserver."""
    with world(
        repo=repo, origin=origin, index=pypiserver_index, upload_url=pypiserver_index.url,
        capsys=capsys, monkeypatch=monkeypatch, make=make_workspace,
    ) as it:  # fmt: skip
        yield it


@pytest.fixture
def ws_faulty(
    repo: GitRepo,
    origin: Path,
    faulty_index: FaultyProxy,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[World, FaultyProxy]]:
    """The workspace's world, uploading through a proxy that can fail POSTs."""
    with world(
        repo=repo, origin=origin, index=faulty_index.upstream, upload_url=faulty_index.url,
        capsys=capsys, monkeypatch=monkeypatch, make=make_workspace,
    ) as it:  # fmt: skip
        yield it, faulty_index
