"""Release automation found in a project's workflows: which steps, and how to retire them."""

from __future__ import annotations

from pathlib import Path

import pytest

from autorelease.cli import workflows

DATA = Path(__file__).parent / "data" / "workflows"


def flow(*steps: str, job: str = "build", on: str = "push") -> str:
    """A workflow with one job whose steps are the YAML items STEPS (one line each)."""
    items = "".join(f"      - {s}\n" for s in steps)
    return f"on: {on}\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n{items}"


def survey(tmp_path: Path, **files: str) -> workflows.Survey:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text)
    return workflows.survey(tmp_path)


@pytest.mark.parametrize(
    ("step", "tool", "releases"),
    [
        ("uses: python-semantic-release/python-semantic-release@v10.6.1",
         "python-semantic-release", True),
        ("uses: relekang/python-semantic-release@v7.34.6", "python-semantic-release", True),
        ("uses: python-semantic-release/publish-action@v10",
         "python-semantic-release publish-action", True),
        ("{uses: python-semantic-release/python-semantic-release@v9, with: "
         "{no_operation_mode: true}}", "python-semantic-release", False),
        ("{uses: python-semantic-release/python-semantic-release@v10, with: {build: true, "
         "commit: false, tag: false, push: false}}", "python-semantic-release", False),
        ("{uses: python-semantic-release/python-semantic-release@v10, with: {push: false}}",
         "python-semantic-release", True),
        ("run: semantic-release version --no-commit --no-tag", "python-semantic-release", False),
        ("run: cz bump --files-only", "commitizen (cz bump)", False),
        ("uses: commitizen-tools/commitizen-action@master", "commitizen (cz bump)", True),
        ("{uses: commitizen-tools/commitizen-action@0.21.0, with: {dry_run: true}}",
         "commitizen (cz bump)", False),
        ("uses: cycjimmy/semantic-release-action@v4", "semantic-release (npm)", True),
        ("uses: pypa/gh-action-pypi-publish@release/v1", "upload to PyPI", True),
        ("run: semantic-release version", "python-semantic-release", True),
        ("run: semantic-release -v publish", "python-semantic-release", True),
        ("run: semantic-release --noop version", "python-semantic-release", False),
        ("run: semantic-release version --print", "python-semantic-release", False),
        ("run: pip install python-semantic-release && semantic-release version",
         "python-semantic-release", True),
        ("run: cz bump --yes --changelog", "commitizen (cz bump)", True),
        ("run: cz --no-raise 21 bump --yes", "commitizen (cz bump)", True),
        ("run: cz bump --get-next", "commitizen (cz bump)", False),
        ("run: npx semantic-release", "semantic-release (npm)", True),
        ("run: npx semantic-release --dry-run", "semantic-release (npm)", False),
        ("run: twine upload dist/*", "upload to PyPI (twine)", True),
        ("run: uv publish", "upload to PyPI", True),
    ],
)  # fmt: skip
def test_each_release_step_is_named(tmp_path: Path, step: str, tool: str, releases: bool) -> None:
    found = survey(tmp_path, release_yml=flow("uses: actions/checkout@v4", step)).found
    assert [(f.file, f.job, f.step, f.tool, f.releases) for f in found] == [
        (".github/workflows/release.yml", "build", "step 2", tool, releases)
    ]


@pytest.mark.parametrize(
    "step",
    [
        "run: pip install commitizen python-semantic-release",
        "run: cz version --project",
        "run: cz check --rev-range origin/main..HEAD",
        "run: echo 'run cz bump to release'",
        "run: '# semantic-release version runs elsewhere'",
        "uses: commitizen-tools/setup-cz@main",
        "run: python -m build && twine check dist/*",
    ],
)
def test_steps_that_do_not_release_are_left_alone(tmp_path: Path, step: str) -> None:
    assert survey(tmp_path, ci_yml=flow(step)).found == ()


