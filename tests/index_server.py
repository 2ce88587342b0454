"""Real package indexes on 127.0.0.1 for tests: pypiserver, and a proxy that injects faults.

Use the fixtures by naming this module as a plugin in a test module (tests/ has no
__init__.py, so pytest puts tests/ on sys.path and `index_server` imports as a top-level name):

    pytest_plugins = ["index_server"]

Modules may also import its helpers, so pytest cannot rewrite its asserts (it has none):
PYTEST_DONT_REWRITE

`pypiserver_index` is a fresh pypiserver per test (it starts in well under a second) that
checks credentials for uploads (`-a update`, htpasswd written with passlib), takes uploads at
its root URL and refuses any re-upload with 400. `faulty_index` sits in front of it and answers
500 to the POSTs whose numbers are in `fail_posts`, or to every request while `down` is set.
"""

from __future__ import annotations

import http.client
import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TWINE_POST_TRIES = 5  # twine.repository.Repository.upload: max_redirects, also used for 5xx
USERNAME = "uploader"
PASSWORD = "s3cret-Pa55word"  # tests check that it never shows in output or errors

_README = "# {name}\n\nA sample project built by autorelease's tests.\n"
_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A sample project built by autorelease's tests."
readme = {{file = "README.md", content-type = "{content_type}"}}
requires-python = ">=3.9"
"""


def sample_project(
    path: Path,
    name: str = "sample-pkg",
    version: str = "1.0.0",
    *,
    readme: str | None = None,
    content_type: str = "text/markdown",
) -> Path:
    """Write a tiny hatchling project at PATH whose module prints its version; return PATH."""
    module = name.replace("-", "_")
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(
        _PYPROJECT.format(name=name, version=version, content_type=content_type)
    )
    (path / "README.md").write_text(readme if readme is not None else _README.format(name=name))
    package = path / "src" / module
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(f'__version__ = "{version}"\n')
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_htpasswd(path: Path, users: dict[str, str]) -> Path:
    """An Apache htpasswd file for USERS, written with passlib (as pypiserver reads it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports `crypt`
        from passlib.apache import HtpasswdFile

    htpasswd = HtpasswdFile(str(path), new=True, default_scheme="apr_md5_crypt")
    for user, password in users.items():
        htpasswd.set_password(user, password)
    htpasswd.save()
    return path


def wait_until_up(url: str, timeout: float = 15.0) -> None:
    """Poll URL until it answers (any HTTP status), or fail the test after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass
class LocalIndex:
    """A running index: where to upload, where to read, and who may upload."""

    url: str
    simple_url: str
    username: str
    password: str
    packages: Path
    log: Path

    def files(self) -> list[str]:
        """The names of the files the index holds."""
        return sorted(p.name for p in self.packages.iterdir())


def start_pypiserver(root: Path) -> tuple[subprocess.Popen[bytes], LocalIndex]:
    """Start pypiserver under ROOT on a free port and wait until it answers."""
    packages = root / "packages"
    packages.mkdir(parents=True)
    htpasswd = write_htpasswd(root / "htpasswd", {USERNAME: PASSWORD})
    port = free_port()
    log = root / "pypiserver.log"
    args = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port)]
    args += ["-a", "update", "-P", str(htpasswd), "--disable-fallback", "--hash-algo", "sha256"]
    with log.open("wb") as out:
        proc = subprocess.Popen([*args, str(packages)], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    index = LocalIndex(base, f"{base}simple/", USERNAME, PASSWORD, packages, log)
    try:
        wait_until_up(f"{base}health")
    except OSError:
        proc.kill()
        raise AssertionError(f"pypiserver did not start:\n{log.read_text()}") from None
    return proc, index


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def pypiserver_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A fresh pypiserver on 127.0.0.1 that checks upload credentials."""
    proc, index = start_pypiserver(tmp_path_factory.mktemp("pypiserver"))
    try:
        yield index
    finally:
        _stop(proc)


@dataclass
class FaultyProxy:
    """A proxy in front of an index that answers 500 to the chosen POSTs (uploads) and GETs.

    Requests are numbered from 1 per method. A POST in `lose_posts` reaches the index, but its
    answer is replaced by a 500 (the file is stored, the client does not know it). `down`
    fails every request. twine itself sends an upload that got a 5xx up to TWINE_POST_TRIES
    times, so failing one file for good takes that many consecutive POST numbers.
    """

    upstream: LocalIndex
    url: str = ""
    simple_url: str = ""
    fail_posts: set[int] = field(default_factory=set)
    lose_posts: set[int] = field(default_factory=set)
    fail_gets: set[int] = field(default_factory=set)
    down: bool = False
    posts: int = 0
    gets: int = 0
    failed: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fate(self, method: str) -> str:
        """Count a request: "fail" it, "lose" its answer, or "pass" it on."""
        with self._lock:
            if method == "POST":
                self.posts += 1
                number, chosen = self.posts, self.fail_posts
                if number in self.lose_posts:
                    self.failed.append(f"POST {number} (stored)")
                    return "lose"
            else:
                self.gets += 1
                number, chosen = self.gets, self.fail_gets
            if number in chosen or self.down:
                self.failed.append(f"{method} {number}")
                return "fail"
            return "pass"


def _handler(proxy: FaultyProxy, port: int) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            fate = proxy.fate(self.command)
            if fate == "fail":
                self._answer(500, "Internal Server Error", {}, b"injected fault\n")
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            status, reason, answer = resp.status, resp.reason, resp.read()
            conn.close()
            if fate == "lose":
                status, reason, answer = 500, "Internal Server Error", b"response lost\n"
            self._answer(status, reason, dict(resp.getheaders()), answer)

        def _answer(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status, reason)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _relay

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def faulty_index(pypiserver_index: LocalIndex) -> Iterator[FaultyProxy]:
    """PYPISERVER_INDEX behind a proxy; set `fail_posts`, `fail_gets` or `down` for 500s."""
    upstream_port = int(pypiserver_index.url.rsplit(":", 1)[1].strip("/"))
    proxy = FaultyProxy(pypiserver_index)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy, upstream_port))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    proxy.url, proxy.simple_url = base, f"{base}simple/"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
