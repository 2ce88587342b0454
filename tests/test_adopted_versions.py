"""The version declarations commitizen and semantic-release projects have, rewritten as they would.

The fixtures copy the real configurations of commitizen's and python-semantic-release's own
repositories (their `[tool.commitizen]` and `[tool.semantic_release]` tables), shrunk to a sample
package. Each case is checked against the tool itself (both are in the test extras): cz and PSR
stamp a clone, autorelease stamps the project, and the files must be equal byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.core import config
from autorelease.core import version_files as vf
from autorelease.errors import ConfigError, ExitCode
from conftest import GitRepo
from publish_world import World

pytest_plugins = ["index_server", "publish_world"]

BUILD = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "1.0.0"
description = "A sample project built by autorelease's tests."
readme = {file = "README.md", content-type = "text/markdown"}
requires-python = ">=3.9"

[tool.autorelease]
build_isolation = false
test_command = "true"
"""
# commitizen's own [tool.commitizen] (pyproject.toml of commitizen-tools/commitizen), for a
# package at src/sample_pkg instead of commitizen/.
CZ = """
[tool.commitizen]
tag_format = "v$version"
version_files = [
    "src/sample_pkg/__init__.py",
    ".pre-commit-config.yaml:rev:.+Commitizen",
]
version_provider = "uv"
version_scheme = "pep440"
annotated_tag = true
"""
UV_LOCK = """\
version = 1
revision = 2
requires-python = ">=3.9"

[[package]]
name = "other"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sample-pkg"
version = "1.0.0"
source = { editable = "." }
dependencies = [
    { name = "other" },
]
"""
PRE_COMMIT = """\
repos:
  - repo: https://github.com/commitizen-tools/commitizen
    rev: v1.0.0 # automatically updated by Commitizen
    hooks:
      - id: commitizen
  - repo: https://github.com/other/tool
    rev: v1.0.0
"""
CZ_FILES = {
    "uv.lock": UV_LOCK,
    ".pre-commit-config.yaml": PRE_COMMIT,
    "src/sample_pkg/__init__.py": '__version__ = "1.0.0"\nSINCE = "1.0.0"\n',
}
# python-semantic-release's own version_variables and version_toml, same files, same lines.
PSR = """
[tool.semantic_release]
commit_parser = "conventional"
major_on_zero = true
version_variables = [
  "src/gh_action/requirements.txt:python-semantic-release:nf",
  "docs/github-actions.rst:python-semantic-release/python-semantic-release@COMMIT_HASH  #:tf",
  "docs/github-actions.rst:python-semantic-release/publish-action@COMMIT_HASH  #:tf",
  "src/sample_pkg/__init__.py:__version__",
]
version_toml = ["pyproject.toml:project.version"]
"""
RST = """\
Example
=======

.. code:: yaml

          - name: Action | Semantic Version Release
            uses: python-semantic-release/python-semantic-release@COMMIT_HASH  # v1.0.0

          - name: Publish | Upload to GitHub Release Assets
            uses: python-semantic-release/publish-action@COMMIT_HASH  # v1.0.0

          - uses: actions/checkout@COMMIT_HASH  # v1.0.0
"""
PSR_FILES = {
    "src/gh_action/requirements.txt": "python-semantic-release == 1.0.0\nother == 1.0.0\n",
    "docs/github-actions.rst": RST,
    "src/sample_pkg/__init__.py": '__version__ = "1.0.0"\n',
}
TOOLS = {"cz": (CZ, CZ_FILES), "psr": (PSR, PSR_FILES)}


def adopt(repo: GitRepo, tool: str) -> list[str]:
    """Commit TOOL's configuration and files into REPO (a chore: no release of its own)."""
    table, files = TOOLS[tool]
    repo.write("pyproject.toml", BUILD + table)
    repo.write("README.md", "# sample-pkg\n")
    for path, text in files.items():
        repo.write(path, text)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", f"chore: release with {tool}")
    return ["pyproject.toml", *files]


