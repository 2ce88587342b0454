"""build.py against real `python -m build` (hatchling, no isolation) and real `twine check`."""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from autorelease.errors import BuildFailed, ExitCode
from autorelease.publish.build import (
    TAIL_LINES,
    Distributions,
    ToolResult,
    build,
    build_env,
    check_versions,
    fresh_outdir,
    run_tool,
)
from conftest import sample_project

EPOCH = 1_700_000_000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_sample(
    root: Path, out: str, version: str = "1.0.0", epoch: int = EPOCH, **readme: str
) -> Distributions:
    project = sample_project(root / "project", version=version, **readme)
    return build(project, version, epoch, root / out, isolation=False)


# --- run_tool: the one subprocess choke point ------------------------------------------------


def test_run_tool_merges_output_and_times_it() -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    result = run_tool([sys.executable, "-c", code])
    assert result.returncode == 3
    assert not result.ok
    assert "out" in result.output
    assert "err" in result.output
    assert result.duration > 0


def test_run_tool_echoes_each_line_as_it_arrives() -> None:
    code = "import sys, time; print('first   ', flush=True); time.sleep(0.3); print('second')"
    seen: list[tuple[str, float]] = []
    started = time.monotonic()
    result = run_tool(
        [sys.executable, "-c", code], echo=lambda line: seen.append((line, time.monotonic()))
    )
    assert [line for line, _ in seen] == ["first", "second"]
    assert seen[0][1] - started < result.duration - 0.2  # before the tool had finished
    assert result.output == "first   \nsecond\n"


def test_the_tail_is_bounded() -> None:
    output = "".join(f"line {n}\n" for n in range(50)) + "x" * 5000 + "\n"
    tail = ToolResult(("x",), 1, output, 0.0).tail().splitlines()
    assert len(tail) == TAIL_LINES
    assert tail[0] == "line 31"
    assert tail[-1] == "x" * 400 + "…"


def test_run_tool_missing_program_is_a_result() -> None:
    result = run_tool(["autorelease-no-such-program"])
    assert result.returncode == 127
    assert "autorelease-no-such-program" in result.output


def test_run_tool_timeout_is_a_result() -> None:
    result = run_tool([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)
    assert not result.ok
    assert "timed out" in result.error_line()


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("a\nb\n", "b"),
        ("Traceback\nOSError: Readme file does not exist: X\nERROR Backend exited\n", "OSError"),
        ("* Building\nERROR Missing dependencies:\n\tnope\n", "ERROR Missing dependencies:"),
        ("", "exit status 1"),
    ],
)
def test_error_line_prefers_the_exception(output: str, expected: str) -> None:
    assert ToolResult(("x",), 1, output, 0.0).error_line().startswith(expected)


# --- fresh output directory ------------------------------------------------------------------


def test_outdir_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stale-1.0.whl").write_text("")
    with pytest.raises(BuildFailed, match="is not empty") as info:
        fresh_outdir(tmp_path)
    assert info.value.code == ExitCode.BUILD_FAILED


def test_outdir_is_created_or_temporary(tmp_path: Path) -> None:
    assert fresh_outdir(tmp_path / "a" / "b").is_dir()
    assert fresh_outdir(None).is_dir()


# --- version checks on hand-made files (fast) ---------------------------------------------------


def fake_dists(root: Path, file_version: str, metadata_version: str) -> tuple[Path, Path]:
    wheel = root / f"pkg-{file_version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(
            f"pkg-{file_version}.dist-info/METADATA", f"Name: pkg\nVersion: {metadata_version}\n"
        )
    sdist = root / f"pkg-{file_version}.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        data = f"Name: pkg\nVersion: {metadata_version}\n".encode()
        info = tarfile.TarInfo(f"pkg-{file_version}/PKG-INFO")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return sdist, wheel