def test_a_job_that_does_more_keeps_its_other_steps(tmp_path: Path) -> None:
    text = flow("run: pytest", "name: Release\n        run: semantic-release publish", job="ci")
    found = survey(tmp_path, ci_yml=text)
    (retire,) = found.retire
    assert (retire.job, retire.whole_job, retire.whole_file) == ("ci", False, False)
    assert "in job `ci`, remove (runs on push) these steps" in workflows.describe(found)[1]
    assert "step 2 `Release`" in workflows.describe(found)[2]


def test_a_job_that_only_releases_goes_as_a_whole(tmp_path: Path) -> None:
    text = flow("uses: actions/checkout@v4", "run: cz bump --yes", job="ci")
    assert survey(tmp_path, ci_yml=text).retire[0].whole_job


def test_unreadable_and_other_files_are_said_not_skipped(tmp_path: Path) -> None:
    found = survey(
        tmp_path, broken_yaml="jobs: [\n", empty_yml="", notes_txt="semantic-release version\n"
    )
    assert found.unreadable == (".github/workflows/broken.yaml", ".github/workflows/empty.yml")
    assert workflows.describe(found) == [
        f"  could not read .github/workflows/{name} as a workflow (not valid YAML, or not a "
        "mapping); look for release steps in it by hand"
        for name in ("broken.yaml", "empty.yml")
    ]


def test_no_workflows_nothing_found(tmp_path: Path) -> None:
    assert workflows.survey(tmp_path) == workflows.Survey((), (), ())


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("push", "push"),
        ("[push, pull_request]", "push, pull request"),
        ("{push: {tags: ['v*']}, workflow_dispatch: null}", "push of a tag v*, by hand"),
        ("{release: {types: [published]}}", "a GitHub release"),
    ],
)
def test_triggers_in_words(tmp_path: Path, on: str, expected: str) -> None:
    found = survey(tmp_path, up_yml=flow("run: twine upload dist/*", job="upload", on=on))
    assert found.retire[0].trigger == expected


# --- the real projects' workflows (tests/data/workflows, see its README) ------------------------


def project(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for source in (DATA / name).iterdir():
        (folder / source.name).write_text(source.read_text())
    return tmp_path


def test_python_zeroconf_ci_release_job_and_the_wheels_that_follow_it(tmp_path: Path) -> None:
    found = workflows.survey(project(tmp_path, "python-zeroconf"))
    assert [(r.file, r.job, r.whole_job, r.needed_by) for r in found.retire] == [
        (".github/workflows/ci.yml", "release", True, ("build_wheels",)),
        (".github/workflows/ci.yml", "upload_pypi", True, ()),
    ]
    assert [(f.job, f.tool) for f in found.retire[0].steps] == [
        ("release", "python-semantic-release"),
        ("release", "upload to PyPI"),
        ("release", "python-semantic-release publish-action"),
    ]
    (preview,) = [f for f in found.found if not f.releases]
    assert (preview.job, preview.step) == ("release-dry-run", "step 2 `Test release`")


def test_commitizen_bump_and_the_upload_its_tag_starts(tmp_path: Path) -> None:
    found = workflows.survey(project(tmp_path, "commitizen"))
    assert [(r.file, r.job, r.whole_file) for r in found.retire] == [
        (".github/workflows/bumpversion.yml", "bump-version", True),
        (".github/workflows/pythonpublish.yml", "deploy", True),
    ]
    assert found.retire[0].steps[0].runs == "cz --no-raise 21 bump --yes"
    assert found.retire[1].trigger == "push of a tag v*, by hand"
    previews = [(f.file, f.step) for f in found.found if not f.releases]
    assert previews == [(".github/workflows/pr-bump-preview.yml", "step 3 `Run cz bump --dry-run`")]


def test_python_gitlab_release_workflow(tmp_path: Path) -> None:
    found = workflows.survey(project(tmp_path, "python-gitlab"))
    (retire,) = found.retire
    assert (retire.file, retire.whole_file, retire.trigger) == (
        ".github/workflows/release.yml",
        True,
        "schedule, by hand",
    )
    assert len(retire.steps) == 3
