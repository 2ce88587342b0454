"""The GitHub release step: make the release and its assets idempotently.

PyGithub is imported inside functions so that `import autorelease.github` stays cheap for the
commands that never publish.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from autorelease import retry
from autorelease.errors import GitHubFailed
from autorelease.publish import github_errors
from autorelease.publish.github_target import GitHubTarget
from autorelease.scrub import sanitize

if TYPE_CHECKING:
    from github.GitRelease import GitRelease
    from github.GitReleaseAsset import GitReleaseAsset
    from github.Repository import Repository

_T = TypeVar("_T")


@dataclass(frozen=True)
class Pacing:
    """How patiently to talk to GitHub: our bounded retry loop, and no more waiting than asked.

    No throttle between requests: a release makes a handful (GitHub asks for a second between
    writes only of clients that make many), and a rate limit is waited out as its answer says.
    """

    seconds_between_requests: float = 0.0
    seconds_between_writes: float = 0.0
    attempts: int = 3  # in all, for one request answered 5xx or lost on the network
    backoff: float = 2.0  # seconds before the first retry, doubled before each further one,
    # unless a 5xx answer says how long in retry-after
    timeout: int = 60
    rate_limit_wait: float = 90.0  # the longest wait for a rate limit to lift; longer: stop


NO_WAIT = Pacing(backoff=0)


class Asset(NamedTuple):
    """A file attached to a release; GitHub keeps an interrupted upload with state "starter"."""

    name: str
    size: int
    complete: bool


@dataclass(frozen=True)
class ReleaseState:
    """What GitHub holds for one tag, for --dry-run and for resuming."""

    exists: bool
    html_url: str | None = None
    prerelease: bool = False
    assets: tuple[Asset, ...] = ()

    @property
    def asset_names(self) -> frozenset[str]:
        """Names of the completely uploaded assets."""
        return frozenset(asset.name for asset in self.assets if asset.complete)

    def missing(self, files: Sequence[Path]) -> list[Path]:
        """The FILES that ensure_release would still upload."""
        return [path for path in files if path.name not in self.asset_names]


class ReleaseResult(NamedTuple):
    """What ensure_release found and did: this run created the release, attached these files."""

    html_url: str
    created: bool
    attached: tuple[str, ...]


# --- talking to GitHub --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    """One conversation with GitHub: retries, logging and error text, with the token masked."""

    target: GitHubTarget
    log_line: Callable[[str], None]
    pacing: Pacing

    @contextmanager
    def repository(self) -> Iterator[Repository]:
        from github import Auth, Github

        client = Github(
            base_url=self.target.api_url,
            auth=Auth.Token(self.target.token),
            timeout=self.pacing.timeout,
            retry=None,  # our own loop retries, so that each retry is bounded and shows in the log
            seconds_between_requests=self.pacing.seconds_between_requests,
            seconds_between_writes=self.pacing.seconds_between_writes,
            lazy=True,  # no GET of the repository itself: the release calls need only its URL
        )
        with client:
            yield client.get_repo(self.target.repository)

    def log(self, line: str) -> None:
        self.log_line(self.redact(line))

    def redact(self, text: str) -> str:
        # The token, and a password the API URL may carry (GITHUB_API_URL=http://u:p@host/...).
        return sanitize(text, [self.target.token] if self.target.token else [])

    def call(self, doing: str, action: Callable[[], _T], passthrough: Collection[int] = ()) -> _T:
        """Run ACTION, retrying 5xx answers and network errors; other failures → GitHubFailed.

        A GithubException whose status is in PASSTHROUGH reaches the caller unchanged.
        """
        return retry.retrying(
            lambda _: self._once(doing, action, passthrough),
            attempts=self.pacing.attempts,
            backoff=self.pacing.backoff,
            before_retry=functools.partial(self._before_retry, doing),
        )

    def _once(self, doing: str, action: Callable[[], _T], passthrough: Collection[int]) -> _T:
        """ACTION once: a failure that may pass raises retry.Again, another GitHubFailed."""
        from github import GithubException
        from requests import RequestException

        try:
            return action()
        except (GithubException, RequestException) as exc:
            if isinstance(exc, GithubException) and exc.status in passthrough:
                raise
            wait = github_errors.rate_limit_wait(exc)
            patient = wait is not None and wait <= self.pacing.rate_limit_wait
            if not (patient or github_errors.transient(exc)):
                raise self.failure(exc, doing) from None
            what = "was rate limited" if wait is not None else "failed"
            reason = f"{what} ({self.describe(exc)})"
            raise retry.Again(self.failure(exc, doing), reason, self._wait(exc, wait)) from None

    def _wait(self, exc: Exception, rate_limited: float | None) -> float | None:
        """Until a rate limit lifts, else what the answer's retry-after asks (at most
        rate_limit_wait); None: the doubling backoff."""
        if rate_limited is not None:
            return rate_limited
        asked = github_errors.retry_after(exc)
        return None if asked is None else min(asked, self.pacing.rate_limit_wait)

    def _before_retry(self, doing: str, again: retry.Again, attempt: int, delay: float) -> None:
        """Say why the call is tried again, and when."""
        self.log(
            f"GitHub: {doing} {again.reason}; "
            f"retry {attempt}/{self.pacing.attempts - 1} in {delay:g}s"
        )

    def lookup(self, doing: str, action: Callable[[], _T]) -> _T | None:
        """Like call, but a 404 answer means "not there": None."""
        from github import GithubException

        try:
            return self.call(doing, action, passthrough={404})
        except GithubException:
            return None

    def failure(self, exc: Exception, doing: str) -> GitHubFailed:
        """One clear line for EXC; the original exception is dropped so no header can leak."""
        message = (
            f"GitHub: {doing} failed for {self.target.repository} "
            f"at {self.target.api_url}: {self.describe(exc)}"
        )
        return GitHubFailed(self.redact(message), github_errors.hint(exc))

    def describe(self, exc: Exception) -> str:
        # Mask before shortening: a cut could leave a prefix of the token that no longer matches.
        return github_errors.one_line(self.redact(github_errors.describe(exc)))


Session = _Session  # for the other GitHub steps (github_comments.py)


# --- read-only state ------------------------------------------------------------------------------


def release_state(
    target: GitHubTarget,
    tag: str,
    *,
    pacing: Pacing = Pacing(),  # frozen: a shared default is safe
    log: Callable[[str], None] = lambda _line: None,
) -> ReleaseState:
    """What GitHub holds for TAG, without changing anything. Raises GitHubFailed."""
    session = _Session(target, log, pacing)
    with session.repository() as repo:
        release = _find_release(session, repo, tag)
        if release is None:
            return ReleaseState(exists=False)
        assets = tuple(_asset(a) for a in _list_assets(session, release, tag))
        return ReleaseState(True, release.html_url, release.prerelease, assets)


def _find_release(session: _Session, repo: Repository, tag: str) -> GitRelease | None:
    return session.lookup(f"looking up release {tag}", lambda: repo.get_release(tag))


def _list_assets(session: _Session, release: GitRelease, tag: str) -> list[GitReleaseAsset]:
    return session.call(f"listing assets of release {tag}", lambda: list(release.get_assets()))


def _asset(asset: GitReleaseAsset) -> Asset:
    return Asset(asset.name, asset.size, asset.state == "uploaded")


# --- the release itself ---------------------------------------------------------------------------


def ensure_release(
    target: GitHubTarget,
    tag: str,
    *,
    title: str,
    notes: str,
    prerelease: bool,
    files: Sequence[Path],
    log: Callable[[str], None],
    pacing: Pacing = Pacing(),  # frozen: a shared default is safe
) -> ReleaseResult:
    """Make sure GitHub has release TAG with all FILES attached; its html_url and what was done.

    Creates the release only if it is missing, for a tag that must already be on GitHub, and
    uploads only the missing assets, so a re-run after a failure finishes exactly the rest.
    What another run made meanwhile is found, not counted as made. Raises GitHubFailed.
    """
    _check_files(files)
    session = _Session(target, log, pacing)
    with session.repository() as repo:
        release, created = _find_release(session, repo, tag), False
        if release is None:
            release, created = _create_release(
                session, repo, tag, title=title, notes=notes, prerelease=prerelease
            )
        else:
            session.log(f"GitHub release {tag} exists: {release.html_url}")
        attached = _upload_missing(session, release, tag, files)
        return ReleaseResult(release.html_url, created, attached)


def note_at_top(
    target: GitHubTarget,
    tag: str,
    note: str,
    *,
    log: Callable[[str], None],
    pacing: Pacing = Pacing(),  # frozen: a shared default is safe
) -> str | None:
    """Put NOTE at the top of release TAG's notes, once: a re-run finds it there and changes
    nothing. The release's html_url; None when GitHub has no release for TAG."""
    session = _Session(target, log, pacing)
    with session.repository() as repo:
        release = _find_release(session, repo, tag)
        if release is None:
            return None
        body = release.body or ""
        if not body.startswith(note):
            session.call(
                f"adding a note to release {tag}",
                lambda: release.update_release(
                    release.name or tag, f"{note}\n\n{body}" if body else note,
                    draft=release.draft, prerelease=release.prerelease,
                ),
            )  # fmt: skip
            session.log(f"GitHub release {tag}: note added at the top")
        return str(release.html_url)


