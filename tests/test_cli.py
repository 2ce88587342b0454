"""The command line on real repositories: dry-run writes nothing, JSON, status, version, errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode, VersionError
from conftest import GitRepo, snapshot, uv

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hosted(released: GitRepo) -> GitRepo:
    """RELEASED with origin on GitHub, so the changelog links its issues and compares."""
    released.git("remote", "add", "origin", "https://github.com/o/r.git")
    return released


def test_dry_run_prints_everything_and_writes_nothing(
    hosted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(hosted.path, git_files=True)
    code, out, err = run(capsys, "-C", hosted.path, "--dry-run")
    assert (code, err) == (ExitCode.OK, "")
    assert snapshot(hosted.path, git_files=True) == before
    for expected in [
        "Dry run: nothing will be written.",
        "Current        1.0.0 (from tag v1.0.0)",
        "Bump           minor (commits)",
        "Next version   1.1.0",
        "Tag            v1.1.0",
        '+version = "1.1.0"',
        "+++ b/CHANGELOG.md",
        "https://github.com/o/r/issues/4",
        "Steps publish would take:",
    ]:
        assert expected in out


@pytest.mark.parametrize(
    ("setting", "github", "comments"),
    [
        ("", "GitHub release v1.1.0 with the changelog section and the built files",
         "a 'Released in' comment on each issue and pull request the notes name"),
        ("comment = false", "GitHub release v1.1.0 with the changelog section and the built files",
         "no 'Released in' comments (comment = false)"),
        ("github_release = false", "no GitHub release (github_release = false)", None),
    ],
)  # fmt: skip
def test_the_dry_run_s_steps_follow_the_settings_that_turn_steps_off(
    released: GitRepo,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    github: str,
    comments: str | None,
) -> None:
    with (released.path / "pyproject.toml").open("a") as out:
        out.write(f"\n[tool.autorelease]\n{setting}\n")
    released.git("commit", "-qam", "chore: settings")
    code, out, _ = run(capsys, "-C", released.path, "--dry-run", "--offline")
    steps = [line.split(". ", 1)[1] for line in out.split("Steps publish would take:\n")[1]
             .splitlines()]  # fmt: skip
    assert code == ExitCode.OK
    assert steps[6:] == [github, *([comments] if comments else [])]


def test_dry_run_json(hosted: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(hosted.path, git_files=True)
    code, out, _ = run(capsys, "-C", hosted.path, "--dry-run", "--json")
    data = json.loads(out)
    assert code == ExitCode.OK
    assert snapshot(hosted.path, git_files=True) == before
    assert (data["current_version"], data["next_version"], data["bump"], data["tag"]) == (
        "1.0.0", "1.1.0", "minor", "v1.1.0"
    )  # fmt: skip
    assert data["changelog"].startswith(
        "## [1.1.0](https://github.com/o/r/compare/v1.0.0...v1.1.0)"
    )


def test_dry_run_lists_ignored_messages(
    hosted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    hosted.commit("updated things")
    _, out, _ = run(capsys, "-C", hosted.path, "--dry-run")
    assert "Not conventional (ignored):" in out
    assert "updated things" in out


@pytest.mark.parametrize(("pre", "version"), [("a", "1.1.0a1"), ("rc", "1.1.0rc1")])
def test_pre(hosted: GitRepo, capsys: pytest.CaptureFixture[str], pre: str, version: str) -> None:
    _, out, _ = run(capsys, "-C", hosted.path, "--dry-run", "--json", "--pre", pre)
    assert json.loads(out)["next_version"] == version


def test_status(hosted: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", hosted.path, "status")
    assert code == ExitCode.OK
    assert "version        1.0.0 (from tag v1.0.0)" in out
    assert "next version   1.1.0 (minor)" in out
    code, out, _ = run(capsys, "-C", hosted.path, "status", "--json")
    assert json.loads(out)["counts"] == {"feat": 1, "fix": 1}


def test_version_print(hosted: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "-C", hosted.path, "version", "--print") == (ExitCode.OK, "1.1.0\n", "")
    assert run(capsys, "-C", hosted.path, "version", "--print", "--bump", "major")[1] == "2.0.0\n"
    assert run(capsys, "-C", hosted.path, "version")[1] == "1.0.0 -> 1.1.0\n"


def test_version_print_with_nothing_to_release(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.history([("feat: a", "v1.0.0"), ("docs: b", None)])
    assert run(capsys, "-C", project.path, "version", "--print") == (
        ExitCode.NOTHING_TO_RELEASE, "", ""
    )  # fmt: skip
    code, out, err = run(capsys, "-C", project.path, "version")
    assert (code, out) == (ExitCode.NOTHING_TO_RELEASE, "")
    assert "nothing to release" in err


def test_changelog_preview_and_init(hosted: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", hosted.path, "changelog")
    assert code == ExitCode.OK
    assert out.startswith("## [1.1.0]")
    code, out, _ = run(capsys, "-C", hosted.path, "changelog", "--init", "--dry-run")
    assert not (hosted.path / "CHANGELOG.md").exists()
    assert "## [1.0.0]" in out
    code, _, err = run(capsys, "-C", hosted.path, "changelog", "--init")
    assert (code, err) == (ExitCode.OK, "wrote CHANGELOG.md\n")
    assert (hosted.path / "CHANGELOG.md").read_text() == out


def test_changelog_init_refuses_when_no_changelog_is_kept(
    hosted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """changelog_file = "" keeps no changelog: --init writes no CHANGELOG.md, it says so."""
    with (hosted.path / "pyproject.toml").open("a") as out:
        out.write('\n[tool.autorelease]\nchangelog_file = ""\n')
    hosted.git("commit", "-q", "-am", "chore: keep no changelog")
    before = snapshot(hosted.path)
    for dry_run in ([], ["--dry-run"]):
        one_line_error(
            run(capsys, "-C", hosted.path, "changelog", "--init", *dry_run),
            ExitCode.NO_CHANGELOG,
            'changelog_file = "" (pyproject.toml [tool.autorelease]) keeps no changelog file, '
            "so changelog --init has none to write",
            'set changelog_file = "CHANGELOG.md"',
        )
    assert snapshot(hosted.path) == before
    code, out, _ = run(capsys, "-C", hosted.path, "changelog")  # the next section still shows
    assert (code, out.startswith("## [1.1.0]")) == (ExitCode.OK, True)


def one_line_error(result: Run, code: ExitCode, *needles: str) -> None:
    status, out, err = result
    assert (status, out) == (code, "")
    assert err.count("\n") == 1, err
    assert err.startswith("autorelease: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_not_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "-C", tmp_path, "--dry-run")
    one_line_error(result, ExitCode.NOT_A_REPO, "is not a git repository", "--repo PATH")


def test_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "-C", tmp_path / "nope", "status")
    one_line_error(result, ExitCode.NOT_A_REPO, "nope")


def test_shallow_clone_without_tags(
    hosted: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{hosted.path}", str(clone)],
                   check=True, capture_output=True)  # fmt: skip
    result = run(capsys, "-C", clone, "--dry-run")
    one_line_error(result, ExitCode.SHALLOW, "shallow clone", "git fetch --unshallow --tags")


def test_no_version_found(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("feat: a", ("README.md", "hi\n"))
    result = run(capsys, "-C", repo.path, "version", "--print")
    one_line_error(result, ExitCode.NO_VERSION, "no version found", "pyproject.toml")


def test_declarations_disagree(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    project.commit("fix: a", ("src/sample_pkg/__init__.py", '__version__ = "0.9.0"\n'))
    result = run(capsys, "-C", project.path, "--dry-run")
    one_line_error(result, ExitCode.VERSION_CONFLICT, "disagree", "0.9.0", "make them equal")


def test_malformed_toml(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("pyproject.toml", "[project\nname = 'x'\n")
    result = run(capsys, "-C", project.path, "status")
    one_line_error(result, ExitCode.CONFIG, "pyproject.toml is not valid TOML", "fix the syntax")


def test_unknown_config_key(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    text = (project.path / "pyproject.toml").read_text()
    project.write("pyproject.toml", text + "\n[tool.autorelease]\ntag_fromat = 'v{version}'\n")
    result = run(capsys, "-C", project.path, "--dry-run")
    one_line_error(result, ExitCode.CONFIG, "tag_fromat", "did you mean 'tag_format'?")


def test_traceback_on_request(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    project.commit("fix: a", ("src/sample_pkg/__init__.py", '__version__ = "0.9.0"\n'))
    with pytest.raises(VersionError):
        main(["-C", str(project.path), "--traceback", "--dry-run"])


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == ExitCode.USAGE
    assert "autorelease --dry-run" in err


@pytest.mark.parametrize("text", ["a\nb\n", "x\n", "one\ntwo\nthree", "", "\na\n\n\nb\n\n"])
def test_the_diff_of_a_new_file_is_what_difflib_writes(text: str) -> None:
    import difflib

    from autorelease.cli.render import diff

    expected = difflib.unified_diff(
        [], text.splitlines(keepends=True), fromfile="/dev/null", tofile="b/f"
    )
    assert diff("f", None, text) == "".join(
        line if line.endswith("\n") else line + "\n" for line in expected
    )


def _whole_file_diff(before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), "a/f", "b/f"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


_DISTINCT = [f"line {n}\n" for n in range(40)]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            _DISTINCT, [*_DISTINCT[:5], "new\n", "section\n", *_DISTINCT[5:]], id="insert"
        ),
        pytest.param(_DISTINCT, ["top\n", *_DISTINCT], id="insert-at-start"),
        pytest.param(_DISTINCT, [*_DISTINCT, "end\n"], id="append"),
        pytest.param(_DISTINCT, [*_DISTINCT[:2], "v2\n", *_DISTINCT[3:]], id="replace-near-top"),
        pytest.param(
            _DISTINCT,
            [*_DISTINCT[:3], "a\n", *_DISTINCT[4:30], "b\n", *_DISTINCT[31:]],
            id="two-hunks",
        ),
        pytest.param(
            _DISTINCT,
            [*_DISTINCT[:20], "x\n", *_DISTINCT[21:25], "y\n", *_DISTINCT[26:]],
            id="one-hunk-two-changes",
        ),
        pytest.param(_DISTINCT, _DISTINCT[:10] + _DISTINCT[12:], id="delete"),
        pytest.param(["a\n", "b"], ["a\n", "c"], id="no-final-newline"),
        pytest.param(_DISTINCT, _DISTINCT, id="unchanged"),
    ],
)
def test_a_diff_is_what_a_whole_file_difflib_writes(before: list[str], after: list[str]) -> None:
    """Only the changed middle is compared, yet the hunks are the whole file's, numbers too."""
    from autorelease.cli.render import diff

    old, new = "".join(before), "".join(after)
    assert diff("f", old, new) == _whole_file_diff(old, new)


