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

from autorelease.build import ToolFailed, build
from autorelease.errors import AutoreleaseError, ConfigError, ExitCode
from autorelease.pypi import (
    PYPI_SIMPLE,
    PYPI_UPLOAD,
    TESTPYPI_SIMPLE,
    TESTPYPI_UPLOAD,
    CredentialSource,
    Target,
    credential_source,
    derive_simple_url,
    file_sha256,
    index_files,
    plan_upload,
    require_credentials,
    resolve_target,
    sanitize,
    twine_args,
    twine_env,
    upload,
)
from index_server import (
    PASSWORD,
    TWINE_POST_TRIES,
    FaultyProxy,
    LocalIndex,
    free_port,
    sample_project,
)

pytest_plugins = ["index_server"]  # fixtures: pypiserver_index, faulty_index, devpi_index

EPOCH = 1_700_000_000
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC"


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """twine and our pre-flight check never reach the machine's keyring."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


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


# --- resolving the target (fast) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "simple", "name", "upload_url", "simple_url"),
    [
        ("pypi", None, "pypi", PYPI_UPLOAD, PYPI_SIMPLE),
        ("PyPI", None, "pypi", PYPI_UPLOAD, PYPI_SIMPLE),
        ("testpypi", None, "testpypi", TESTPYPI_UPLOAD, TESTPYPI_SIMPLE),
        (PYPI_UPLOAD, None, "upload.pypi.org", PYPI_UPLOAD, PYPI_SIMPLE),
        ("http://127.0.0.1:8080/", None, "127.0.0.1:8080", "http://127.0.0.1:8080/",
         "http://127.0.0.1:8080/simple/"),
        ("http://127.0.0.1:8080", None, "127.0.0.1:8080", "http://127.0.0.1:8080",
         "http://127.0.0.1:8080/simple/"),
        ("https://pkgs.example/legacy/", None, "pkgs.example", "https://pkgs.example/legacy/",
         "https://pkgs.example/simple/"),
        ("https://devpi.example/me/dev/", "https://devpi.example/me/dev/+simple/",
         "devpi.example", "https://devpi.example/me/dev/", "https://devpi.example/me/dev/+simple/"),
    ],
)  # fmt: skip
def test_resolve_target(
    spec: str, simple: str | None, name: str, upload_url: str, simple_url: str
) -> None:
    target = resolve_target(spec, simple_url=simple, env={})
    assert (target.name, target.upload_url, target.simple_url) == (name, upload_url, simple_url)
    assert target.pypirc is None


def write_pypirc(home: Path, text: str) -> Path:
    path = home / ".pypirc"
    path.write_text(text)
    return path


def test_resolve_target_from_pypirc(tmp_path: Path) -> None:
    rc = write_pypirc(
        tmp_path,
        "[distutils]\nindex-servers =\n  pypi\n  local\n\n"
        "[pypi]\nusername = __token__\npassword = pypi-abc\n\n"
        "[local]\nrepository = http://127.0.0.1:9000/\nusername = me\npassword = pw1234\n",
    )
    local = resolve_target("local", pypirc=rc, env={})
    assert local == Target(
        "local",
        "http://127.0.0.1:9000/",
        "http://127.0.0.1:9000/simple/",
        CredentialSource.PYPIRC,
        rc,
    )
    assert "-r" in twine_args(local, [])
    assert resolve_target("pypi", pypirc=rc, env={}).credentials is CredentialSource.PYPIRC
    # A URL that a section names is that section: twine reads credentials only through -r.
    assert resolve_target("http://127.0.0.1:9000", pypirc=rc, env={}) == local


def test_pypirc_sections_are_those_twine_reads(tmp_path: Path) -> None:
    rc = write_pypirc(tmp_path, "[local]\nrepository = http://127.0.0.1:9000/\n")
    with pytest.raises(ConfigError, match="'local' is neither"):
        resolve_target("local", pypirc=rc, env={})  # no [distutils] index-servers lists it


def test_unknown_repository_name_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'corp' is neither pypi.*add \[corp\]") as info:
        resolve_target("corp", pypirc=tmp_path / ".pypirc", env={})
    assert info.value.code == ExitCode.CONFIG


def test_password_in_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_target("https://me:hunter22@pkgs.example/", env={})
    assert "hunter22" not in str(info.value)
    assert "TWINE_PASSWORD" in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("https://upload.pypi.org/legacy", PYPI_SIMPLE),
        ("https://gitlab.example/api/v4/projects/7/packages/pypi",
         "https://gitlab.example/api/v4/projects/7/packages/pypi/simple/"),
    ],
)  # fmt: skip
def test_derive_simple_url(url: str, expected: str) -> None:
    assert derive_simple_url(url) == expected


# --- credentials (fast) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "section", "env", "expected"),
    [
        (PYPI_UPLOAD, {}, {}, CredentialSource.MISSING),
        (PYPI_UPLOAD, {}, {"TWINE_PASSWORD": "x"}, CredentialSource.TWINE_ENV),  # __token__
        ("http://i/", {}, {"TWINE_PASSWORD": "x"}, CredentialSource.MISSING),  # no username
        ("http://i/", {}, {"TWINE_USERNAME": "u", "TWINE_PASSWORD": "x"},
         CredentialSource.TWINE_ENV),
        ("http://i/", {}, {"PYPI_API_TOKEN": TOKEN}, CredentialSource.API_TOKEN),
        ("http://i/", {"username": "u", "password": "p"}, {}, CredentialSource.PYPIRC),
        ("http://i/", {"password": "p"}, {"TWINE_USERNAME": "u"}, CredentialSource.PYPIRC),
        (PYPI_UPLOAD, {}, {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/"},
         CredentialSource.TRUSTED_PUBLISHING),
        (TESTPYPI_UPLOAD, {}, {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/"},
         CredentialSource.TRUSTED_PUBLISHING),
        ("http://i/", {}, {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/"},
         CredentialSource.MISSING),  # trusted publishing is PyPI's
    ],
)  # fmt: skip
def test_credential_source(
    url: str, section: dict[str, str], env: dict[str, str], expected: CredentialSource
) -> None:
    assert credential_source(url, section, env) is expected


def test_missing_credentials_name_the_variables() -> None:
    target = resolve_target("pypi", env={})
    with pytest.raises(AutoreleaseError) as info:
        require_credentials(target)
    assert info.value.code == ExitCode.NO_CREDENTIALS
    for var in ("TWINE_USERNAME", "TWINE_PASSWORD", "PYPI_API_TOKEN", "trusted publishing"):
        assert var in str(info.value)


def test_api_token_goes_to_the_environment_never_argv(tmp_path: Path) -> None:
    target = resolve_target("http://127.0.0.1:9/", env={"PYPI_API_TOKEN": TOKEN})
    args = twine_args(target, [tmp_path / "a-1.0.tar.gz"])
    env = twine_env(target, {"PYPI_API_TOKEN": TOKEN, "TWINE_REPOSITORY_URL": "http://x/"})
    assert not [arg for arg in args if TOKEN in arg]
    assert (env["TWINE_USERNAME"], env["TWINE_PASSWORD"]) == ("__token__", TOKEN)
    assert "TWINE_REPOSITORY_URL" not in env
    assert "--repository-url" in args


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        ("HTTPError: 403 for hunter22", ["hunter22"], "HTTPError: 403 for ***"),
        (f"token was {TOKEN}.", [], "token was pypi-***."),
        ("see https://me:hunter22@host/x", [], "see https://me:***@host/x"),
        ("Authorization: Basic dXNlcjpwYXNz", [], "Authorization: Basic ***"),
        ("password: hunter22", [], "password: ***"),
        ("INFO     password: <hidden>", [], "INFO     password: <hidden>"),
        ("nothing secret here", ["abc"], "nothing secret here"),  # too short to be a secret
    ],
)
def test_sanitize(text: str, secrets: list[str], expected: str) -> None:
    assert sanitize(text, secrets) == expected


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
    with pytest.raises(AutoreleaseError, match="already on idx with a different sha256") as info:
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
        faulty_index.simple_url, "sample_pkg", "1.0.0", log=messages.append, backoff=0
    )
    assert files == {d.name: file_sha256(d) for d in dists}
    assert faulty_index.failed == ["GET 1"]
    assert len(messages) == 1
    assert "500" in messages[0]
    assert "retry 1" in messages[0]


@pytest.mark.slow
def test_index_files_gives_up_after_bounded_retries(faulty_index: FaultyProxy) -> None:
    faulty_index.down = True
    messages: list[str] = []
    with pytest.raises(AutoreleaseError, match=r"cannot read .*500") as info:
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
    with pytest.raises(ToolFailed, match="refused the upload credentials") as info:
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
    with pytest.raises(AutoreleaseError, match="with a different sha256") as info:
        upload(other_dists, target)
    assert info.value.code == ExitCode.ALREADY_ON_INDEX


def failing(first: int) -> set[int]:
    """POST numbers that make twine give up on one file: it sends each 5xx'd file 5 times."""
    return set(range(first, first + TWINE_POST_TRIES))


@pytest.mark.slow
def test_failed_upload_then_rerun_sends_only_the_missing_file(
    uploader: LocalIndex, faulty_index: FaultyProxy, dists: list[Path]
) -> None:
    target = target_for(faulty_index)
    faulty_index.fail_posts = failing(2)  # the first file lands, the second only gets 500s
    with pytest.raises(ToolFailed, match="500") as info:
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
    with pytest.raises(ToolFailed, match=r"^uploading to .* failed: .*ConnectionError") as info:
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
    with pytest.raises(ToolFailed, match=r"failed: 500") as info:
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
def test_upload_to_a_pypirc_section(
    monkeypatch: pytest.MonkeyPatch, pypiserver_index: LocalIndex, dists: list[Path]
) -> None:
    home = Path(os.environ["HOME"])
    write_pypirc(
        home,
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
    with pytest.raises(AutoreleaseError, match="with a different sha256") as info:
        upload(other_dists, target)
    assert info.value.code == ExitCode.ALREADY_ON_INDEX
