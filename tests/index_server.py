"""Real package indexes on 127.0.0.1 for tests: pypiserver, and a proxy that injects faults.

Use the fixtures by naming this module as a plugin in a test module (tests/ has no
__init__.py, so pytest puts tests/ on sys.path and `index_server` imports as a top-level name):

    pytest_plugins = ["index_server"]

Modules may also import its helpers, so pytest cannot rewrite its asserts (it has none):
PYTEST_DONT_REWRITE

`pypiserver_index` is a fresh pypiserver per test (it starts in well under a second) that
checks credentials for uploads (`-a update`, htpasswd written with passlib), takes uploads at
its root URL, serves PEP 503 HTML at /simple/ and refuses any re-upload with 400.
`faulty_index` sits in front of it and answers 500 to the POSTs whose numbers are in
`fail_posts`, or to every request while `down` is set. `devpi_index` is a fresh index on one
devpi-server per session (skipped when devpi-server is not installed): it behaves like PyPI
(an identical re-upload is accepted, a different file refused) and serves PEP 691 JSON.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import importlib.util
import itertools
import json
import random
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

RETRY_NOW = {"Retry-After": "0"}
TWINE_POST_TRIES = 5  # twine.repository.Repository.upload: max_redirects, also used for 5xx
USERNAME = "uploader"
PASSWORD = "s3cret-Pa55word"  # tests check that it never shows in output or errors

# Ports for the servers the tests start, below Linux's ephemeral range (32768-60999): no port the
# kernel hands out for a bind to port 0 (the GitHub fake, the proxies) or a connection is here.
SERVER_PORTS = range(20000, 32000)
_random = random.SystemRandom()  # not the `random` module: a test may seed that, on every worker


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, picked at random from
    SERVER_PORTS, so that parallel workers (and other test runs) seldom pick the same one."""
    while True:
        with socket.socket() as sock:
            port = _random.choice(SERVER_PORTS)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def write_htpasswd(path: Path, users: dict[str, str]) -> Path:
    """An Apache htpasswd file for USERS, written with passlib (as pypiserver reads it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports `crypt`
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

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


def serve(
    args: list[str], log: Path, url: str, timeout: float
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the server ARGS (with "{port}" for its port) and wait until URL (with "{port}")
    answers. A server that exits first lost its port to another process between free_port and
    its bind: it is started again on another port. Fails the test if it never answers."""
    for _ in range(5):
        port = free_port()
        with log.open("wb") as out:
            proc = subprocess.Popen([a.replace("{port}", str(port)) for a in args], stdout=out,
                                    stderr=subprocess.STDOUT)  # fmt: skip
        if _answers(proc, url.replace("{port}", str(port)), timeout):
            return proc, port
    raise AssertionError(f"{args[0]} did not start on any of 5 ports:\n{log.read_text()}")


