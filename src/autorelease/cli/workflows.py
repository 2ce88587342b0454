"""Release automation a project already runs in GitHub Actions, found so `init` can name it.

A project that releases with python-semantic-release, commitizen or semantic-release (npm), or
uploads to PyPI from a workflow, would release twice once autorelease's workflow is in: both
bump, tag and upload on the same push. `survey(root)` reads every workflow under
.github/workflows and returns what releases, where (file, job, step), and how to retire it.
Pure reads; nothing here prints or writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.fileio import first_link

WORKFLOWS = ".github/workflows"
# Job names that say the job exists to release: such a job goes as a whole.
_RELEASE_JOB = re.compile(r"(?i)release|publish|deploy|bump|pypi|upload|version")
_ACTIONS = {  # `uses:` without its @ref -> the tool it runs
    "python-semantic-release/python-semantic-release": "python-semantic-release",
    "relekang/python-semantic-release": "python-semantic-release",
    "python-semantic-release/publish-action": "python-semantic-release publish-action",
    "commitizen-tools/commitizen-action": "commitizen (cz bump)",
    "cycjimmy/semantic-release-action": "semantic-release (npm)",
    "codfish/semantic-release-action": "semantic-release (npm)",
    "pypa/gh-action-pypi-publish": "upload to PyPI",
}
# The inputs by which those actions only preview (release nothing): true for these, false for
# both of PSR's `tag` and `push` (PSR's own repository builds the next version's files so).
_PREVIEW_INPUTS = ("no_operation_mode", "dry_run", "dry-run")
_NO_RELEASE_INPUTS = ("tag", "push")
_SEGMENT = r"[^\n;&|#]*?"  # the rest of one command: up to a newline, ;, &&, || or a comment
_COMMANDS = (  # (pattern in a `run:` script, the tool it runs)
    (re.compile(rf"\b(?:npx|bunx|yarn|pnpm(?:\s+dlx)?|npm\s+exec){_SEGMENT}\bsemantic-release\b"
                rf"{_SEGMENT}(?=$|[\n;&|#])"), "semantic-release (npm)"),
    (re.compile(rf"\bsemantic-release\b{_SEGMENT}\s(?:version|publish)\b{_SEGMENT}(?=$|[\n;&|#])"),
     "python-semantic-release"),
    (re.compile(rf"\b(?:cz|commitizen)\b{_SEGMENT}\sbump\b{_SEGMENT}(?=$|[\n;&|#])"),
     "commitizen (cz bump)"),
    (re.compile(rf"\btwine\s+upload\b{_SEGMENT}(?=$|[\n;&|#])"), "upload to PyPI (twine)"),
    (re.compile(rf"\b(?:uv|poetry|flit|hatch|pdm)\s+publish\b{_SEGMENT}(?=$|[\n;&|#])"),
     "upload to PyPI"),
)  # fmt: skip
_PREVIEW_FLAGS = re.compile(r"\s(?:--noop|--dry-run|--get-next|--print\S*|--no-tag|--files-only)\b")


class Found(NamedTuple):
    """One step that releases (or previews a release): where it is and what it runs."""

    file: str  # .github/workflows/ci.yml
    job: str  # the job's id
    step: str  # the step's name, id, or what it uses or runs
    tool: str  # python-semantic-release, commitizen (cz bump), upload to PyPI, ...
    runs: str  # the `uses:` reference or the command line, as written
    releases: bool  # False for a preview: a dry run or no-operation mode


class Retire(NamedTuple):
    """How to retire one job's release steps: the whole job (or file), or just the steps."""

    file: str
    job: str
    steps: tuple[Found, ...]
    whole_job: bool
    whole_file: bool
    needed_by: tuple[str, ...]  # other jobs that wait for this one (`needs:`)
    trigger: str  # what starts the workflow: push to a branch, a tag, a schedule, ...


class Survey(NamedTuple):
    """Every workflow read: the release steps found, how to retire them, what could not be read."""

    found: tuple[Found, ...]
    retire: tuple[Retire, ...]
    unreadable: tuple[str, ...]


def survey(root: Path) -> Survey:
    """Read every *.yml and *.yaml under ROOT/.github/workflows."""
    found: list[Found] = []
    retire: list[Retire] = []
    unreadable: list[str] = []
    for path in workflow_files(root):
        name = path.relative_to(root).as_posix()
        flow = _load(path.read_text(encoding="utf-8", errors="replace"))
        if flow is None:
            unreadable.append(name)
            continue
        steps = list(_found_in(name, flow, root))
        found += steps
        retire += _retirements(name, flow, steps)
    return Survey(tuple(found), tuple(retire), tuple(unreadable))


