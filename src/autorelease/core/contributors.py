"""Who made a release: the authors of its commits, in the order they first contributed, and
whether it is their first release. Read from git only (names and emails); GitHub logins are
publishing's business (publish/contributors.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from autorelease import git


class Author(NamedTuple):
    """One contributor of a release: a commit of theirs, and whether it is their first release."""

    email: str
    name: str
    sha: str  # their newest commit in the release, to ask GitHub about
    first_time: bool


def authors(
    root: Path, previous_tag: str | None, end: str, paths: Sequence[str] = ()
) -> list[Author]:
    """The authors of the commits after PREVIOUS_TAG up to END (HEAD while planning; the
    release commit's parent once it exists: its author is the release job, not a contributor),
    in the order of their first commit; only those of commits touching PATHS, when given (a
    workspace's package). Two git calls, whatever the number of commits."""
    span = f"{previous_tag}..{end}" if previous_tag else end
    where = ["--", *paths] if paths else []
    lines = git.output(["log", "--reverse", "--format=%H%x09%ae%x09%an", span, *where], root)
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


def lines(people: list[Author], by_email: dict[str, str]) -> list[str]:
    """One list item each: `@login` where BY_EMAIL knows one, else the name; first-timers
    marked."""
    return [
        f"- {'@' + by_email[p.email] if p.email in by_email else p.name}"
        + (" (first contribution)" if p.first_time else "")
        for p in people
    ]


def section(people: list[Author], by_email: dict[str, str]) -> str:
    """`### Contributors` and one line each (the GitHub release's notes)."""
    if not people:
        return ""
    return "\n".join(["### Contributors", "", *lines(people, by_email)]) + "\n"
