"""`autorelease stats` on a real history with fixed dates: exact lead times, the cadence,
--since, the output shapes, and the release workflow's runs read from the GitHub fake."""

from __future__ import annotations

import json
import os
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autorelease import git
from autorelease.cli.main import main
from autorelease.core import config, history, stats
from autorelease.core.classify import Classifier
from autorelease.errors import ExitCode
from conftest import EPOCH, GitRepo, sample_project, snapshot
from github_fake import FakeGitHub

SCHEMA = json.loads((Path(__file__).parent / "data" / "stats.schema.json").read_text())
ANN, BOB, CAROL = (
    "Ann Lee <ann@example.com>",
    "Bob Ode <bob@example.com>",
    "Carol Ng <c@example.com>",
)
DAY = 86_400


def commit_at(repo: GitRepo, seconds: int, message: str, author: str | None = None) -> str:
    """Commit MESSAGE authored and committed at EPOCH + SECONDS."""
    repo.clock = EPOCH + seconds - 60  # GitRepo.git advances its clock by 60 before each call
    extra = [f"--author={author}"] if author else []
    repo.git("commit", "--allow-empty", "--no-verify", "-q", "-m", message, *extra)
    return repo.head()


def tag_at(repo: GitRepo, seconds: int, name: str, *, annotated: bool) -> None:
    repo.clock = EPOCH + seconds - 60
    repo.tag(name, annotated=annotated)


@pytest.fixture
def timed(repo: GitRepo) -> GitRepo:
    """Four releases at fixed moments (seconds after EPOCH):

    v1.0.0 (lightweight: the tagged commit's committer date, 1 day): `feat: start` (day 0),
    `fix: b` by Ann (1 day).
    v1.1.0 (annotated, tagged at 10 days): `feat: topic` by Bob on a branch (2 days),
    `docs: readme` by Ann on main (3 days), the merge (4 days).
    v2.0.0rc1 (annotated, 21 days): `feat!: drop` by Bob (20 days).
    v2.0.0 (annotated, 30 days): `fix: c` by Carol (25 days), then the release commit (29 days),
    which counts nowhere.
    """
    sample_project(repo.path)
    repo.git("add", ".")
    commit_at(repo, 0, "feat: start")
    commit_at(repo, 1 * DAY, "fix: b", ANN)
    tag_at(repo, 1 * DAY + 500, "v1.0.0", annotated=False)
    repo.git("checkout", "-q", "-b", "topic")
    commit_at(repo, 2 * DAY, "feat: topic", BOB)
    repo.git("checkout", "-q", "main")
    commit_at(repo, 3 * DAY, "docs: readme", ANN)
    repo.clock = EPOCH + 4 * DAY - 60
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic")
    tag_at(repo, 10 * DAY, "v1.1.0", annotated=True)
    commit_at(repo, 20 * DAY, "feat!: drop", BOB)
    tag_at(repo, 21 * DAY, "v2.0.0rc1", annotated=True)
    commit_at(repo, 25 * DAY, "fix: c", CAROL)
    commit_at(repo, 29 * DAY, "chore(release): 2.0.0")
    tag_at(repo, 30 * DAY, "v2.0.0", annotated=True)
    return repo


