"""Where to publish on GitHub: the repository, API URL and token, from the environment or origin."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from autorelease import remote_url
from autorelease.errors import ConfigError, NoCredentials

DEFAULT_API_URL = "https://api.github.com"
# Hosts under which a remote URL means github.com itself (ssh.github.com is ssh over port 443).
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com", "ssh.github.com"})
TOKEN_HINT = "GITHUB_TOKEN needs `contents: write` on the repository"


@dataclass(frozen=True)
class GitHubTarget:
    """Where a release goes: the API root, "owner/name", and the token (kept out of repr)."""

    api_url: str
    repository: str
    token: str = field(repr=False)


def resolve_target(env: Mapping[str, str], origin_url: str | None) -> GitHubTarget | None:
    """Where to publish the GitHub release; None when the project is not on GitHub.

    The repository comes from GITHUB_REPOSITORY, else from the origin URL: a github.com remote, or
    any host once GITHUB_API_URL is set (GitHub Enterprise), since a bare host name cannot tell
    GitHub Enterprise from another forge.
    Raises NoCredentials when the repository is known but GITHUB_TOKEN is empty, and
    ConfigError when GITHUB_REPOSITORY or GITHUB_API_URL is malformed.
    """
    explicit_api = _env(env, "GITHUB_API_URL")
    repository = _repository(env, origin_url, enterprise=explicit_api is not None)
    if repository is None:
        return None
    token = _env(env, "GITHUB_TOKEN")
    if token is None:
        raise NoCredentials(
            f"GITHUB_TOKEN is not set, so the GitHub release of {repository} cannot be made",
            hint="in GitHub Actions pass `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` in `env:`; "
            + TOKEN_HINT,
        )
    return GitHubTarget(_api_url(explicit_api), repository, token)


def _env(env: Mapping[str, str], key: str) -> str | None:
    # CI systems often define a variable as empty rather than leave it out.
    value = env.get(key, "").strip()
    return value or None


def _repository(env: Mapping[str, str], origin_url: str | None, enterprise: bool) -> str | None:
    explicit = _env(env, "GITHUB_REPOSITORY")
    if explicit is not None:
        repository = remote_url.owner_and_name(explicit)
        if repository is None or explicit.strip("/") != repository:
            raise ConfigError(
                f"GITHUB_REPOSITORY={explicit!r} is not of the form owner/name",
                hint="set it like `octocat/hello-world`, or unset it to use the origin remote",
            )
        return repository
    remote = remote_url.repository(origin_url) if origin_url else None
    if remote is None or (remote[0] not in _GITHUB_HOSTS and not enterprise):
        return None
    return remote[1]


def _api_url(explicit: str | None) -> str:
    if explicit is None:
        return DEFAULT_API_URL
    parts = urllib.parse.urlsplit(explicit)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(
            f"GITHUB_API_URL={explicit!r} is not an http(s) URL",
            hint="use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise",
        )
    return explicit.rstrip("/")
