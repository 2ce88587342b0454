"""Any locale, any encoding: files are UTF-8 whatever the locale, a byte order mark and CRLF
line ends stay as found, git's messages are read as UTF-8 whatever encoding a commit declares.

The locale tests run autorelease in a real ISO-8859-1 locale, built with localedef (the C
locale would hide the bugs: Python coerces it to UTF-8), and without PYTHONUTF8.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import GitRepo, git_out
from publish_world import World

pytest_plugins = ["index_server", "publish_world"]

NAME = "José Müller"
LOCALE = "en_US.ISO-8859-1"


@pytest.fixture(scope="session")
def latin1_locale(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The variables that put a process in an ISO-8859-1 locale (LOCPATH, LC_ALL)."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed: cannot build an ISO-8859-1 locale to test in")
    where = tmp_path_factory.mktemp("locales")
    subprocess.run(
        ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(where / LOCALE)],
        check=True,
        capture_output=True,
    )
    return {"LOCPATH": str(where), "LC_ALL": LOCALE}


def in_locale(variables: dict[str, str]) -> dict[str, str]:
    """This process's environment in the locale VARIABLES name, with nothing forcing UTF-8."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LC_", "LANG", "PYTHONUTF8", "PYTHONIOENCODING"))
    }
    env.update(variables)
    probe = "import locale, sys; print(locale.getpreferredencoding(), sys.flags.utf8_mode)"
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert proc.stdout.split() == ["ISO-8859-1", "0"], "the test would not run in Latin-1"
    return env


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def only_crlf(data: bytes) -> bool:
    return data.count(b"\r\n") == data.count(b"\n") > 0


# --- a whole release in a Latin-1 locale --------------------------------------------------------


@pytest.mark.slow
def test_a_release_in_a_latin1_locale_keeps_every_file_utf8(
    w: World, latin1_locale: dict[str, str]
) -> None:
    pyproject = w.repo.path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('description = "', f'authors = [{{name = "{NAME}"}}]\ndescription = "')
    text = text.replace(
        "[tool.autorelease]\n",
        '[tool.autorelease]\ncommit_message = "chore(release): {version} — ¡olé!"\n',
    )
    assert NAME in text
    pyproject.write_bytes(crlf(text).encode("utf-8"))  # CRLF, as on Windows
    init = w.repo.path / "src/sample_pkg/__init__.py"
    init.write_bytes(b"\xef\xbb\xbf" + init.read_bytes())  # a byte order mark
    w.repo.write("CHANGELOG.md", "\ufeff# Changelog\r\n\r\n## 1.0.0\r\n\r\n- Grüße\r\n")
    w.repo.git("add", ".")
    w.repo.commit(f"feat: credit {NAME} ⚠")
    w.repo.git("push", "-q", "origin", "main")

    argv = [sys.executable, "-m", "autorelease", "-C", str(w.repo.path), "publish"]
    proc = subprocess.run(
        [*argv, "--repository", w.upload_url],
        env=in_locale(latin1_locale),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
        check=False,
    )
    out = proc.stdout.decode("iso-8859-1")  # what the terminal shows
    sys.stderr.write(out)

    assert proc.returncode == ExitCode.OK, out
    assert "released: 1.1.0" in out
    assert "internal error" not in out
    written = pyproject.read_bytes()
    assert written == crlf(text.replace('version = "1.0.0"', 'version = "1.1.0"')).encode("utf-8")
    assert init.read_bytes() == b'\xef\xbb\xbf__version__ = "1.1.0"\n'
    changelog = (w.repo.path / "CHANGELOG.md").read_bytes()
    assert changelog.startswith(b"\xef\xbb\xbf# Changelog\r\n")
    assert only_crlf(changelog)
    assert f"- credit {NAME} ⚠".encode() in changelog
    assert changelog.endswith("## 1.0.0\r\n\r\n- Grüße\r\n".encode())
    # the release commit: its message as configured, recorded as UTF-8
    message = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=w.repo.path, capture_output=True, check=True
    ).stdout
    assert b"\nencoding " not in message
    assert message.endswith("chore(release): 1.1.0 — ¡olé!\n".encode())
    # what the index serves, and the GitHub release
    assert w.index.packages is not None
    wheel = w.index.packages / "sample_pkg-1.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read("sample_pkg-1.1.0.dist-info/METADATA").decode("utf-8")
    assert f"Author: {NAME}" in metadata
    (post,) = w.github.release_posts()
    assert f"credit {NAME} ⚠" in json.loads(post.body)["body"]


