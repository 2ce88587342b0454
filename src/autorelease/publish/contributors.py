"""The contributors of a release, for the end of its notes: GitHub logins where GitHub maps the
commit to an account, names otherwise; first-time contributors marked.

Two `git log` passes (the release's authors, and every author before the previous release) and
at most one GitHub request per distinct author, never one per commit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from autorelease import git
from autorelease.publish.github import Pacing, Session
from autorelease.publish.github_target import GitHubTarget

if TYPE_CHECKING:
    from github.Repository import Repository


class Author(NamedTuple):
    """One contributor of a release: a commit of theirs, and whether it is their first release."""

    email: str
    name: str
    sha: str  # their newest commit in the release, to ask GitHub about
    first_time: bool


def authors(root: Path, previous_tag: str | None, tag: str) -> list[Author]:
    """The authors of the commits between PREVIOUS_TAG and TAG's parent (the release commit's
    author is the release job, not a contributor), in order of their first commit."""
    end = f"{tag}^"
    span = f"{previous_tag}..{end}" if previous_tag else end
    lines = git.output(["log", "--reverse", "--format=%H%x09%ae%x09%an", span], root)
    before = _earlier_emails(root, previous_tag)
    found: dict[str, Author] = {}
    for line in lines.splitlines():
        sha, email, name = line.split("\t", 2)
        first = before is not None and email.lower() not in before
        found[email.lower()] = Author(email, name, sha, first)
    return list(found.values())


def _earlier_emails(root: Path, previous_tag: str | None) -> frozenset[str] | None:
    """Every author email up to PREVIOUS_TAG; None without one (nobody is marked then)."""
    if previous_tag is None:
        return None
    emails = git.output(["log", "--format=%ae", previous_tag], root)
    return frozenset(email.lower() for email in emails.splitlines())


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


def section(people: list[Author], by_email: dict[str, str]) -> str:
    """`### Contributors` and one line each: `@login` or the name, first-timers marked."""
    if not people:
        return ""
    lines = ["### Contributors", ""]
    for person in people:
        login = by_email.get(person.email)
        who = f"@{login}" if login else person.name
        lines.append(f"- {who}" + (" (first contribution)" if person.first_time else ""))
    return "\n".join(lines) + "\n"
