"""A commitizen rule set other than Conventional Commits decides the bump, through commitizen."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from autorelease.core import rules
from autorelease.core.plan import plan_release
from autorelease.core.version import Bump
from autorelease.errors import ConfigError, ExitCode
from conftest import GitRepo

CUSTOMIZE = """\
[tool.commitizen]
name = "cz_customize"
tag_format = "v$version"
{extra}

[tool.commitizen.customize]
bump_pattern = "^(breaking|feature|bugfix)"
bump_map = {{"breaking" = "MAJOR", "feature" = "MINOR", "bugfix" = "PATCH"}}
"""


def project(repo: GitRepo, version: str = "1.0.0", extra: str = "") -> GitRepo:
    repo.write("pyproject.toml", f'[project]\nname = "p"\nversion = "{version}"\n')
    repo.write(".cz.toml", CUSTOMIZE.format(extra=extra))
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: init")
    return repo


@pytest.mark.parametrize(
    ("messages", "version", "bump"),
    [
        (["bugfix: mend it"], "1.0.1", "patch"),
        (["bugfix: mend it", "feature: add it"], "1.1.0", "minor"),
        (["feature: add it", "breaking: drop it"], "2.0.0", "major"),
        # the conventional types mean nothing to this rule set
        (["feat: add it", "fix!: mend it"], None, "none"),
        (["just words"], None, "none"),
    ],
)
def test_custom_rule_set_decides(
    repo: GitRepo, messages: list[str], version: str | None, bump: str
) -> None:
    project(repo).tag("v1.0.0")
    repo.history([(m, None) for m in messages])
    p = plan_release(repo.path)
    assert (p.next_version, p.bump) == (version, bump)


def test_messages_the_rule_set_ignores_are_reported(repo: GitRepo) -> None:
    project(repo).tag("v1.0.0")
    repo.history([("just words", None), ("feature: add", None)])
    p = plan_release(repo.path)
    invalid = [c for c in p.commits if c.kind == "invalid"]
    assert [c.problems for c in invalid] == [("matches no rule of cz_customize",)]


def test_major_version_zero_uses_the_zero_map(repo: GitRepo) -> None:
    project(repo, "0.3.0", "major_version_zero = true").tag("v0.3.0")
    repo.history([("breaking: drop it", None)])
    assert plan_release(repo.path).next_version == "0.4.0"


def test_rules_level_follows_commitizen(tmp_path: Path) -> None:
    (tmp_path / ".cz.toml").write_text(CUSTOMIZE.format(extra=""))
    ruleset = rules.load(tmp_path, "cz_customize", {})
    assert ruleset.level("feature: x\n\nbreaking: in the body too") is Bump.MAJOR
    assert ruleset.level("bugfix: x") is Bump.PATCH
    assert ruleset.level("docs: x") is Bump.NONE


def test_the_default_customize_rules_are_commitizens(tmp_path: Path) -> None:
    (tmp_path / ".cz.toml").write_text(
        '[tool.commitizen]\nname = "cz_customize"\n[tool.commitizen.customize]\n'
        'message_template = "{{change_type}}: {{message}}"\n'
    )
    ruleset = rules.load(tmp_path, "cz_customize", {})
    assert ruleset.level("feat(x)!: y") is Bump.MAJOR
    assert ruleset.level("refactor: y") is Bump.PATCH  # commitizen's own default map


def test_unknown_rule_set(tmp_path: Path) -> None:
    (tmp_path / ".cz.toml").write_text('[tool.commitizen]\nname = "cz_nonexistent"\n')
    with pytest.raises(ConfigError, match="cannot build the rule set 'cz_nonexistent'") as info:
        rules.load(tmp_path, "cz_nonexistent", {})
    assert info.value.code == ExitCode.CONFIG


def test_customize_without_its_table(tmp_path: Path) -> None:
    (tmp_path / ".cz.toml").write_text('[tool.commitizen]\nname = "cz_customize"\n')
    with pytest.raises(ConfigError, match="cz_customize"):
        rules.load(tmp_path, "cz_customize", {})


def test_commitizen_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_commitizen(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("commitizen"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_commitizen)
    (tmp_path / ".cz.toml").write_text('[tool.commitizen]\nname = "cz_other"\n')
    with pytest.raises(ConfigError, match="commitizen is not installed") as info:
        rules.load(tmp_path, "cz_other", {})
    assert info.value.hint is not None
    assert "pip install commitizen" in info.value.hint


CHANGELOG_RULES = (
    r"commit_parser = '^(?P<change_type>feature|bugfix|breaking)(?:\((?P<scope>[^()]+)\))?:"
    r"\s(?P<message>.*)'"
    """