def test_a_diff_of_a_long_file_is_what_a_whole_file_difflib_writes() -> None:
    """Edits anywhere in 60 KB of distinct lines: the common text is found in chunks of
    16 KB and then halved, so every position relative to a chunk's edge is tried."""
    import random

    from autorelease.cli.render import diff

    rng = random.Random(11)
    lines = [f"line {n}\n" for n in range(6000)]
    for _ in range(40):
        after = list(lines)
        at = rng.randint(0, len(after))
        roll = rng.random()
        if roll < 0.4:
            after[at:at] = [f"new {n}\n" for n in range(rng.randint(1, 5))]
        elif roll < 0.7:
            after[at : at + 1] = [f"changed {at}\n"]
        else:
            del after[at : at + rng.randint(1, 4)]
        if rng.random() < 0.3:  # a second change far away: two hunks
            where = rng.randint(0, len(after) - 1)
            after[where] = "far\n"
        old, new = "".join(lines), "".join(after)
        assert diff("f", old, new) == _whole_file_diff(old, new)


def _apply(diff_text: str, before: str) -> str:
    """BEFORE with the hunks of DIFF_TEXT applied, checking every context and removed line."""
    import re

    old = before.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for hunk in re.split(r"^(?=@@ )", diff_text, flags=re.M)[1:]:
        header, *body = hunk.splitlines(keepends=True)
        start = int(re.match(r"@@ -(\d+)", header).group(1))  # type: ignore[union-attr]
        count = re.match(r"@@ -\d+(?:,(\d+))?", header).group(1)  # type: ignore[union-attr]
        begin = start - 1 if count != "0" else start
        out += old[at:begin]
        at = begin
        for line in body:
            if line[0] in " -":
                assert old[at].rstrip("\n") == line[1:].rstrip("\n")
                at += 1
            if line[0] in " +":
                out.append(line[1:])
    return "".join(out + old[at:])