def run(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(repo.path), "stats", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, repo, "--json", *args)
    assert (code, err) == (ExitCode.OK, "")
    data: dict[str, Any] = json.loads(out)
    validate(data, SCHEMA)
    return data


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """The part of JSON Schema that tests/data/stats.schema.json uses."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    python = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
              "integer": int, "number": (int, float)}  # fmt: skip
    assert any(
        isinstance(value, python[t]) and not (t in ("integer", "number") and value is True)
        for t in types
    ), f"{where}: {value!r} is not {types}"
    if isinstance(value, dict):
        assert not set(schema.get("required", ())) - set(value), f"{where}: lacks a key"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{where}: {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{index}]")


def test_each_release_has_its_commits_contributors_and_exact_lead_time(
    timed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(timed.path, git_files=True)
    releases = as_json(capsys, timed)["releases"]
    assert snapshot(timed.path, git_files=True) == before  # stats reads only
    assert [r["tag"] for r in releases] == ["v2.0.0", "v2.0.0rc1", "v1.1.0", "v1.0.0"]
    final, rc, minor, first = releases
    assert first == {
        "version": "1.0.0", "tag": "v1.0.0", "date": "2023-11-15T22:13:20Z", "prerelease": False,
        "commits": {"total": 2, "feat": 1, "fix": 1, "breaking": 0, "other": 0},
        "contributors": ["Ann Lee", "Test User"], "contributor_count": 2,
        "lead_time_seconds": DAY,  # lightweight: the tagged commit's committer date
        "median_commit_seconds": DAY / 2,
    }  # fmt: skip
    # The merge brings the branch's commit: previous release..tag by ancestry, merges included.
    assert minor["commits"] == {"total": 3, "feat": 1, "fix": 0, "breaking": 0, "other": 2}
    assert minor["contributors"] == ["Ann Lee", "Bob Ode", "Test User"]
    assert minor["lead_time_seconds"] == 8 * DAY  # annotated: the tagger's date
    assert minor["median_commit_seconds"] == 7 * DAY
    assert minor["date"] == "2023-11-24T22:13:20Z"
    assert (rc["prerelease"], rc["commits"]["breaking"], rc["lead_time_seconds"]) == (
        True, 1, DAY
    )  # fmt: skip
    # The release commit is no change: only Carol's fix counts.
    assert final["commits"] == {"total": 1, "feat": 0, "fix": 1, "breaking": 0, "other": 0}
    assert (final["contributors"], final["lead_time_seconds"]) == (["Carol Ng"], 5 * DAY)


def test_the_cadence_is_the_days_between_final_releases(
    timed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    cadence = as_json(capsys, timed)["cadence"]
    gaps = [9.0, 20.0]  # v1.0.0 (day 1) -> v1.1.0 (day 10) -> v2.0.0 (day 30); rc1 not counted
    assert cadence == {
        "releases": 3,
        "median_days": statistics.median(gaps),
        "mean_days": statistics.mean(gaps),
    }


@pytest.mark.parametrize(
    ("since", "tags"),
    [
        ("v1.1.0", ["v2.0.0", "v2.0.0rc1"]),  # after the tag
        ("2023-11-24", ["v2.0.0", "v2.0.0rc1", "v1.1.0"]),  # from the start of the day, UTC
        ("2023-11-24T23:00:00+01:00", ["v2.0.0", "v2.0.0rc1", "v1.1.0"]),  # 22:00 UTC
        ("2023-11-24T22:13:21", ["v2.0.0", "v2.0.0rc1"]),  # a second after v1.1.0
        ("2030-01-01", []),
    ],
)
def test_since_bounds_the_releases_listed(
    timed: GitRepo, capsys: pytest.CaptureFixture[str], since: str, tags: list[str]
) -> None:
    data = as_json(capsys, timed, "--since", since)
    assert [r["tag"] for r in data["releases"]] == tags


def test_since_keeps_each_release_s_own_range(
    timed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1.1.0's range still starts after v1.0.0, which --since leaves out of the list."""
    (minor,) = [r for r in as_json(capsys, timed, "--since", "2023-11-24")["releases"]
                if r["tag"] == "v1.1.0"]  # fmt: skip
    assert (minor["commits"]["total"], minor["lead_time_seconds"]) == (3, 8 * DAY)


@pytest.mark.parametrize("since", ["last-tuesday", "v9.9.9", "2023-13-01"])
def test_a_bad_since_is_one_line_and_a_usage_error(
    timed: GitRepo, capsys: pytest.CaptureFixture[str], since: str
) -> None:
    code, out, err = run(capsys, timed, "--since", since)
    assert (code, out) == (ExitCode.USAGE, "")
    assert err == (
        f"autorelease: error: --since {since!r} is neither a release tag nor a date — give a "
        "release tag such as v1.2.0, or a date such as 2024-01-31\n"
    )


