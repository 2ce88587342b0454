"""The contributors of a release, for the end of its notes: GitHub logins where GitHub maps the
commit to an account, names otherwise; first-time contributors marked.

Two `git log` passes (the release's authors, and every author before the previous release) and
at most one GitHub request per distinct author, never one per commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from autorelease.core.contributors import Author, authors, lines, section
from autorelease.publish.github import Pacing, Session
from autorelease.publish.github_target import GitHubTarget

if TYPE_CHECKING:
    from github.Repository import Repository


def logins(
    target: GitHubTarget, people: list[Author], *, log: Callable[[str], None], pacing: Pacing
) -> dict[str, str]:
    """The GitHub login of each of PEOPLE whose commit GitHub maps to an account, by email."""
    session = Session(target, log, pacing)
    found: dict[str, str] = {}
    with session.repository() as repo:
        for person in people:
            login = _login(session, repo, person.sha)
            if login:
                found[person.email] = login
    return found


def _login(session: Session, repo: Repository, sha: str) -> str | None:
    """The login of the account GitHub maps commit SHA's author to; None: none, or no commit."""
    from github import GithubException

    doing = f"looking up the author of {sha[:7]}"
    try:
        commit = session.call(doing, lambda: _commit_data(repo, sha), passthrough={404, 422})
    except GithubException:
        return None  # GitHub does not know the commit: the name stays
    login = (commit.get("author") or {}).get("login")
    return str(login) if login else None


def _commit_data(repo: Repository, sha: str) -> dict[str, Any]:
    return dict(repo.get_commit(sha).raw_data)  # lazy: this is its one request


__all__ = ["Author", "authors", "lines", "logins", "section"]
