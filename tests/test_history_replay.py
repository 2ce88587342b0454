"""Replay real release histories: does autorelease pick the version the projects' tool picked?

tests/data/history/ holds, per project, every release that python-semantic-release made (the
ground truth of /work/shared/history, slimmed: see its README). Each release is rebuilt as a
small repository branch: a base commit tagged with the previous version (its pyproject.toml
holding that version), then every commit message of the range as an empty commit with the
original merge shape, up to the parent of the tool's own release commit. One `git fast-import`
stream per project writes every release as its own branch; then `plan_release` runs on each.

Every disagreement must be listed in explained.json with its reason, and every listed pair
must still disagree, so the table cannot rot. Known limit of the rebuild: commits get new hashes,
so a `This reverts commit <sha>` body no longer names a commit of the range (no ground-truth
range reverts a releasable commit by hash, so no decision depends on it).
"""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autorelease.core.plan import PlanOptions, plan_release
from conftest import EPOCH

pytestmark = pytest.mark.slow  # thousands of commits per project, replayed

DATA = Path(__file__).parent / "data" / "history"
PROJECTS = sorted(p.name.removesuffix(".json.gz") for p in DATA.glob("*.json.gz"))
TABLE = json.loads((DATA / "explained.json").read_text())
# {project: {"prev -> next": {"category", "reason"}}}: every pair where autorelease differs.
EXPLAINED: dict[str, dict[str, dict[str, str]]] = TABLE["projects"]
# Kinds of deliberate difference (a human forcing a release, the other tool's quirk), not bugs.
CATEGORIES = frozenset(TABLE["categories"])
# Agreement with the ground truth, per project, counting explained pairs as disagreements.
FLOOR = 0.99


@dataclass(frozen=True)
class Pair:
    """One release of the ground truth: the previous version, the commits, the next version."""

    prev: str
    next: str
    head: str  # original sha of the commit the tool released from (parent of its release commit)
    commits: tuple[dict[str, Any], ...]

    @property
    def key(self) -> str:
        return f"{self.prev} -> {self.next}"


