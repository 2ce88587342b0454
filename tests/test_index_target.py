"""Which index, with which credentials: `pypi | testpypi | NAME | URL`, .pypirc and env."""

from __future__ import annotations

from pathlib import Path

import pytest

from autorelease.errors import ConfigError, ExitCode, NoCredentials
from autorelease.publish.index import twine_args
from autorelease.publish.index_target import (
    PYPI_SIMPLE,
    PYPI_UPLOAD,
    TESTPYPI_SIMPLE,
    TESTPYPI_UPLOAD,
    CredentialSource,
    Target,
    credential_source,
    derive_simple_url,
    require_credentials,
    resolve_target,
    twine_env,
)

TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC"


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
    with pytest.raises(NoCredentials) as info:
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
