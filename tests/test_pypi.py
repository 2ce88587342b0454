"""pypi.py against a real pypiserver on 127.0.0.1 (and a proxy in front of it that fails)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autorelease.errors import AlreadyOnIndex, ExitCode, UploadFailed
from autorelease.publish.build import build
from autorelease.publish.index import file_sha256, index_files, plan_upload, twine_args, upload
from autorelease.publish.index_target import CredentialSource, Target, resolve_target
from conftest import sample_project
from index_server import (
    PASSWORD,
    TWINE_POST_TRIES,
    FaultyProxy,
    LocalIndex,
    free_port,
)

pytest_plugins = ["index_server"]  # fixtures: pypiserver_index, faulty_index, devpi_index

EPOCH = 1_700_000_000


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sdist and wheel of sample-pkg 1.0.0, built once for the module."""
    root = tmp_path_factory.mktemp("sample")
    built = build(sample_project(root / "project"), "1.0.0", EPOCH, root / "dist", isolation=False)
    return list(built.files)


@pytest.fixture(scope="module")
def other_dists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """sample-pkg 1.0.0 again, with a different README: same names, different sha256."""
    root = tmp_path_factory.mktemp("other")
    project = sample_project(root / "project", readme="# sample-pkg\n\nChanged.\n")
    return list(build(project, "1.0.0", EPOCH, root / "dist", isolation=False).files)


def target_for(index: LocalIndex | FaultyProxy) -> Target:
    return resolve_target(index.url, simple_url=index.simple_url)


@pytest.fixture
def uploader(monkeypatch: pytest.MonkeyPatch, pypiserver_index: LocalIndex) -> LocalIndex:
    """The right credentials for PYPISERVER_INDEX, in the environment."""
    monkeypatch.setenv("TWINE_USERNAME", pypiserver_index.username)
    monkeypatch.setenv("TWINE_PASSWORD", pypiserver_index.password)
    return pypiserver_index


# --- what to upload (fast) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "remote", "todo"),
    [
        ({"a.tgz": "2", "a.whl": "1"}, {}, ["a.whl", "a.tgz"]),
        ({"a.whl": "1", "a.tgz": "2"}, {"a.whl": "1"}, ["a.tgz"]),
        ({"a.whl": "1", "a.tgz": "2"}, {"a.whl": "1", "a.tgz": "2"}, []),
        ({"a.whl": "1"}, {"a.whl": ""}, []),  # the index gave no sha256: trust the name
        ({"a.whl": "1"}, {"b.whl": "9"}, ["a.whl"]),
    ],
)
def test_plan_upload(local: dict[str, str], remote: dict[str, str], todo: list[str]) -> None:
    assert plan_upload(local, remote, "idx") == todo


def test_plan_upload_refuses_a_different_file_under_the_same_name() -> None:
    with pytest.raises(AlreadyOnIndex, match="already on idx with a different sha256") as info:
        plan_upload({"a.whl": "1" * 64}, {"a.whl": "2" * 64}, "idx")
    assert info.value.code == ExitCode.ALREADY_ON_INDEX
    assert "bump the version" in str(info.value)


# --- reading the simple API ------------------------------------------------------------------