def test_no_tags_lists_no_releases(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    sample_project(repo.path)
    repo.git("add", ".")
    commit_at(repo, 0, "feat: start")
    data = as_json(capsys, repo)
    assert data == {
        "releases": [],
        "cadence": {"releases": 0, "median_days": None, "mean_days": None},
    }
    code, out, err = run(capsys, repo)
    assert code == ExitCode.OK
    assert err == "no release tags (tag_format v{version}) to measure\n"
    assert out.splitlines()[0].split() == ["release", "date", "commits", "feat", "fix",
                                           "breaking", "other", "lead", "time", "median", "wait",
                                           "contributors"]  # fmt: skip


def test_the_table_and_markdown(timed: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, timed)
    assert code == ExitCode.OK
    lines = out.splitlines()
    assert lines[1].split() == ["v2.0.0", "2023-12-14", "1", "0", "1", "0", "0", "5d", "0h",
                                "5d", "0h", "1:", "Carol", "Ng"]  # fmt: skip
    assert "cadence: 3 final release(s), 14.5 days apart (median), 14.5 (mean)" in lines
    code, out, _ = run(capsys, timed, "--markdown")
    lines = out.splitlines()
    assert lines[:2] == ["## Release health", ""]
    assert lines[2].startswith("| release | date | commits | feat | fix | breaking | other |")
    assert lines[6] == (
        "| v1.1.0 | 2023-11-24 | 3 | 1 | 0 | 0 | 2 | 8d 0h | 7d 0h "
        "| 3: Ann Lee, Bob Ode, Test User |"
    )


def test_summarize_takes_any_stream_of_commits(timed: GitRepo) -> None:
    """The computation is pure over the streamed commits and tags: given the stream of only
    v1.0.0's history, it measures v1.0.0 alone."""
    cfg = config.load(timed.path)
    refs = git.list_tags(timed.path)
    tags = [t for t in history.release_tags(refs, "v{version}") if t.name == "v1.0.0"]
    moments = {r.name: stats.moment(r.when) for r in refs}
    found = stats.summarize(tags, moments, git.iter_dated_commits(timed.path, tags[0].commit),
                            Classifier(cfg))  # fmt: skip
    assert [(r.tag, r.lead_time_seconds) for r in found.releases] == [("v1.0.0", DAY)]


def test_one_git_log_pass_whatever_the_number_of_releases(
    timed: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A `git` first on PATH logs each call: stats runs `git log` once, not once per release."""
    log = tmp_path / "calls"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> {log}\nexec {shutil.which("git")} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    as_json(capsys, timed)
    assert log.read_text().split().count("log") == 1


# --- the release workflow's runs ---------------------------------------------------------------

RELEASE_YML = "on: push\njobs:\n  release:\n    steps:\n      - run: autorelease publish\n"


@pytest.fixture
def fake_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """The fake GitHub with three completed runs of release.yml, one still running, and a
    run of another workflow; the environment points autorelease at it."""
    with FakeGitHub() as fake:
        fake.add_run("release.yml", "success", "2023-11-20T10:00:00Z", "2023-11-20T10:03:00Z")
        fake.add_run(
            "release.yml", "failure", "2023-11-25T10:00:00Z", "2023-11-25T10:01:30Z",
            [("lint", "success", [("Run ruff", "success")]),
             ("release", "failure", [("Set up job", "success"), ("Upload to PyPI", "failure"),
                                     ("Post checkout", "skipped")])],
        )  # fmt: skip
        fake.add_run("release.yml", "cancelled", "2023-11-26T10:00:00Z", "2023-11-26T10:00:10Z")
        fake.add_run("release.yml", "success", "2023-12-14T10:00:00Z", "2023-12-14T10:05:00Z")
        fake.add_run("release.yml", None, "2023-12-15T10:00:00Z", "2023-12-15T10:00:05Z")
        fake.add_run("ci.yml", "failure", "2023-12-15T10:00:00Z", "2023-12-15T10:00:05Z")
        monkeypatch.setenv("GITHUB_TOKEN", fake.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", fake.repository)
        yield fake
    assert not fake.crashes, fake.crashes[0]


def test_runs_give_the_success_rate_run_time_and_failed_step(
    timed: GitRepo, fake_github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    timed.write(".github/workflows/release.yml", RELEASE_YML)
    runs = as_json(capsys, timed)["runs"]
    failed_id = fake_github.runs[1].id
    assert runs == {
        "workflow": "release.yml",
        "runs": 4,  # completed ones: the running one is not counted
        "succeeded": 2,
        "failed": 1,
        "success_rate": 2 / 3,  # the cancelled run counts neither way
        "median_seconds": 135,
        "mean_seconds": (180 + 90 + 10 + 300) / 4,
        "failures": [{
            "id": failed_id, "conclusion": "failure", "seconds": 90,
            "failed_step": "release / Upload to PyPI",
            "url": f"{fake_github.root}/{fake_github.repository}/actions/runs/{failed_id}",
        }],
    }  # fmt: skip
    jobs = fake_github.requests_matching("GET", r"/actions/runs/\d+/jobs$")
    assert [r.path.split("/")[-2] for r in jobs] == [str(failed_id)]  # only the failed run's


def test_runs_since_a_date_and_of_a_named_workflow(
    timed: GitRepo, fake_github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_github.add_run("publish.yml", "success", "2023-12-01T10:00:00Z", "2023-12-01T10:00:42Z")
    runs = as_json(capsys, timed, "--workflow", "publish.yml")["runs"]
    assert (runs["workflow"], runs["runs"], runs["median_seconds"]) == ("publish.yml", 1, 42)
    runs = as_json(capsys, timed, "--since", "v1.1.0", "--workflow", "release.yml")["runs"]
    (listing,) = fake_github.requests_matching("GET", r"/workflows/release.yml/runs$")
    assert listing.query["created"] == ">=2023-11-24"  # v1.1.0's day
    assert runs["runs"] == 3


def test_runs_in_the_table(
    timed: GitRepo, fake_github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, timed, "--workflow", "release.yml")
    assert code == ExitCode.OK
    assert (
        "release workflow release.yml: 4 run(s), 2 succeeded, 1 failed (67% success); "
        "run time 2m 15s (median), 2m 25s (mean)"
    ) in out
    assert f"failed run {fake_github.runs[1].id}: release / Upload to PyPI (" in out


def test_without_a_token_or_a_release_workflow_no_runs_are_read(
    timed: GitRepo, fake_github: FakeGitHub, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    code, out, err = run(capsys, timed, "--json")  # no workflow runs autorelease
    assert (code, "runs" in json.loads(out)) == (ExitCode.OK, False)
    assert err == (
        "autorelease: no workflow runs autorelease: the release workflow's runs are not read\n"
    )
    timed.write(".github/workflows/release.yml", RELEASE_YML)
    assert "runs" not in json.loads(run(capsys, timed, "--json", "--no-runs")[1])
    monkeypatch.delenv("GITHUB_TOKEN")
    code, out, err = run(capsys, timed, "--json")
    assert (code, "runs" in json.loads(out), err) == (ExitCode.OK, False, "")
    assert fake_github.requests == []


def test_a_failing_github_is_one_line_without_the_token(
    timed: GitRepo, fake_github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, timed, "--workflow", "missing.yml")
    assert (code, out) == (ExitCode.GITHUB_FAILED, "")
    assert err == (
        f"autorelease: error: GitHub has no workflow missing.yml in {fake_github.repository} — "
        "name the release workflow's file with --workflow FILE; the token needs `actions: read`\n"
    )
    fake_github.fail("GET", r"/workflows/release.yml/runs", status=401, times=1)
    code, out, err = run(capsys, timed, "--workflow", "release.yml")
    assert (code, out) == (ExitCode.GITHUB_FAILED, "")
    assert err.startswith("autorelease: error: GitHub: reading the runs of release.yml failed")
    assert err.count("\n") == 1
    assert fake_github.token not in err


def test_two_releases_of_one_moment_newest_version_first(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lightweight tags on one commit share its date: the higher version is listed first, and
    it brought nothing (the lower one holds the commits)."""
    sample_project(repo.path)
    repo.git("add", ".")
    commit_at(repo, 0, "feat: start")
    repo.tag("v1.0.1")
    repo.tag("v1.0.0")
    newer, older = as_json(capsys, repo)["releases"]
    assert (newer["tag"], newer["commits"]["total"], newer["lead_time_seconds"]) == (
        "v1.0.1", 0, None
    )  # fmt: skip
    assert (older["tag"], older["commits"]["total"], older["lead_time_seconds"]) == (
        "v1.0.0", 1, 0
    )  # fmt: skip