def _answers(proc: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    """Whether PROC answers URL (False if it exits first); kill it and fail after TIMEOUT."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        try:
            wait_until_up(url, timeout=0.2)
        except OSError:
            if time.monotonic() > deadline:
                _stop(proc)
                raise AssertionError(f"{url} did not answer within {timeout} s") from None
            continue
        return proc.poll() is None  # the answer came from PROC, not from whoever has the port
    return False


@dataclass
class LocalIndex:
    """A running index: where to upload, where to read, and who may upload."""

    url: str
    simple_url: str
    username: str
    password: str
    packages: Path | None  # where pypiserver keeps the files; None for devpi
    log: Path

    def files(self) -> list[str]:
        """The names of the files the index holds (pypiserver only)."""
        assert self.packages is not None, "only pypiserver keeps files in a plain directory"
        return sorted(p.name for p in self.packages.iterdir())


def start_pypiserver(root: Path) -> tuple[subprocess.Popen[bytes], LocalIndex]:
    """Start pypiserver under ROOT on a free port and wait until it answers."""
    packages = root / "packages"
    packages.mkdir(parents=True)
    htpasswd = write_htpasswd(root / "htpasswd", {USERNAME: PASSWORD})
    log = root / "pypiserver.log"
    args = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", "{port}"]
    args += ["-a", "update", "-P", str(htpasswd), "--disable-fallback", "--hash-algo", "sha256"]
    proc, port = serve([*args, str(packages)], log, "http://127.0.0.1:{port}/health", timeout=30)
    base = f"http://127.0.0.1:{port}/"
    return proc, LocalIndex(base, f"{base}simple/", USERNAME, PASSWORD, packages, log)


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
    answer is replaced by a 500 (the file is stored, the client does not know it). A GET in
    `stale_gets` is answered 404, as a read made just before another run uploaded would be.
    `down` fails every request. `accepted` counts the POSTs the index answered 200. twine
    itself sends an upload that got a 5xx up to TWINE_POST_TRIES times, so failing one file
    for good takes that many consecutive POST numbers.
    """

    upstream: LocalIndex
    url: str = ""
    simple_url: str = ""
    fail_posts: set[int] = field(default_factory=set)
    lose_posts: set[int] = field(default_factory=set)
    fail_gets: set[int] = field(default_factory=set)
    stale_gets: set[int] = field(default_factory=set)
    down: bool = False
    posts: int = 0
    accepted: int = 0
    gets: int = 0
    failed: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fate(self, method: str) -> str:
        """Count a request: "fail" it, "lose" its answer, answer it as "stale", or "pass" it on."""
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
                if number in self.stale_gets:
                    return "stale"
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
            if fate == "fail":  # retry at once, it says: a client's retries cost no time here
                self._answer(500, "Internal Server Error", RETRY_NOW, b"injected fault\n")
                return
            if fate == "stale":
                self._answer(404, "Not Found", {}, b"not there yet\n")
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            status, reason, answer = resp.status, resp.reason, resp.read()
            conn.close()
            if fate == "lose":
                status, reason, answer = 500, "Internal Server Error", b"response lost\n"
            elif self.command == "POST" and status == 200:
                with proxy._lock:
                    proxy.accepted += 1
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


# --- devpi-server (optional) -------------------------------------------------------------------

_DEVPI_FAST_HASHING = ["--argon2-time-cost", "1", "--argon2-memory-cost", "8"]
_DEVPI_FAST_HASHING += ["--argon2-parallelism", "1"]


@dataclass
class DevpiServer:
    """A running devpi-server with one user who may upload to the indexes made for tests."""

    base: str
    username: str
    password: str
    log: Path
    token: str = ""
    names: Iterator[int] = field(default_factory=itertools.count)

    def call(self, method: str, path: str, data: object) -> object:
        """One JSON request to devpi's REST API, as the logged-in user once there is one."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["X-Devpi-Auth"] = self.token
        body = json.dumps(data).encode()
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def login(self) -> None:
        """Create the user and keep its session token for the calls that follow."""
        self.call("PUT", f"/{self.username}", {"password": self.password, "email": "u@example.com"})
        answer = self.call("POST", "/+login", {"user": self.username, "password": self.password})
        token = answer["result"]["password"]  # type: ignore[index]
        self.token = base64.b64encode(f"{self.username}:{token}".encode()).decode()

    def new_index(self) -> LocalIndex:
        """A new non-volatile index (release files can never be replaced), as on PyPI."""
        path = f"/{self.username}/test{next(self.names)}"
        self.call("PUT", path, {"bases": [], "volatile": False})
        url = f"{self.base}{path}/"
        return LocalIndex(url, f"{url}+simple/", self.username, self.password, None, self.log)


def start_devpi(root: Path) -> tuple[subprocess.Popen[bytes], DevpiServer]:
    """devpi-init and devpi-server under ROOT, offline, on a free port; wait until it answers."""
    bindir = Path(sys.executable).parent
    serverdir = root / "server"
    init = [str(bindir / "devpi-init"), "--serverdir", str(serverdir), "--no-root-pypi"]
    subprocess.run(init, check=True, capture_output=True)
    log = root / "devpi.log"
    args = [str(bindir / "devpi-server"), "--serverdir", str(serverdir), "--offline-mode"]
    args += ["--host", "127.0.0.1", "--port", "{port}", *_DEVPI_FAST_HASHING]
    proc, port = serve(args, log, "http://127.0.0.1:{port}/+api", timeout=120)
    server = DevpiServer(f"http://127.0.0.1:{port}", USERNAME, PASSWORD, log)
    server.login()
    return proc, server


@pytest.fixture(scope="session")
def devpi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevpiServer]:
    """One devpi-server for the session (it takes seconds to start); skipped if not installed."""
    if importlib.util.find_spec("devpi_server") is None:
        pytest.skip("devpi-server is not installed (pip install devpi-server)")
    proc, server = start_devpi(tmp_path_factory.mktemp("devpi"))
    try:
        yield server
    finally:
        _stop(proc)


@pytest.fixture
def devpi_index(devpi_server: DevpiServer) -> LocalIndex:
    """A fresh index on the session's devpi-server; upload with its username and password."""
    return devpi_server.new_index()