@pytest.fixture
def json_index() -> Iterator[str]:
    """A one-page PEP 691 index (JSON only) for project `demo`."""
    page = {
        "meta": {"api-version": "1.0"},
        "name": "demo",
        "files": [
            {"filename": "demo-1.0.tar.gz", "hashes": {"sha256": "aa"}, "url": "x"},
            {"filename": "demo-1.0-py3-none-any.whl", "hashes": {"sha256": "bb"}, "url": "y"},
            {"filename": "demo-1.1.tar.gz", "hashes": {"sha256": "cc"}, "url": "z"},
            {"filename": "demo-weird.zip", "hashes": {}, "url": "w"},
        ],
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/simple/demo/" and "json" in self.headers.get("Accept", "")
            body = json.dumps(page).encode() if ok else b"nope"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_index_files_reads_pep691_json(json_index: str) -> None:
    files = index_files(json_index, "Demo", "1.0")
    assert files == {"demo-1.0.tar.gz": "aa", "demo-1.0-py3-none-any.whl": "bb"}
    assert index_files(json_index, "demo", "2.0") == {}
    assert index_files(json_index, "unknown", "1.0") == {}  # 404


@pytest.mark.slow
def test_index_files_reads_pep503_html_and_retries_visibly(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    upload(dists, target_for(uploader))
    faulty_index.fail_gets = {1}
    messages: list[str] = []
    files = index_files(
        faulty_index.simple_url, "sample_pkg", "1.0.0", log=messages.append, backoff=60
    )
    assert files == {d.name: file_sha256(d) for d in dists}
    assert faulty_index.failed == ["GET 1"]
    assert len(messages) == 1
    assert "500" in messages[0]
    assert "retry 1 in 0 s" in messages[0]  # the proxy's Retry-After: 0, not the backoff


@pytest.mark.slow
def test_index_files_gives_up_after_bounded_retries(faulty_index: FaultyProxy) -> None:
    faulty_index.down = True
    messages: list[str] = []
    with pytest.raises(UploadFailed, match=r"cannot read .*500") as info:
        index_files(faulty_index.simple_url, "x", "1.0", log=messages.append, attempts=3, backoff=0)
    assert info.value.code == ExitCode.UPLOAD_FAILED
    assert len(messages) == 2
    assert faulty_index.gets == 3


# --- uploading to pypiserver -------------------------------------------------------------------


@pytest.mark.slow
def test_upload_then_second_run_uploads_nothing(uploader: LocalIndex, dists: list[Path]) -> None:
    target = target_for(uploader)
    assert target.credentials is CredentialSource.TWINE_ENV
    first = upload(dists, target)
    assert sorted(first.uploaded) == sorted(d.name for d in dists)
    assert uploader.files() == sorted(d.name for d in dists)
    second = upload(dists, target)
    assert (second.uploaded, sorted(second.already_there)) == ((), sorted(d.name for d in dists))


@pytest.mark.slow
def test_wrong_password_is_a_clear_error_without_the_password(
    monkeypatch: pytest.MonkeyPatch, pypiserver_index: LocalIndex, dists: list[Path]
) -> None:
    wrong = "Wr0ng-but-secret-pw"
    monkeypatch.setenv("TWINE_USERNAME", pypiserver_index.username)
    monkeypatch.setenv("TWINE_PASSWORD", wrong)
    messages: list[str] = []
    with pytest.raises(UploadFailed, match="refused the upload credentials") as info:
        upload(dists, target_for(pypiserver_index), messages.append, backoff=0)
    error = info.value
    assert error.code == ExitCode.UPLOAD_FAILED
    assert "403" in error.message
    assert "TWINE_PASSWORD" in (error.hint or "")
    everything = f"{error}\n{error.output}\n{messages}"
    assert wrong not in everything
    assert PASSWORD not in everything
    assert len([m for m in messages if m.startswith("uploading")]) == 1  # not retried
    assert pypiserver_index.files() == []


@pytest.mark.slow
def test_different_file_already_on_index_is_refused(
    uploader: LocalIndex, dists: list[Path], other_dists: list[Path]
) -> None:
    target = target_for(uploader)
    upload(dists, target)
    with pytest.raises(AlreadyOnIndex, match="with a different sha256") as info:
        upload(other_dists, target)
    assert info.value.code == ExitCode.ALREADY_ON_INDEX


@pytest.mark.slow
def test_a_file_another_run_is_writing_is_read_again_not_refused(
    uploader: LocalIndex, dists: list[Path]
) -> None:
    """pypiserver stores an upload in place: a run that reads the index meanwhile sees the file
    with the hash of what is written so far (here: nothing yet). It reads again, and finds the
    very file it built, instead of refusing a "different" one (a race test failed so, now and
    then)."""
    assert uploader.packages is not None
    wheel = next(d for d in dists if d.name.endswith(".whl"))
    being_written = uploader.packages / wheel.name
    being_written.write_bytes(b"")
    finished = threading.Timer(0.2, lambda: being_written.write_bytes(wheel.read_bytes()))
    finished.start()
    messages: list[str] = []

    done = upload(dists, target_for(uploader), messages.append)

    finished.join()
    assert done.already_there == (wheel.name,)
    assert list(done.uploaded) == [d.name for d in dists if d != wheel]
    assert any("with a different sha256" in m and "read again in" in m for m in messages)


def failing(first: int) -> set[int]:
    """POST numbers that make twine give up on one file: it sends each 5xx'd file 5 times."""
    return set(range(first, first + TWINE_POST_TRIES))


@pytest.mark.slow
def test_failed_upload_then_rerun_sends_only_the_missing_file(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    target = target_for(faulty_index)
    faulty_index.fail_posts = failing(2)  # the first file lands, the second only gets 500s
    with pytest.raises(UploadFailed, match="500") as info:
        upload(dists, target, attempts=1)
    assert info.value.code == ExitCode.UPLOAD_FAILED
    assert "re-run" in (info.value.hint or "")
    sdist, wheel = (d.name for d in dists)
    assert uploader.files() == [wheel]  # wheels go first
    rerun = upload(dists, target, attempts=1)
    assert (rerun.already_there, rerun.uploaded) == ((wheel,), (sdist,))
    assert uploader.files() == sorted(d.name for d in dists)
    assert faulty_index.posts == 1 + TWINE_POST_TRIES + 1


@pytest.mark.slow
def test_upload_retries_a_500_and_completes(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    faulty_index.fail_posts = failing(1)
    messages: list[str] = []
    result = upload(dists, target_for(faulty_index), messages.append, attempts=3, backoff=0)
    assert result.attempts == 2
    assert result.uploaded == tuple(d.name for d in dists)
    assert any("500" in m and "next try" in m for m in messages)
    assert faulty_index.posts == TWINE_POST_TRIES + 2


@pytest.mark.slow
def test_unreachable_upload_url_is_retried_then_reported(
    uploader: LocalIndex, dists: list[Path]
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    target = resolve_target(closed, simple_url=uploader.simple_url)
    messages: list[str] = []
    with pytest.raises(UploadFailed, match=r"^uploading to .* failed: .*ConnectionError") as info:
        upload(dists, target, messages.append, attempts=2, backoff=0)
    assert "re-run" in (info.value.hint or "")
    assert len([m for m in messages if "(try " in m]) == 2
    assert uploader.files() == []


@pytest.mark.slow
def test_failed_upload_is_reported_even_when_the_index_cannot_be_read_after(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    faulty_index.fail_posts = failing(1)
    faulty_index.fail_gets = {2, 3, 4}  # every read after the failed upload
    with pytest.raises(UploadFailed, match=r"failed: 500") as info:
        upload(dists, target_for(faulty_index), attempts=3, backoff=0)
    assert "cannot read" in str(info.value.__cause__)


@pytest.mark.slow
def test_upload_whose_answer_was_lost_is_not_an_error(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    # The index stores the first file but answers 500; twine sends it again and pypiserver
    # refuses the copy with 400. Reading the index shows the identical file: carry on.
    faulty_index.lose_posts = {1}
    messages: list[str] = []
    result = upload(dists, target_for(faulty_index), messages.append, backoff=0)
    assert result.uploaded == tuple(d.name for d in dists)
    assert uploader.files() == sorted(d.name for d in dists)
    assert any("400" in m for m in messages)


@pytest.mark.slow
def test_files_another_run_uploaded_meanwhile_are_found_not_sent(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    # Another run uploads the same files just after our read of the index: our upload of the
    # first is refused (400), and reading again shows both there. This run sent nothing.
    upload(dists, target_for(uploader))
    faulty_index.stale_gets = {1}
    messages: list[str] = []

    result = upload(dists, target_for(faulty_index), messages.append, backoff=0)

    names = tuple(sorted(d.name for d in dists))
    assert (result.uploaded, tuple(sorted(result.already_there))) == ((), names)
    assert faulty_index.accepted == 0
    assert any("sent 0, already there 2" in m for m in messages), messages
    assert any("another run" in m for m in messages), messages


@pytest.mark.slow
def test_upload_to_a_pypirc_section(
    monkeypatch: pytest.MonkeyPatch, pypiserver_index: LocalIndex, dists: list[Path]
) -> None:
    home = Path(os.environ["HOME"])
    (home / ".pypirc").write_text(
        f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {pypiserver_index.url}\n"
        f"username = {pypiserver_index.username}\npassword = {pypiserver_index.password}\n",
    )
    target = resolve_target("local")
    assert target.credentials is CredentialSource.PYPIRC
    assert PASSWORD not in " ".join(twine_args(target, dists))
    upload(dists, target)
    assert pypiserver_index.files() == sorted(d.name for d in dists)


@pytest.mark.slow
def test_uploaded_package_installs_from_the_local_index(
    uploader: LocalIndex, dists: list[Path], tmp_path: Path
) -> None:
    upload(dists, target_for(uploader))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir"]
    pip += ["--index-url", uploader.simple_url, "--only-binary", ":all:", "sample-pkg==1.0.0"]
    proc = subprocess.run(pip, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    code = "import sample_pkg; print(sample_pkg.__version__)"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1.0.0"


# --- devpi: PyPI's behaviour (identical re-upload accepted) and PEP 691 JSON -------------------


@pytest.fixture
def devpi_uploader(monkeypatch: pytest.MonkeyPatch, devpi_index: LocalIndex) -> LocalIndex:
    monkeypatch.setenv("TWINE_USERNAME", devpi_index.username)
    monkeypatch.setenv("TWINE_PASSWORD", devpi_index.password)
    return devpi_index


@pytest.mark.slow
def test_devpi_upload_is_read_back_as_json_and_not_repeated(
    devpi_uploader: LocalIndex, dists: list[Path]
) -> None:
    target = resolve_target(devpi_uploader.url, simple_url=devpi_uploader.simple_url)
    assert set(upload(dists, target).uploaded) == {d.name for d in dists}
    files = index_files(devpi_uploader.simple_url, "sample-pkg", "1.0.0")
    assert files == {d.name: file_sha256(d) for d in dists}
    assert upload(dists, target).uploaded == ()


@pytest.mark.slow
def test_devpi_different_file_is_refused_before_uploading(
    devpi_uploader: LocalIndex, dists: list[Path], other_dists: list[Path]
) -> None:
    target = resolve_target(devpi_uploader.url, simple_url=devpi_uploader.simple_url)
    upload(dists, target)
    with pytest.raises(AlreadyOnIndex, match="with a different sha256") as info:
        upload(other_dists, target)
    assert info.value.code == ExitCode.ALREADY_ON_INDEX
