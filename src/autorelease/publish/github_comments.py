"""After the GitHub release: one "Released in" comment, and the configured label, on each
issue and pull request the release notes name.

Once only: the comment carries a hidden marker naming the tag, and an issue whose comments hold
it already is left alone, so a re-run (after a failure, or a run killed halfway) comments on
exactly the rest. The label goes on before the comment: the marker is the proof of both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

from autorelease.errors import GitHubFailed
from autorelease.publish.github import Pacing, Session
from autorelease.publish.github_target import GitHubTarget

if TYPE_CHECKING:
    from github.Issue import Issue

# `#12`, `(#276)`, `[#7](…/issues/7)`; not `&#12;` nor `owner/repo#12` (another repository).
_REFERENCE = re.compile(r"(?<![\w&/])#(\d+)\b")
_SERVER_ERRORS = frozenset({500, 502, 503, 504})


class Released(NamedTuple):
    """What the comment step did, by issue number."""

    commented: tuple[int, ...]
    found: tuple[int, ...]  # carried the comment already
    missing: tuple[int, ...]  # no such issue or pull request on GitHub


def referenced(notes: str) -> tuple[int, ...]:
    """The issue and pull-request numbers NOTES name, in order of appearance, once each."""
    return tuple(dict.fromkeys(int(match[1]) for match in _REFERENCE.finditer(notes)))


def marker(tag: str) -> str:
    return f"<!-- autorelease:released {tag} -->"


def comment_body(version: str, tag: str, release_url: str) -> str:
    return f"Released in [{version}]({release_url}).\n\n{marker(tag)}"


def comment_released(
    target: GitHubTarget,
    numbers: Sequence[int],
    *,
    body: str,
    tag: str,
    label: str,
    log: Callable[[str], None],
    pacing: Pacing,
) -> Released:
    """Comment BODY (and add LABEL unless "") on each of NUMBERS that lacks it. GitHubFailed."""
    session = Session(target, log, pacing)
    done: dict[str, list[int]] = {"commented": [], "found": [], "missing": []}
    with session.repository() as repo, _needs_issues_permission():
        for number in numbers:
            issue = repo.get_issue(number)  # lazy: no request
            outcome = _release_one(session, issue, number, body=body, mark=marker(tag), label=label)
            done[outcome].append(number)
    return Released(*(tuple(done[key]) for key in ("commented", "found", "missing")))


@contextmanager
def _needs_issues_permission() -> Iterator[None]:
    """A 403 names the permissions commenting needs (the release's own hint is contents:)."""
    try:
        yield
    except GitHubFailed as exc:
        if ": 403" not in exc.message:
            raise
        raise GitHubFailed(
            exc.message,
            "commenting needs GITHUB_TOKEN with `issues: write` and `pull-requests: write`; the "
            "release is out: re-run `autorelease publish` to comment on the rest, or pass "
            "--no-comments",
        ) from None


def _release_one(
    session: Session, issue: Issue, number: int, *, body: str, mark: str, label: str
) -> str:
    """Comment on ISSUE unless it carries MARK already: commented, found or missing."""
    found = _has_marker(session, issue, number, mark)
    if found is None:
        session.log(f"GitHub: #{number} is no issue or pull request here; no comment")
        return "missing"
    if found:
        return "found"
    if label:
        session.call(f"labelling #{number}", lambda: issue.add_to_labels(label))
    _post_once(session, issue, number, body, mark)
    session.log(f"GitHub: commented on #{number}")
    return "commented"


def _has_marker(session: Session, issue: Issue, number: int, mark: str) -> bool | None:
    """Whether a comment of ISSUE holds MARK; None when GitHub has no such issue."""
    comments = session.lookup(
        f"listing the comments of #{number}", lambda: list(issue.get_comments())
    )
    if comments is None:
        return None
    return any(mark in (comment.body or "") for comment in comments)


def _post_once(session: Session, issue: Issue, number: int, body: str, mark: str) -> None:
    """Post BODY; after a 5xx answer, look before posting again: GitHub may have saved it."""
    from github import GithubException

    doing = f"commenting on #{number}"
    try:
        session.call(doing, lambda: issue.create_comment(body), passthrough=_SERVER_ERRORS)
    except GithubException:
        if not _has_marker(session, issue, number, mark):
            session.call(doing, lambda: issue.create_comment(body))