def test_a_diff_of_random_edits_turns_the_old_text_into_the_new() -> None:
    """Repeated lines make many alignments possible; any one the diff takes must be right."""
    import random

    from autorelease.cli.render import diff

    rng = random.Random(7)
    for _ in range(400):
        before = [rng.choice("abcde") + "\n" for _ in range(rng.randint(0, 30))]
        after = list(before)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(after))
            if rng.random() < 0.5 or not after[at:]:
                after[at:at] = [rng.choice("abcdef") + "\n" for _ in range(rng.randint(1, 4))]
            else:
                del after[at : at + rng.randint(1, 3)]
        old, new = "".join(before), "".join(after)
        assert _apply(diff("f", old, new), old) == new


def test_the_changelog_section_is_indented_line_by_line() -> None:
    """The preview indents the section with whole-text replaces; lines stay as they were."""
    import random

    from autorelease.cli.render import _indented

    def by_lines(text: str) -> str:
        lines = text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")
        return "".join(("    " + line if line else "") + "\n" for line in lines)

    rnd = random.Random(3)
    for _ in range(3000):
        text = "".join(rnd.choice(["\n", "\n", "- a", "## b", " ", "x\n\n"]) for _ in range(7))
        assert "".join(_indented(text)) == by_lines(text), repr(text)


