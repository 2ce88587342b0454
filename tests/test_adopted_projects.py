"""Lessons from real projects that release with python-semantic-release or commitizen.

Each test is a small repository built in a temp folder with the setting of a real project that
autorelease once read differently from the project's own tool; the docstring names the project.
Where it is cheap, the tool itself (installed with the test extras) decides on the same
repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from autorelease.cli import workflows
from autorelease.cli.main import main
from autorelease.core import config
from autorelease.core.plan import PlanOptions, plan_release
from autorelease.errors import ExitCode
from conftest import GitRepo, uv
from test_bump_rules import PSR, ours, started
from test_differential import BIN, cz_next, psr_next


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- python-roborock: a commit_parser_options key PSR does not have -------------------------

ROBOROCK_OPTIONS = """
[tool.semantic_release.commit_parser_options]
allowed_tags = ["chore", "docs", "feat", "fix", "refactor"]
major_tags = ["refactor"]
"""


@pytest.mark.slow  # runs semantic-release as a process
def test_an_option_the_psr_parser_lacks_is_ignored_as_psr_ignores_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-roborock sets `major_tags = ["refactor"]`, which PSR's conventional parser does
    not have: PSR's options class drops it, so a refactor releases nothing and a fix a patch.
    autorelease used to refuse the whole configuration (exit 13); now it plans what PSR
    plans and warns that the option does nothing."""
    started(repo, tmp_path, PSR + ROBOROCK_OPTIONS, "7.1.1").commit("refactor: rework")
    assert (ours(repo), psr_next(repo.path, "7.1.1")) == (None, None)
    repo.commit("fix(api): retry")
    assert (ours(repo), psr_next(repo.path, "7.1.1")) == ("7.1.2", "7.1.2")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    (warning,) = [w for w in json.loads(out)["warnings"] if "major_tags" in w]
    assert warning.startswith(
        "pyproject.toml [tool.semantic_release]: commit_parser_options.major_tags is not an "
        "option of the conventional parser; python-semantic-release ignores it"
    )


# --- uiprotect: a version_variables entry whose variable is gone ------------------------------

UIPROTECT = PSR + 'version_variables = ["src/uiprotect/__init__.py:__version__"]\n'


@pytest.mark.slow  # runs semantic-release as a process
def test_a_stale_version_variables_entry_is_named_where_it_is_listed(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """uiprotect lists `src/uiprotect/__init__.py:__version__` in version_variables, but its
    __init__.py no longer has a __version__. PSR skips the entry without a word; autorelease
    stops (exit 14, deliberately stricter) and used to say "fix version_files in
    [tool.autorelease]", a table the project does not have. The error names the setting and
    the table the entry is in."""
    started(repo, tmp_path, UIPROTECT, "15.14.2")
    repo.commit("fix(api): handle timeouts", ("src/uiprotect/__init__.py", '"""API."""\n'))
    assert psr_next(repo.path, "15.14.2") == "15.14.3"  # PSR goes on without it
    code, _, err = run(capsys, "-C", repo.path, "--dry-run", "--offline")
    assert code == ExitCode.NO_VERSION
    assert err.strip().endswith(
        "src/uiprotect/__init__.py: no version declaration found (src/uiprotect/__init__.py "
        "__version__) — add one, or remove the entry from version_variables in pyproject.toml "
        "[tool.semantic_release] (python-semantic-release skips it without a word)"
    )


@pytest.mark.parametrize(
    ("table", "setting"),
    [
        (PSR.replace("pyproject.toml:project.version", "VERSION.toml:version"),
         "fix version_toml in pyproject.toml [tool.semantic_release]"),
        (PSR + 'version_variables = ["src/gone.py:__version__"]\n',
         "fix version_variables in pyproject.toml [tool.semantic_release]"),
        ('[project]\nname = "p"\nversion = "{v}"\n\n[tool.commitizen]\n'
         'version_provider = "pep621"\nversion_files = ["src/gone.py"]\n',
         "fix version_files (or version_provider) in pyproject.toml [tool.commitizen]"),
        ('[project]\nname = "p"\nversion = "{v}"\n\n[tool.autorelease]\n'
         'version_files = ["src/gone.py"]\n',
         "fix version_files in pyproject.toml [tool.autorelease]"),
    ],
)  # fmt: skip
def test_a_missing_version_file_names_the_setting_that_lists_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, setting: str
) -> None:
    started(repo, tmp_path, table, "1.0.0").commit("fix: a")
    code, _, err = run(capsys, "-C", repo.path, "--dry-run", "--offline")
    assert code == ExitCode.NO_VERSION
    assert "does not exist but " in err
    assert err.strip().endswith(f"names it — {setting}")