changelog_pattern = "^(feature|bugfix|breaking)"
change_type_map = {"feature" = "New", "bugfix" = "Mended", "breaking" = "Breaking"}
change_type_order = ["Breaking", "Mended", "New"]
"""
)


def test_the_rule_sets_parser_makes_the_changelog(repo: GitRepo) -> None:
    """commit_parser, changelog_pattern, change_type_map and _order, as `cz changelog` uses
    them: every listed change type under its title, in the rule set's order."""
    repo.write("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n')
    repo.write(".cz.toml", CUSTOMIZE.format(extra="") + CHANGELOG_RULES)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: init")
    repo.tag("v1.0.0")
    messages = ["feature(ui): add search", "bugfix: mend the crash", "docs: words",
                "feat: conventional, not this team's"]  # fmt: skip
    repo.history([(m, None) for m in messages])

    p = plan_release(repo.path)

    assert (p.next_version, p.bump) == ("1.1.0", "minor")
    body = p.changelog.split("\n", 2)[2]
    assert body.startswith("### Mended\n\n- mend the crash (")
    assert "### New\n\n- **ui:** add search (" in body
    assert body.index("### Mended") < body.index("### New")
    assert "words" not in body
    assert "conventional, not this team's" not in body
    assert "Features" not in body


def test_without_a_change_type_parser_the_conventional_layout_stays(repo: GitRepo) -> None:
    project(repo).tag("v1.0.0")
    repo.history([("feature: add it", None), ("feat: listed as a feature", None)])
    p = plan_release(repo.path)
    assert p.next_version == "1.1.0"
    assert "### Features\n\n- listed as a feature (" in p.changelog


SCHEMA = (
    r"schema_pattern = '(breaking|feature|bugfix)(\([^()]+\))?: \S.*'"
    '\nexample = "feature(ui): add the search box"\n'
)


def _check(capsys: pytest.CaptureFixture[str], repo: GitRepo, *argv: str) -> tuple[int, str]:
    from autorelease.cli.main import main

    code = main(["-C", str(repo.path), *argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_messages_are_checked_by_the_rule_sets_schema(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`check` and the commit-msg hook hold messages to schema_pattern, as `cz check` does."""
    project(repo, extra="").write(".cz.toml", CUSTOMIZE.format(extra="") + SCHEMA)
    assert _check(capsys, repo, "check", "--message", "feature(ui): add search")[0] == 0
    code, out = _check(capsys, repo, "check", "--message", "feat: add search")
    assert code == ExitCode.INVALID_COMMIT
    assert "does not follow the cz_customize rule set" in out
    assert "try: feature(ui): add the search box" in out
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("bugfix: mend it\n# a comment git strips\n")
    assert _check(capsys, repo, "hook", "commit-msg", str(message))[0] == 0
    message.write_text("Merge branch 'x'\n")
    assert _check(capsys, repo, "hook", "commit-msg", str(message))[0] == 0


def test_without_commitizen_the_hook_checks_conventional_commits_and_says_so(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    project(repo).write(".cz.toml", CUSTOMIZE.format(extra="") + SCHEMA)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "commitizen" else
        real_find_spec(name, *a)
    )  # fmt: skip
    code, out = _check(capsys, repo, "check", "--message", "fix: mend it")
    assert code == 0
    assert "commitizen is not installed here: checking as Conventional Commits" in out


def _entries(text: str) -> dict[str, list[tuple[str | None, str]]]:
    """{section title: [(scope, message)]} of the first release section of a Markdown changelog."""
    import re

    found: dict[str, list[tuple[str | None, str]]] = {}
    title = None
    for line in text.split("\n## ", 1)[0].splitlines():  # the first release section
        if line.startswith("### "):
            title = line[4:]
            found[title] = []
        elif line.startswith("- ") and title is not None:
            match = re.fullmatch(r"- (?:\*\*(.+?):?\*\*:? )?(.*?)(?: \(\w{7}\))?", line)
            assert match is not None, line
            found[title].append((match[1], match[2]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_changelog_of_a_rule_set_is_what_cz_changelog_writes(repo: GitRepo, seed: int) -> None:
    """Differential: the same sections, order and entries as `cz changelog --dry-run`."""
    import random
    import shutil
    import subprocess
    import sys

    cz = Path(sys.executable).parent / "cz"
    if not cz.exists() and shutil.which("cz") is None:
        pytest.skip("commitizen (cz) is not installed")
    rules_toml = CUSTOMIZE.format(extra='version_provider = "pep621"')
    repo.write("pyproject.toml", '[project]\nname = "p"\nversion = "1.0.0"\n')
    repo.write(".cz.toml", rules_toml + CHANGELOG_RULES)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "chore: init")
    repo.tag("v1.0.0")
    rnd = random.Random(seed)
    kinds = ["feature", "bugfix", "breaking", "feature(ui)", "bugfix(api)", "docs", "feat"]
    for n in range(12):
        repo.commit(f"{rnd.choice(kinds)}: change number {n}")

    ours = plan_release(repo.path).changelog
    theirs = subprocess.run(
        [str(cz) if cz.exists() else "cz", "changelog", "--dry-run"],
        cwd=repo.path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    assert list(_entries(ours).items()) == list(_entries(theirs).items())  # order too
    assert _entries(ours)  # not two empty changelogs