def _check_files(files: Sequence[Path]) -> None:
    # Fail before the first request rather than leave a release with half its assets.
    for path in files:
        if not path.is_file():
            raise GitHubFailed(
                f"release asset {path} does not exist",
                hint="build the distributions first",
            )
    names = [path.name for path in files]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise GitHubFailed(
            f"release assets must have distinct file names: {', '.join(duplicates)} repeats",
        )


def _create_release(
    session: _Session, repo: Repository, tag: str, *, title: str, notes: str, prerelease: bool
) -> tuple[GitRelease, bool]:
    """The new release and True, or the one a racing run (or a lost answer) made and False."""
    from github import GithubException

    _require_remote_tag(session, repo, tag)
    session.log(f"creating GitHub release {tag}")
    try:
        made = session.call(
            f"creating release {tag}",
            lambda: repo.create_git_release(
                tag,
                name=title,
                message=notes,
                prerelease=prerelease,
                # "legacy" lets GitHub pick latest by version, so a backport does not become it.
                make_latest="false" if prerelease else "legacy",
            ),
            passthrough={422},
        )
    except GithubException as exc:
        # A racing run, or a retried POST that GitHub had carried out before answering 5xx.
        release = _find_release(session, repo, tag)
        if release is None:
            raise session.failure(exc, f"creating release {tag}") from None
        session.log(f"GitHub release {tag} was created meanwhile; continuing with it")
        return release, False
    return made, True


