"""Which repository a project is: the remote's URL, the host and path it names, owner/name,
and the repository's web page.

The one place for this, shared by the changelog links, the GitHub release target and the
dry run's look at GitHub; everything but `of_remote` (one `git config`) is string work.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from autorelease import git

_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git"})
# scp-like syntax, user@host:owner/name.git; a one-letter "host" would be a Windows drive.
_SCP = r"(?:[^@/]+@)?(?P<host>[\w.-]{2,}):(?!//)(?P<path>[^\\]+)"  # re compiles it on first use
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def of_remote(root: Path, remote: str) -> str | None:
    """The URL of the git remote REMOTE of the repository at ROOT; None when there is none."""
    return git.config_value(root, f"remote.{remote}.url")


def web_page(root: Path, remote: str, configured: str = "") -> str | None:
    """The repository's web page: CONFIGURED (`repository_url`), else the one REMOTE's URL
    names; None for a remote on a local path, or none."""
    if configured:
        return configured.rstrip("/")
    url = of_remote(root, remote)
    return web_url(url) if url else None


def split(url: str) -> tuple[str, str] | None:
    """(host, path) that a remote URL names, the host lowercased and the path without its
    slashes around and `.git`: ("gitlab.com", "group/sub/project"). None for a local path."""
    url = url.strip()
    if "://" in url:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        match = re.fullmatch(_SCP, url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    path = path.strip("/").removesuffix(".git").strip("/")
    return (host.lower(), path) if path and not any(c.isspace() for c in path) else None


def web_url(url: str) -> str | None:
    """https://host/path of the repository a remote URL names; None for a local path."""
    parts = split(url)
    return f"https://{parts[0]}/{parts[1]}" if parts else None


def repository(url: str) -> tuple[str, str] | None:
    """(host, "owner/name") of a remote URL on a GitHub-like host; None for a local path or a
    path of another shape (a GitLab subgroup)."""
    parts = split(url)
    name = owner_and_name(parts[1]) if parts else None
    return (parts[0], name) if parts and name else None


def owner_and_name(path: str) -> str | None:
    """PATH when it is "owner/name" (GITHUB_REPOSITORY's form), else None."""
    parts = path.split("/")
    if len(parts) != 2 or not all(_is_name(part) for part in parts):
        return None
    return "/".join(parts)


def _is_name(part: str) -> bool:
    return _NAME.fullmatch(part) is not None and part not in (".", "..")
