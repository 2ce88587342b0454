"""Replay the real histories under commitizen's and python-semantic-release's configuration.

A project that switches keeps its `[tool.commitizen]` or `[tool.semantic_release]` table, and
autorelease must then release what that tool would release (bump_rules.py). Each real history
of tests/data/history (rebuilt as test_history_replay.py does, one branch per release) is
configured once for each tool, with no `[tool.autorelease]`; on each release point the next
version autorelease plans is compared with the real tool on the same repository:

- commitizen: `cz bump --get-next` (version_provider pep621, the project's tag format);
- python-semantic-release 10: `semantic-release --noop version --print`, with its defaults
  (the conventional parser, squash commits parsed, merges ignored), a branches group that
  matches the replay's branches, allow_zero_version = true (these projects release 0.x).

The tools take a second per call, so each project compares a sample of release points: every
point where autorelease under the tool's rules differs from what the maintainers released (the
points where the rules matter), and SAMPLE more spread over the history. The test prints how
many pairs it compared. Every disagreement must be listed in EXPLAINED with its reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autorelease.core.plan import PlanOptions, plan_release
from test_differential import cz_next, psr_next
from test_history_replay import PROJECTS, Pair, build, checkout

pytestmark = pytest.mark.slow

SAMPLE = 4  # release points per project and tool, besides those where the rules matter
# {(tool, project, "prev -> next"): why autorelease and the tool differ}: none so far.
EXPLAINED: dict[tuple[str, str, str], str] = {}


def cz_settings(version: str, meta: dict[str, Any]) -> str:
    tag_format = str(meta["tag_format"]).replace("{version}", "$version")
    return (
        f'[project]\nname = "replay"\nversion = "{version}"\n\n'
        f'[tool.commitizen]\nversion_provider = "pep621"\ntag_format = "{tag_format}"\n'
        'changelog_file = "CHANGES.md"\n'
    )


def psr_settings(version: str, meta: dict[str, Any]) -> str:
    return (
        f'[project]\nname = "replay"\nversion = "{version}"\n\n'
        f'[tool.semantic_release]\ntag_format = "{meta["tag_format"]}"\n'
        'version_toml = ["pyproject.toml:project.version"]\n'
        "allow_zero_version = true\nmajor_on_zero = true\n\n"
        '[tool.semantic_release.branches.replay]\nmatch = "pair-"\n'
    )


TOOLS: dict[str, tuple[Callable[[str, dict[str, Any]], str], str]] = {
    "commitizen": (cz_settings, "commitizen cz_conventional_commits"),
    "semantic-release": (psr_settings, "python-semantic-release conventional"),
}


def tool_next(tool: str, root: Path, pair: Pair) -> str | None:
    return cz_next(root) if tool == "commitizen" else psr_next(root, pair.prev)


def _spread(count: int, total: int) -> set[int]:
    return {round(i * (total - 1) / max(count - 1, 1)) for i in range(count)} if total else set()


@pytest.mark.parametrize("project", PROJECTS)
@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_replay_with_the_tools_settings_releases_what_the_tool_releases(
    tool: str, project: str, tmp_path: Path
) -> None:
    settings, rules_name = TOOLS[tool]
    root = tmp_path / "repo"
    _, pairs = build(root, project, settings)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(bare)], cwd=root, check=True)
    ours: dict[int, str | None] = {}
    for index, _pair in enumerate(pairs):
        checkout(root, index)
        plan = plan_release(root, PlanOptions(date="2024-01-01", changelog=False))
        assert plan.bump_rules == rules_name
        ours[index] = plan.next_version
    matter = {i for i, pair in enumerate(pairs) if ours[i] != pair.next}
    chosen = sorted(matter | _spread(SAMPLE, len(pairs)))
    wrong: dict[str, str] = {}
    for index in chosen:
        checkout(root, index)
        theirs = tool_next(tool, root, pairs[index])
        if theirs != ours[index]:
            wrong[pairs[index].key] = f"autorelease {ours[index]}, {tool} {theirs}"
    print(
        f"\n{tool} on {project}: {len(chosen) - len(wrong)}/{len(chosen)} compared pairs agree "
        f"({len(matter)} where the rules differ from the maintainers' release)"
    )
    explained = {k[2] for k in EXPLAINED if k[:2] == (tool, project)}
    unexplained = {k: v for k, v in wrong.items() if k not in explained}
    assert not unexplained, f"disagreements missing from EXPLAINED: {unexplained}"
    stale = sorted(explained - set(wrong))
    assert not stale, f"EXPLAINED lists pairs that now agree; remove them: {stale}"
