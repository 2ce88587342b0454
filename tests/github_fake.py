"""A stateful fake of GitHub's release API on 127.0.0.1, which PyGithub talks to over real HTTP.

Bodies are filled into the example bodies of GitHub's official OpenAPI description
(npm `@octokit/openapi`, `generated/api.github.com.json`, `components/examples/release`,
`release-asset`, `git-ref`, `commit`, `issue-comment` and `label`, and the first item of
`workflow-run-paginated` and `job-paginated`), copied to tests/data/github/. Filling only
keys the examples already have keeps the fake from inventing fields that GitHub does not send.

The layout is GitHub Enterprise's (API under /api/v3, uploads under /api/uploads on the same
host), so a base URL with a path is exercised, and the upload_url stays on the fake's port.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import re
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "github"
API_PREFIX = "/api/v3"
UPLOAD_PREFIX = "/api/uploads"
TIMESTAMP = "2023-11-14T22:13:20Z"  # conftest's EPOCH: bodies are the same on every run
DOCS = "https://docs.github.com/rest"

Json = dict[str, Any]
Answer = tuple[int, Any]  # status and a JSON-able body (None: no body)


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it; header names are lower case."""

    method: str
    path: str  # without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Fault:
    """Answer STATUS to the next TIMES requests whose "METHOD path?query" matches PATTERN."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    body: Any  # JSON-able, or a str sent as an HTML page
    after: bool  # carry the request out first, as a server that fails while answering
    headers: dict[str, str] = field(default_factory=dict)  # e.g. GitHub's rate-limit headers


@dataclass
class FakeAsset:
    id: int
    name: str
    label: str
    content_type: str
    data: bytes
    state: str = "uploaded"


@dataclass
class FakeRelease:
    id: int
    tag_name: str
    name: str
    body: str
    prerelease: bool
    target_commitish: str
    draft: bool = False
    assets: list[FakeAsset] = field(default_factory=list)


@dataclass
class FakeJob:
    id: int
    name: str
    conclusion: str
    steps: list[tuple[str, str]]  # (name, conclusion)


@dataclass
class FakeRun:
    """One run of a workflow; CONCLUSION None while it is still running."""

    id: int
    workflow: str  # the file name, e.g. release.yml
    conclusion: str | None
    started_at: str
    updated_at: str
    jobs: list[FakeJob] = field(default_factory=list)


@dataclass
class FakeIssue:
    """An issue or pull request: its comments' bodies (oldest first) and its labels."""

    number: int
    comments: list[tuple[int, str]] = field(default_factory=list)  # (id, body)
    labels: list[str] = field(default_factory=list)


def _template(name: str) -> Json:
    data: Json = json.loads((DATA / f"{name}.json").read_text())
    return data


def _fill(template: Json, **values: Any) -> Json:
    unknown = set(values) - set(template)
    if unknown:
        raise AssertionError(f"GitHub's example has no {sorted(unknown)}: the fake would invent it")
    return {**copy.deepcopy(template), **values}


def _error(status: int, message: str, **extra: Any) -> Answer:
    return status, {"message": message, "documentation_url": DOCS, "status": str(status), **extra}


def _already_exists(resource: str, field_name: str) -> Answer:
    errors = [{"resource": resource, "code": "already_exists", "field": field_name}]
    return _error(422, "Validation Failed", errors=errors)


