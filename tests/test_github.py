"""The GitHub release step, with PyGithub talking HTTP to the fake in github_fake.py."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from autorelease.errors import AutoreleaseError, ExitCode, GitHubFailed
from autorelease.publish.github import (
    NO_WAIT,
    Pacing,
    ReleaseResult,
    ensure_release,
    release_state,
)
from autorelease.publish.github_target import GitHubTarget, resolve_target
from github_fake import DATA, FakeGitHub

TAG = "v1.0.0"
WHEEL = "sample_pkg-1.0.0-py3-none-any.whl"
SDIST = "sample_pkg-1.0.0.tar.gz"
UPLOADS = r"/releases/\d+/assets"


def upload_of(name: str) -> str:
    """A fault or hook pattern for the upload of NAME (matched on path and query)."""
    return rf"{UPLOADS}\?(.*&)?name={re.escape(name)}(&|$)"


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """The fake GitHub API, serving octo/hello, with tag v1.0.0 already pushed."""
    with FakeGitHub() as fake:
        fake.add_tag(TAG)
        yield fake
    assert not fake.crashes, fake.crashes[0]


@pytest.fixture
def target(fake_github: FakeGitHub) -> GitHubTarget:
    return GitHubTarget(fake_github.api_url, fake_github.repository, fake_github.token)


@pytest.fixture
def dists(tmp_path: Path) -> list[Path]:
    """A wheel and an sdist of different sizes."""
    folder = tmp_path / "dist"
    folder.mkdir()
    wheel, sdist = folder / WHEEL, folder / SDIST
    wheel.write_bytes(b"PK\x03\x04 wheel bytes")
    sdist.write_bytes(b"\x1f\x8b sdist bytes, a little longer")
    return [wheel, sdist]


class Log(list[str]):
    """Collects log lines; `in` on the joined text is what the assertions need."""

    @property
    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def log() -> Log:
    return Log()


def release(target: GitHubTarget, files: list[Path], log: Log, *, prerelease: bool = False) -> str:
    return release_result(target, files, log, prerelease=prerelease).html_url


def release_result(
    target: GitHubTarget, files: list[Path], log: Log, *, prerelease: bool = False
) -> ReleaseResult:
    return ensure_release(
        target,
        TAG,
        title=f"sample-pkg {TAG}",
        notes="## Features\n- a",
        prerelease=prerelease,
        files=files,
        log=log.append,
        pacing=NO_WAIT,
    )


def failure(target: GitHubTarget, files: list[Path], log: Log) -> GitHubFailed:
    with pytest.raises(GitHubFailed) as caught:
        release(target, files, log)
    assert caught.value.code == ExitCode.GITHUB_FAILED
    return caught.value


# --- creating, re-running, resuming ---------------------------------------------------------------


def test_creates_the_release_and_uploads_each_file(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    url, created, attached = release_result(target, dists, log)

    made = fake_github.release(TAG)
    assert made is not None
    assert url == f"{fake_github.root}/octo/hello/releases/tag/{TAG}"
    assert (created, attached) == (True, (WHEEL, SDIST))
    assert (made.name, made.body, made.prerelease) == (
        f"sample-pkg {TAG}",
        "## Features\n- a",
        False,
    )
    assert [(a.name, a.data, a.content_type) for a in made.assets] == [
        (WHEEL, dists[0].read_bytes(), "application/zip"),
        (SDIST, dists[1].read_bytes(), "application/gzip"),
    ]
    assert fake_github.tags_created_by_api == []
    assert f"uploading {SDIST}" in log.text


def test_every_request_carries_the_token(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    release(target, dists, log)

    assert fake_github.requests
    assert {r.headers["authorization"] for r in fake_github.requests} == {
        f"token {fake_github.token}"
    }


def test_never_asks_github_to_pick_the_tag_commit(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    release(target, dists, log)

    (create,) = fake_github.requests_matching("POST", r"/releases$")
    sent = json.loads(create.body)
    assert sent["tag_name"] == TAG
    assert "target_commitish" not in sent
    assert sent["make_latest"] == "legacy"


def test_a_rerun_changes_nothing(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    first = release(target, dists, log)
    fake_github.requests.clear()

    again = Log()
    assert release_result(target, dists, again) == (first, False, ())

    assert {r.method for r in fake_github.requests} == {"GET"}
    assert f"{WHEEL} is already attached" in again.text
    assert f"{SDIST} is already attached" in again.text


def test_a_failed_upload_is_retried_within_the_bound_then_reported(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.fail("POST", upload_of(SDIST), status=500, times=3)

    error = failure(target, dists, log)

    assert f"uploading {SDIST} to release {TAG} failed" in error.message
    assert "500 Server Error" in error.message
    assert "re-run" in (error.hint or "")
    assert [line for line in log if "retry" in line] == [
        f"GitHub: uploading {SDIST} to release {TAG} failed (500 Server Error); retry 1/2 in 0s",
        f"GitHub: uploading {SDIST} to release {TAG} failed (500 Server Error); retry 2/2 in 0s",
    ]
    made = fake_github.release(TAG)
    assert made is not None
    assert [a.name for a in made.assets] == [WHEEL]


def test_a_rerun_after_a_failed_upload_uploads_only_the_missing_file(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.fail("POST", upload_of(SDIST), status=500, times=3)
    failure(target, dists, log)
    fake_github.requests.clear()

    release(target, dists, log)

    assert fake_github.requests_matching("POST", r"/releases$") == []
    (upload,) = fake_github.requests_matching("POST", UPLOADS)
    assert upload.query["name"] == SDIST
    made = fake_github.release(TAG)
    assert made is not None
    assert sorted(a.name for a in made.assets) == sorted([WHEEL, SDIST])


def test_one_server_error_is_retried_and_the_release_completes(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.fail("POST", r"/releases$", status=502)

    release(target, dists, log)

    assert len(fake_github.requests_matching("POST", r"/releases$")) == 2
    assert "creating release v1.0.0 failed (502 Server Error); retry 1/2" in log.text
    assert len(fake_github.releases) == 1


@pytest.mark.parametrize("asked", [("1", "1s"), ("soon", "0.5s")], ids=["seconds", "not-seconds"])
def test_a_server_error_is_retried_after_the_wait_it_asks_for(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log,
    asked: tuple[str, str],
) -> None:  # fmt: skip
    """A 503 may say when to come back (retry-after: seconds); else the backoff decides."""
    retry_after, waited = asked
    fake_github.fail("POST", r"/releases$", status=503, headers={"Retry-After": retry_after})

    ensure_release(
        target, TAG, title=TAG, notes="n", prerelease=False, files=dists, log=log.append,
        pacing=Pacing(backoff=0.5),
    )  # fmt: skip

    assert f"creating release v1.0.0 failed (503 Server Error); retry 1/2 in {waited}" in log.text
    assert len(fake_github.releases) == 1


SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}


def test_a_secondary_rate_limit_is_waited_out_and_the_release_completes(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.fail("POST", upload_of(SDIST), status=403, body=SECONDARY,
                     headers={"Retry-After": "0"})  # fmt: skip

    release(target, dists, log)

    uploads = fake_github.requests_matching("POST", UPLOADS)
    assert [u.query["name"] for u in uploads].count(SDIST) == 2
    assert f"uploading {SDIST} to release {TAG} was rate limited (403 You have" in log.text
    assert "retry 1/2 in 0s" in log.text
    made = fake_github.release(TAG)
    assert made is not None
    assert sorted(a.name for a in made.assets) == sorted([WHEEL, SDIST])


def test_an_exhausted_hourly_limit_stops_at_once_and_says_when_to_re_run(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    import time

    reset = str(int(time.time()) + 1800)  # half an hour: longer than a release should wait
    limit = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    body = {"message": "API rate limit exceeded for installation ID 1."}
    fake_github.fail("GET", r"/releases/tags/", status=403, times=5, body=body, headers=limit)

    error = failure(target, dists, log)

    assert "403 API rate limit exceeded" in error.message
    assert "rate limit for this token lifts at about" in (error.hint or "")
    assert "re-run the release then" in (error.hint or "")
    assert len(fake_github.requests) == 1  # no retry into a limit that lasts half an hour
    assert fake_github.releases == {}


def test_a_403_that_is_no_rate_limit_is_not_retried(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.fail("POST", r"/releases$", status=403, body={"message": "Resource not accessible"})

    error = failure(target, dists, log)

    assert "403 Resource not accessible" in error.message
    assert len(fake_github.requests_matching("POST", r"/releases$")) == 1
    assert "rate limit" not in (error.hint or "")


def test_an_html_error_page_becomes_one_short_line(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\n" + "<p>padding</p>\n" * 100
    fake_github.fail("GET", r"/releases/tags/", status=502, times=3, body=page)

    error = failure(target, dists, log)

    assert "502 <html> <head><title>502 Bad Gateway</title>" in error.message
    assert "\n" not in str(error)
    assert len(error.message) < 400


@pytest.mark.parametrize("path", [r"/releases$", UPLOADS])
def test_a_server_error_after_the_work_was_done_ends_in_one_copy(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log, path: str
) -> None:
    # GitHub did the work but the answer was lost: the retry meets 422 "already exists".
    fake_github.fail("POST", path, status=500, after=True)

    release(target, dists, log)

    made = fake_github.release(TAG)
    assert made is not None
    assert len(fake_github.releases) == 1
    assert sorted(a.name for a in made.assets) == sorted([WHEEL, SDIST])
    assert "meanwhile" in log.text


def test_a_release_created_by_a_racing_run_is_used(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.before("POST", r"/releases$", lambda: fake_github.add_release(TAG, title="racer"))

    url, created, attached = release_result(target, dists, log)

    # One create was tried, answered 422, and the racer's release was taken.
    assert (created, attached) == (False, (WHEEL, SDIST))
    assert len(fake_github.requests_matching("POST", r"/releases$")) == 1
    made = fake_github.release(TAG)
    assert made is not None
    assert (len(fake_github.releases), made.name) == (1, "racer")
    assert url.endswith(f"/releases/tag/{TAG}")
    assert len(made.assets) == 2
    assert "created meanwhile" in log.text


def test_an_asset_uploaded_by_a_racing_run_is_kept(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    def racer() -> None:
        made = fake_github.release(TAG)
        assert made is not None
        fake_github.add_asset(made, SDIST, dists[1].read_bytes())

    fake_github.before("POST", upload_of(SDIST), racer)

    assert release_result(target, dists, log)[1:] == (True, (WHEEL,))  # the sdist: theirs

    made = fake_github.release(TAG)
    assert made is not None
    assert [a.name for a in made.assets] == [WHEEL, SDIST]


def test_an_interrupted_upload_is_replaced(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    existing = fake_github.add_release(TAG)
    fake_github.add_asset(existing, WHEEL, b"PK", state="starter")

    release(target, dists, log)

    assert [(a.name, a.state, a.data) for a in existing.assets] == [
        (WHEEL, "uploaded", dists[0].read_bytes()),
        (SDIST, "uploaded", dists[1].read_bytes()),
    ]
    assert len(fake_github.requests_matching("DELETE", r"/releases/assets/\d+$")) == 1


def test_an_asset_of_another_size_is_not_overwritten(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    existing = fake_github.add_release(TAG)
    fake_github.add_asset(existing, WHEEL, b"another build")

    error = failure(target, dists, log)

    assert f"already has {WHEEL} with 13 bytes" in error.message
    assert fake_github.requests_matching("POST", UPLOADS) == []


def test_prerelease_flag_is_set(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    release(target, dists, log, prerelease=True)

    made = fake_github.release(TAG)
    assert made is not None
    assert made.prerelease
    (create,) = fake_github.requests_matching("POST", r"/releases$")
    assert json.loads(create.body)["make_latest"] == "false"
    assert release_state(target, TAG, pacing=NO_WAIT).prerelease


def test_a_tag_missing_on_github_stops_before_creating(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    fake_github.tags.clear()

    error = failure(target, dists, log)

    assert f"tag {TAG} is not on GitHub" in error.message
    assert error.hint == f"push it first: git push origin {TAG}"
    assert fake_github.requests_matching("POST", r".") == []


def test_a_missing_file_fails_before_any_request(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    error = failure(target, [dists[0], dists[0].parent / "missing.whl"], log)

    assert "missing.whl does not exist" in error.message
    assert fake_github.requests == []


def test_two_files_of_one_name_fail_before_any_request(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    twin = dists[0].parent / "other" / WHEEL
    twin.parent.mkdir()
    twin.write_bytes(b"x")

    error = failure(target, [dists[0], twin], log)

    assert f"{WHEEL} repeats" in error.message
    assert fake_github.requests == []


# --- read-only state ------------------------------------------------------------------------------


def test_state_of_a_missing_release(fake_github: FakeGitHub, target: GitHubTarget) -> None:
    state = release_state(target, TAG, pacing=NO_WAIT)

    assert (state.exists, state.html_url, state.assets) == (False, None, ())
    assert {r.method for r in fake_github.requests} == {"GET"}


def test_state_lists_assets_and_what_is_missing(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path]
) -> None:
    existing = fake_github.add_release(TAG)
    fake_github.add_asset(existing, WHEEL, b"12345")
    fake_github.add_asset(existing, SDIST, b"12", state="starter")

    state = release_state(target, TAG, pacing=NO_WAIT)

    assert state.exists
    assert state.html_url == f"{fake_github.root}/octo/hello/releases/tag/{TAG}"
    assert [(a.name, a.size, a.complete) for a in state.assets] == [
        (WHEEL, 5, True),
        (SDIST, 2, False),
    ]
    assert state.asset_names == {WHEEL}
    assert state.missing(dists) == [dists[1]]


# --- the token stays secret -----------------------------------------------------------------------


def secret_free(token: str, error: AutoreleaseError, log: Log) -> None:
    for text in (str(error), repr(error), error.message, error.hint or "", log.text):
        assert token not in text
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_a_refused_token_is_reported_without_the_token(
    fake_github: FakeGitHub, dists: list[Path], log: Log
) -> None:
    wrong = "ghp_wrongWrongWrong0123456789"
    target = GitHubTarget(fake_github.api_url, fake_github.repository, wrong)

    error = failure(target, dists, log)

    assert "401 Bad credentials" in error.message
    assert "GITHUB_TOKEN was refused" in (error.hint or "")
    secret_free(wrong, error, log)
    assert len(fake_github.requests) == 1  # a 401 is not retried


def test_a_token_echoed_by_the_server_is_masked(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    echo = {"message": f"proxy error for Authorization: token {fake_github.token}"}
    fake_github.fail("GET", r"/releases/tags/", status=503, times=3, body=echo)

    error = failure(target, dists, log)

    assert "Authorization: token ***" in error.message
    assert len([line for line in log if "***" in line]) == 2
    secret_free(fake_github.token, error, log)


def test_a_token_at_the_cut_of_a_long_message_is_masked_whole(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    token = fake_github.token
    echo = {"message": "x" * 180 + token + "y" * 100}
    fake_github.fail("GET", r"/releases/tags/", status=500, times=3, body=echo)

    error = failure(target, dists, log)

    assert "x***y" in error.message
    secret_free(token[:8], error, log)


def test_a_422_that_is_no_race_names_githubs_reasons(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    errors = [{"resource": "Release", "field": "body", "code": "too_long"}]
    fake_github.fail(
        "POST", r"/releases$", status=422, body={"message": "Validation Failed", "errors": errors}
    )

    error = failure(target, dists, log)

    assert error.message.endswith("422 Validation Failed (Release body too_long)")


def test_an_unreachable_api_is_retried_within_the_bound(dists: list[Path], log: Log) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = GitHubTarget(f"http://127.0.0.1:{port}/api/v3", "octo/hello", "ghs_unreachable")

    error = failure(target, dists, log)

    assert re.search(r"ConnectionError: \[Errno \d+\] Connection refused$", error.message)
    assert "check the network and GITHUB_API_URL" in (error.hint or "")
    assert len([line for line in log if "retry" in line]) == 2
    secret_free("ghs_unreachable", error, log)


# --- from the environment to PyGithub -------------------------------------------------------------


def test_github_api_url_reaches_pygithub(
    fake_github: FakeGitHub, dists: list[Path], log: Log
) -> None:
    env = {
        "GITHUB_API_URL": fake_github.api_url,
        "GITHUB_REPOSITORY": fake_github.repository,
        "GITHUB_TOKEN": fake_github.token,
    }
    target = resolve_target(env, None)
    assert target is not None

    release(target, dists, log)

    assert fake_github.release(TAG) is not None
    assert all(r.path.startswith("/api/") for r in fake_github.requests)


# --- the module and the fake themselves -------------------------------------------------------


def test_importing_the_module_does_not_import_pygithub() -> None:
    src = Path(__file__).parents[1] / "src"
    code = "import sys, autorelease.publish.github; print('github' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_fake_answers_with_the_keys_of_githubs_examples(
    fake_github: FakeGitHub, target: GitHubTarget, dists: list[Path], log: Log
) -> None:
    release(target, dists, log)
    made = fake_github.release(TAG)
    assert made is not None
    status, body = fake_github._get_release(fake_github.requests[0], str(made.id))

    example = json.loads((DATA / "release.json").read_text())
    assert status == 200
    assert set(body) == set(example) - {"discussion_url"}
    assert set(body["assets"][0]) == set(example["assets"][0])
    assert body["upload_url"].startswith(fake_github.root + "/api/uploads/")


@pytest.mark.parametrize(
    ("status", "headers", "message", "wait"),
    [
        (403, {"Retry-After": "30"}, "secondary rate limit", 30.0),
        (429, {}, "slow down", 60.0),
        (403, {}, "You have exceeded a secondary rate limit", 60.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1100"}, "limit", 101.0),
        (403, {"x-ratelimit-remaining": "7", "x-ratelimit-reset": "1100"}, "Forbidden", None),
        (403, {"Retry-After": "soon"}, "Forbidden", None),
        (404, {"Retry-After": "30"}, "Not Found", None),
    ],
)
def test_how_long_a_rate_limit_lasts(
    status: int, headers: dict[str, str], message: str, wait: float | None
) -> None:
    from github import GithubException

    from autorelease.publish.github_errors import rate_limit_wait

    exc = GithubException(status, {"message": message}, headers)
    assert rate_limit_wait(exc, now=1000.0) == wait
