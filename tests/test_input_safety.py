"""Bad input through the command line: nothing outside the repository, no secret out, no bad tag.

Real git (a bare origin), the real pypiserver and the GitHub fake; files outside the repository
are real files whose bytes are checked after every run. PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.core import config_checks
from autorelease.errors import ExitCode
from conftest import GitRepo, refs, snapshot
from publish_world import Published, World

pytest_plugins = ["index_server", "publish_world"]

OUTSIDE_TEXT = '__version__ = "1.0.0"\n# outside the repository: never read, never written\n'


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outside_file(w: World, name: str = "x") -> Path:
    """A real file next to the repository, not in it."""
    path = w.tmp / "outside" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(OUTSIDE_TEXT)
    return path


def add_config(w: World, text: str, *, table: str = "") -> None:
    """Append TEXT to pyproject.toml (to [tool.autorelease], or to TABLE), commit and push."""
    pyproject = w.repo.path / "pyproject.toml"
    key = text.split("=", maxsplit=1)[0].strip()
    lines = pyproject.read_text().splitlines(keepends=True)
    if not table:  # [tool.autorelease] ends the file: a key it has already is replaced
        lines = [line for line in lines if line.split("=")[0].strip() != key]
    block = f"\n[{table}]\n{text}\n" if table else f"{text}\n"
    pyproject.write_text("".join(lines) + block)
    w.repo.git("add", "pyproject.toml")
    w.repo.git("commit", "-q", "-m", "chore: configure")
    w.repo.git("push", "-q", "origin", "main")


def dry_run(w: World, capsys: pytest.CaptureFixture[str]) -> Published:
    capsys.readouterr()
    code = main(["-C", str(w.repo.path), "publish", "--dry-run", "--offline"])
    captured = capsys.readouterr()
    return Published(code, captured.out + captured.err)


def assert_nothing_changed(w: World, before: dict[str, object], origin: dict[str, str]) -> None:
    assert snapshot(w.repo.path) == before
    assert refs(w.origin) == origin
    assert w.index_files() == {}
    assert w.github.releases == {}


# --- nothing outside the repository is read or written --------------------------------------


OUTSIDE_SETTINGS = [
    ("", 'changelog_file = "{rel}"', "changelog_file"),
    ("", 'changelog_file = "{abs}"', "changelog_file"),
    ("", 'version_files = ["{rel}:__version__"]', "version_files"),
    ("", 'version_files = ["{abs}"]', "version_files"),
    ("", 'changelog_template = "{rel}"', "changelog_template"),
    ("", 'changelog_template = "{abs}"', "changelog_template"),
    ("tool.commitizen", 'version_files = ["{rel}:__version__"]', "version_files"),
    ("tool.commitizen", 'changelog_file = "{abs}"', "changelog_file"),
    ("tool.semantic_release", 'version_variables = ["{rel}:__version__"]', "version_variables"),
    ("tool.semantic_release", 'version_toml = ["{abs}:project.version"]', "version_toml"),
    ("tool.semantic_release.changelog", 'changelog_file = "{rel}"', "changelog.changelog_file"),
]


@pytest.mark.parametrize(("table", "setting", "key"), OUTSIDE_SETTINGS)
def test_a_path_outside_the_repository_is_refused_when_the_configuration_is_read(
    w: World, capsys: pytest.CaptureFixture[str], table: str, setting: str, key: str
) -> None:
    target = outside_file(w)
    text = setting.format(rel="../outside/x", abs=target.as_posix())
    add_config(w, text, table=table)
    before, origin, unchanged = snapshot(w.repo.path), refs(w.origin), digest(target)

    preview = dry_run(w, capsys)
    published = w.publish()

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        (line,) = [x for x in result.err.splitlines() if x.startswith("autorelease: error:")]
        assert f"{key} = " in line
        assert "is outside the repository" in line
        assert "relative to the repository root" in line
    assert digest(target) == unchanged
    assert_nothing_changed(w, before, origin)


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def test_a_changelog_that_links_outside_the_repository_is_neither_read_nor_written(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside_file(w, "CHANGELOG.md")
    target.write_text("# Changelog\n\nSECRET-OUTSIDE-CONTENT\n")
    link(w.repo.path / "CHANGELOG.md", target)
    w.repo.git("add", "CHANGELOG.md")
    w.repo.git("commit", "-q", "-m", "docs: link the changelog")
    w.repo.git("push", "-q", "origin", "main")
    before, origin, unchanged = snapshot(w.repo.path), refs(w.origin), digest(target)

    preview = dry_run(w, capsys)
    published = w.publish()

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        (line,) = [x for x in result.err.splitlines() if x.startswith("autorelease: error:")]
        assert "CHANGELOG.md leads outside the repository through a symbolic link" in line
        assert "SECRET-OUTSIDE-CONTENT" not in result.err
    assert (w.repo.path / "CHANGELOG.md").is_symlink()
    assert digest(target) == unchanged
    assert_nothing_changed(w, before, origin)


def test_a_changelog_template_that_links_outside_the_repository_is_not_read(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside_file(w, "t.md.j2")
    target.write_text("## {{ release.version }} SECRET-OUTSIDE-TEMPLATE\n")
    link(w.repo.path / "t.md.j2", target)
    w.repo.git("add", "t.md.j2")
    add_config(w, 'changelog_template = "t.md.j2"')
    before, origin = snapshot(w.repo.path), refs(w.origin)

    preview = dry_run(w, capsys)
    published = w.publish()

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        (line,) = [x for x in result.err.splitlines() if x.startswith("autorelease: error:")]
        assert "t.md.j2 leads outside the repository through a symbolic link" in line
        assert "SECRET-OUTSIDE-TEMPLATE" not in result.err
    assert_nothing_changed(w, before, origin)


def test_a_version_file_behind_a_linked_directory_is_neither_read_nor_written(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside_file(w, "version.py")
    link(w.repo.path / "meta", target.parent)  # a directory component is the link
    add_config(w, 'version_files = ["pyproject.toml:project.version", "meta/version.py"]')
    before, origin, unchanged = snapshot(w.repo.path), refs(w.origin), digest(target)

    preview = dry_run(w, capsys)
    published = w.publish()

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        assert "meta/version.py leads outside the repository through a symbolic link" in (
            result.err
        )
    assert digest(target) == unchanged
    assert_nothing_changed(w, before, origin)


def test_changelog_init_does_not_write_through_a_link_outside(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside_file(w, "CHANGELOG.md")
    link(w.repo.path / "CHANGELOG.md", target)
    unchanged = digest(target)

    code = main(["-C", str(w.repo.path), "changelog", "--init"])

    assert code == ExitCode.CONFIG
    assert "leads outside the repository" in capsys.readouterr().err
    assert digest(target) == unchanged
    assert (w.repo.path / "CHANGELOG.md").is_symlink()


def test_a_link_inside_the_repository_is_refused_too(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # git would record the link, not the file behind it: the release commit would lack the change.
    (w.repo.path / "docs").mkdir()
    (w.repo.path / "docs" / "CHANGELOG.md").write_text("# Changelog\n")
    link(w.repo.path / "CHANGELOG.md", Path("docs/CHANGELOG.md"))

    preview = dry_run(w, capsys)

    assert preview.code == ExitCode.CONFIG, preview.err
    assert "CHANGELOG.md passes through the symbolic link CHANGELOG.md" in preview.err
    assert "name docs/CHANGELOG.md instead" in preview.err


# --- tag formats that cannot work are refused when the configuration is read ---------------


BAD_TAG_FORMATS = [
    ("", 'tag_format = "-{version}"', "starts with '-'"),
    ("", 'tag_format = "{version}{x}"', "a field other than {version}: '{x}'"),
    ("", 'tag_format = "v{version}-{version}"', "repeats {version}"),
    ("", 'tag_format = "release {version}"', "contains ' '"),
    ("", 'tag_format = "v{version}.lock"', "ends with '.lock'"),
    ("", 'tag_format = "v{{{version}}}"', "a field other than {version}"),
    ("tool.commitizen", 'tag_format = "-$version"', "starts with '-'"),
    ("tool.commitizen", 'tag_format = "v${version}:"', "contains ':'"),
    ("tool.semantic_release", 'tag_format = "{version}{x}"', "a field other than {version}"),
    ("tool.semantic_release", 'tag_format = "v.."', "lacks {version}"),
]


@pytest.mark.parametrize(("table", "setting", "why"), BAD_TAG_FORMATS)
def test_a_tag_format_git_cannot_use_is_refused_in_one_line(
    w: World, capsys: pytest.CaptureFixture[str], table: str, setting: str, why: str
) -> None:
    add_config(w, setting, table=table)
    before, origin = snapshot(w.repo.path), refs(w.origin)

    preview = dry_run(w, capsys)
    published = w.publish()

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        (line,) = [x for x in result.err.splitlines() if x.startswith("autorelease: error:")]
        assert "tag_format = " in line
        assert why in line
        assert "usage:" not in result.err
        assert "KeyError" not in result.err
    assert_nothing_changed(w, before, origin)


@pytest.mark.parametrize(
    "name",
    ["v1.2.3", "release/1.2.3", "pkg-1.2.3+local.7", "-1.2.3", "v1.2.3.", ".v1", "a/.b",
     "v1..2", "v1.2.3.lock", "a/b.lock/c", "v@{1}", "@", "v@1", "a//b", "/v1", "v1/",
     "v 1", "v~1", "v^1", "v:1", "v?1", "v*1", "v[1", "v\\1", "v\x7f1", "v\t1", "é1.0",
     "{1}", "v1.2.3@", "x.lockx"],
)  # fmt: skip
def test_the_tag_name_check_agrees_with_git(name: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        ["git", "check-ref-format", f"refs/tags/{name}"], capture_output=True, check=False
    )
    git_accepts = proc.returncode == 0 and not name.startswith("-")  # `git tag` refuses '-'

    assert (config_checks.tag_name_problem(name) is None) == git_accepts


@pytest.mark.parametrize("fmt", ["v{version}", "release/{version}", "sample_pkg-{version}"])
def test_tag_formats_that_work_are_accepted(
    project: GitRepo, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'[tool.autorelease]\ntag_format = "{fmt}"\n')
    project.commit("feat: more", ("pyproject.toml", pyproject.read_text()))

    code = main(["-C", str(project.path), "--dry-run", "--json"])

    assert code == ExitCode.OK
    plan = json.loads(capsys.readouterr().out)
    assert plan["tag"] == fmt.format(version=plan["next_version"])


# --- no secret in any output ----------------------------------------------------------------


def publish_all(w: World, capsys: pytest.CaptureFixture[str]) -> tuple[Published, str]:
    """Like w.publish(), and everything the run wrote: stdout, stderr and the --report file."""
    report = w.tmp / "report.json"
    capsys.readouterr()
    argv = ["-C", str(w.repo.path), "publish", "--repository", w.upload_url, "--report"]
    code = main([*argv, str(report)])
    captured = capsys.readouterr()
    text = report.read_text()
    return Published(code, captured.err, json.loads(text)), captured.out + captured.err + text


def test_a_version_file_linked_to_the_process_environment_is_not_read(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    token = os.environ["GITHUB_TOKEN"]
    init = w.repo.path / "src" / "sample_pkg" / "__init__.py"
    init.unlink()
    init.symlink_to("/proc/self/environ")
    w.repo.git("commit", "-qam", "chore: a link")
    w.repo.git("push", "-q", "origin", "main")

    preview = dry_run(w, capsys)
    published, everything = publish_all(w, capsys)

    for result in (preview, published):
        assert result.code == ExitCode.CONFIG, result.err
        assert "leads outside the repository through a symbolic link" in result.err
    assert token not in preview.err
    assert token not in everything


def test_a_password_in_simple_url_is_never_shown(
    w: World, capsys: pytest.CaptureFixture[str]
) -> None:
    add_config(w, 'simple_url = "http://uploader:PASSWORD1234@127.0.0.1:9/simple/"')

    published, everything = publish_all(w, capsys)

    assert published.code == ExitCode.CONFIG, published.err
    assert "simple_url" in published.error_lines[0]
    assert published.report["failure"]["code"] == ExitCode.CONFIG
    assert "PASSWORD1234" not in everything


def test_a_password_in_github_api_url_is_never_shown(
    w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = w.github.api_url.replace("http://", "http://user:SECRET5678@")
    monkeypatch.setenv("GITHUB_API_URL", api)
    w.github.fail("POST", r"/releases$", status=500, times=10)

    published, everything = publish_all(w, capsys)

    assert published.code == ExitCode.GITHUB_FAILED, published.err
    assert "500" in published.error_lines[0]
    assert "SECRET5678" not in everything


def test_a_version_file_holding_a_token_is_quoted_scrubbed_and_short(
    w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = os.environ["GITHUB_TOKEN"]
    environ = "\0".join(f"VAR{i}=value{i}" for i in range(40)) + f"\0GITHUB_TOKEN={token}"
    w.repo.write("src/sample_pkg/__init__.py", f'__version__ = "{environ}"\n')
    w.repo.git("commit", "-qam", "chore: an odd version")
    w.repo.git("push", "-q", "origin", "main")

    preview = dry_run(w, capsys)
    published, everything = publish_all(w, capsys)

    for result in (preview, published):
        assert result.code == ExitCode.NO_VERSION, result.err
        (line,) = [x for x in result.err.splitlines() if x.startswith("autorelease: error:")]
        assert "is not a version" in line
        assert "…" in line
        assert len(line) < 300
        assert token not in result.err
    assert token not in everything


def test_an_internal_error_is_scrubbed_on_screen_and_in_the_report(
    w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # urllib cannot take this URL apart, and its exception quotes the part that holds a secret.
    monkeypatch.setenv("TWINE_PASSWORD", "hunter2-PASSWORD")
    add_config(w, 'simple_url = "http://127.0.0.1:hunter2-PASSWORD/simple/"')

    published, everything = publish_all(w, capsys)

    assert published.code == ExitCode.INTERNAL, published.err
    assert "internal error: InvalidURL: nonnumeric port: '***'" in published.err
    assert published.report["failure"]["message"] == "InvalidURL: nonnumeric port: '***'"
    assert "hunter2-PASSWORD" not in everything


@pytest.mark.parametrize(
    ("path", "outside"),
    [("CHANGELOG.md", False), ("docs/../CHANGELOG.md", False), ("./x", False), ("a:b", False),
     ("../x", True), ("a/../../x", True), ("..", True), ("/etc/x", True), ("~/x", True),
     ("C:/x", True), ("C:\\x", True), ("\\\\host\\share\\x", True)],
)  # fmt: skip
def test_which_configured_paths_are_outside(path: str, outside: bool) -> None:
    assert config_checks.is_outside(path) is outside


@pytest.mark.parametrize("name", [".pre-commit-config.yaml", "pyproject.toml"])
def test_init_neither_reads_nor_writes_through_a_link_outside(
    project: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    target = tmp_path / "outside" / name
    target.parent.mkdir()
    original = (project.path / name).read_text() if name == "pyproject.toml" else "repos: []\n"
    target.write_text(original + "# SECRET-OUTSIDE-CONTENT\n")
    (project.path / name).unlink(missing_ok=True)
    (project.path / name).symlink_to(target)
    unchanged = digest(target)

    for args in (["--dry-run"], ["--yes"]):
        code = main(["-C", str(project.path), "init", *args])
        captured = capsys.readouterr()
        assert code == ExitCode.CONFIG, captured.err
        assert f"{name} leads outside the repository through a symbolic link" in captured.err
        assert "SECRET-OUTSIDE-CONTENT" not in captured.out + captured.err
    assert (project.path / name).is_symlink()
    assert digest(target) == unchanged
