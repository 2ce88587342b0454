"""autorelease's checker and the real `cz check` agree, except where a difference is listed here.

cz runs as a process, the way commitizen's own commit-msg hook runs it (`--allow-abort`), with this
repository's .cz.toml and the same header limit as autorelease's default (`-l 100`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autorelease.hooks.lint import lint
from conftest import once_per_run

# About 50 cz processes: seconds, not milliseconds.
pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
LONG = "feat: " + "x" * 95  # 101 characters
EXACT = "feat: " + "x" * 94  # 100 characters

# (message, both accept it)
AGREE: list[tuple[str, bool]] = [
    ("feat: add search", True),
    ("fix: correct the login redirect", True),
    ("fix!: drop the v1 endpoint", True),
    ("feat(api)!: send an email when a product is shipped", True),
    ("docs(readme): fix a typo", True),
    ("chore(deps): bump jinja2 from 3.1.3 to 3.1.4", True),
    ("style: format", True),
    ("perf: cache the index", True),
    ("test: cover the parser", True),
    ("build: use hatchling", True),
    ("ci: run on 3.13", True),
    ("refactor: split the planner", True),
    ("revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868", True),
    ("fix: prevent racing\n\nIntroduce a request id.\n\nReviewed-by: Z\nRefs: #123", True),
    ("feat: api\n\nBREAKING CHANGE: `extends` is now used for extending other configs", True),
    ("fix:  two spaces after the colon", True),
    ("feat: add search\n\n\nbody after two blank lines", True),
    ("fix: résumé upload", True),
    ("fix: login\n\n# Please enter the commit message for your changes.", True),
    (EXACT, True),
    ("", True),  # the user aborted; git does not commit
    ("Merge branch 'feature/search' into main", True),
    ("Merged PR 12: add search", True),  # Azure DevOps' merge commits
    ('Revert "feat: add search"\n\nThis reverts commit 1234567abcdef.', True),
    ("fixup! feat: add search", True),
    ("squash! feat: add search", True),
    ("amend! feat: add search", True),
    ("bump: version 1.0.0 → 1.1.0", True),
    ("Fix login", False),
    ("fix login", False),
    ("Initial commit", False),
    ("fix:login", False),
    ("fix : login", False),
    ("fix(): login", False),
    ("fix(api) login", False),
    ("fix: ", False),
    ("feat!:x", False),
    (": login", False),
    ("wip: login page", False),
    ("feature: search", False),
    ("update: readme", False),
    ("fix: login\nthe redirect was wrong", False),
    (LONG, False),
]

# (message, autorelease accepts it, why cz decides otherwise)
DIFFER: list[tuple[str, bool, str]] = [
    ("Feat: add search", True, "rule 15: types are not case sensitive; cz's pattern is"),
    ("FIX: login", True, "rule 15 again: autorelease reads the type in any case"),
    ("feat(user profile): x", True, "the spec's scope is a noun and may hold a space; cz: \\S+"),
    ("feat(a)(b): x", False, "cz's scope \\S+ swallows `a)(b`; autorelease wants one scope"),
    (
        "bump: tidy up",
        False,
        "cz allows its own `bump` type anywhere; autorelease only cz's "
        "release message `bump: version A → B`",
    ),
    (
        "Revert the login change",
        False,
        'cz allows any `Revert` prefix; git writes Revert "<header>"',
    ),
    ("Pull request #5: add search", False, "cz allows a `Pull request` prefix (Bitbucket)"),
    (
        "fix: login\n\nReviewed by: Alice",
        False,
        "rule 9: a footer token uses - for spaces; cz does not read footers",
    ),
    (
        "feat: api\n\nbreaking change: old api removed",
        False,
        "rules 12 and 15: lowercase is not "
        "a breaking change, so it would be released as a minor; cz does not read footers",
    ),
    (
        "feat: api\n\nBREAKING CHANGES: old api removed",
        False,
        "rule 12: the token is BREAKING CHANGE; cz does not read footers",
    ),
]


def _cz_executable() -> str | None:
    beside = Path(sys.executable).parent / ("cz.exe" if os.name == "nt" else "cz")
    return str(beside) if beside.exists() else shutil.which("cz")


@pytest.fixture(scope="module")
def cz_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    """cz's verdict on every message of the corpus: one process each, run in parallel, once for
    all the xdist workers."""
    cz = _cz_executable()
    if cz is None:
        pytest.skip("commitizen (cz) is not installed")
    verdicts: dict[str, bool] = once_per_run(
        tmp_path_factory, "cz_verdicts", lambda: _run_cz(cz, tmp_path_factory.mktemp("cz"))
    )
    return verdicts


def _run_cz(cz: str, workdir: Path) -> dict[str, bool]:
    shutil.copy(REPO_ROOT / ".cz.toml", workdir / ".cz.toml")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "HOME": str(workdir),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "NO_COLOR": "1",
    }

    def verdict(message: str) -> bool:
        proc = subprocess.run(
            [cz, "check", "--allow-abort", "-l", "100", "--message", message],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return proc.returncode == 0

    messages = [m for m, _ in AGREE] + [m for m, _, _ in DIFFER]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(messages, pool.map(verdict, messages), strict=True))


def test_the_corpus_is_large_enough() -> None:
    good = sum(ok for _, ok in AGREE)
    assert good >= 15
    assert len(AGREE) - good >= 15
    assert len({m for m, _ in AGREE} | {m for m, _, _ in DIFFER}) == len(AGREE) + len(DIFFER)


@pytest.mark.parametrize(("message", "accepted"), AGREE)
def test_autorelease_and_cz_agree(
    cz_verdicts: dict[str, bool], message: str, accepted: bool
) -> None:
    assert lint(message).ok is accepted
    assert cz_verdicts[message] is accepted


@pytest.mark.parametrize(("message", "accepted", "why"), DIFFER)
def test_deliberate_differences(
    cz_verdicts: dict[str, bool], message: str, accepted: bool, why: str
) -> None:
    assert lint(message).ok is accepted, why
    assert cz_verdicts[message] is not accepted, f"no longer a difference: {why}"