def load(project: str) -> tuple[dict[str, Any], list[Pair]]:
    """The project's meta and its ground-truth pairs."""
    with gzip.open(DATA / f"{project}.json.gz", "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    pairs = [Pair(p["prev"], p["next"], p["head"], tuple(p["commits"])) for p in data["pairs"]]
    return data["meta"], pairs


def pyproject(version: str, meta: dict[str, Any]) -> str:
    """The base commit's pyproject: the project's PSR settings, in autorelease's terms."""
    # The three projects keep PSR's defaults but for the tag format: feat -> minor, fix and
    # perf -> patch, allow_zero_version = true, and major_on_zero = true (zero_policy "major":
    # a breaking change at 0.x goes to 1.0.0).
    major_on_zero = str(meta["zero_policy"] == "major").lower()
    tag_format = meta["tag_format"]
    return (
        f'[project]\nname = "replay"\nversion = "{version}"\n\n'
        f'[tool.autorelease]\ntag_format = "{tag_format}"\n'
        'version_files = ["pyproject.toml:project.version"]\n'
        f"major_on_zero = {major_on_zero}\nallow_zero_version = true\n"
        'changelog_file = ""\n'
    )


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def _commit(ref: str, mark: int) -> bytes:
    # The mark doubles as the commit date: distinct, increasing, independent of the machine.
    return (
        f"commit {ref}\nmark :{mark}\ncommitter T <t@example.com> {EPOCH + mark} +0000\n".encode()
    )


Settings = Callable[[str, dict[str, Any]], str]  # (version, meta) -> the base's pyproject.toml


def _pair_stream(
    index: int, pair: Pair, meta: dict[str, Any], ids: Iterator[int], settings: Settings
) -> bytes:
    """Fast-import commands for one pair: base commit, tag, range commits, branch at HEAD."""
    ref = f"refs/heads/pair-{index}"
    tag = str(meta["tag_format"]).format(version=pair.prev)
    base = next(ids)
    out = [
        _commit(ref, base),
        _data(f"chore: the released tree of {pair.prev}"),
        b"deleteall\nM 644 inline pyproject.toml\n",
        _data(settings(pair.prev, meta)),
        f"\nreset refs/tags/{tag}\nfrom :{base}\n\n".encode(),
    ]
    marks: dict[str, int] = {}
    for commit in pair.commits:
        mark = marks[commit["sha"]] = next(ids)
        # A parent outside the range is reachable from the previous release: the base stands
        # for all of it.
        parents = list(dict.fromkeys(marks.get(p, base) for p in commit["parents"]))
        out += [
            _commit(ref, mark),
            _data(commit["message"] + "\n"),
            f"from :{parents[0]}\n".encode(),
            *(f"merge :{p}\n".encode() for p in parents[1:]),
            b"\n",
        ]
    out.append(f"reset {ref}\nfrom :{marks.get(pair.head, base)}\n\n".encode())
    return b"".join(out)


def build(
    root: Path, project: str, settings: Settings = pyproject
) -> tuple[dict[str, Any], list[Pair]]:
    """A repository at ROOT with branch pair-N for each ground-truth pair of PROJECT, its base
    commits configured by SETTINGS."""
    meta, pairs = load(project)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    ids = itertools.count(1)
    stream = b"".join(_pair_stream(i, p, meta, ids, settings) for i, p in enumerate(pairs))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
    return meta, pairs


def checkout(root: Path, index: int) -> None:
    subprocess.run(["git", "checkout", "-q", "-f", f"pair-{index}"], cwd=root, check=True)


def replay(root: Path, project: str) -> tuple[list[Pair], dict[str, str]]:
    """Plan each pair; return the pairs and {pair key: what autorelease said} where it differs."""
    _, pairs = build(root, project)
    wrong: dict[str, str] = {}
    for index, pair in enumerate(pairs):
        checkout(root, index)
        plan = plan_release(root, PlanOptions(date="2024-01-01"))
        if plan.next_version != pair.next:
            causes = ", ".join(c.header for c in plan.bump_commits[:3])
            wrong[pair.key] = f"autorelease: {plan.next_version} ({plan.bump}; {causes})"
    return pairs, wrong


@pytest.mark.parametrize("project", PROJECTS)
def test_replay_agrees_with_the_tool(project: str, tmp_path: Path) -> None:
    pairs, wrong = replay(tmp_path / "repo", project)
    explained = EXPLAINED.get(project, {})
    rate = 1 - len(wrong) / len(pairs)
    print(  # the summary: `pytest -s` or `-rA` shows it
        f"\n{project}: {len(pairs) - len(wrong)}/{len(pairs)} agree ({rate:.1%}); "
        f"{len(wrong)} differ"
    )
    for key, said in wrong.items():
        print(f"  {key}: {said}; {explained.get(key, {}).get('reason', 'UNEXPLAINED')}")
    unexplained = {k: v for k, v in wrong.items() if k not in explained}
    assert not unexplained, f"disagreements missing from explained.json: {unexplained}"
    stale = sorted(set(explained) - set(wrong))
    assert not stale, f"explained.json lists pairs that now agree; remove them: {stale}"
    assert rate >= FLOOR, f"{project}: agreement {rate:.1%} is below {FLOOR:.0%}"


def test_explanations_are_well_formed() -> None:
    assert set(EXPLAINED) <= set(PROJECTS)
    for project, entries in EXPLAINED.items():
        keys = {p.key for p in load(project)[1]}
        for key, entry in entries.items():
            assert key in keys, f"{project}: {key} is not a ground-truth pair"
            assert entry["category"] in CATEGORIES, entry
            assert entry["reason"].strip(), entry


def _sample(pairs: list[Pair]) -> list[int]:
    """The first and last release, and the largest range (most merges and messages)."""
    largest = max(range(len(pairs)), key=lambda i: len(pairs[i].commits))
    return sorted({0, largest, len(pairs) - 1})


@pytest.mark.parametrize("project", PROJECTS)
def test_cli_prints_the_planned_version_for_a_sample(project: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _, pairs = build(root, project)
    explained = EXPLAINED.get(project, {})
    for index in _sample(pairs):
        checkout(root, index)
        planned = plan_release(root, PlanOptions()).next_version
        proc = subprocess.run(
            [sys.executable, "-m", "autorelease", "-C", str(root), "version", "--print"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        # `version --print` exits 3 and prints nothing when there is nothing to release.
        assert (proc.returncode, proc.stdout.strip()) == ((0, planned) if planned else (3, "")), (
            proc.stderr
        )
        if pairs[index].key not in explained:
            assert planned == pairs[index].next
