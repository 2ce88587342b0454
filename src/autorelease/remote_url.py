"""Git remote URLs: which host and repository path they name, and the repository's web page.

Pure string work, shared by the changelog links and the GitHub release target.
"""

from __future__ import annotations

import re
import urllib.parse

_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git"})
# scp-like syntax, user@host:owner/name.git; a one-letter "host" would be a Windows drive.
_SCP = r"(?:[^@/]+@)?(?P<host>[\w.-]{2,}):(?!//)(?P<path>[^\\]+)"  # re compiles it on first use


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