class FakeGitHub:
    """One repository's tags, releases and assets, served on a free port of 127.0.0.1."""

    def __init__(self, repository: str = "octo/hello", token: str = "ghs_fakeToken0123456789abcd"):
        self.repository = repository
        self.token = token
        self.tags: dict[str, str] = {}
        self.releases: dict[int, FakeRelease] = {}
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.hooks: list[tuple[str, re.Pattern[str], Callable[[], object]]] = []
        self.tags_created_by_api: list[str] = []
        self.runs: list[FakeRun] = []  # oldest first
        self.issues: dict[int, FakeIssue] = {}
        self.logins: dict[str, str] = {}  # author email -> GitHub login, for commits/{sha}
        self.crashes: list[str] = []  # the fake's own bugs, which the fixture turns into failures
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name="fake-github", daemon=True)
        self._routes = self._make_routes()

    # --- lifecycle and addresses ---

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.01)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.root + API_PREFIX

    # --- state set up by tests ---

    def add_tag(self, name: str, sha: str = "a" * 40) -> None:
        with self.lock:
            self.tags[name] = sha

    def add_release(self, tag: str, *, prerelease: bool = False, title: str = "") -> FakeRelease:
        with self.lock:
            release = FakeRelease(next(self._ids), tag, title or tag, "", prerelease, "main")
            self.releases[release.id] = release
            return release

    def add_asset(
        self, release: FakeRelease, name: str, data: bytes, state: str = "uploaded"
    ) -> FakeAsset:
        with self.lock:
            asset = FakeAsset(next(self._ids), name, "", "application/octet-stream", data, state)
            release.assets.append(asset)
            return asset

    def add_issue(self, number: int) -> FakeIssue:
        with self.lock:
            return self.issues.setdefault(number, FakeIssue(number))

    def commit_email(self, sha: str) -> str | None:
        """The author email of commit SHA; None: GitHub does not know the commit."""
        return None

    def add_run(
        self,
        workflow: str,
        conclusion: str | None,
        started_at: str,
        updated_at: str,
        jobs: Sequence[tuple[str, str, list[tuple[str, str]]]] = (),
    ) -> FakeRun:
        """A run of WORKFLOW, with JOBS as (name, conclusion, [(step, conclusion)])."""
        with self.lock:
            run = FakeRun(next(self._ids), workflow, conclusion, started_at, updated_at)
            run.jobs = [FakeJob(next(self._ids), *job) for job in jobs]
            self.runs.append(run)
            return run

    def fail(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 500,
        times: int = 1,
        body: Any = None,
        after: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next TIMES requests METHOD whose path?query matches PATTERN answer STATUS.

        A 5xx answer says `retry-after: 0` unless HEADERS say otherwise: retry at once, as a
        GitHub that is back may say, so a client's retries cost no time here.
        """
        body = body if body is not None else {"message": "Server Error", "status": str(status)}
        headers = ({"Retry-After": "0"} if status >= 500 else {}) | (headers or {})
        fault = Fault(method, re.compile(pattern), status, times, body, after, headers)
        with self.lock:
            self.faults.append(fault)

    def before(self, method: str, pattern: str, action: Callable[[], object]) -> None:
        """Run ACTION (once) before handling the next matching request: a racing client."""
        with self.lock:
            self.hooks.append((method, re.compile(pattern), action))

    # --- queries for assertions ---

    def release(self, tag: str) -> FakeRelease | None:
        with self.lock:
            return next((r for r in self.releases.values() if r.tag_name == tag), None)

    def requests_matching(self, method: str, pattern: str) -> list[Recorded]:
        regex = re.compile(pattern)
        with self.lock:
            return [r for r in self.requests if r.method == method and regex.search(r.path)]

    # --- request handling ---

    def handle(self, request: Recorded, raw_path: str) -> tuple[int, Any, dict[str, str]]:
        """The status, body and extra headers of the answer to REQUEST."""
        with self.lock:
            self.requests.append(request)
            self._run_hooks(request.method, raw_path)
            fault = self._take_fault(request.method, raw_path)
            if fault is not None and not fault.after:
                return fault.status, fault.body, fault.headers
            answer = self._authorized(request) or self._route(request)
            return (fault.status, fault.body, fault.headers) if fault else (*answer, {})

    def _run_hooks(self, method: str, raw_path: str) -> None:
        for hook in [h for h in self.hooks if h[0] == method and h[1].search(raw_path)]:
            self.hooks.remove(hook)
            hook[2]()

    def _take_fault(self, method: str, raw_path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0 and fault.pattern.search(raw_path):
                fault.times -= 1
                return fault
        return None

    def _authorized(self, request: Recorded) -> Answer | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("token", "bearer") and token == self.token:
            return None
        return _error(401, "Bad credentials")

    def _route(self, request: Recorded) -> Answer:
        for method, regex, action in self._routes:
            match = regex.fullmatch(request.path)
            if method == request.method and match:
                groups = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
                return action(request, **groups)
        return _error(404, "Not Found")

    def _make_routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Answer]]]:
        repo = re.escape(API_PREFIX + "/repos/" + self.repository)
        uploads = re.escape(UPLOAD_PREFIX + "/repos/" + self.repository)
        table: list[tuple[str, str, Callable[..., Answer]]] = [
            ("GET", repo + r"/git/ref/tags/(?P<tag>.+)", self._get_tag),
            ("GET", repo + r"/releases", self._list_releases),
            ("POST", repo + r"/releases", self._create_release),
            ("GET", repo + r"/releases/tags/(?P<tag>[^/]+)", self._get_release_by_tag),
            ("GET", repo + r"/releases/(?P<id>\d+)", self._get_release),
            ("PATCH", repo + r"/releases/(?P<id>\d+)", self._update_release),
            ("GET", repo + r"/releases/(?P<id>\d+)/assets", self._list_assets),
            ("POST", uploads + r"/releases/(?P<id>\d+)/assets", self._upload_asset),
            ("DELETE", repo + r"/releases/assets/(?P<id>\d+)", self._delete_asset),
            ("GET", repo + r"/actions/workflows/(?P<workflow>[^/]+)/runs", self._list_runs),
            ("GET", repo + r"/actions/runs/(?P<id>\d+)/jobs", self._list_jobs),
            ("GET", repo + r"/commits/(?P<sha>[0-9a-f]{40})", self._get_commit),
            ("GET", repo + r"/issues/(?P<number>\d+)/comments", self._list_comments),
            ("POST", repo + r"/issues/(?P<number>\d+)/comments", self._create_comment),
            ("POST", repo + r"/issues/(?P<number>\d+)/labels", self._add_labels),
        ]
        return [(method, re.compile(regex), action) for method, regex, action in table]

    def _get_tag(self, _request: Recorded, tag: str) -> Answer:
        if tag not in self.tags:
            return _error(404, "Not Found")
        sha = self.tags[tag]
        api = f"{self.api_url}/repos/{self.repository}/git"
        target = {"type": "commit", "sha": sha, "url": f"{api}/commits/{sha}"}
        ref = f"refs/tags/{tag}"
        node_id = base64.b64encode(ref.encode()).decode()
        return 200, _fill(
            _template("git-ref"), ref=ref, node_id=node_id, url=f"{api}/{ref}", object=target
        )

    def _list_releases(self, _request: Recorded) -> Answer:
        newest_first = sorted(self.releases.values(), key=lambda r: r.id, reverse=True)
        return 200, [self._release_json(r) for r in newest_first]

    def _create_release(self, request: Recorded) -> Answer:
        params = json.loads(request.body)
        tag = params["tag_name"]
        if self.release(tag) is not None:
            return _already_exists("Release", "tag_name")
        if tag not in self.tags:  # what GitHub does: tag target_commitish, else the default branch
            self.tags_created_by_api.append(tag)
            self.tags[tag] = "b" * 40
        release = self.add_release(tag, prerelease=bool(params.get("prerelease", False)))
        release.name = params.get("name") or tag
        release.body = params.get("body") or ""
        release.draft = bool(params.get("draft", False))
        release.target_commitish = params.get("target_commitish") or "main"
        return 201, self._release_json(release)

    def _get_release_by_tag(self, _request: Recorded, tag: str) -> Answer:
        release = self.release(tag)
        return (200, self._release_json(release)) if release else _error(404, "Not Found")

    def _get_release(self, _request: Recorded, id: str) -> Answer:
        release = self.releases.get(int(id))
        return (200, self._release_json(release)) if release else _error(404, "Not Found")

    def _update_release(self, request: Recorded, id: str) -> Answer:
        release = self.releases.get(int(id))
        if release is None:
            return _error(404, "Not Found")
        params = json.loads(request.body)
        release.name = params.get("name", release.name)
        release.body = params.get("body", release.body)
        release.draft = bool(params.get("draft", release.draft))
        release.prerelease = bool(params.get("prerelease", release.prerelease))
        return 200, self._release_json(release)

    def _list_assets(self, _request: Recorded, id: str) -> Answer:
        release = self.releases.get(int(id))
        if release is None:
            return _error(404, "Not Found")
        return 200, [self._asset_json(release, a) for a in release.assets]

    def _upload_asset(self, request: Recorded, id: str) -> Answer:
        release = self.releases.get(int(id))
        name = request.query.get("name", "")
        if release is None:
            return _error(404, "Not Found")
        if not name:
            return _error(422, "Validation Failed", errors=[{"field": "name", "code": "missing"}])
        if any(asset.name == name for asset in release.assets):
            return _already_exists("ReleaseAsset", "name")
        asset = self.add_asset(release, name, request.body)
        asset.label = request.query.get("label", "")
        asset.content_type = request.headers.get("content-type", asset.content_type)
        return 201, self._asset_json(release, asset)

    def _delete_asset(self, _request: Recorded, id: str) -> Answer:
        for release in self.releases.values():
            for asset in release.assets:
                if asset.id == int(id):
                    release.assets.remove(asset)
                    return 204, None
        return _error(404, "Not Found")

    def _list_runs(self, request: Recorded, workflow: str) -> Answer:
        """Newest first; `status=completed` and `created=>=DATE` filter as GitHub does."""
        if not any(run.workflow == workflow for run in self.runs):
            return _error(404, "Not Found")
        runs = [run for run in reversed(self.runs) if run.workflow == workflow]
        if request.query.get("status") == "completed":
            runs = [run for run in runs if run.conclusion is not None]
        created = request.query.get("created", "")
        if created.startswith(">="):
            runs = [run for run in runs if run.started_at[:10] >= created[2:]]
        listed = [self._run_json(run) for run in runs]
        return 200, {"total_count": len(listed), "workflow_runs": listed}

    def _list_jobs(self, _request: Recorded, id: str) -> Answer:
        run = next((r for r in self.runs if r.id == int(id)), None)
        if run is None:
            return _error(404, "Not Found")
        jobs = [self._job_json(run, job) for job in run.jobs]
        return 200, {"total_count": len(jobs), "jobs": jobs}

    def _get_commit(self, _request: Recorded, sha: str) -> Answer:
        email = self.commit_email(sha)
        if email is None:
            return _error(422, f"No commit found for SHA: {sha}")
        template = _template("commit")
        login = self.logins.get(email)
        author = _fill(template["author"], login=login) if login else None
        git_author = {**template["commit"]["author"], "email": email}
        commit = {**template["commit"], "author": git_author}
        return 200, _fill(template, sha=sha, author=author, commit=commit, files=[])

    def _issue(self, number: str) -> FakeIssue | None:
        return self.issues.get(int(number))

    def _list_comments(self, _request: Recorded, number: str) -> Answer:
        issue = self._issue(number)
        if issue is None:
            return _error(404, "Not Found")
        return 200, [self._comment_json(issue, id, body) for id, body in issue.comments]

    def _create_comment(self, request: Recorded, number: str) -> Answer:
        issue = self._issue(number)
        if issue is None:
            return _error(404, "Not Found")
        body = str(json.loads(request.body)["body"])
        issue.comments.append((next(self._ids), body))
        return 201, self._comment_json(issue, *issue.comments[-1])

    def _add_labels(self, request: Recorded, number: str) -> Answer:
        issue = self._issue(number)
        if issue is None:
            return _error(404, "Not Found")
        sent = json.loads(request.body)  # {"labels": [...]}, or the list itself (PyGithub's)
        for name in sent["labels"] if isinstance(sent, dict) else sent:
            if name not in issue.labels:
                issue.labels.append(str(name))
        api = f"{self.api_url}/repos/{self.repository}"
        labels = [_fill(_template("label"), name=n, url=f"{api}/labels/{n}") for n in issue.labels]
        return 200, labels

    # --- bodies ---

    def _comment_json(self, issue: FakeIssue, id: int, body: str) -> Json:
        api = f"{self.api_url}/repos/{self.repository}"
        web = f"{self.root}/{self.repository}"
        return _fill(
            _template("issue-comment"),
            id=id,
            url=f"{api}/issues/comments/{id}",
            html_url=f"{web}/issues/{issue.number}#issuecomment-{id}",
            issue_url=f"{api}/issues/{issue.number}",
            body=body,
            created_at=TIMESTAMP,
            updated_at=TIMESTAMP,
        )

    def _release_json(self, release: FakeRelease) -> Json:
        api = f"{self.api_url}/repos/{self.repository}"
        web = f"{self.root}/{self.repository}"
        uploads = f"{self.root}{UPLOAD_PREFIX}/repos/{self.repository}"
        body = _fill(
            _template("release"),
            url=f"{api}/releases/{release.id}",
            html_url=f"{web}/releases/tag/{release.tag_name}",
            assets_url=f"{api}/releases/{release.id}/assets",
            upload_url=f"{uploads}/releases/{release.id}/assets{{?name,label}}",
            tarball_url=f"{api}/tarball/{release.tag_name}",
            zipball_url=f"{api}/zipball/{release.tag_name}",
            id=release.id,
            node_id=base64.b64encode(f"Release{release.id}".encode()).decode(),
            tag_name=release.tag_name,
            target_commitish=release.target_commitish,
            name=release.name,
            body=release.body,
            draft=release.draft,
            prerelease=release.prerelease,
            created_at=TIMESTAMP,
            published_at=None if release.draft else TIMESTAMP,
            assets=[self._asset_json(release, a) for a in release.assets],
        )
        del body["discussion_url"]  # optional: only for releases that opened a discussion
        return body

    def _asset_json(self, release: FakeRelease, asset: FakeAsset) -> Json:
        api = f"{self.api_url}/repos/{self.repository}"
        download = f"{self.root}/{self.repository}/releases/download/{release.tag_name}"
        return _fill(
            _template("release-asset"),
            url=f"{api}/releases/assets/{asset.id}",
            browser_download_url=f"{download}/{asset.name}",
            id=asset.id,
            node_id=base64.b64encode(f"ReleaseAsset{asset.id}".encode()).decode(),
            name=asset.name,
            label=asset.label,
            state=asset.state,
            content_type=asset.content_type,
            size=len(asset.data),
            digest="sha256:" + hashlib.sha256(asset.data).hexdigest(),
            download_count=0,
            created_at=TIMESTAMP,
            updated_at=TIMESTAMP,
        )

    def _run_json(self, run: FakeRun) -> Json:
        api = f"{self.api_url}/repos/{self.repository}"
        web = f"{self.root}/{self.repository}"
        return _fill(
            _template("workflow-run"),
            id=run.id,
            node_id=base64.b64encode(f"WorkflowRun{run.id}".encode()).decode(),
            path=f".github/workflows/{run.workflow}@main",
            run_number=run.id,
            status="completed" if run.conclusion else "in_progress",
            conclusion=run.conclusion,
            url=f"{api}/actions/runs/{run.id}",
            html_url=f"{web}/actions/runs/{run.id}",
            jobs_url=f"{api}/actions/runs/{run.id}/jobs",
            logs_url=f"{api}/actions/runs/{run.id}/logs",
            artifacts_url=f"{api}/actions/runs/{run.id}/artifacts",
            cancel_url=f"{api}/actions/runs/{run.id}/cancel",
            rerun_url=f"{api}/actions/runs/{run.id}/rerun",
            workflow_url=f"{api}/actions/workflows/{run.workflow}",
            created_at=run.started_at,
            run_started_at=run.started_at,
            updated_at=run.updated_at,
        )

    def _job_json(self, run: FakeRun, job: FakeJob) -> Json:
        api = f"{self.api_url}/repos/{self.repository}"
        template = _template("job")
        steps = [
            _fill(template["steps"][0], name=name, conclusion=conclusion, number=number)
            for number, (name, conclusion) in enumerate(job.steps, start=1)
        ]
        return _fill(
            template,
            id=job.id,
            run_id=run.id,
            run_url=f"{api}/actions/runs/{run.id}",
            node_id=base64.b64encode(f"Job{job.id}".encode()).decode(),
            url=f"{api}/actions/jobs/{job.id}",
            html_url=f"{self.root}/{self.repository}/actions/runs/{run.id}/job/{job.id}",
            check_run_url=f"{api}/check-runs/{job.id}",
            conclusion=job.conclusion,
            started_at=run.started_at,
            completed_at=run.updated_at,
            name=job.name,
            steps=steps,
        )


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.fake = fake
    return Handler


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"  # keep-alive, as PyGithub's requests session expects
    timeout = 10  # an idle kept-alive connection must not hold a thread forever
    disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs: 40 ms a request

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the fake records requests itself; stderr noise would hide test output

    def _answer(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        request = Recorded(
            self.command,
            parts.path,
            dict(urllib.parse.parse_qsl(parts.query)),
            {k.lower(): v for k, v in self.headers.items()},
            self._read_body(),
        )
        headers: dict[str, str] = {}
        try:
            status, body, headers = self.fake.handle(request, self.path)
        except Exception:
            self.fake.crashes.append(traceback.format_exc())
            status, body = 500, {"message": "the fake crashed: see FakeGitHub.crashes"}
        self._send(status, body, headers)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return b"".join(self._chunks())
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _chunks(self) -> Iterator[bytes]:
        while size := int(self.rfile.readline().split(b";")[0], 16):
            yield self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()  # the empty line after the last chunk

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        # A str body is sent as HTML, like the error page of a proxy in front of GitHub.
        html = isinstance(body, str)
        payload = b"" if body is None else (body if html else json.dumps(body)).encode()
        self.send_response(status)
        if body is not None:
            kind = "text/html" if html else "application/json"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
