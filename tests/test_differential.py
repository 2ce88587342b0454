"""Differential test: autorelease, python-semantic-release and commitizen on the same histories.

Each case is a seeded random history (feat, fix, perf, chore, docs and breaking changes, written
with `!` or a BREAKING CHANGE footer; feature branches merged with --no-ff; releases made by hand
at some points) from a 0.x or a 1.x+ starting version, in a real repository whose pyproject.toml
configures the three tools equivalently. The next version each tool computes must agree:

- autorelease: `plan_release` (None when nothing is releasable).
- python-semantic-release: `semantic-release --noop version --print` prints the next version, or
  the current one when nothing is releasable; it needs a remote named `origin` (a local bare
  repository will do) and its default branch config already matches `main`.
- commitizen: `cz bump --get-next` prints the next version; it exits 21 (NO_COMMITS_TO_BUMP) or
  3 (NO_COMMITS_FOUND) when there is nothing to bump. Its current version comes from
  pyproject.toml, so each hand-made release writes it there before tagging.

Known, deliberate differences, and how the cases handle them:

- PSR 10 reads a body paragraph that starts with a type (`feat: ...`) as another squashed
  commit (`parse_squash_commits`, on by default); autorelease's `parse_squash_bodies` reads only
  GitHub's bulleted `* feat: ...` lines, and is off by default. The cases turn PSR's off.
- commitizen matches its bump pattern against every line of the message, so a body line such as
  `feat: ...` quoted in a dependency bump counts as a feature. autorelease's own rules, like PSR
  without squash parsing, read a body only for BREAKING CHANGE footers: Conventional Commits puts
  the type in the header. Without `[tool.autorelease]` commitizen's table comes first, so
  autorelease follows cz's rules (bump_rules.py) and must agree with cz, quirk and all; with its
  own table it must agree with PSR. The quirk excuses only the other tool.
- cz's default bump map also bumps `refactor` as a patch; the histories use no refactor commits.
- cz applies `major_version_zero = true` at 1.x too (a breaking change then bumps the minor),
  where autorelease's and PSR's `major_on_zero` only matter below 1.0.0; the cases set it only
  for projects at 0.x, as cz's own documentation intends.
- A first release without any tag: autorelease releases the declared version as it stands; the
  cases always start from a tagged version.

These tools take about a second each, so the cases are few, run in parallel, and marked slow.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from autorelease.core.plan import PlanOptions, plan_release
from autorelease.core.version import Bump, parse_version
from conftest import GitRepo

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SEEDS = range(12)
STARTS = ("0.1.0", "0.4.2", "1.0.0", "2.3.1")
MESSAGES = (  # (weight, template): {n} is a running number, {scope} a scope
    (6, "feat: add option {n}"),
    (3, "feat({scope}): support mode {n}"),
    (6, "fix: handle empty input {n}"),
    (3, "fix({scope}): close handle {n}"),
    (2, "perf: cache lookup {n}"),
    (6, "chore: tidy {n}"),
    (4, "chore(deps): bump lib{n} from 1.0 to 1.1"),
    (4, "docs: explain step {n}"),
    (1, "feat!: drop the old API {n}"),
    (1, "fix({scope})!: reject bad input {n}"),
    (1, "feat: new config format {n}\n\nBREAKING CHANGE: the old format is not read any more."),
    (1, "chore(deps): bump lib{n} from 1 to 2\n\nUpstream notes:\n\nfeat: lib{n} adds streams"),
)
# One of these lands after the last hand-made release of each case (chosen by seed), so every
# kind of breaking change and the quoted-header body are compared, at 0.x and at 1.x+.
FOCUS = (
    "fix(api)!: drop the legacy endpoint",
    "perf: new index\n\nBREAKING CHANGE: rebuild the index after upgrading.",
    "chore(deps): bump lib from 2 to 3\n\nRelease notes:\n\nfeat: lib adds async",
)
SCOPES = ("api", "cli", "core")
# A line cz reads as a commit header, anywhere in a message (commitizen's default bump pattern).
CZ_BUMP_LINE = re.compile(r"^((BREAKING[\-\ ]CHANGE|\w+)(\(.+\))?!?):", re.MULTILINE)


@dataclass(frozen=True)
class Case:
    """A generated history: start version, zero policy, and steps in order."""

    seed: int
    start: str
    major_on_zero: bool
    own_config: bool  # [tool.autorelease] present, else autorelease reads cz's and PSR's tables
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # ("commit"|"merge"|"release", messages)


def generate(seed: int) -> Case:
    """A reproducible history for SEED."""
    rng = random.Random(seed)
    weights, templates = zip(*MESSAGES, strict=True)
    counter = iter(range(1, 1000))

    def message() -> str:
        template = rng.choices(templates, weights)[0]
        return template.format(n=next(counter), scope=rng.choice(SCOPES))

    steps: list[tuple[str, tuple[str, ...]]] = []
    for _ in range(rng.randint(3, 8)):
        roll = rng.random()
        if roll < 0.15 and steps:
            steps.append(("release", ()))
        elif roll < 0.3:
            steps.append(("merge", tuple(message() for _ in range(rng.randint(1, 3)))))
        else:
            steps.append(("commit", (message(),)))
    start = STARTS[seed % len(STARTS)]
    # From 1.0.0 on the zero policy means nothing to autorelease and PSR, but cz would still
    # apply major_version_zero = true (a breaking change bumps the minor): set it only at 0.x.
    major_on_zero = rng.random() < 0.5 if start.startswith("0.") else True
    released = [i + 1 for i, (kind, _) in enumerate(steps) if kind == "release"]
    at = rng.randint(max(released, default=0), len(steps))
    steps.insert(at, ("commit", (FOCUS[seed % len(FOCUS)],)))
    return Case(seed, start, major_on_zero, seed % 3 != 2, tuple(steps))


def pyproject(case: Case, version: str) -> str:
    """pyproject.toml with the three tools configured alike."""
    text = (
        f'[project]\nname = "diff-{case.seed}"\nversion = "{version}"\n\n'
        "[tool.semantic_release]\n"
        'version_toml = ["pyproject.toml:project.version"]\n'
        'tag_format = "v{version}"\n'
        f"major_on_zero = {str(case.major_on_zero).lower()}\n"
        "allow_zero_version = true\n\n"
        "[tool.semantic_release.commit_parser_options]\n"
        "parse_squash_commits = false\n\n"
        "[tool.commitizen]\n"
        'version_provider = "pep621"\n'
        'tag_format = "v$version"\n'
        f"major_version_zero = {str(not case.major_on_zero).lower()}\n"
    )
    if case.own_config:
        text += (
            '\n[tool.autorelease]\ntag_format = "v{version}"\n'
            f"major_on_zero = {str(case.major_on_zero).lower()}\n"
            'allow_zero_version = true\nchangelog_file = ""\nbump_rules = "autorelease"\n'
        )
    return text


def materialize(case: Case, path: Path) -> list[str]:
    """Write CASE as a repository at PATH; return the messages since the last release."""
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    repo = GitRepo(path)
    bare = path.parent / f"{path.name}-origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    version = case.start
    repo.commit("chore: initial project", ("pyproject.toml", pyproject(case, version)))
    repo.tag(f"v{version}")
    since: list[str] = []
    for number, (kind, messages) in enumerate(case.steps):
        if kind == "release":  # a release by hand: the next minor, written and tagged
            nxt = parse_version(version)
            assert nxt is not None
            version = nxt.bump(Bump.MINOR).render()
            repo.commit(f"chore(release): {version}", ("pyproject.toml", pyproject(case, version)))
            repo.tag(f"v{version}")
            since = []
        elif kind == "merge":
            repo.git("checkout", "-q", "-b", f"topic-{number}")
            for text in messages:
                repo.commit(text)
            repo.git("checkout", "-q", "main")
            repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch 'topic-{number}'", "HEAD@{1}")
            since += messages
        else:
            repo.commit(messages[0])
            since += messages
    return since


def run_tool(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def psr_next(root: Path, current: str) -> str | None:
    proc = run_tool([str(BIN / "semantic-release"), "--noop", "version", "--print"], root)
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout.strip().splitlines()[-1]
    return None if printed == current else printed


def cz_next(root: Path) -> str | None:
    proc = run_tool([str(BIN / "cz"), "bump", "--get-next"], root)
    if proc.returncode in (3, 21):  # NO_COMMITS_FOUND, NO_COMMITS_TO_BUMP
        return None
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def cz_quirk(messages: list[str]) -> str | None:
    """Why commitizen may read MESSAGES differently from the spec, if it may."""
    for text in messages:
        body = text.partition("\n")[2]
        for line in CZ_BUMP_LINE.findall(body):
            if not line[0].startswith(("BREAKING CHANGE", "BREAKING-CHANGE")):
                return f"cz reads the body line {line[0]!r} of {text.splitlines()[0]!r} as a header"
    return None


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [generate(seed) for seed in SEEDS]


def test_generated_histories_cover_the_interesting_cases(cases: list[Case]) -> None:
    """The seeds reach both version ranges, both zero policies, merges, releases and breaks."""
    assert {c.start.startswith("0.") for c in cases} == {True, False}
    assert {c.major_on_zero for c in cases if c.start.startswith("0.")} == {True, False}
    kinds = {kind for c in cases for kind, _ in c.steps}
    assert kinds == {"commit", "merge", "release"}
    texts = [m for c in cases for _, ms in c.steps for m in ms]
    assert any("!:" in m for m in texts)
    assert any("BREAKING CHANGE:" in m for m in texts)
    assert any(cz_quirk([m]) for m in texts)


def test_autorelease_agrees_with_semantic_release_and_commitizen(
    cases: list[Case], tmp_path: Path
) -> None:
    roots = [tmp_path / f"case-{c.seed}" for c in cases]
    ranges = [materialize(c, root) for c, root in zip(cases, roots, strict=True)]
    plans = [plan_release(root, PlanOptions(date="2024-01-01")) for root in roots]
    with ThreadPoolExecutor(max_workers=4) as pool:
        psr = list(pool.map(psr_next, roots, [p.current_version for p in plans]))
        cz = list(pool.map(cz_next, roots))
    rows, failures = [], []
    for case, since, plan, p, c in zip(cases, ranges, plans, psr, cz, strict=True):
        ours = plan.next_version
        quirk = cz_quirk(since)
        rows.append(
            f"seed {case.seed:2}: {plan.current_version} mz={case.major_on_zero!s:5} "
            f"autorelease={ours} psr={p} cz={c}" + (f"  [{quirk}]" if quirk and p != c else "")
        )
        # Without [tool.autorelease], commitizen's table comes first: cz's rules, quirk and all.
        assert plan.bump_rules == (
            "autorelease" if case.own_config else "commitizen cz_conventional_commits"
        )
        if p != ours and not (quirk and not case.own_config):
            failures.append(f"seed {case.seed}: psr says {p}, autorelease {ours}: {since}")
        if c != ours and not (quirk and case.own_config):
            failures.append(f"seed {case.seed}: cz says {c}, autorelease {ours}: {since}")
    print("\n" + "\n".join(rows))
    assert not failures, "\n".join(failures)
    agreeing = sum(1 for c, p in zip(cz, psr, strict=True) if c == p)
    assert agreeing >= len(cases) // 2, "most cases should have the reference tools agree"