def workflow_files(root: Path) -> list[Path]:
    """The workflow files under ROOT, sorted by name."""
    folder = root / WORKFLOWS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def runs_autorelease(text: str) -> bool:
    """True when a workflow's text runs `autorelease publish` or autorelease's action."""
    return bool(re.search(r"\bautorelease\s+publish\b|uses:\s*autorelease-dev/autorelease\b", text))


def _load(text: str) -> dict[str, Any] | None:
    import yaml

    try:
        flow = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return flow if isinstance(flow, dict) else None


def _jobs(flow: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = flow.get("jobs")
    if not isinstance(jobs, dict):
        return {}
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def _steps(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    steps = job.get("steps")
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def _found_in(name: str, flow: Mapping[str, Any], root: Path) -> Iterator[Found]:
    for job_id, job in _jobs(flow).items():
        for index, step in enumerate(_steps(job), start=1):
            for tool, runs, releases in _matches(step, root):
                yield Found(name, job_id, _label(step, index), tool, runs, releases)


def _matches(step: Mapping[str, Any], root: Path) -> Iterator[tuple[str, str, bool]]:
    """(tool, what it runs, releases?) for each release action or command of STEP, and of
    the repository's shell scripts it runs (`./scripts/publish`, `bash release.sh`)."""
    uses = str(step.get("uses") or "")
    action = uses.split("@", 1)[0].strip().lower().rstrip("/")
    if action in _ACTIONS:
        given = step.get("with")
        inputs = given if isinstance(given, dict) else {}
        preview = any(str(inputs.get(k, "")).lower() == "true" for k in _PREVIEW_INPUTS) or all(
            str(inputs.get(k, "")).lower() == "false" for k in _NO_RELEASE_INPUTS
        )
        yield _ACTIONS[action], uses.strip(), not preview
    for line in _command_lines(str(step.get("run") or "")):
        found = _command(line)
        if found is not None:
            yield found[0], line[:120], found[1]
            continue
        for inner in _command_lines(_script(line, root)):
            found = _command(inner)
            if found is not None:
                yield found[0], f"{line[:60]}, which runs {inner[:100]}", found[1]


def _command(line: str) -> tuple[str, bool] | None:
    """The release tool LINE runs and whether it releases (not a preview), or None."""
    for pattern, tool in _COMMANDS:
        match = pattern.search(line)
        if match:  # one tool a line: `npx semantic-release` is not python-semantic-release
            return tool, not _PREVIEW_FLAGS.search(match[0])
    return None


# A command line that runs a shell script of the repository: `./scripts/publish`,
# `bash scripts/release.sh`, `sh -e publish.sh`, `source x.sh`.
_SCRIPT = re.compile(
    r"(?:(?P<shell>bash|sh|source|\.)\s+(?:-\w+\s+)*)?(?P<path>(?:\./)?[\w.-]+(?:/[\w.-]+)*)"
    r"(?=$|[\s;&|])"
)
_SCRIPT_LIMIT = 100_000  # characters: a release script, not a data file


def _script(line: str, root: Path) -> str:
    """The text of the repository's shell script LINE runs ("" if it runs none): a file in
    the work tree, reached through no symbolic link."""
    match = _SCRIPT.match(line)
    if match is None or not (match["shell"] or "/" in match["path"]):
        return ""  # a bare word (`poetry`, `make`) is a command, not a script
    relpath = match["path"].removeprefix("./")
    path = root / relpath
    if ".." in Path(relpath).parts or first_link(root, relpath) or not path.is_file():
        return ""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.read(_SCRIPT_LIMIT)


def _command_lines(script: str) -> Iterator[str]:
    """The lines of a `run:` script that run something: not comments, not text it prints."""
    for raw in script.splitlines():
        line = raw.strip()
        if line and not re.match(r"(?:#|echo\b|printf\b)", line):
            yield line


def _label(step: Mapping[str, Any], index: int) -> str:
    for key in ("name", "id"):
        if step.get(key):
            return f"step {index} `{str(step[key]).strip()}`"
    return f"step {index}"


# --- how to retire it ------------------------------------------------------------------------


def _retirements(name: str, flow: Mapping[str, Any], found: list[Found]) -> list[Retire]:
    jobs = _jobs(flow)
    releasing = {f.job for f in found if f.releases}
    trigger = trigger_of(flow)
    out = []
    for job_id in dict.fromkeys(f.job for f in found if f.releases):
        job = jobs[job_id]
        whole_job = _is_release_job(job_id, job, found)
        steps = tuple(f for f in found if f.job == job_id)
        needed_by = tuple(j for j in _dependents(jobs, job_id) if j not in releasing)
        whole_file = releasing == set(jobs) and all(
            _is_release_job(j, jobs[j], found) for j in releasing
        )
        out.append(Retire(name, job_id, steps, whole_job, whole_file, needed_by, trigger))
    return out


def _is_release_job(job_id: str, job: Mapping[str, Any], found: list[Found]) -> bool:
    """A job that is there to release: named so, or with nothing but actions besides its
    release steps (checkout, set-up)."""
    if _RELEASE_JOB.search(f"{job_id} {job.get('name', '')}"):
        return True
    labels = {f.step for f in found if f.job == job_id}
    others = [s for i, s in enumerate(_steps(job), 1) if _label(s, i) not in labels]
    return all("run" not in s for s in others)


def _dependents(jobs: Mapping[str, Mapping[str, Any]], job_id: str) -> list[str]:
    """Every job that needs JOB_ID, directly or through another job."""
    waiting = {j: _needs(job) for j, job in jobs.items()}
    found: list[str] = []
    todo = [job_id]
    while todo:
        current = todo.pop()
        for other, needs in waiting.items():
            if current in needs and other not in found and other != job_id:
                found.append(other)
                todo.append(other)
    return found


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else [str(n) for n in needs or []]


def trigger_of(flow: Mapping[str, Any]) -> str:
    """What starts the workflow, in words: `push to master`, `push of a tag v*`, ..."""
    on = next((v for k, v in flow.items() if k in ("on", True)), None)  # YAML 1.1: on is true
    if isinstance(on, str):
        on = {on: None}
    elif isinstance(on, list):
        on = dict.fromkeys(map(str, on))
    if not isinstance(on, dict):
        return "unknown trigger"
    return ", ".join(_event(str(event), spec) for event, spec in on.items())


def _event(event: str, spec: Any) -> str:
    spec = spec if isinstance(spec, dict) else {}
    if event == "push" and spec.get("tags"):
        return "push of a tag " + " or ".join(map(str, spec["tags"]))
    if event == "push" and spec.get("branches"):
        return "push to " + " or ".join(map(str, spec["branches"]))
    if event == "release":
        return "a GitHub release"
    if event == "workflow_dispatch":
        return "by hand"
    return event.replace("_", " ")


# --- in words --------------------------------------------------------------------------------


def describe(found: Survey) -> list[str]:
    """The survey as lines for `init` to print: what releases, how to retire it, previews."""
    lines: list[str] = []
    if found.retire:
        lines.append(
            "Release automation already in this project: with autorelease's workflow it would "
            "release too (two bumps and tags for one change, a second upload that PyPI refuses). "
            "Retire it in the commit that adds autorelease's workflow:"
        )
    done: set[str] = set()
    for item in found.retire:
        if item.whole_file and item.file in done:
            lines += [f"    {_step_line(f)}" for f in item.steps]
            continue
        done.add(item.file)
        lines.append(f"  {_retire_line(item)}")
        lines += [f"    {_step_line(f)}" for f in item.steps]
    previews = [f for f in found.found if not f.releases and not _listed(f, found.retire)]
    if previews:
        lines.append(
            "Release previews (they release nothing; `autorelease --dry-run` and "
            "`autorelease check` do the same with autorelease's rules):"
        )
        lines += [f"  {f.file}, {_step_line(f)}" for f in previews]
    lines += [
        f"  could not read {name} as a workflow (not valid YAML, or not a mapping); look for "
        "release steps in it by hand"
        for name in found.unreadable
    ]
    return lines


def _retire_line(item: Retire) -> str:
    where = f"(runs on {item.trigger})"
    if "a tag" in item.trigger or "a GitHub release" in item.trigger:
        where = f"(runs on {item.trigger}: the tag and release autorelease makes start it)"
    if item.whole_file:
        return f"{item.file}: delete the file, every job in it releases {where}"
    what = f"remove the job `{item.job}`" if item.whole_job else f"in job `{item.job}`, remove"
    line = f"{item.file}: {what} {where}"
    if not item.whole_job:
        line += " these steps (the job does more, keep the rest)"
    if item.needed_by:
        names = ", ".join(f"`{j}`" for j in item.needed_by)
        verb, them = ("needs", "it") if len(item.needed_by) == 1 else ("need", "them")
        line += f"; {names} {verb} it: point {them} at autorelease's workflow or remove {them}"
    return line


def _step_line(found: Found) -> str:
    what = "" if found.releases else " (preview)"
    return f"job `{found.job}`, {found.step}: {found.tool}{what}: {found.runs}"


def _listed(found: Found, retire: tuple[Retire, ...]) -> bool:
    return any(found in item.steps for item in retire)