def test_status_and_version_do_not_need_the_changelog(
    hosted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the release writes the changelog: a changelog with no insertion point stops the
    dry run, while `version --print` and `status` (which skip the section) still answer."""
    hosted.commit("docs: notes", ("CHANGELOG.md", "Release notes without a title\n"))
    code, _, err = run(capsys, "-C", hosted.path, "--dry-run")
    assert code == ExitCode.CHANGELOG
    assert "no insertion marker" in err
    assert run(capsys, "-C", hosted.path, "version", "--print") == (ExitCode.OK, "1.1.0\n", "")
    code, out, _ = run(capsys, "-C", hosted.path, "status")
    assert code == ExitCode.OK
    assert "next version   1.1.0 (minor)" in out


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"a": 1, "b": None, "c": "x\ny", "d": [], "e": {"f": [1, 2], "g": {}}},
        {"commits": [{"sha": "1", "problems": ["p"]}, {"sha": "2", "problems": []}], "n": [1]},
        {"mixed": [{"a": 1}, 2], "unicode": "José Müller \u2028"},
    ],
)
def test_json_parts_is_the_same_json_one_record_a_line(data: dict[str, object]) -> None:
    import json

    from autorelease.cli.render import json_parts

    text = "".join(json_parts(data))
    assert json.loads(text) == data
    assert text.endswith("}\n")
    for key, value in data.items():
        records = value if isinstance(value, list) and value and isinstance(value[0], dict) else []
        for record in records if all(isinstance(r, dict) for r in records) else []:
            assert f"    {json.dumps(record)}" in [line.rstrip(",") for line in text.splitlines()]
        assert f'  "{key}": ' in text


# Modules a dry run has no use for: the other commands' and publishing's, and standard modules
# that only they need (each costs milliseconds of every start; see docs/performance.md).
NOT_FOR_A_DRY_RUN = (
    "autorelease.publish", "autorelease.hooks", "autorelease.cli.init", "autorelease.cli.adopt",
    "autorelease.core.rules", "autorelease.core.changelog_rebuild", "autorelease.envvars",
    "shutil", "tempfile", "random", "textwrap", "json", "logging", "dataclasses", "inspect",
    "ast", "email", "socket", "ssl", "http", "urllib.request", "zipfile", "tarfile", "zlib",
    "bz2", "lzma", "jinja2", "github", "twine", "build", "packaging",
)  # fmt: skip


def test_a_dry_run_imports_no_module_it_does_not_need(hosted: GitRepo) -> None:
    """The command line and a release preview with a changelog, in a fresh interpreter."""
    import ast
    import sys

    hosted.commit("docs: notes", ("CHANGELOG.md", "# Changelog\n\n## v1.0.0\n\n- a\n"))
    script = (
        "import sys\n"
        "from autorelease.cli.entry import run\n"
        "try:\n    run()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(code, sorted(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "-C", str(hosted.path), "--dry-run"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    code, loaded = proc.stderr.split(" ", 1)
    assert code == "0", proc.stderr
    assert "Changelog section (CHANGELOG.md)" in proc.stdout
    imported = set(ast.literal_eval(loaded))
    assert "autorelease.core.plan" in imported
    unwanted = {m for m in imported for n in NOT_FOR_A_DRY_RUN if m == n or m.startswith(n + ".")}
    # The options value of the command line, which the dry run's steps read, and the record of
    # a release a killed run left (which it warns of) are the parts of publishing it needs.
    publishing = {"autorelease.publish", "autorelease.publish.options"}
    assert not unwanted - {*publishing, "autorelease.publish.unfinished"}


def test_a_uv_project_s_lock_moves_with_its_version(
    released: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    made = uv(released, "lock")
    assert made.returncode == 0, made.stderr
    released.git("add", "uv.lock")
    released.git("commit", "-qm", "build: lock")
    code, out, _ = run(capsys, "-C", released.path, "--dry-run", "--json")
    changes = {c["path"]: c for c in json.loads(out)["file_changes"]}
    assert code == ExitCode.OK
    assert 'version = "1.1.0"' in changes["uv.lock"]["after"]
    for path, change in changes.items():  # the release's files, as publish writes them
        (released.path / path).write_text(change["after"])
    assert uv(released, "lock", "--check").returncode == 0
    released.git("reset", "-q", "--hard")
    released.git("clean", "-qfd")
    (released.path / "uv.lock").write_text(
        (released.path / "uv.lock").read_text().replace('version = "1.0.0"', 'version = "0.9.0"')
    )  # a lock that is stale already is the user's to mend: left as it is
    released.git("commit", "-qam", "build: a stale lock")
    code, out, _ = run(capsys, "-C", released.path, "--dry-run", "--json")
    assert "uv.lock" not in {c["path"] for c in json.loads(out)["file_changes"]}
