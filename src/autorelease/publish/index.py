"""What the index already holds for a release, and the upload of what it lacks.

Reading the index uses the simple API through urllib (PEP 691 JSON when offered, else PEP 503
HTML). Uploading runs `twine upload` as a process, only for the files that the index does not
hold yet: twine's `--skip-existing` is refused for indexes other than PyPI/TestPyPI, and
comparing sha256 also catches a *different* file under the same name. Credentials reach twine
through its environment, never its command line; its output is scrubbed before it is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, canonicalize_name
from packaging.version import InvalidVersion, Version

from autorelease import retry
from autorelease.errors import AlreadyOnIndex, UploadFailed
from autorelease.publish.build import STREAMING, ToolResult, project_of, run_tool
from autorelease.publish.index_target import (
    CREDENTIAL_VARS,
    CredentialSource,
    Target,
    require_credentials,
    secrets_in,
    twine_env,
)
from autorelease.scrub import sanitize, sanitize_url

Log = Callable[[str], None]

_log = logging.getLogger(__name__)

_SIMPLE_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_LONGEST_RETRY_AFTER = 60.0
# How often, and after how long, a file there with another sha256 is read again (_missing).
_DIFFERENT_READS = 3
_DIFFERENT_WAIT = 0.5


# --- reading the index -----------------------------------------------------------------------


def index_files(
    simple_url: str,
    project: str,
    version: str,
    *,
    log: Log = _log.info,
    attempts: int = 3,
    backoff: float = 1.0,
) -> dict[str, str]:
    """The files of PROJECT at VERSION on the index: file name -> sha256 ("" if not given).

    A project the index does not know gives {}. Transient failures are retried ATTEMPTS times
    in all; raises UploadFailed when the index cannot be read.
    """
    url = urllib.parse.urljoin(simple_url.rstrip("/") + "/", f"{canonicalize_name(project)}/")
    page = _fetch(url, log, attempts, backoff)
    if page is None:
        return {}
    body, content_type = page
    files = _parse_json(body) if "json" in content_type else _parse_html(body)
    want = (canonicalize_name(project), Version(version))
    return {name: sha for name, sha in files.items() if _release_of(name) == want}


def _fetch(url: str, log: Log, attempts: int, backoff: float) -> tuple[str, str] | None:
    """The body and content type at URL, None on 404; retries what may pass on its own."""
    request = urllib.request.Request(url, headers={"Accept": _SIMPLE_ACCEPT})

    def read(attempt: int) -> tuple[str, str] | None:
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                body = resp.read().decode("utf-8", errors="replace")
                return body, resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            problem, transient = f"{exc.code} {exc.reason}", exc.code in _TRANSIENT_STATUS
            asked = _retry_after(exc.headers.get("Retry-After"))
        except (urllib.error.URLError, OSError) as exc:
            problem, transient, asked = str(getattr(exc, "reason", exc)), True, None
        error = UploadFailed(
            f"cannot read {sanitize_url(url)}: {problem}",
            "check the index URL (or --simple-url) and the network, then re-run",
        )
        raise retry.Again(error, problem, asked) if transient else error

    def say(again: retry.Again, attempt: int, delay: float) -> None:
        log(f"reading {sanitize_url(url)} failed ({again.reason}); retry {attempt} in {delay:g} s")

    return retry.retrying(read, attempts=attempts, backoff=backoff, before_retry=say)


def _retry_after(value: str | None) -> float | None:
    """The seconds an index's Retry-After asks to wait (at most a minute); None when it says
    nothing or gives a date: then the doubling backoff decides."""
    try:
        return min(max(0.0, float(value or "")), _LONGEST_RETRY_AFTER)
    except ValueError:
        return None


def _parse_json(body: str) -> dict[str, str]:
    """PEP 691: {"files": [{"filename": ..., "hashes": {"sha256": ...}}]}."""
    files = json.loads(body).get("files", [])
    return {f["filename"]: f.get("hashes", {}).get("sha256", "") for f in files}


class _Links(HTMLParser):
    """The anchors of a PEP 503 page: (text, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text).strip(), self._href))
            self._href = None


def _parse_html(body: str) -> dict[str, str]:
    """PEP 503: one anchor per file, its sha256 in the URL fragment `#sha256=...`."""
    parser = _Links()
    parser.feed(body)
    files = {}
    for text, href in parser.links:
        path, _, fragment = href.partition("#")
        name = text or urllib.parse.unquote(path.rsplit("/", 1)[-1])
        algo, _, digest = fragment.partition("=")
        files[name] = digest.lower() if algo == "sha256" else ""
    return files


