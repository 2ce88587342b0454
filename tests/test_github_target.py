"""Where a GitHub release goes: remote URLs, GITHUB_* variables and the token (pure)."""

from __future__ import annotations

import pytest

from autorelease.errors import AutoreleaseError, ConfigError, ExitCode, NoCredentials
from autorelease.publish.github_target import (
    DEFAULT_API_URL,
    GitHubTarget,
    resolve_target,
)
from autorelease.remote_url import repository


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/hello", ("github.com", "octo/hello")),
        ("https://github.com/octo/hello.git", ("github.com", "octo/hello")),
        ("https://github.com/octo/hello.git/", ("github.com", "octo/hello")),
        ("http://github.com/octo/hello", ("github.com", "octo/hello")),
        ("https://x-access-token:abc@github.com/octo/hello.git", ("github.com", "octo/hello")),
        ("https://GitHub.com/Octo/Hello.js.git", ("github.com", "Octo/Hello.js")),
        ("git@github.com:octo/hello.git", ("github.com", "octo/hello")),
        ("git@github.com:octo/hello", ("github.com", "octo/hello")),
        ("github.com:octo/hello.git", ("github.com", "octo/hello")),
        ("ssh://git@github.com/octo/hello.git", ("github.com", "octo/hello")),
        ("ssh://git@ssh.github.com:443/octo/hello.git", ("ssh.github.com", "octo/hello")),
        ("git://github.com/octo/hello.git", ("github.com", "octo/hello")),
        ("https://ghe.example.com/team/tool.git", ("ghe.example.com", "team/tool")),
        ("git@ghe.example.com:team/tool.git", ("ghe.example.com", "team/tool")),
        ("ssh://git@ghe.example.com:2222/team/tool.git", ("ghe.example.com", "team/tool")),
        ("https://gitlab.com/group/sub/project.git", None),
        ("https://github.com/octo", None),
        ("https://github.com/octo/../hello", None),
        ("/tmp/test/origin.git", None),
        ("../origin.git", None),
        ("file:///tmp/test/origin.git", None),
        ("C:/repos/origin.git", None),
        ("", None),
    ],
)
def test_the_repository_a_remote_names(url: str, expected: tuple[str, str] | None) -> None:
    assert repository(url) == expected


TOKEN = {"GITHUB_TOKEN": "ghs_x"}


@pytest.mark.parametrize(
    ("env", "origin", "expected"),
    [
        (TOKEN, "git@github.com:octo/hello.git", (DEFAULT_API_URL, "octo/hello")),
        (
            {**TOKEN, "GITHUB_REPOSITORY": "octo/other"},
            "git@github.com:octo/hello.git",
            (DEFAULT_API_URL, "octo/other"),
        ),
        ({**TOKEN, "GITHUB_REPOSITORY": "octo/other"}, None, (DEFAULT_API_URL, "octo/other")),
        (
            {**TOKEN, "GITHUB_API_URL": "https://ghe.example.com/api/v3/"},
            "git@ghe.example.com:team/tool.git",
            ("https://ghe.example.com/api/v3", "team/tool"),
        ),
        (
            {
                **TOKEN,
                "GITHUB_API_URL": "https://ghe.example.com/api/v3",
                "GITHUB_REPOSITORY": "t/x",
            },
            "/tmp/origin.git",
            ("https://ghe.example.com/api/v3", "t/x"),
        ),
        (
            {**TOKEN, "GITHUB_API_URL": "", "GITHUB_REPOSITORY": ""},
            "https://github.com/o/r",
            (DEFAULT_API_URL, "o/r"),
        ),
        (TOKEN, "git@ghe.example.com:team/tool.git", None),  # GitHub Enterprise, or another forge?
        (TOKEN, "https://gitlab.com/o/r.git", None),
        (TOKEN, "/tmp/origin.git", None),
        (TOKEN, None, None),
        ({}, "/tmp/origin.git", None),  # not configured wins over a missing token
    ],
)
def test_resolve_target(
    env: dict[str, str], origin: str | None, expected: tuple[str, str] | None
) -> None:
    found = resolve_target(env, origin)

    assert (found and (found.api_url, found.repository)) == expected
    assert found is None or found.token == "ghs_x"


@pytest.mark.parametrize(
    ("env", "error", "code", "text"),
    [
        ({}, NoCredentials, ExitCode.NO_CREDENTIALS, "GITHUB_TOKEN is not set"),
        ({"GITHUB_TOKEN": "  "}, NoCredentials, ExitCode.NO_CREDENTIALS, "GITHUB_TOKEN is not set"),
        ({**TOKEN, "GITHUB_REPOSITORY": "octo"}, ConfigError, ExitCode.CONFIG, "owner/name"),
        ({**TOKEN, "GITHUB_REPOSITORY": "a/b/c"}, ConfigError, ExitCode.CONFIG, "owner/name"),
        (
            {**TOKEN, "GITHUB_API_URL": "api.github.com"},
            ConfigError,
            ExitCode.CONFIG,
            "http(s) URL",
        ),
    ],
)
def test_resolve_target_errors(
    env: dict[str, str], error: type[AutoreleaseError], code: ExitCode, text: str
) -> None:
    with pytest.raises(error) as caught:
        resolve_target(env, "https://github.com/octo/hello.git")

    assert type(caught.value) is error
    assert caught.value.code == code
    assert text in caught.value.message


def test_the_target_repr_hides_the_token() -> None:
    assert "s3cret" not in repr(GitHubTarget(DEFAULT_API_URL, "o/r", "s3cret"))
