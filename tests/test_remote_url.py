"""Remote URLs: the changelog's links and the GitHub target read them the same way."""

from __future__ import annotations

import pytest

from autorelease.remote_url import repository, split, web_url


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("https://github.com/o/r.git", "https://github.com/o/r"),
        ("https://token@github.com/o/r", "https://github.com/o/r"),
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("ssh://git@gitlab.example.com:2222/g/s/r.git", "https://gitlab.example.com/g/s/r"),
        ("/srv/git/r.git", None),
        ("file:///srv/git/r.git", None),
        ("deploy@GitLab.example.com:group/sub/r.git", "https://gitlab.example.com/group/sub/r"),
        ("https://github.com/o/r.git/", "https://github.com/o/r"),
        ("git://example.org/r", "https://example.org/r"),
        ("https://github.com/o/my repo", None),
        ("C:/repos/r.git", None),
        ("", None),
    ],
)
def test_web_url(remote: str, url: str | None) -> None:
    assert web_url(remote) == url


@pytest.mark.parametrize(
    "remote",
    ["https://github.com/o/r.git", "git@github.com:o/r", "ssh://git@github.com:22/o/r.git/"],
)
def test_the_github_target_and_the_links_agree(remote: str) -> None:
    assert split(remote) == repository(remote) == ("github.com", "o/r")
    assert web_url(remote) == "https://github.com/o/r"