@pytest.fixture(params=sorted(TOOLS))
def tool(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def adopted(repo: GitRepo, tool: str) -> tuple[GitRepo, list[str]]:
    """1.0.0 released with TOOL's configuration, then a feature."""
    repo.git("remote", "add", "origin", "https://github.com/o/r.git")
    paths = adopt(repo, tool)
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat: greet people", ("src/sample_pkg/greet.py", "X = 1\n"))
    return repo, paths


def stamped_by_the_tool(repo: GitRepo, tool: str, tmp: Path, *args: str) -> dict[str, str]:
    """The files as cz or PSR itself stamps them for the next version, in a clone."""
    clone = tmp / f"{tool}-clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    subprocess.run(["git", "remote", "set-url", "origin", "https://github.com/o/r.git"],
                   cwd=clone, check=True)  # fmt: skip
    bindir = Path(sys.executable).parent
    argv = (
        [str(bindir / "cz"), "bump", "--files-only", "--yes"]
        if tool == "cz"
        else [str(bindir / "semantic-release"), "version", "--no-commit", "--no-tag",
              "--no-push", "--no-changelog", "--no-vcs-release"]
    ) + list(args)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run(argv, cwd=clone, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {p: (clone / p).read_text() for p in TOOLS[tool][1] | {"pyproject.toml": ""}}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- the real tools' semantics, case by case -------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        (".pre-commit-config.yaml:rev:.+Commitizen", PRE_COMMIT),
        ("f.py", '__version__ = "1.0.0"\nREQUIRES = "other>=1.0.0"\nX = "11.0.0"\n'),
        ("f.py:^VERSION", 'VERSION = "1.0.0"  # was 1.0.0\nOTHER = "1.0.0"\n'),
        ("f.cfg:version", "[metadata]\nversion = 1.0.0\npython_version = 1.0.0\n"),
        ("f.md:badge", "![badge](https://img/v1.0.0-blue)\nsee v1.0.0\n"),
    ],
)  # fmt: skip
def test_a_cz_entry_rewrites_what_commitizen_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, text: str
) -> None:
    from commitizen.bump import update_version_in_files

    path = entry.partition(":")[0]
    (tmp_path / path).write_text(text)
    spec = config.from_commitizen({"version_files": [entry]}, "x")["version_files"][0]
    decl = vf.parse_spec(spec, tmp_path)
    (found,) = vf.read_all(tmp_path, [decl], "1.0.0")
    assert found.value == "1.0.0"
    monkeypatch.chdir(tmp_path)
    update_version_in_files("1.0.0", "1.2.0", [entry], check_consistency=True, encoding="utf-8")
    theirs = (tmp_path / path).read_text()
    assert vf.replace(decl, text, "1.2.0", "1.0.0") == theirs


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        ("r.txt:python-semantic-release:nf", "python-semantic-release == 1.0.0\nx == 1.0.0\n"),
        ("d.rst:python-semantic-release/python-semantic-release@COMMIT_HASH  #:tf", RST),
        ("d.rst:python-semantic-release/publish-action@COMMIT_HASH  #:tf", RST),
        ("p.py:__version__", "__version__ = '1.0.0'\nmy__version__ = '1.0.0'\n"),
        ("p.py:__version__:nf", '__version__: Final[str] = "1.0.0"\n'),
        ("p.py:VERSION:tf", 'VERSION = "v1.0.0"\n'),
        ("c.h:VERSION", '#define VERSION "1.0.0"\n'),
        ("j.json:version", '{"version": "1.0.0", "other_version": "1.0.0"}\n'),
        ("a.yml:version", "version: 1.0.0-rc.1+build.5\n"),
        ("V:*", "1.0.0\n"),
        ("V:*:tf", "v1.0.0\n"),
    ],
)  # fmt: skip
def test_a_psr_variable_rewrites_what_semantic_release_does(
    tmp_path: Path, entry: str, text: str
) -> None:
    from semantic_release.version.declarations.file import FileVersionDeclaration
    from semantic_release.version.declarations.pattern import PatternVersionDeclaration
    from semantic_release.version.version import Version

    path = tmp_path / entry.partition(":")[0]
    path.write_text(text)
    kind = FileVersionDeclaration if entry.split(":")[1] == "*" else PatternVersionDeclaration
    psr = (
        kind.from_string_definition(str(path) + entry[len(path.name) :], "v{version}")
        if kind is PatternVersionDeclaration
        else FileVersionDeclaration.from_string_definition(str(path) + entry[len(path.name) :])
    )
    theirs = psr.replace(Version.parse("2.0.0", tag_format="v{version}"))
    (spec,) = config.from_semantic_release({"version_variables": [entry]}, "x")["version_files"]
    decl = vf.parse_spec(spec, tmp_path, "v{version}")
    (found,) = vf.read_all(tmp_path, [decl])
    assert vf.unstamp(decl, found.value) == found.value
    assert found.value.startswith("1.0.0")
    assert vf.replace(decl, text, "2.0.0") == theirs