@pytest.mark.parametrize(
    ("file_version", "metadata_version", "planned", "problem"),
    [
        ("1.0.0", "1.0.0", "1.0.0", None),
        ("1.0.0", "1.0", "1.0.0", None),  # equal once normalised
        ("1.0.0rc1", "1.0.0rc1", "1.0.0-rc.1", None),
        ("1.0.1", "1.0.1", "1.0.0", r"pkg-1\.0\.1\.tar\.gz has version 1\.0\.1"),
        ("1.0.0", "0.9.0", "1.0.0", r"METADATA has version 0\.9\.0, but the release is 1\.0\.0"),
        ("1.0.0", "1.0.0", "not-a-version", "not a valid PEP 440 version"),
        ("1.0.0", "", "1.0.0", "METADATA has version missing"),
    ],
)
def test_check_versions(
    tmp_path: Path, file_version: str, metadata_version: str, planned: str, problem: str | None
) -> None:
    sdist, wheel = fake_dists(tmp_path, file_version, metadata_version)
    if problem is None:
        check_versions(sdist, wheel, planned)
    else:
        with pytest.raises(BuildFailed, match=problem) as info:
            check_versions(sdist, wheel, planned)
        assert info.value.code == ExitCode.BUILD_FAILED


# --- real builds ----------------------------------------------------------------------------


@pytest.mark.slow
def test_build_makes_checked_sdist_and_wheel(tmp_path: Path) -> None:
    dists = build_sample(tmp_path, "dist", version="1.2.0")
    assert dists.sdist.name == "sample_pkg-1.2.0.tar.gz"
    assert dists.wheel.name.startswith("sample_pkg-1.2.0-")
    assert dists.version == "1.2.0"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == sorted(
        p.name for p in dists.files
    )


@pytest.mark.slow
def test_build_is_reproducible(tmp_path: Path) -> None:
    first = build_sample(tmp_path, "one")
    second = build_sample(tmp_path, "two")
    later = build_sample(tmp_path, "three", epoch=EPOCH + 86_400)
    assert sha256(first.wheel) == sha256(second.wheel)
    assert sha256(first.sdist) == sha256(second.sdist)
    assert sha256(first.wheel) != sha256(later.wheel)  # the epoch is what pins the timestamps


@pytest.mark.slow
def test_build_detects_version_mismatch(tmp_path: Path) -> None:
    project = sample_project(tmp_path / "project", version="1.0.0")
    with pytest.raises(
        BuildFailed, match=r"has version 1\.0\.0, but the release is 1\.1\.0"
    ) as info:
        build(project, "1.1.0", EPOCH, tmp_path / "dist", isolation=False)
    assert info.value.code == ExitCode.BUILD_FAILED
    assert "version_files" in str(info.value)


@pytest.mark.slow
def test_build_detects_twine_check_failure(tmp_path: Path) -> None:
    broken_rst = "Title\n=====\n\n.. unknown-directive:: boom\n\n`unclosed\n"
    with pytest.raises(BuildFailed, match="twine check --strict rejected") as info:
        build_sample(tmp_path, "dist", readme=broken_rst, content_type="text/x-rst")
    assert info.value.code == ExitCode.BUILD_FAILED
    assert "long_description" in info.value.message
    assert "readme" in (info.value.hint or "")
    assert "PASSED" not in info.value.message


@pytest.mark.slow
def test_build_failure_names_the_backend_error(tmp_path: Path) -> None:
    project = sample_project(tmp_path / "project")
    (project / "README.md").unlink()
    with pytest.raises(BuildFailed, match="Readme file does not exist") as info:
        build(project, "1.0.0", EPOCH, tmp_path / "dist", isolation=False)
    assert info.value.code == ExitCode.BUILD_FAILED
    assert "OSError: Readme file does not exist" in info.value.output  # its end, shown with it
    assert len(info.value.output.splitlines()) == 20
    assert "\n" not in info.value.message


def test_build_without_isolation_names_missing_backend(tmp_path: Path) -> None:
    project = sample_project(tmp_path / "project")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"hatchling"]', '"hatchling", "nope-x"]'))
    with pytest.raises(BuildFailed) as info:
        build(project, "1.0.0", EPOCH, tmp_path / "dist", isolation=False)
    assert info.value.message.endswith("failed: build requirements not installed: nope-x")
    assert "build with isolation" in (info.value.hint or "")


def test_the_build_backend_never_sees_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWINE_PASSWORD", "PYPI_API_TOKEN", "GITHUB_TOKEN"):
        monkeypatch.setenv(name, "pypi-secret-value-0123456789")
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    env = build_env(1_700_000_000)
    assert "pypi-secret-value-0123456789" not in env.values()
    assert env["TWINE_USERNAME"] == "uploader"
    assert env["SOURCE_DATE_EPOCH"] == "1700000000"