def _release_of(filename: str) -> tuple[str, Version] | None:
    try:
        return project_of(Path(filename))
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        return None


# --- uploading -------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The sha256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def plan_upload(local: Mapping[str, str], remote: Mapping[str, str], index: str) -> list[str]:
    """The LOCAL files (name -> sha256) that REMOTE lacks, wheels first.

    Raises AlreadyOnIndex when INDEX holds a file of the same name with a
    different sha256: an index never replaces a release file.
    """
    for name, digest in local.items():
        if remote.get(name) and remote[name] != digest:
            raise AlreadyOnIndex(
                f"{name} is already on {index} with a different sha256 "
                f"({remote[name][:12]}... there, {digest[:12]}... here)",
                "an index never replaces a release file: bump the version and release again",
            )
    # Wheels first, as twine sends them: pip users never see a release with only an sdist.
    return sorted((name for name in local if name not in remote), key=lambda n: n[-4:] != ".whl")


@dataclass(frozen=True)
class UploadResult:
    """What one `upload` did: files sent, files the index already held, twine runs used."""

    uploaded: tuple[str, ...]
    already_there: tuple[str, ...]
    attempts: int


def upload(
    dists: Sequence[Path],
    target: Target,
    log: Log = _log.info,
    *,
    attempts: int = 3,
    backoff: float = 2.0,
    env: Mapping[str, str] | None = None,
) -> UploadResult:
    """Upload the DISTS that TARGET does not hold yet; safe to run again after any failure.

    Before each try the index is read again, so a retry sends only what is still missing.
    `uploaded` lists only what this run stored: a file the index accepted from it, or answered
    5xx for and holds now (an answer lost); one another run stored meanwhile is `already_there`.
    Raises AlreadyOnIndex for a different file under the same name, NoCredentials, or
    UploadFailed (with twine's scrubbed output as `.output`).
    """
    env = os.environ if env is None else env
    project, version = _one_release(dists)
    local = {d.name: file_sha256(d) for d in dists}
    by_name = {d.name: d for d in dists}

    def missing() -> list[str]:
        return _missing(local, target, (project, str(version)), log, backoff)

    todo = missing()
    already = {n for n in local if n not in todo}
    sent: set[str] = set()
    tries = 0

    def send(attempt: int) -> None:
        """One twine run for the files still missing; Again when another may send the rest."""
        nonlocal todo, tries
        tries = attempt
        require_credentials(target)
        log(f"uploading {', '.join(todo)} to {target.name} (try {attempt} of {attempts})")
        args = twine_args(target, [by_name[n] for n in todo])
        secrets = secrets_in(target, env)
        twine = {**twine_env(target, env), **STREAMING}
        result = run_tool(args, env=twine, echo=_debug_echo(secrets))
        if result.ok:
            sent.update(todo)
            return
        accepted, unsure = twine_answers(result.output)
        sent.update(accepted)
        error, transient = upload_failure(result, target, secrets)
        before, todo = todo, _still_missing(missing, error)
        stored = [n for n in before if n not in todo and n not in sent]
        sent.update(n for n in stored if n in unsure)  # stored by a try whose answer got lost
        found = [n for n in stored if n not in unsure]
        if found:
            log(f"{', '.join(found)}: on {target.name} now, uploaded by another run meanwhile")
            already.update(found)
        if not todo:
            log(f"{error.message}; but the index holds every file now")
            return
        if not (transient or len(todo) < len(before)):  # neither may pass nor moved on
            raise error
        raise retry.Again(error, error.message)

    def say(again: retry.Again, attempt: int, delay: float) -> None:
        log(f"{again.reason}; {len(todo)} file(s) still missing, next try in {delay:g} s")

    if todo:
        retry.retrying(send, attempts=attempts, backoff=backoff, before_retry=say)
    log(f"{target.name} has {project} {version}: sent {len(sent)}, already there {len(already)}")
    return UploadResult(
        tuple(n for n in local if n in sent), tuple(n for n in local if n in already), tries
    )


def _missing(
    local: Mapping[str, str], target: Target, release: tuple[str, str], log: Log, backoff: float
) -> list[str]:
    """The LOCAL files that TARGET lacks (plan_upload). A file there under the same name with
    another sha256 is read again before it is refused: an index that stores an upload in place
    (pypiserver) lists the file of a run uploading it meanwhile, with the hash of a part."""

    def read(attempt: int) -> list[str]:
        remote = index_files(target.simple_url, *release, log=log, backoff=backoff)
        try:
            return plan_upload(local, remote, target.name)
        except AlreadyOnIndex as exc:
            raise retry.Again(exc, exc.message) from None

    def say(again: retry.Again, attempt: int, delay: float) -> None:
        log(f"{again.reason}; read again in {delay:g} s, in case it is being written")

    return retry.retrying(
        read, attempts=_DIFFERENT_READS, backoff=_DIFFERENT_WAIT, before_retry=say
    )