def test_a_psr_toml_key_in_tag_format(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text('[tool.x]\nversion = "v1.0.0"\n')
    decl = vf.parse_spec("x.toml:tool.x.version:tf", tmp_path, "v{version}")
    assert vf.read_all(tmp_path, [decl])[0].value == "1.0.0"
    assert vf.replace(decl, '[tool.x]\nversion = "v1.0.0"\n', "1.1.0").endswith('"v1.1.0"\n')


def test_uv_lock_rewrites_the_projects_own_entry(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "Sample_Pkg"\nversion = "1.0.0"\n')
    decl = vf.parse_spec("uv.lock", tmp_path)
    assert decl == vf.Declaration("uv.lock", "uv_lock", "sample-pkg")
    after = vf.replace(decl, UV_LOCK, "1.1.0")
    assert after == UV_LOCK.replace(
        'sample-pkg"\nversion = "1.0.0"', 'sample-pkg"\nversion = "1.1.0"'
    )
    with pytest.raises(Exception, match="no version found"):
        vf.replace(vf.Declaration("uv.lock", "uv_lock", "absent"), UV_LOCK, "1.1.0")


# --- configuration: what each tool's settings become ----------------------------------------


def cz_config(tmp_path: Path, table: str, own: str = "") -> config.Config:
    (tmp_path / "pyproject.toml").write_text(f"[tool.commitizen]\n{table}\n{own}")
    return config.load(tmp_path)


@pytest.mark.parametrize(
    ("table", "files", "source"),
    [
        ("version_provider = 'uv'", ["pyproject.toml:project.version", "uv.lock"], "auto"),
        ("version_provider = 'pep621'\nversion_files = ['src/p/__init__.py']",
         ["pyproject.toml:project.version", "src/p/__init__.py:.*"], "auto"),
        ("version_provider = 'scm'\nversion_files = ['p.py:^V']", ["p.py:^V"], "tag"),
        ("version_provider = 'scm'", [], "tag"),
        ("version = '1.0.0'", ["pyproject.toml:tool.commitizen.version"], "auto"),
    ],
)  # fmt: skip
def test_cz_providers(tmp_path: Path, table: str, files: list[str], source: str) -> None:
    cfg = cz_config(tmp_path, table)
    assert (cfg.version_files, cfg.version_source) == (files, source)


@pytest.mark.parametrize("provider", ["cargo", "npm", "composer", "my_plugin"])
def test_cz_providers_autorelease_cannot_honour_are_refused(tmp_path: Path, provider: str) -> None:
    with pytest.raises(ConfigError) as info:
        cz_config(tmp_path, f"version_provider = '{provider}'")
    assert info.value.code == ExitCode.CONFIG
    assert str(info.value) == (
        f"pyproject.toml [tool.commitizen]: version_provider = '{provider}' is not supported "
        "(autorelease reads commitizen, pep621, poetry, uv, scm) (set version_files (or "
        "version_source = 'tag') in [tool.autorelease])"
    )
    own = "[tool.autorelease]\nversion_files = ['pyproject.toml:tool.commitizen.version']\n"
    assert cz_config(tmp_path, f"version_provider = '{provider}'", own).version_files == [
        "pyproject.toml:tool.commitizen.version"
    ]


@pytest.mark.parametrize("entry", ["p.py", "p.py:V:xf", "p.py:a:b:nf"])
def test_psr_entries_semantic_release_refuses_are_refused(tmp_path: Path, entry: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.semantic_release]\nversion_variables = ['{entry}']\n"
    )
    with pytest.raises(ConfigError, match=r"version_variables entry .* is not 'path:what'"):
        config.load(tmp_path)


# --- whole projects: dry run, changelog --init, and the tool itself agreeing --------------------


def test_dry_run_shows_the_lines_the_tool_would_change(
    adopted: tuple[GitRepo, list[str]], tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = adopted
    code, out, err = run(capsys, "-C", repo.path, "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    expected = {
        "cz": ["-    rev: v1.0.0 # automatically updated by Commitizen",
               "+    rev: v1.1.0 # automatically updated by Commitizen",
               "+++ b/uv.lock", '-SINCE = "1.0.0"', '+SINCE = "1.1.0"'],
        "psr": ["-python-semantic-release == 1.0.0", "+python-semantic-release == 1.1.0",
                "+            uses: python-semantic-release/publish-action@COMMIT_HASH  # v1.1.0"],
    }[tool] + ['-version = "1.0.0"', '+version = "1.1.0"']  # fmt: skip
    assert [e for e in expected if e not in lines] == []
    assert "+          - uses: actions/checkout@COMMIT_HASH  # v1.1.0" not in lines
    assert "+    rev: v1.1.0" not in lines  # another hook's rev is not commitizen's
    assert '+version = "1.1.0"\nsource = { registry' not in out


def test_changelog_init_on_an_adopted_project(
    adopted: tuple[GitRepo, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = adopted
    code, out, err = run(capsys, "-C", repo.path, "changelog", "--init")
    assert (code, err) == (0, "wrote CHANGELOG.md\n")
    assert (
        "## [1.0.0](https://github.com/o/r/releases/tag/v1.0.0)"
        in out + (repo.path / "CHANGELOG.md").read_text()
    )
    assert repo.git("status", "--porcelain") == "?? CHANGELOG.md"  # no declaration touched


# --- disagreement is an error, never a silent pick -----------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        "[tool.autorelease]\nversion_files = ['src/sample_pkg/__init__.py:__version__']\n",
        "[tool.commitizen]\nversion_files = ['src/sample_pkg/__init__.py']\n",
        "[tool.semantic_release]\nversion_variables = ['src/sample_pkg/__init__.py:__version__']\n",
    ],
)
def test_a_static_project_version_that_disagrees_is_a_conflict(
    repo: GitRepo, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("pyproject.toml", BUILD.replace("[tool.autorelease]\n", "[tool.x]\n") + table)
    repo.write("src/sample_pkg/__init__.py", '__version__ = "0.9.0"\n')
    repo.commit("feat: first", ("README.md", "hi\n"))
    code, _, err = run(capsys, "-C", repo.path, "--dry-run")
    assert code == ExitCode.VERSION_CONFLICT
    where = "(every line)" if "commitizen" in table else "__version__"
    assert err.splitlines() == [
        "autorelease: error: the version declarations disagree: pyproject.toml "
        f"[project].version = 1.0.0, src/sample_pkg/__init__.py {where} = 0.9.0 — make them "
        "equal (the last release's version) and commit, then run again"
    ]


# --- cz providers on whole projects ----------------------------------------------------------


def test_scm_provider_writes_no_file_and_takes_the_version_from_tags(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("pyproject.toml", "[project]\nname = 'p'\ndynamic = ['version']\n"
                  "[tool.commitizen]\nversion_provider = 'scm'\n"
                  "tag_format = 'v$version'\n")  # fmt: skip
    project.git("rm", "-q", "src/sample_pkg/__init__.py")
    project.history([("feat: a", "v0.3.0"), ("fix: b", None)])
    code, out, _ = run(capsys, "-C", project.path, "--dry-run")
    assert code == 0
    assert "Next version   0.3.1" in out
    assert [line for line in out.splitlines() if line.startswith("+++")] == ["+++ b/CHANGELOG.md"]


def test_scm_provider_still_rewrites_cz_version_files(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("pyproject.toml", "[project]\nname = 'p'\ndynamic = ['version']\n"
                  "[tool.commitizen]\nversion_provider = 'scm'\ntag_format = 'v$version'\n"
                  "version_files = ['src/sample_pkg/__init__.py']\n")  # fmt: skip
    project.history([("feat: a", "v1.0.0"), ("fix: b", None)])
    code, out, _ = run(capsys, "-C", project.path, "--dry-run")
    assert code == 0
    assert '+__version__ = "1.0.1"' in out.splitlines()


@pytest.mark.parametrize(
    ("files", "changed"),
    [
        ({".cz.toml": '[tool.commitizen]\nversion = "1.0.0"\nversion_provider = "commitizen"\n'
                      'tag_format = "v$version"\n'},
         [".cz.toml", "pyproject.toml"]),
        ({"pyproject.toml.extra": '[tool.commitizen]\nversion = "1.0.0"\n'
                                  'tag_format = "v$version"\n'}, ["pyproject.toml"]),
        ({"pyproject.toml.extra": '[tool.poetry]\nversion = "1.0.0"\n'
                                  '[tool.commitizen]\nversion_provider = "poetry"\n'
                                  'tag_format = "v$version"\n'},
         ["pyproject.toml"]),
    ],
)  # fmt: skip
def test_commitizen_and_poetry_providers(
    project: GitRepo, capsys: pytest.CaptureFixture[str], files: dict[str, str],
    changed: list[str],
) -> None:  # fmt: skip
    for name, text in files.items():
        if name == "pyproject.toml.extra":
            project.write("pyproject.toml", (project.path / "pyproject.toml").read_text() + text)
        else:
            project.write(name, text)
    project.git("add", ".")
    project.history([("chore: cz", "v1.0.0"), ("fix: b", None)])
    code, out, err = run(capsys, "-C", project.path, "--dry-run")
    assert (code, err) == (0, "")
    wrote = sorted(line[6:] for line in out.splitlines() if line.startswith("+++ b/"))
    assert wrote == sorted([*changed, "CHANGELOG.md"])  # only what the provider names
    assert out.count('+version = "1.0.1"') == 2  # [project] and the provider's, both bumped


# --- a real publish to the test index --------------------------------------------------------


@pytest.mark.parametrize("which", sorted(TOOLS))
def test_publish_writes_the_declarations_of_the_tool_it_replaces(w: World, which: str) -> None:
    adopt(w.repo, which)
    w.repo.git("push", "-q", "origin", "main")
    theirs = stamped_by_the_tool(w.repo, which, w.tmp)
    done = w.publish()
    assert done.code == 0, done.err
    ours = {p: (w.repo.path / p).read_text() for p in theirs}
    assert ours == theirs
    assert w.repo.git("show", "--stat", "--format=", "HEAD").count("|") == len(theirs) + 1
    assert sorted(w.index_files()) == [
        "sample_pkg-1.1.0-py3-none-any.whl",
        "sample_pkg-1.1.0.tar.gz",
    ]
    if which == "cz":
        assert shutil.which("git")
        lock = (w.repo.path / "uv.lock").read_text()
        assert 'name = "sample-pkg"\nversion = "1.1.0"' in lock
        assert 'name = "other"\nversion = "1.0.0"' in lock


def test_init_carries_the_declarations_over_unchanged(
    adopted: tuple[GitRepo, list[str]], tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`init` writes the tool's declarations into [tool.autorelease]; the release is the same."""
    repo, _ = adopted

    def changes() -> list[str]:
        code, out, err = run(capsys, "-C", repo.path, "--dry-run")
        assert (code, err) == (0, "")
        section = out[out.index("Files that would change:") : out.index("Changelog section")]
        # the version files' diffs: the changelog lists the adopting commit itself (PSR's
        # sections list chores)
        diffs = [d for d in section.split("\n--- ") if "\n+++ b/CHANGELOG" not in d]
        return [line for d in diffs for line in d.splitlines() if line[:1] in "+-"]

    text = (repo.path / "pyproject.toml").read_text()
    own = '[tool.autorelease]\nbuild_isolation = false\ntest_command = "true"\n'
    repo.commit("chore: not adopted yet", ("pyproject.toml", text.replace(own, "")))
    before = changes()
    assert run(capsys, "-C", repo.path, "init", "--yes")[0] == 0
    carried = config.load(repo.path)
    assert carried.origin["version_files"] == "pyproject.toml [tool.autorelease]"
    assert any(s.endswith(":tf") for s in carried.version_files) is (tool == "psr")
    repo.git("add", "pyproject.toml")
    repo.git("commit", "-q", "-m", "chore: adopt autorelease")
    assert changes() == before


def test_a_glob_path_names_every_file_it_matches(tmp_path: Path) -> None:
    for name in ("src/a/__init__.py", "src/b/__init__.py", "src/c/other.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text('__version__ = "1.0.0"\n')
    assert vf.expand("src/*/__init__.py:.*", tmp_path) == [
        "src/a/__init__.py:.*", "src/b/__init__.py:.*"
    ]  # fmt: skip
    assert vf.expand("src/*/none.py", tmp_path) == ["src/*/none.py"]
    assert vf.expand("src/c/other.py", tmp_path) == ["src/c/other.py"]


def test_a_psr_pre_release_is_written_as_semantic_release_writes_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PSR's versions are SemVer (`1.1.0-rc.1`): its version_variables only match those."""
    repo.git("remote", "add", "origin", "https://github.com/o/r.git")
    adopt(repo, "psr")
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat: greet people", ("src/sample_pkg/greet.py", "X = 1\n"))
    theirs = stamped_by_the_tool(repo, "psr", tmp_path, "--as-prerelease")
    code, out, err = run(capsys, "-C", repo.path, "--dry-run", "--pre", "rc")
    assert (code, err) == (0, "")
    diff = out[out.index("Files that would change:") : out.index("+++ b/CHANGELOG.md")]
    ours = [line[1:] for line in diff.splitlines() if line.startswith("+") and "1.1.0" in line]
    wanted = [line for text in theirs.values() for line in text.splitlines() if "1.1.0" in line]
    assert sorted(ours) == sorted(wanted)
    assert '+version = "1.1.0-rc.1"' in out.splitlines()


def test_a_psr_pre_release_publishes(w: World) -> None:
    adopt(w.repo, "psr")
    w.repo.git("push", "-q", "origin", "main")
    done = w.publish("--pre", "rc")
    assert done.code == 0, done.err
    pin = (w.repo.path / "src/gh_action/requirements.txt").read_text()
    assert pin == "python-semantic-release == 1.1.0-rc.1\nother == 1.0.0\n"
    assert w.repo.git("tag", "--points-at", "HEAD") == "v1.1.0-rc.1"
    assert sorted(w.index_files()) == [
        "sample_pkg-1.1.0rc1-py3-none-any.whl", "sample_pkg-1.1.0rc1.tar.gz"
    ]  # fmt: skip
