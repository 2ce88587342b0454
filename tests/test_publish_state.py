"""The values a publish run passes forward: the options made once from the command line, and
the report and CI outputs made from the frozen Summary alone (no run, no git, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autorelease.cli.main import build_parser
from autorelease.cli.publish import publish_options
from autorelease.publish import outputs
from autorelease.publish.options import PublishOptions
from autorelease.publish.state import Failure, Release, Step, Summary

EVERY_OPTION = [
    "--bump", "minor", "--pre", "rc", "--test", "--skip-tests", "--no-push", "--no-upload",
    "--no-github", "-r", "testpypi", "--report", "run.json", "-v",
]  # fmt: skip


@pytest.mark.parametrize("where", ["before", "after"])
def test_every_publish_option_reaches_the_options_value(where: str) -> None:
    argv = [*EVERY_OPTION, "publish"] if where == "before" else ["publish", *EVERY_OPTION]
    options = publish_options(build_parser(argv).parse_args(["-C", "proj", *argv]))
    assert options == PublishOptions(
        repo=Path("proj"), bump="minor", pre="rc", test=True, skip_tests=True, no_push=True,
        no_upload=True, no_github=True, repository="testpypi", report=Path("run.json"),
        verbose=True,
    )  # fmt: skip


def test_no_options_are_the_defaults() -> None:
    assert publish_options(build_parser(["publish"]).parse_args(["publish"])) == PublishOptions()


@pytest.mark.parametrize(
    ("options", "index"),
    [
        (PublishOptions(), "configured"),
        (PublishOptions(test=True), "testpypi"),
        (PublishOptions(test=True, repository="https://x.example/legacy/"), "https://x.example/legacy/"),
    ],
)  # fmt: skip
def test_which_index_is_decided_in_one_place(options: PublishOptions, index: str) -> None:
    assert options.index_spec("configured") == index


RELEASE = Release("1.1.0", "v1.1.0", "v1.0.0", "## 1.1.0\n", prerelease=False, resuming=False)


def summary(**changes: object) -> Summary:
    done = Summary(
        outcome="released", release=RELEASE, previous_version="1.0.0", pushed=True,
        index_url="http://127.0.0.1:9/", release_url="http://127.0.0.1:9/r/v1.1.0",
        steps=(Step("check", "done", 0.01, "releasing 1.1.0 as v1.1.0"),), failure=None,
        seconds=1.23456, report=None,
    )  # fmt: skip
    return done._replace(**changes)


def test_the_report_is_made_from_the_summary() -> None:
    assert outputs.report_json(summary()) == {
        "outcome": "released", "version": "1.1.0", "tag": "v1.1.0", "previous_tag": "v1.0.0",
        "index_url": "http://127.0.0.1:9/", "release_url": "http://127.0.0.1:9/r/v1.1.0",
        "seconds": 1.235,
        "steps": [
            {"name": "check", "status": "done", "seconds": 0.01,
             "detail": "releasing 1.1.0 as v1.1.0"},
        ],
        "failure": None,
    }  # fmt: skip


def test_a_failure_keeps_its_keys_in_order_and_is_scrubbed() -> None:
    token = "ghp_" + "a" * 36
    failure = Failure(33, f"refused {token}", output=f"403 {token}", step="upload", dist_dir="/d")
    report = outputs.report_json(summary(outcome="failed", failure=failure))
    assert list(report["failure"]) == ["code", "message", "output", "step", "dist_dir"]
    assert token not in json.dumps(report)
    assert report["failure"]["step"] == "upload"


def test_a_failure_without_tool_output_has_neither_output_nor_dist_dir() -> None:
    report = outputs.report_json(summary(outcome="interrupted", failure=Failure(130, "")))
    assert report["failure"] == {"code": 130, "message": "", "step": ""}


def test_nothing_decided_reports_no_version(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    outputs.finish(summary(outcome="nothing to release", release=None, report=path))
    report = json.loads(path.read_text(encoding="utf-8"))
    assert (report["outcome"], report["version"], report["tag"]) == (
        "nothing to release",
        None,
        None,
    )


def test_ci_outputs_name_the_release_only_when_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    outputs.finish(summary())
    outputs.finish(summary(outcome="tagged locally", pushed=False))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["released=true", "version=1.1.0", "tag=v1.1.0"]
    assert lines[6:9] == ["released=false", "version=", "tag="]
    assert lines[9] == "previous_version=1.0.0"