def _require_remote_tag(session: _Session, repo: Repository, tag: str) -> None:
    # Without the tag, GitHub would create it on the default branch's head: never what we want.
    ref = session.lookup(f"looking up tag {tag}", lambda: repo.get_git_ref(f"tags/{tag}").object)
    if ref is None:
        raise GitHubFailed(
            f"tag {tag} is not on GitHub ({session.target.repository}), "
            "so the release cannot be created",
            hint=f"push it first: git push origin {tag}",
        )


def _upload_missing(
    session: _Session, release: GitRelease, tag: str, files: Sequence[Path]
) -> tuple[str, ...]:
    """Attach the FILES the release lacks; the names of those this run attached."""
    present = {asset.name: asset for asset in _list_assets(session, release, tag)}
    attached = []
    for path in files:
        existing = present.get(path.name)
        if existing is not None and existing.state == "uploaded":
            _check_same_size(existing, path, tag)
            session.log(f"{path.name} is already attached to {tag}")
            continue
        if existing is not None:
            # GitHub keeps an interrupted upload as "starter", and it blocks the name until deleted.
            session.log(f"removing the incomplete upload of {path.name}")
            session.call(f"deleting incomplete asset {path.name}", existing.delete_asset)
        if _upload(session, release, tag, path):
            attached.append(path.name)
    return tuple(attached)


def _check_same_size(asset: GitReleaseAsset, path: Path, tag: str) -> None:
    size = path.stat().st_size
    if asset.size != size:
        raise GitHubFailed(
            f"release {tag} already has {asset.name} with {asset.size} bytes, "
            f"but {path} has {size}",
            hint="the release holds another build: delete that asset on GitHub, then re-run",
        )


def _upload(session: _Session, release: GitRelease, tag: str, path: Path) -> bool:
    """Attach PATH; False when another run (or a lost answer) attached it meanwhile."""
    from github import GithubException

    session.log(f"uploading {path.name} to GitHub release {tag}")
    doing = f"uploading {path.name} to release {tag}"
    try:
        session.call(doing, lambda: _post_asset(release, path), passthrough={422})
        return True
    except GithubException as exc:
        # 422 means the name is taken: by a racing run, or by our own retried POST.
        again = {a.name: a for a in _list_assets(session, release, tag)}.get(path.name)
        if again is None or again.state != "uploaded":
            raise session.failure(exc, doing) from None
        _check_same_size(again, path, tag)
        session.log(f"{path.name} was attached meanwhile; keeping it")
        return False


def _post_asset(release: GitRelease, path: Path) -> GitReleaseAsset:
    # Our own file handle: PyGithub's path-based upload leaves the file open when the request fails.
    with path.open("rb") as stream:
        return release.upload_asset_from_memory(
            stream, path.stat().st_size, path.name, content_type=_content_type(path)
        )


def _content_type(path: Path) -> str:
    if path.name.endswith((".tar.gz", ".tgz")):
        return "application/gzip"
    if path.suffix in (".whl", ".zip"):
        return "application/zip"  # a wheel is a zip archive
    return "application/octet-stream"