def _debug_echo(secrets: Sequence[str]) -> Log:
    """Each line of twine's output, scrubbed, to the debug log (`--verbose`) as it arrives."""
    return lambda line: _log.debug("twine upload | %s", sanitize(line, secrets))


# What `twine --verbose upload` prints about each file: each try, a 5xx, and the last answer.
_TWINE_STEPS = re.compile(
    r'^Uploading (?P<name>\S+)$|Received "(?P<retry>5\d\d)\b'
    r"|Response from \S+[ \t]*\n\s*(?P<status>\d{3})\b",
    re.M,
)


def twine_answers(output: str) -> tuple[frozenset[str], frozenset[str]]:
    """From a twine run's OUTPUT: the files the index accepted (200), and those it may have
    stored without saying so (a 5xx answer to one of their tries, and no 200)."""
    accepted: set[str] = set()
    unsure: set[str] = set()
    name = None
    for step in _TWINE_STEPS.finditer(output):
        if step["name"]:
            name = step["name"]
        elif name and step["retry"]:
            unsure.add(name)
        elif name and step["status"] and step["status"].startswith("2"):
            accepted.add(name)
    return frozenset(accepted), frozenset(unsure - accepted)


def _still_missing(missing: Callable[[], list[str]], error: UploadFailed) -> list[str]:
    # When the index cannot be read either, the failed upload is the error worth reporting.
    try:
        return missing()
    except UploadFailed as exc:
        raise error from exc


def _one_release(dists: Sequence[Path]) -> tuple[str, Version]:
    releases = {project_of(d) for d in dists}
    if len(releases) != 1:
        raise UploadFailed(
            f"expected files of one release, got {', '.join(d.name for d in dists) or 'none'}",
            "upload the files of one build at a time",
        )
    return releases.pop()


def twine_args(target: Target, files: Sequence[Path]) -> list[str]:
    """`twine upload` for FILES to TARGET; no credentials here: they go in the environment."""
    args = [sys.executable, "-m", "twine", "--no-color", "upload", "--non-interactive"]
    args += ["--disable-progress-bar", "--verbose"]
    if target.pypirc is not None:
        args += ["-r", target.name, "--config-file", str(target.pypirc)]
    else:
        args += ["--repository-url", target.upload_url]
    return [*args, *map(str, files)]


def upload_failure(
    result: ToolResult, target: Target, secrets: Sequence[str]
) -> tuple[UploadFailed, bool]:
    """The error for a failed `twine upload`, and whether trying again may help."""
    output = sanitize(result.output, secrets)
    where = f"{target.name} ({sanitize_url(target.upload_url)})"
    status = re.search(r"HTTPError: (\d{3})\b(.*?)(?: from \S+)?[ \t]*$", output, re.M)
    code = int(status.group(1)) if status else None
    if status:
        reason = f"{status.group(1)}{status.group(2)}".strip()
    else:
        reason = re.sub(r"^ERROR\s+", "", ToolResult((), 1, output, 0).error_line())
    if code in (401, 403):
        message = f"{where} refused the upload credentials: {reason}"
        hint = f"check {_where_credentials(target)}: that account must be allowed to upload"
    elif code == 400:
        message = f"{where} rejected the upload: {reason}"
        hint = (
            "twine's output above has the index's reason (all of it: --verbose); "
            "for a file already there, bump the version"
        )
    else:
        message = f"uploading to {where} failed: {reason}"
        hint = "re-run: autorelease uploads only the files that are still missing"
    transient = code in _TRANSIENT_STATUS or (code is None and _connection_trouble(output))
    tail = ToolResult(result.args, result.returncode, output, 0).tail()
    return UploadFailed(message, hint, tail), transient


def _where_credentials(target: Target) -> str:
    if target.credentials is CredentialSource.PYPIRC:
        return f"username and password in [{target.name}] of {target.pypirc or '~/.pypirc'}"
    if target.credentials is CredentialSource.MISSING:
        return CREDENTIAL_VARS
    return str(target.credentials.value)


_CONNECTION_TROUBLE = re.compile(r"ConnectionError|Timeout|Max retries exceeded|RemoteDisconnected")


def _connection_trouble(output: str) -> bool:
    return bool(_CONNECTION_TROUBLE.search(output))