def test_init_leaves_out_the_stale_entry_and_says_so(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """uiprotect again: `init` carried the stale `__init__.py:__version__` entry into
    [tool.autorelease], a table whose first dry run stops (exit 14). PSR skips the entry, so
    init leaves it out and says why."""
    started(repo, tmp_path, UIPROTECT, "15.14.2")
    repo.commit("fix(api): handle timeouts", ("src/uiprotect/__init__.py", '"""API."""\n'))
    code, out, err = run(capsys, "-C", repo.path, "init", "--dry-run")
    assert code == ExitCode.OK, err
    assert '+version_files = ["pyproject.toml:project.version"]' in out
    assert (
        "version_files: 'src/uiprotect/__init__.py:__version__:nf' left out: pyproject.toml "
        "[tool.semantic_release] lists it, but there is no version there (the tool skips it; "
        "autorelease would stop at it)"
    ) in out + err
    code, _, err = run(capsys, "-C", repo.path, "init", "--yes")
    assert code == ExitCode.OK, err
    repo.git("add", ".")
    repo.git("commit", "-qm", "chore: adopt autorelease")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["next_version"] == "15.14.3"


# --- deezer-python, python-roborock: uv.lock, moved by PSR's build_command --------------------

DEEZER = """
[tool.semantic_release]
version_variables = ["src/sample_pkg/__init__.py:__version__"]
version_toml = ["pyproject.toml:project.version"]
build_command = "pip install uv\\nuv lock\\ngit add uv.lock\\nuv build\\n"
"""


@pytest.mark.parametrize(
    "table",
    [DEEZER, '\n[tool.autorelease]\nversion_files = ["src/sample_pkg/__init__.py:__version__"]\n'],
)
def test_uv_lock_moves_with_the_version_the_other_files_list(
    project: GitRepo, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    """deezer-python and python-roborock list pyproject.toml and __init__.py in
    [tool.semantic_release]; their build_command runs `uv lock` and `git add uv.lock`, so
    PSR's release commit moves the project's entry in uv.lock too. autorelease builds with
    `python -m build` and used to leave the lock behind: `uv sync --locked` then failed on
    the released commit. A lock that records the static version moves with it, listed or
    not, as [project].version does."""
    (project.path / "pyproject.toml").write_text(
        (project.path / "pyproject.toml").read_text() + table
    )
    made = uv(project, "lock")
    assert made.returncode == 0, made.stderr
    project.git("add", ".")
    project.git("commit", "-qm", "build: lock")
    project.history([("feat: a", "v1.0.0"), ("fix: b", None)])
    code, out, err = run(capsys, "-C", project.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    changes = {c["path"]: c["after"] for c in json.loads(out)["file_changes"]}
    assert sorted(changes) == [
        "CHANGELOG.md", "pyproject.toml", "src/sample_pkg/__init__.py", "uv.lock"
    ]  # fmt: skip
    for path, after in changes.items():  # the release's files, as publish writes them
        (project.path / path).write_text(after)
    assert 'version = "1.0.1"' in changes["uv.lock"]
    checked = uv(project, "lock", "--check")
    assert checked.returncode == 0, checked.stderr


# --- dataclasses-avroschema, uiprotect, python-roborock: a `!` without a footer ---------------

CZ = (
    '[project]\nname = "p"\nversion = "{v}"\n\n[tool.commitizen]\nversion_provider = "pep621"\n'
    'tag_format = "v$version"\n'
)
TOOLS = {"cz": CZ, "psr": PSR}
FOOTER = "\n\nBREAKING CHANGE: the old call is gone"


def titles_by_the_tool(repo: GitRepo, tool: str, tmp_path: Path) -> list[str]:
    """The section titles cz or PSR itself writes in the new release's changelog section."""
    return _titles(changelog_by_the_tool(repo, tool, tmp_path))


def changelog_by_the_tool(repo: GitRepo, tool: str, tmp_path: Path) -> str:
    """The changelog cz or PSR itself writes for the next release, in a clone."""
    clone = tmp_path / f"{tool}-clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    subprocess.run(["git", "remote", "set-url", "origin", "https://github.com/o/r.git"],
                   cwd=clone, check=True)  # fmt: skip
    argv = (
        [str(BIN / "cz"), "bump", "--files-only", "--yes", "--changelog"]
        if tool == "cz"
        else [str(BIN / "semantic-release"), "version", "--no-commit", "--no-tag",
              "--no-push", "--no-vcs-release", "--skip-build"]
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run(argv, cwd=clone, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (clone / "CHANGELOG.md").read_text()


def _titles(text: str) -> list[str]:
    """The `### ` titles of the first release section of TEXT."""
    first = re.split(r"(?m)^## ", text)[1]
    return [line[4:] for line in first.splitlines() if line.startswith("### ")]


@pytest.mark.slow  # runs cz or semantic-release as a process
@pytest.mark.parametrize("tool", sorted(TOOLS))
@pytest.mark.parametrize("footer", [False, True])
def test_a_bang_alone_lists_no_breaking_change_as_the_tools_list_none(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], tool: str, footer: bool
) -> None:
    """`feat!: new api` in dataclasses-avroschema (commitizen), `feat(data)!: drop legacy
    fields` in uiprotect and `refactor!: rework` in python-roborock (PSR): cz and PSR list
    the commit under its type only; their "BREAKING CHANGE" / "Breaking Changes" section
    holds the text of BREAKING CHANGE footers. autorelease used to list the description
    there too, a second time; under their rules it lists footers only, as they do."""
    started(repo, tmp_path, TOOLS[tool], "1.0.0")
    repo.commit("fix: handle nulls")
    repo.commit("feat!: new api" + (FOOTER if footer else ""))
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    section = json.loads(out)["changelog"]
    ours = [line[4:] for line in section.splitlines() if line.startswith("### ")]
    theirs = titles_by_the_tool(repo, tool, tmp_path)
    assert [t.casefold() for t in ours] == [t.casefold() for t in theirs]
    assert any("breaking" in t.casefold() for t in ours) is footer


# --- dataclasses-avroschema, kstreams: the upload is in a script the tag's workflow runs -------

ON_TAG = """\
on:
  push:
    tags: ['*']
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Publish
        run: {run}
"""
PUBLISH = '#!/bin/bash -e\n. .venv/bin/activate\n# upload\npoetry publish --build -u "$U" -p "$P"\n'


@pytest.mark.parametrize(
    ("run_line", "script"),
    [("./scripts/publish", "scripts/publish"), ("bash -e release.sh --yes", "release.sh")],
)
def test_a_script_the_tag_workflow_runs_is_read_for_the_upload(
    tmp_path: Path, run_line: str, script: str
) -> None:
    """dataclasses-avroschema and kstreams upload from `publish.yaml` / `pythonpublish.yaml`,
    started by any tag, whose step runs `./scripts/publish`, which runs `poetry publish`.
    `init` read only the workflow's own lines and missed it: the tag autorelease pushes would
    start a second upload of the same version. The repository's shell scripts a step runs
    are read too."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "publish.yaml").write_text(ON_TAG.format(run=run_line))
    (tmp_path / script).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / script).write_text(PUBLISH)
    found = workflows.survey(tmp_path)
    (retire,) = found.retire
    assert (retire.file, retire.job, retire.whole_file) == (".github/workflows/publish.yaml",
                                                           "deploy", True)  # fmt: skip
    (step,) = retire.steps
    assert (step.tool, step.releases) == ("upload to PyPI", True)
    assert step.runs == f'{run_line}, which runs poetry publish --build -u "$U" -p "$P"'
    lines = workflows.describe(found)
    assert lines[1] == (
        "  .github/workflows/publish.yaml: delete the file, every job in it releases (runs on "
        "push of a tag *: the tag and release autorelease makes start it)"
    )


@pytest.mark.parametrize(
    "run_line", ["./scripts/publish", "make publish", "poetry install", "./missing.sh"]
)
def test_a_script_that_does_not_release_or_is_not_there_is_left_alone(
    tmp_path: Path, run_line: str
) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yaml").write_text(ON_TAG.format(run=run_line))
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "publish").write_text("#!/bin/sh\necho poetry publish\npytest\n")
    (tmp_path / "make").write_text("poetry publish\n")  # a file named like the command
    assert workflows.survey(tmp_path).found == ()


def test_a_script_through_a_link_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "publish").write_text(PUBLISH)
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "p.yaml").write_text(ON_TAG.format(run="./scripts/publish"))
    (root / "scripts").symlink_to(outside)
    assert workflows.survey(root).found == ()


# --- telemetree-python: commitizen's settings in cz.json --------------------------------------

CZ_SETTINGS = {
    "name": "cz_conventional_commits",
    "tag_format": "$version",
    "version_scheme": "semver",
    "version": "0.4.0",
    "update_changelog_on_bump": True,
    "major_version_zero": True,
}
SETUP_PY = 'from setuptools import setup\n\nsetup(name="telemetree", packages=[])\n'


def cz_file(name: str) -> str:
    if name.endswith(".json"):
        return json.dumps({"commitizen": CZ_SETTINGS}, indent=2) + "\n"
    return yaml.safe_dump({"commitizen": CZ_SETTINGS}, sort_keys=False)


@pytest.mark.slow  # runs cz as a process
@pytest.mark.parametrize("name", [".cz.json", "cz.json", ".cz.yaml", "cz.yaml"])
def test_commitizen_settings_in_json_or_yaml_are_read_as_cz_reads_them(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """telemetree-python keeps commitizen's settings in cz.json (tag_format "$version",
    major_version_zero, the version itself). autorelease read only TOML: it found no release
    tag of the format v{version} and planned the whole history as a first release of 0.4.0,
    which is out already. It reads .cz.json, cz.json, .cz.yaml and cz.yaml, in cz's order,
    and rewrites the version in them as `cz bump` does."""
    repo.git("remote", "add", "origin", "https://github.com/o/r.git")
    repo.commit("chore: start", (name, cz_file(name)), ("setup.py", SETUP_PY))
    repo.tag("0.4.0")
    repo.commit("fix(client): retry")
    repo.commit("feat!: new api")
    assert cz_next(repo.path) == "0.5.0"  # major_version_zero: a breaking change is a minor
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    plan = json.loads(out)
    assert (plan["last_tag"], plan["next_version"], plan["tag"]) == ("0.4.0", "0.5.0", "0.5.0")
    assert plan["bump_rules"] == "commitizen cz_conventional_commits"
    (change,) = [c for c in plan["file_changes"] if c["path"] == name]
    before, after = change["before"], change["after"]
    assert [a for a, b in zip(after.splitlines(), before.splitlines(), strict=True) if a != b] == [
        a for a in after.splitlines() if "0.5.0" in a
    ]  # one line changed, the rest as it was
    clone = tmp_path / "cz-clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    bumped = subprocess.run(
        [str(BIN / "cz"), "bump", "--files-only", "--yes"], cwd=clone, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    load = json.loads if name.endswith(".json") else yaml.safe_load
    assert load(after) == load((clone / name).read_text())


def test_commitizen_s_json_file_comes_before_pyproject_as_in_cz(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "chore: start",
        ("cz.json", cz_file("cz.json")),
        ("pyproject.toml", '[tool.commitizen]\ntag_format = "v$version"\nversion = "0.4.0"\n'),
    )
    repo.tag("0.4.0")
    repo.commit("fix: a")
    code, out, err = run(capsys, "-C", repo.path, "status")
    assert code == ExitCode.OK, err
    assert "last tag       0.4.0" in out


def test_a_cz_json_that_is_not_commitizen_s_is_left_alone(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """cz.json is also the Czech strings of a translated project, and such a file need not
    be strict JSON: one that does not name commitizen is not read."""
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n'),
        ("cz.json", '{"hello": "Ahoj", // komentář\n}'),
    )
    repo.tag("v1.0.0")
    repo.commit("fix: a")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["bump_rules"] == "autorelease"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("cz.json", '{"commitizen": {"version": "1.0.0",}}', "cz.json is not valid JSON: "),
        (".cz.yaml", "commitizen:\n  version: [1.0.0\n", ".cz.yaml is not valid YAML: "),
    ],
)
def test_a_broken_commitizen_json_or_yaml_file_is_a_config_error(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    repo.commit("chore: start", (name, text))
    code, _, err = run(capsys, "-C", repo.path, "--dry-run", "--offline")
    assert code == ExitCode.CONFIG
    assert f"autorelease: error: {message}" in err
    assert err.strip().endswith(f"— fix the syntax in {repo.path / name}")
    assert len(err.strip().splitlines()) == 1


# --- qnexus: cz_customize maps several change types to one title ------------------------------

CUSTOMIZE = """\
[tool.commitizen]
name = "cz_customize"
tag_format = "v$version"
version = "0.37.1"

[tool.commitizen.customize]
bump_pattern = "^(feat|fix|docs|ci|chore)"
bump_map = {feat = "MINOR", fix = "PATCH"}
commit_parser = "^(?P<change_type>feat|fix|docs|ci|chore)(?:\\\\((?P<scope>[^()\\\\r\\\\n]*)\\\\))?:\\\\s(?P<message>.*)?"
change_type_map = {feat = "Added", fix = "Fixed", docs = "Internal", ci = "Internal", chore = "Internal"}
change_type_order = ["Added", "Fixed", "Internal"]
"""  # noqa: E501


@pytest.mark.slow  # runs cz as a process
def test_change_types_titled_alike_make_one_section_as_in_cz(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """qnexus's cz_customize maps docs, ci, chore and more to "Internal": cz lists one
    Internal section, its entries in commit order. autorelease wrote one "### Internal"
    per commit type, four in a row."""
    repo.git("remote", "add", "origin", "https://github.com/o/r.git")
    repo.commit("chore: start", (".cz.toml", CUSTOMIZE))
    repo.tag("v0.37.1")
    for message in ("docs: badge", "feat: search", "ci: actions", "fix: cost", "chore: lock",
                    "docs: changelog"):  # fmt: skip
        repo.commit(message)
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    section = json.loads(out)["changelog"]
    ours = [(line[4:] if line.startswith("### ") else line[2:].split(" (")[0])
            for line in section.splitlines() if line.startswith(("### ", "- "))]  # fmt: skip
    clone = tmp_path / "cz-clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    bumped = subprocess.run(
        [str(BIN / "cz"), "bump", "--files-only", "--yes", "--changelog"], cwd=clone,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    text = re.split(r"(?m)^## ", (clone / "CHANGELOG.md").read_text())[1]
    theirs = [(line[4:] if line.startswith("### ") else line[2:])
              for line in text.splitlines() if line.startswith(("### ", "- "))]  # fmt: skip
    assert ours == theirs == [
        "Added", "search", "Fixed", "cost", "Internal", "changelog", "lock", "actions", "badge",
    ]  # fmt: skip


# --- py2puml, python-datemath: PSR's settings in releaserc.toml --------------------------------

RELEASERC = """\
[{table}]
version_toml = ["pyproject.toml:project.version"]
major_on_zero = false
allow_zero_version = true
tag_format = "{{version}}"
"""


@pytest.mark.slow  # runs semantic-release as a process
@pytest.mark.parametrize(
    ("name", "table"), [("releaserc.toml", "semantic_release"),
                        (".releaserc.toml", "tool.semantic_release")]
)  # fmt: skip
def test_psr_settings_in_releaserc_toml_are_read(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, table: str
) -> None:
    """py2puml keeps PSR's settings in releaserc.toml (its workflow runs `semantic-release -c
    releaserc.toml version`), python-datemath in .releaserc.toml: tag_format "{version}",
    major_on_zero = false. autorelease read only pyproject.toml: it found no tag of the format
    v{version} and planned the whole history as a first release of 0.11.0, released already.
    Without a table in pyproject.toml, it reads either file as PSR does with --config."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "0.11.0"\n'),
        (name, RELEASERC.format(table=table)),
    )
    repo.tag("0.11.0")
    repo.commit("fix: render enums")
    repo.commit("feat!: new cli")
    printed = subprocess.run(
        [str(BIN / "semantic-release"), "-c", name, "--noop", "version", "--print"],
        cwd=repo.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip().splitlines()[-1] == "0.12.0"
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    plan = json.loads(out)
    assert (plan["last_tag"], plan["next_version"], plan["tag"]) == ("0.11.0", "0.12.0", "0.12.0")
    assert plan["bump_rules"] == "python-semantic-release conventional"
    code, out, _ = run(capsys, "-C", repo.path, "status")
    assert "last tag       0.11.0" in out


def test_pyproject_s_psr_table_comes_before_releaserc(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n\n'
                           '[tool.semantic_release]\ntag_format = "v{version}"\n'),
        ("releaserc.toml", '[semantic_release]\ntag_format = "rel-{version}"\n'),
    )  # fmt: skip
    repo.tag("v1.0.0")
    repo.commit("fix: a")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["tag"] == "v1.0.1"


def test_a_releaserc_toml_of_another_tool_is_left_alone(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """meteocatpy's .releaserc.toml lists semantic-release (npm) plugins, and is not even
    valid TOML (a table and an array of tables of one name): it is not PSR's, so it is not
    read, and autorelease plans with its own rules."""
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n'),
        (".releaserc.toml", '[plugins]\n"@semantic-release/git" = {}\n\n[[plugins]]\npath = "x"\n'),
    )
    repo.tag("v1.0.0")
    repo.commit("fix: a")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    assert (json.loads(out)["bump_rules"], json.loads(out)["tag"]) == ("autorelease", "v1.0.1")


def test_an_error_in_releaserc_names_the_file(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n'),
        ("releaserc.toml", '[semantic_release]\ncommit_parser = "emoji"\n'),
    )
    code, _, err = run(capsys, "-C", repo.path, "--dry-run", "--offline")
    assert code == ExitCode.CONFIG
    assert err.startswith(
        "autorelease: error: releaserc.toml [semantic_release]: commit_parser = 'emoji' is not "
        "supported"
    )


# --- python-roborock: a squash merge whose title is not conventional ---------------------------

SQUASHED = """Recover devices after sleep (#898)

* fix(a01): restart stale session on timeouts

* feat(a01): add push listener for device state

* chore: fix formatting"""


@pytest.mark.slow  # runs semantic-release as a process
def test_the_commits_a_squash_merge_lists_are_released_and_listed_as_psr_does(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-roborock squash-merges pull requests whose titles are not conventional (#898,
    "Recover A01 devices after sleep ...") with the branch's commits listed in the body. PSR's
    conventional parser reads them (parse_squash_commits is on by default): a minor release
    whose changelog lists the fix, the feature and the chore. autorelease planned the same
    minor release, by PSR's rules, but its changelog listed none of the three."""
    started(repo, tmp_path, PSR, "7.1.1")
    repo.commit(SQUASHED)
    assert (ours(repo), psr_next(repo.path, "7.1.1")) == ("7.2.0", "7.2.0")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    section = json.loads(out)["changelog"]
    theirs = changelog_by_the_tool(repo, "psr", tmp_path)
    assert [t.casefold() for t in _titles(section)] == [t.casefold() for t in _titles(theirs)]
    for text in ("restart stale session on timeouts", "add push listener for device state",
                 "fix formatting"):  # fmt: skip
        assert text in section
        assert text in theirs.casefold()


@pytest.mark.parametrize(
    ("options", "squash"),
    [("", True), ('commit_parser = "angular"\n', False),
     ("[tool.semantic_release.commit_parser_options]\nparse_squash_commits = false\n", False)],
)  # fmt: skip
def test_psr_parse_squash_commits_is_carried_over(options: str, squash: bool) -> None:
    table = tomllib.loads("[tool.semantic_release]\n" + options)["tool"]["semantic_release"]
    assert config.from_semantic_release(table, "x").get("parse_squash_bodies", False) is squash


# --- deezer-python, uiprotect, python-roborock, py2puml: [`abc1234`](url) --------------------

PSR_CHANGELOG = """\
# CHANGELOG

<!-- version list -->

## v1.0.0 (2026-08-07)

### Features

- Add support for python 3.15
  ([`5de06d6`](https://github.com/o/r/commit/5de06d645a7b5fa92bdcb6c53687b8d2f7ea0f55))
"""


@pytest.mark.parametrize("psr_style", [True, False])
def test_commit_links_are_written_as_the_last_release_writes_them(
    project: GitRepo, capsys: pytest.CaptureFixture[str], psr_style: bool
) -> None:
    """Every python-semantic-release changelog seen (deezer-python's and uiprotect's own
    templates, PSR's default in python-roborock and py2puml) links a commit as
    [`5de06d6`](url), its hash as inline code; autorelease wrote [5de06d6](url) below it.
    A new section links as the last release's entries do."""
    text = PSR_CHANGELOG if psr_style else PSR_CHANGELOG.replace("`5de06d6`", "5de06d6")
    project.git("remote", "add", "origin", "https://github.com/o/r.git")
    project.commit("docs: changelog", ("CHANGELOG.md", text))
    project.tag("v1.0.0")
    sha = project.commit("fix(client): handle empty response")
    code, out, err = run(capsys, "-C", project.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    short = f"`{sha[:7]}`" if psr_style else sha[:7]
    expected = (
        f"- **client:** handle empty response ([{short}](https://github.com/o/r/commit/{sha}))"
    )
    assert expected in json.loads(out)["changelog"].splitlines()


# --- telemetree-python: setup.py states the version, cz.json lists only itself ----------------

SETUP_WITH_VERSION = (
    'from setuptools import setup\n\nsetup(\n    name="telemetree",\n    version="{v}",\n)\n'
)


@pytest.mark.parametrize(("setup_version", "moved"), [("0.4.0", True), ("0.3.2", False)])
def test_a_setup_py_version_the_listed_files_leave_out_moves_with_them(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], setup_version: str, moved: bool
) -> None:
    """telemetree-python's version is in cz.json (commitizen's provider) and, by hand, in
    setup.py's `version="0.4.0"`, which setuptools builds from. cz bump moves only cz.json;
    autorelease did too, and its build check then stopped the release (a 0.4.0 wheel for
    tag 0.5.0). setup.py (or setup.cfg) holding the version moves with it; one that is
    stale already is left as it is."""
    repo.commit(
        "chore: start",
        ("cz.json", cz_file("cz.json")),
        ("setup.py", SETUP_WITH_VERSION.format(v=setup_version)),
    )
    repo.tag("0.4.0")
    repo.commit("fix(client): retry")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    changes = {c["path"]: c["after"] for c in json.loads(out)["file_changes"]}
    assert ("setup.py" in changes) is moved
    if moved:
        assert changes["setup.py"] == SETUP_WITH_VERSION.format(v="0.4.1")


# --- mkdocs-matplotlib: commitizen's default tag format ---------------------------------------


@pytest.mark.slow  # runs cz as a process
def test_a_commitizen_table_without_tag_format_tags_the_bare_version_as_cz_does(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """mkdocs-matplotlib's .cz.toml sets no tag_format; cz's default is `$version`, and its
    tags are 0.10.1, 0.10.0, .... autorelease read the default as its own v{version}, found no
    release tag, and planned the whole history as a first release of the version out already."""
    repo.commit(
        "chore: start",
        ("pyproject.toml", '[project]\nname = "p"\nversion = "0.10.1"\n'),
        (".cz.toml", '[tool.commitizen]\nversion_provider = "pep621"\n'),
    )
    repo.tag("0.10.1")
    repo.commit("feat: add thing")
    assert cz_next(repo.path) == "0.11.0"
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    plan = json.loads(out)
    assert (plan["last_tag"], plan["next_version"], plan["tag"]) == ("0.10.1", "0.11.0", "0.11.0")
    assert plan["warnings"] == []


def _unmatched(fmt: str, origin: str, other: str) -> str:
    return (
        f"no tag follows tag_format = {fmt!r} ({origin}), but the tags follow {other!r}: if "
        f"those are the releases, set tag_format = {other!r} in [tool.autorelease]"
    )


@pytest.mark.parametrize(
    ("table", "tag", "warning"),
    [
        ("[tool.commitizen]\nname = 'cz_conventional_commits'\n", "v1.0.0",
         _unmatched("{version}", "pyproject.toml [tool.commitizen]", "v{version}")),
        ("", "1.0.0", _unmatched("v{version}", "default", "{version}")),
    ],
)  # fmt: skip
def test_tags_of_another_format_are_pointed_out(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], table: str, tag: str, warning: str
) -> None:
    """A project with a commitizen table for `cz check` alone may tag v1.0.0 by hand, which
    cz's default format does not read: the dry run says which format the tags follow."""
    repo.commit(
        "chore: start", ("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n\n' + table)
    )
    repo.tag(tag)
    repo.commit("fix: a")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--offline", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["warnings"] == [warning]


# --- codeforlife-package-python: PSR's commit_message ------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('commit_message = "v{{version}} [skip ci]"\n', "v{version} [skip ci]"),
        ("", "chore(release): {version}"),  # PSR's own default is not autorelease's to claim
        ('commit_message = "release {{version}} of {{name}}"\n', "chore(release): {version}"),
    ],
)
def test_psr_commit_message_is_carried_over(
    repo: GitRepo, tmp_path: Path, table: str, message: str
) -> None:
    """ocadotechnology's codeforlife-package-python releases with `commit_message = "v{version}
    [skip ci]"` in releaserc.toml, so its release commits start no CI run; autorelease's were
    `chore(release): 1.2.0`, which did. An explicit commit_message with the field {version}
    alone is carried over (and init writes it)."""
    started(repo, tmp_path, PSR + table, "1.0.0").commit("fix: a")
    assert config.load(repo.path).commit_message == message
    repo.commit("v1.0.1 [skip ci]")  # such a release commit is one in the history
    plan = plan_release(repo.path, PlanOptions(date="2024-01-01"))
    kinds = [c.kind for c in plan.commits]
    assert kinds == (["release", "conventional"] if table.startswith("commit_message = \"v") else
                     ["invalid", "conventional"])  # fmt: skip


# --- codeforlife-package-python: PSR 9's allow_zero_version ------------------------------------

PSR_NO_ZERO = '[project]\nname = "p"\nversion = "{v}"\n\n[tool.semantic_release]\n'
RELEASE_FLOW = (
    "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - {step}\n"
)


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ({".github/workflows/main.yml": RELEASE_FLOW.format(
            step="run: python -m pip install build python-semantic-release==9.*")}, "0.32.7"),
        ({".github/workflows/r.yaml": RELEASE_FLOW.format(
            step="uses: python-semantic-release/python-semantic-release@"
                 "0123456789abcdef0123456789abcdef01234567  # v9.21.1")}, "0.32.7"),
        ({"uv.lock": 'version = 1\n\n[[package]]\nname = "python-semantic-release"\n'
                     'version = "9.8.0"\n'}, "0.32.7"),
        ({".github/workflows/main.yml": RELEASE_FLOW.format(
            step="uses: python-semantic-release/python-semantic-release@v10.5.3")}, "1.0.0"),
        ({}, "1.0.0"),
    ],
)  # fmt: skip
def test_allow_zero_version_defaults_as_the_pinned_psr_does(
    repo: GitRepo, tmp_path: Path, pin: dict[str, str], expected: str
) -> None:
    """codeforlife-package-python releases 0.32.x with `pip install python-semantic-release==9.*`
    and no allow_zero_version: PSR 9's default is true, so a fix is 0.32.7. PSR 10 made the
    default false (1.0.0 from any 0.x), and autorelease always took PSR 10's: its first
    release would have been 1.0.0. The default now follows the major version the project's
    workflow or lock file pins (PSR 10's when none is pinned)."""
    started(repo, tmp_path, PSR_NO_ZERO, "0.32.6")
    repo.commit("fix: upgrade cryptography", *pin.items())
    assert ours(repo) == expected


PSR9_PIN = {".github/workflows/main.yml": RELEASE_FLOW.format(
    step="run: python -m pip install python-semantic-release==9.*")}  # fmt: skip


@pytest.mark.slow  # runs semantic-release as a process
@pytest.mark.parametrize(("pin", "expected"), [(PSR9_PIN, (None, "1.1.0")), ({}, ("1.1.0", None))])
def test_the_conventional_parser_defaults_follow_the_pinned_psr(
    repo: GitRepo, tmp_path: Path, pin: dict[str, str], expected: tuple[str | None, ...]
) -> None:
    """PSR 10 made its conventional parser read the commits a squash merge lists and ignore
    merge commits; up to 9 it did neither. A project pinned to PSR 9 (codeforlife-package-
    python) releases nothing for a squash merge listing a feature, and a minor for a merge
    commit titled `feat: …`; with PSR 10, the other way round."""
    started(repo, tmp_path, PSR, "1.0.0")
    repo.commit("ci: pin the release tool", *pin.items())
    base = repo.head()
    repo.commit("Add search (#9)\n\n* feat: add the search")
    squashed = ours(repo)
    if not pin:  # PSR 10, installed with the tests, agrees
        assert psr_next(repo.path, "1.0.0") == squashed
    repo.git("reset", "-q", "--hard", base)
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("docs: describe the search")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "feat: merge the search", "topic")
    assert (squashed, ours(repo)) == expected
    if not pin:
        assert psr_next(repo.path, "1.0.0") is None