def test_the_dry_run_prints_in_a_latin1_locale(
    project: GitRepo, latin1_locale: dict[str, str]
) -> None:
    project.tag("v1.0.0")
    project.commit(f"feat!: credit {NAME}\n\nBREAKING CHANGE: naïve ⚠ → ✓")
    proc = subprocess.run(
        [sys.executable, "-m", "autorelease", "-C", str(project.path), "--dry-run"],
        env=in_locale(latin1_locale),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == ExitCode.OK, proc.stderr
    out = proc.stdout.decode("iso-8859-1")  # what the terminal shows
    assert f"+- credit {NAME} (" in out
    assert "### ? Breaking changes" in out  # what Latin-1 cannot show, shown as "?"
    assert "naïve ? ? ?" in out


# --- git: a commit's declared encoding ----------------------------------------------------------


def test_a_commit_recorded_in_latin1_is_read_as_what_it_says(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.tag("v1.0.0")
    project.git("config", "i18n.commitEncoding", "ISO-8859-1")
    message = project.path / "message.txt"
    message.write_bytes("fix: crème brûlée for José\n".encode("iso-8859-1"))
    project.git("commit", "-q", "--allow-empty", "-F", str(message))
    message.unlink()
    raw = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=project.path, capture_output=True, check=True
    ).stdout
    assert b"\nencoding ISO-8859-1\n" in raw
    assert "crème".encode("iso-8859-1") in raw

    assert main(["-C", str(project.path), "changelog"]) == ExitCode.OK
    assert "- crème brûlée for José (" in capsys.readouterr().out


# --- files that are not UTF-8, BOM and CRLF ------------------------------------------------------


def test_a_changelog_that_is_not_utf8_is_a_one_line_error(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.path / "CHANGELOG.md").write_bytes("# Changelog\n\n- Grüße\n".encode("cp1252"))
    project.git("add", ".")
    project.commit("feat: more")
    before = (project.path / "CHANGELOG.md").read_bytes()

    assert main(["-C", str(project.path), "--dry-run"]) == ExitCode.CHANGELOG
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "autorelease: error: CHANGELOG.md is not UTF-8 text (invalid byte at offset 17) — "
        "convert the changelog CHANGELOG.md to UTF-8 and commit it, then run again"
    ]
    assert (project.path / "CHANGELOG.md").read_bytes() == before


def test_a_version_file_that_is_not_utf8_is_a_one_line_error(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    init = project.path / "src/sample_pkg/__init__.py"
    init.write_bytes('# Müller\n__version__ = "1.0.0"\n'.encode("iso-8859-1"))
    project.git("add", ".")
    project.commit("feat: more")

    assert main(["-C", str(project.path), "--dry-run"]) == ExitCode.NO_VERSION
    assert capsys.readouterr().err.splitlines() == [
        "autorelease: error: src/sample_pkg/__init__.py is not UTF-8 text (invalid byte at "
        "offset 3) — convert src/sample_pkg/__init__.py to UTF-8 and commit it, then run again"
    ]


def test_a_pyproject_that_is_not_utf8_is_a_one_line_error(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.path / "pyproject.toml").write_bytes(
        '[project]\nname = "x"\nversion = "1.0.0"\nauthors = [{name = "José"}]\n'.encode("cp1252")
    )
    repo.git("add", ".")
    repo.commit("feat: x")

    assert main(["-C", str(repo.path), "--dry-run"]) == ExitCode.CONFIG
    assert capsys.readouterr().err.splitlines() == [
        "autorelease: error: pyproject.toml is not UTF-8 text (invalid byte at offset 62) — "
        f"convert {repo.path / 'pyproject.toml'} to UTF-8 and commit it, then run again"
    ]


def test_crlf_and_a_byte_order_mark_are_kept_in_what_the_plan_writes(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project.path / "pyproject.toml"
    pyproject.write_bytes(crlf(pyproject.read_text(encoding="utf-8")).encode())
    project.write("CHANGELOG.md", "\ufeff# Changelog\r\n\r\n## 1.0.0\r\n")
    project.git("add", ".")
    project.commit("chore: line ends")
    project.tag("v1.0.0")
    project.commit("feat: new\n\nBREAKING CHANGE: two\nlines")

    assert main(["-C", str(project.path), "--dry-run", "--json"]) == ExitCode.OK
    changes = {c["path"]: c for c in json.loads(capsys.readouterr().out)["file_changes"]}
    after = changes["pyproject.toml"]["after"]
    assert after == changes["pyproject.toml"]["before"].replace('"1.0.0"', '"2.0.0"')
    assert only_crlf(after.encode())
    changelog = changes["CHANGELOG.md"]["after"]
    # the new heading copies the last release's, which has no date
    assert changelog.startswith("\ufeff# Changelog\r\n\r\n## 2.0.0\r\n")
    assert changelog.endswith("\r\n\r\n## 1.0.0\r\n")
    assert "- two\r\n  lines (" in changelog
    assert only_crlf(changelog.encode())


def test_a_file_with_mixed_line_ends_keeps_them(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("CHANGELOG.md", "# Changelog\r\n\n## 1.0.0\r\n")
    project.git("add", ".")
    project.commit("chore: line ends")
    project.tag("v1.0.0")
    project.commit("fix: one")

    assert main(["-C", str(project.path), "--dry-run", "--json"]) == ExitCode.OK
    (change,) = (
        c
        for c in json.loads(capsys.readouterr().out)["file_changes"]
        if c["path"] == "CHANGELOG.md"
    )
    assert change["after"].startswith("# Changelog\r\n\n## 1.0.1\n")  # as ## 1.0.0 is written
    assert change["after"].endswith(")\n\n## 1.0.0\r\n")


def test_changelog_init_keeps_the_files_line_ends(project: GitRepo) -> None:
    project.write("CHANGELOG.md", "\ufeff# Old\r\n")
    project.git("add", ".")
    project.commit("chore: old changelog")
    project.tag("v1.0.0")

    assert main(["-C", str(project.path), "changelog", "--init"]) == ExitCode.OK
    written = (project.path / "CHANGELOG.md").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf# Changelog\r\n")
    assert only_crlf(written)
    assert git_out(project.path, "status", "--porcelain") == "M CHANGELOG.md"
