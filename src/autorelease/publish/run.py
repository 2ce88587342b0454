"""`autorelease publish`: apply a ReleasePlan step by step, never leaving half a release.

Before the push every change is local and undone on any failure or interrupt (the tree was
clean, so `reset --hard` to the starting commit and deleting the new tag restore it exactly).
A run killed outright (SIGKILL) cannot undo anything: it leaves a record in the git directory
(unfinished.py), and the next run undoes that work itself before it plans, unless the push
arrived. An interrupted or failed push asks the remote what it holds before undoing anything.
The atomic push of the release commit and tag is the lock: a concurrent run that released first
makes it fail, and nothing was uploaded (a run whose identical commit and tag another run pushed
goes on as a re-run, and reports "already released by another run"). Nothing is uploaded or
published on GitHub unless the release is on the remote: `--no-push` stays local. After the
push every step is idempotent and checks
what is already done, so running `autorelease publish` again on the tagged commit finishes
exactly the missing steps (upload of missing files, GitHub release or its missing assets).
"""

from __future__ import annotations

import collections
import logging
import shlex
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import fileio, git, process, remote_url
from autorelease.core import changelog, config, history
from autorelease.core.changelog_rebuild import release_notes
from autorelease.core.contributors import Author
from autorelease.core.plan import FileChange, ReleasePlan, plan_release
from autorelease.core.version import parse_version
from autorelease.envvars import without_secrets
from autorelease.errors import AutoreleaseError, ExitCode, GitError, PushRejected
from autorelease.fileio import inside, write_atomic
from autorelease.publish import outputs, preflight, unfinished
from autorelease.publish.options import PublishOptions
from autorelease.publish.preflight import Preflight
from autorelease.publish.state import Failure, PackageResult, Release, Step, Summary
from autorelease.scrub import for_display, sanitize_url

LOCAL_ONLY = (
    "the release commit and tag stay in this clone: no upload and no GitHub release "
    "(nothing goes public before the release is on the remote)"
)
BY_ANOTHER = "pushed by another run"
_log = logging.getLogger(__name__)


@dataclass
class StepRecord:
    """One step of the run, for progress lines and --report."""

    name: str
    status: str = "pending"  # pending | done | skipped | failed
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Progress:
    """What has happened so far in one publish run: the only part that changes as it goes."""

    release: Release | None = None  # once the plan or the release tag on HEAD decided it
    local_changes: bool = False
    pushed: bool = False
    by_another: bool = False  # another run pushed the identical release commit and tag first
    changed: bool = False  # this run pushed, uploaded or made something on GitHub
    dists: list[Path] = field(default_factory=list)
    dist_dir: Path | None = None  # the build's temporary directory, removed when the run ends
    index_url: str | None = None  # the index the check found (scrubbed)
    release_url: str | None = None
    notes: str | None = None  # the GitHub release's notes, once worked out
    steps: list[StepRecord] = field(default_factory=list)
    workspace: bool = False  # a workspace's run: the report always lists its packages
    # A workspace: each package's part after the push ("build core", "upload core", ...), its
    # steps kept in the whole run's list.
    label: str = ""  # " core": added to the name of each of this part's steps
    members: list[tuple[str, Progress]] = field(default_factory=list)

    def member(self, name: str) -> Progress:
        """The part of a workspace's run that is package NAME's: its steps are this run's."""
        part = Progress(release=None, steps=self.steps, label=f" {name}")
        self.members.append((name, part))
        return part

    @contextmanager
    def step(self, name: str) -> Iterator[StepRecord]:
        name += self.label
        record = StepRecord(name)
        self.steps.append(record)
        say(f"[{len(self.steps)}] {name} ...")
        started = time.monotonic()
        try:
            yield record
        except BaseException:
            record.status = "failed"
            record.seconds = time.monotonic() - started
            raise
        record.seconds = time.monotonic() - started
        if record.status == "pending":
            record.status = "done"
        tail = f": {record.detail}" if record.detail else ""
        say(f"[{len(self.steps)}] {name} {record.status} in {record.seconds:.1f} s{tail}")

    def note(self, name: str, status: str, detail: str) -> None:
        """A step that took no time: skipped, or found done already."""
        self.steps.append(StepRecord(name + self.label, status, 0.0, detail))


class Run(NamedTuple):
    """One checked publish run: where, what was asked, what it releases, what the check found,
    and (the one mutable part) its progress."""

    root: Path
    cfg: config.Config
    options: PublishOptions
    release: Release
    checked: Preflight
    progress: Progress
    folder: str = "."  # the package's folder, relative to ROOT (a workspace's package)
    tags: tuple[str, ...] = ()  # every tag of the release commit (a workspace's), pushed at once

    @property
    def pushed_tags(self) -> tuple[str, ...]:
        return self.tags or (self.release.tag,)


def say(line: str) -> None:
    _log.info(line)  # the CLI's handler prints it, scrubbed, as `autorelease: LINE`


Body = Callable[[Path, config.Config, PublishOptions, Progress], int]


def main(options: PublishOptions) -> int:
    """Publish; returns an exit code. Errors propagate as AutoreleaseError after cleanup."""
    root = git.toplevel(options.repo)
    return supervise(root, config.load(root), options, _publish)


def supervise(root: Path, cfg: config.Config, options: PublishOptions, body: Body) -> int:
    """Run BODY (a publish run), then report it: the outcome, the report, the CI outputs.

    SIGTERM interrupts it; the build directory is removed (kept after a failure past the push).
    """
    progress = Progress()
    started = time.monotonic()
    outcome, failure = "released", None
    previous_handler = _sigterm_interrupts()
    try:
        code = body(root, cfg, options, progress)
        outcome = _outcome(progress, code)
        return code
    except AutoreleaseError as exc:
        outcome, failure = "failed", Failure(int(exc.code), exc.message, _tool_output(exc))
        raise
    except KeyboardInterrupt:
        outcome, failure = "interrupted", Failure(int(ExitCode.INTERRUPTED), "")
        raise
    except BaseException as exc:
        # An unexpected error must undo the local release too, and must not read "released".
        failure = Failure(int(ExitCode.INTERNAL), f"{type(exc).__name__}: {exc}")
        outcome = "failed"
        raise
    finally:
        if failure is not None:
            failure = failure._replace(step=_failure_point(progress))
        failure = _remove_dist_dirs(progress, failure)
        seconds = time.monotonic() - started
        outputs.finish(
            _summary(cfg, options, progress, outcome=outcome, failure=failure, seconds=seconds)
        )
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)


def _tool_output(exc: AutoreleaseError) -> str:
    """The end of a failed tool's output, for the report's failure; "" for any other error."""
    from autorelease.errors import ToolFailed

    return exc.output if isinstance(exc, ToolFailed) and exc.output else ""


def _sigterm_interrupts() -> Any:
    """Make SIGTERM (a cancelled CI job) an interrupt, so the run is undone or resumable.

    Returns the handler it replaced, or None where signals cannot be set (not the main thread).
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:
        return None


def _outcome(progress: Progress, code: int) -> str:
    release, changed = progress.release, progress.changed
    if progress.members:  # a workspace: what its packages' parts did counts too
        release = progress.members[0][1].release
        changed = changed or any(part.changed for _, part in progress.members)
    if code != ExitCode.OK or release is None:
        return "nothing to release"
    if not progress.pushed:
        return "tagged locally"
    if progress.by_another:
        return "already released by another run"
    return "already released" if release.resuming and not changed else "released"


def _failure_point(progress: Progress) -> str:
    """The step that failed, or `after STEP` when the run stopped between two steps."""
    failed = next((s.name for s in progress.steps if s.status == "failed"), None)
    if failed is not None:
        return failed
    done = [s.name for s in progress.steps if s.status == "done"]
    return f"after {done[-1]}" if done else ""


def _summary(
    cfg: config.Config,
    options: PublishOptions,
    progress: Progress,
    *,
    outcome: str,
    failure: Failure | None,
    seconds: float,
) -> Summary:
    """The run at its end, as the report and the CI outputs show it."""
    release = progress.release
    previous = release.previous_tag if release is not None else None
    packages = tuple(
        PackageResult(name, part.release, part.release_url)
        for name, part in progress.members if part.release is not None
    )  # fmt: skip
    return Summary(
        outcome=outcome, release=release,
        previous_version=_version_of(str(cfg.tag_format), previous or ""),
        pushed=progress.pushed, index_url=progress.index_url,
        release_url=progress.release_url, steps=tuple(Step(*astuple(s)) for s in progress.steps),
        failure=failure, seconds=seconds, report=options.report, packages=packages,
        workspace=progress.workspace,
    )  # fmt: skip


def _version_of(tag_format: str, tag: str) -> str:
    match = history.tag_pattern(tag_format).fullmatch(tag) if tag else None
    return match["version"] if match else ""


def _publish(root: Path, cfg: config.Config, options: PublishOptions, progress: Progress) -> int:
    if preflight.deepen_if_shallow(root, cfg):
        say("fetched the full history and tags of this shallow clone")
    unfinished.undo_if_found(root, remote_to_ask(root, cfg, options), say)
    resume = resumable_tag(cfg, options, git.head(root), git.list_tags(root))
    plan = None
    if resume is None:
        plan = plan_release(root, options.plan_options())
        if not plan.next_version or not plan.tag:
            say(f"nothing to release: {plan.current_version} is current ({plan.bump_reason})")
            return ExitCode.OK
        progress.release = release = release_of_plan(plan)
    else:
        progress.release = release = release_of_tag(root, cfg, resume)
    with progress.step("check") as record:
        checked = preflight.check(root, cfg, options, release)
        record.detail = (
            f"{release.tag} is tagged here: finishing what is missing"
            if release.resuming
            else f"releasing {release.version} as {release.tag}"
        )
    progress.index_url = index_url_of(checked)
    run = Run(root, cfg, options, release, checked, progress)
    try:
        _finish(run, plan)
    except BaseException as exc:
        rollback_if_local(run)
        say_how_to_finish(run, interrupted=isinstance(exc, KeyboardInterrupt))
        raise
    return ExitCode.OK


def index_url_of(checked: Preflight) -> str | None:
    return (
        sanitize_url(checked.index_target.upload_url) if checked.index_target is not None else None
    )


def _finish(run: Run, plan: ReleasePlan | None) -> None:
    """Every step after the check: a new release (PLAN) is made locally first."""
    if plan is not None:
        if preflight.local_only(run.options, run.release):
            say(f"--no-push: {LOCAL_ONLY}")
        _release_locally(run, plan)
    tests_step(run)
    build_step(run)
    push_step(run)
    upload_step(run)
    github_step(run)
    comments_step(run)
    notify_step(run)
    if not run.progress.pushed:
        say(
            f"{run.release.tag} is only in this clone: nothing was pushed, uploaded or "
            "published; autorelease publish without --no-push pushes it and finishes the release"
        )
    unfinished.clear(run.root)  # with --no-push the local release is the finished one


def remote_to_ask(root: Path, cfg: config.Config, options: PublishOptions) -> str | None:
    """The remote to ask whether a release arrived; None with --no-push or without one."""
    remote = str(cfg.remote)
    if options.no_push or remote_url.of_remote(root, remote) is None:
        return None
    return remote


def release_of_plan(plan: ReleasePlan) -> Release:
    assert plan.next_version is not None
    assert plan.tag is not None
    version = parse_version(plan.next_version)
    return Release(
        plan.next_version, plan.tag, plan.previous_tag, plan.notes or plan.changelog,
        prerelease=bool(version and version.is_prerelease), resuming=False,
    )  # fmt: skip


def resumable_tag(
    cfg: config.Config, options: PublishOptions, head: str | None, refs: list[git.TagRef]
) -> history.ReleaseTag | None:
    """A release tag (of REFS, the repository's tags) on HEAD: a previous run got that far,
    so this one finishes it."""
    tags = history.release_tags(refs, str(cfg.tag_format))
    on_head = [t for t in tags if t.commit == head]
    wanted_pre = options.wants_prerelease
    on_head = [t for t in on_head if t.version.is_prerelease == wanted_pre] or on_head
    if not on_head or options.bump:
        return None
    tag = max(on_head, key=lambda t: t.version.sort_key())
    if not wanted_pre and tag.version.is_prerelease:
        return None  # a final release graduates this pre-release: plan it anew
    return tag


def release_of_tag(root: Path, cfg: config.Config, tag: history.ReleaseTag) -> Release:
    version = tag.version.render(str(cfg.version_scheme))
    previous = history.release_before(root, str(cfg.tag_format), tag)
    notes = _notes_from_changelog(root, cfg, version) or release_notes(root, cfg, tag, previous)
    name = previous.name if previous else None
    return Release(version, tag.name, name, notes, tag.version.is_prerelease, resuming=True)


def _notes_from_changelog(root: Path, cfg: config.Config, version: str) -> str:
    if cfg.changelog_path is None:
        return ""  # no changelog is kept: another file is not this project's changelog
    path = inside(root, cfg.changelog_path)
    try:
        text = fileio.unframe(fileio.read_text(path))[0]
    except (OSError, fileio.NotUtf8):
        return ""
    return changelog.section_of(text, version)


# --- the local part: undone on any failure ---------------------------------------------------


def _release_locally(run: Run, plan: ReleasePlan) -> None:
    with run.progress.step("commit") as record:
        release = run.release
        message = str(run.cfg.commit_message).format(version=release.version)
        commit_release(
            run, plan.file_changes, message, release.version,
            {release.tag: f"Release {release.version}"},
        )  # fmt: skip
        record.detail = f"{message!r}, tag {release.tag}"


def commit_release(
    run: Run,
    changes: Sequence[FileChange],
    message: str,
    version: str,
    tags: Mapping[str, str],
) -> None:
    """The release commit of CHANGES with MESSAGE, and each of TAGS (name: its message) on it.

    First recorded (VERSION names the release in the record), so that any run can undo it;
    the commits the plan counted on top of HEAD (a rollback's revert) are checked out first.
    """
    root, checked = run.root, run.checked
    # Checked again right before writing: nothing outside the repository, through any link.
    targets = [(inside(root, c.path), c.after) for c in changes]
    paths = tuple(c.path for c in changes)
    created = tuple(c.path for c in changes if c.before is None)
    prelude = tuple(commit.sha for commit in reversed(run.options.on_top))
    unfinished.save(root, unfinished.Unfinished(
        version, run.release.tag, checked.branch, checked.start_head, message, paths, created,
        prelude, tuple(tags),
    ))  # fmt: skip
    run.progress.local_changes = True
    if prelude:  # the commits the plan counted on top of HEAD: the tree is clean
        git.run(["merge", "--ff-only", "--quiet", prelude[-1]], root)
    for path, text in targets:
        write_atomic(path, text)
    if paths:
        git.run(["add", "--", *paths], root)
    # The message on stdin, as UTF-8 whatever the locale (an argument would be encoded in the
    # locale's), and recorded as UTF-8 whatever i18n.commitEncoding says.
    commit = ["-c", "i18n.commitEncoding=UTF-8", "commit", "--no-verify", "--allow-empty"]
    git.run([*commit, "-q", "-F", "-"], root, input=message)
    for tag, note in tags.items():
        git.run(["tag", "-a", tag, "-m", note], root)


def rollback_if_local(run: Run) -> None:
    """Undo the release commit and tag when nothing has left this machine yet."""
    if not run.progress.local_changes or run.progress.pushed or _push_kept(run):
        return
    found = unfinished.load(run.root)
    if found is None:  # the record is gone: undo what this run knows it made
        git.run(["tag", "-d", *run.pushed_tags], run.root, check=False)
        git.run(["reset", "--hard", "-q", run.checked.start_head], run.root)
    else:
        unfinished.undo(run.root, found, run.checked.start_head)
    head = run.checked.start_head[:7]
    tags = ", ".join(run.pushed_tags)
    say(f"undone: the local release commit and tag {tags}; {head} is HEAD")


def _remove_dist_dirs(progress: Progress, failure: Failure | None) -> Failure | None:
    """Every build directory of the run removed or kept (a workspace has one per package)."""
    for part in (progress, *(member for _, member in progress.members)):
        failure = _remove_dist_dir(part, failure, pushed=progress.pushed)
    return failure


def _remove_dist_dir(
    progress: Progress, failure: Failure | None, *, pushed: bool
) -> Failure | None:
    """Remove the build directory, unless the run failed after the push (PUSHED: the whole
    run's): then say where it is, and return FAILURE naming it."""
    if progress.dist_dir is None:
        return failure
    if failure is not None and pushed and progress.dists:
        say(f"the built files stay in {progress.dist_dir}: the files of the pushed release")
        kept = f"{failure.dist_dir} {progress.dist_dir}" if failure.dist_dir else progress.dist_dir
        return failure._replace(dist_dir=str(kept))
    shutil.rmtree(progress.dist_dir, ignore_errors=True)
    return failure


def say_how_to_finish(run: Run, *, interrupted: bool) -> None:
    """After an interrupt past the push: the one command that finishes the release."""
    if interrupted and run.progress.pushed and not _push_failed(run):  # else _push_kept said
        say(f"{run.release.tag} is pushed; re-run `autorelease publish` to finish the release")


def _push_failed(run: Run) -> bool:
    return any(s.name == "push" and s.status == "failed" for s in run.progress.steps)


def _push_kept(run: Run) -> bool:
    """After a push that stopped halfway: keep the release when the remote has it or may have it."""
    if not _push_failed(run):
        return False
    remote = str(run.cfg.remote)
    arrived = _push_arrived(run)
    if arrived:
        run.progress.pushed = run.progress.changed = True
        unfinished.clear(run.root)
        say(
            f"the push of {run.release.tag} reached {remote} before the run stopped: the "
            "release is pushed; re-run `autorelease publish` to finish it"
        )
    elif arrived is None:
        say(
            f"cannot ask {remote} whether the push of {run.release.tag} arrived: the local "
            "release commit and tag stay; re-run `autorelease publish` to finish or undo it"
        )
    return arrived is not False


def _push_arrived(run: Run) -> bool | None:
    """Whether the remote holds the release tag at HEAD; None when it cannot be asked."""
    try:
        on_remote = git.remote_tag(run.root, str(run.cfg.remote), run.release.tag)
        return on_remote == git.head(run.root)
    except GitError:
        return None


def tests_step(run: Run) -> None:
    if run.options.skip_tests:
        say("WARNING: --skip-tests: the release is NOT tested by autorelease")
        run.progress.note("tests", "skipped", "--skip-tests")
        return
    if run.release.resuming and _tag_on_remote(run):
        # Tests run before the push, so a pushed release tag was tested: do not run them again.
        run.progress.note("tests", "skipped", f"{run.release.tag} was tested before")
        return
    command = _test_command(run)
    if command is None:
        run.progress.note("tests", "skipped", "no test command or tests/ found")
        say("no tests found (set test_command in [tool.autorelease]); skipping them")
        return
    with run.progress.step("tests") as record:
        returncode, tail = _run_tests(command, run.root)
        if returncode != 0:
            from autorelease.errors import TestsFailed

            raise TestsFailed(
                f"the tests failed (exit {returncode}): {command}",
                "their output is above; fix them and run again; nothing was pushed or uploaded",
                tail,
                shown=True,
            )
        record.detail = command


def _run_tests(command: str, root: Path, extra: dict[str, str] | None = None) -> tuple[int, str]:
    """Run COMMAND in a session of its own; whatever it started is ended when it returns.

    Its output is copied to our stderr as it arrives; returns its exit status and last lines.
    EXTRA is added to its environment (which holds no secrets).
    Its own session: an interrupt of autorelease (SIGTERM, Ctrl-C) ends the whole process group
    before the rollback, so no orphaned test process writes into the restored work tree.
    """
    from autorelease.publish.build import TAIL_LINES, tail_of

    lines: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def show(line: str) -> None:
        lines.append(line)
        sys.stderr.write(for_display(line) + "\n")
        sys.stderr.flush()

    # The project's tests have no business seeing credentials.
    env = without_secrets() | (extra or {})
    end = process.streamed(command, show, cwd=root, env=env, own_group=True)
    return end.returncode, for_display(tail_of(list(lines)))


def _test_command(run: Run) -> str | None:
    if run.cfg.test_command:
        return str(run.cfg.test_command)
    if any((run.root / d).is_dir() for d in ("tests", "test")):
        return f"{shlex.quote(sys.executable)} -m pytest -q"
    return None


def build_step(run: Run) -> None:
    from autorelease.publish import build

    with run.progress.step("build") as record:
        epoch = git.commit_time(run.root, "HEAD")
        run.progress.dist_dir = Path(tempfile.mkdtemp(prefix="autorelease-dist-"))
        dists = build.build(
            run.root / run.folder, run.release.version, epoch, run.progress.dist_dir,
            isolation=bool(run.cfg.build_isolation), log=say,
        )  # fmt: skip
        run.progress.dists = list(dists.files)
        record.detail = ", ".join(p.name for p in run.progress.dists)


# --- the public part: idempotent, resumable ------------------------------------------------


def _tag_on_remote(run: Run) -> bool:
    if run.options.no_push:
        return False
    return git.remote_tag(run.root, str(run.cfg.remote), run.release.tag) == git.head(run.root)


def push_step(run: Run) -> None:
    if run.options.no_push:
        # A re-run with --no-push finishes a release whose tag is on the remote already.
        local = preflight.local_only(run.options, run.release)
        run.progress.pushed = not local and _remote_holds_release(run)
        why = "--no-push" + (f": {run.release.tag} is on the remote" if run.progress.pushed else "")
        run.progress.note("push", "skipped", why)
        return
    remote = str(run.cfg.remote)
    if _tag_on_remote(run):
        # A run that made this release commit itself finds it pushed: by an identical run.
        run.progress.pushed, run.progress.by_another = True, not run.release.resuming
        unfinished.clear(run.root)
        detail = "already on the remote" + (f": {BY_ANOTHER}" if run.progress.by_another else "")
        run.progress.note("push", "done", detail)
        return
    with run.progress.step("push") as record:
        proc = git.run(
            ["push", "--atomic", "--porcelain", remote, f"HEAD:refs/heads/{run.checked.branch}",
             *(f"refs/tags/{tag}:refs/tags/{tag}" for tag in run.pushed_tags)],
            run.root, check=False,
        )  # fmt: skip
        # After a failed push, ask the remote what it holds before deciding.
        arrived = _push_arrived(run) if proc.returncode != 0 else True
        if arrived is None:
            raise PushRejected(
                f"the push of {run.release.tag} to {remote} failed, and {remote} cannot be asked "
                "whether it arrived",
                "re-run `autorelease publish`: it asks again, then finishes or undoes the release",
            )
        if not arrived:
            raise PushRejected(
                f"{remote} rejected the release push of {run.release.tag} (another release or "
                "commit landed first)",
                f"git pull --tags {remote} {run.checked.branch} and run autorelease publish again",
            )
        run.progress.pushed = True
        unfinished.clear(run.root)
        if proc.returncode != 0 or _nothing_pushed(proc.stdout):
            # Another run pushed the identical release commit and tag a moment earlier.
            run.progress.by_another = not run.release.resuming
            record.detail = f"nothing to push: {remote} has {run.release.tag} on this commit"
            record.detail += f" ({BY_ANOTHER})" if run.progress.by_another else ""
            return
        run.progress.changed = True
        record.detail = f"{run.checked.branch} and {', '.join(run.pushed_tags)} to {remote}"


def _nothing_pushed(porcelain: str) -> bool:
    """`git push --porcelain` says every ref was up to date already (flag `=`)."""
    flags = [line[0] for line in porcelain.splitlines() if "\t" in line and line[:1] in " +-*!="]
    return bool(flags) and set(flags) == {"="}


def _remote_holds_release(run: Run) -> bool:
    """The remote has the release tag on HEAD (asked even under --no-push)."""
    remote = str(run.cfg.remote)
    if remote_url.of_remote(run.root, remote) is None:
        return False
    return git.remote_tag(run.root, remote, run.release.tag) == git.head(run.root)


def _not_public(run: Run, step: str) -> bool:
    """Skip STEP unless the release commit and tag are on the remote: nothing public before."""
    if run.progress.pushed:
        return False
    why = f"{run.release.tag} is not on {run.cfg.remote}"
    why += " (--no-push)" if run.options.no_push else ""
    run.progress.note(step, "skipped", why)
    return True


def upload_step(run: Run) -> None:
    from autorelease.publish import index

    if run.options.no_upload:
        run.progress.note("upload", "skipped", "--no-upload")
        return
    if _not_public(run, "upload"):
        return
    target = run.checked.index_target
    assert target is not None  # the check found it: the release is public, uploads are wanted
    progress = run.progress
    with progress.step("upload") as record:
        result = index.upload(progress.dists, target, log=say)
        progress.changed = progress.changed or bool(result.uploaded)
        record.detail = (
            f"sent {len(result.uploaded)}, already there {len(result.already_there)}"
            f" ({progress.index_url})"
        )


def github_step(run: Run) -> None:
    from autorelease.publish import github

    if not preflight.wants_github(run.options, run.cfg):
        why = "--no-github" if run.options.no_github else "github_release = false"
        run.progress.note("github", "skipped", why)
        return
    if _not_public(run, "github"):
        return
    target = run.checked.github_target
    if target is None:
        run.progress.note("github", "skipped", "origin is not on GitHub")
        say("no GitHub release: origin is not a GitHub repository (set GITHUB_REPOSITORY)")
        return
    release, progress = run.release, run.progress
    with progress.step("github") as record:
        # Only a re-run can find the release complete; a first run must not spend a request.
        state = github.release_state(target, release.tag) if release.resuming else None
        if state is not None and state.exists and not state.missing(progress.dists):
            progress.release_url = state.html_url
            record.status, record.detail = "skipped", f"complete already: {state.html_url}"
            return
        result = github.ensure_release(
            target, release.tag, title=release.tag, notes=_release_notes(run),
            prerelease=release.prerelease, files=progress.dists, log=say,
        )  # fmt: skip
        progress.release_url = result.html_url
        progress.changed = progress.changed or result.created or bool(result.attached)
        record.detail = result.html_url
        if not result.created:
            attached = len(result.attached)
            record.detail += f" (found there; attached {attached} of {len(progress.dists)} files)"


def _release_notes(run: Run) -> str:
    """The GitHub release's notes: the changelog section, how to install, the contributors
    (worked out once per run: the notify command's notes file is the same text)."""
    if run.progress.notes is None:
        from autorelease.publish import contributors

        notes = _notes_and_install(run)
        people, by_email = _contributors(run)
        if run.cfg.changelog_contributors:  # the section names them: their logins replace names
            plain, named = contributors.lines(people, {}), contributors.lines(people, by_email)
            for name, login in zip(plain, named, strict=True):
                for bullet in "-*+":
                    notes = notes.replace(f"\n{bullet}{name[1:]}\n", f"\n{bullet}{login[1:]}\n", 1)
        elif people:
            notes += "\n" + contributors.section(people, by_email)
        run.progress.notes = notes
    return run.progress.notes


def _contributors(run: Run) -> tuple[list[Author], dict[str, str]]:
    """The release's contributors, and their GitHub logins when the project is on GitHub."""
    from autorelease.publish import contributors, github

    paths = (run.folder,) if run.folder != "." else ()  # a workspace's package: its own
    people = contributors.authors(run.root, run.release.previous_tag, f"{run.release.tag}^", paths)
    target = run.checked.github_target if people else None
    by_email: dict[str, str] = {}
    if target is not None:
        try:
            by_email = contributors.logins(target, people, log=say, pacing=github.Pacing())
        except AutoreleaseError as exc:
            say(f"contributors are named without GitHub logins: {exc.message}")
    return people, by_email


def _notes_and_install(run: Run) -> str:
    name = preflight.project_name(run.root, run.cfg)
    index_target = run.checked.index_target
    on_pypi = run.options.index_spec(str(run.cfg.repository)) == "pypi"
    simple = sanitize_url(index_target.simple_url) if index_target and not on_pypi else None
    index = f" --index-url {simple}" if simple else ""
    install = f"pip install{index} {shlex.quote(f'{name}=={run.release.version}')}"
    notes = run.release.notes
    body = notes.split("\n", 1)[1].strip() if notes.startswith("## ") else notes
    return f"{body}\n\n### Install\n\n```sh\n{install}\n```\n"


def comments_step(run: Run) -> None:
    """One "Released in" comment on each issue and pull request the notes name, once."""
    from autorelease.publish import github, github_comments

    release, progress = run.release, run.progress
    numbers = github_comments.referenced(release.notes)
    why = _no_comments(run, numbers)
    if why:
        progress.note("comments", "skipped", why)
        return
    target = run.checked.github_target
    assert target is not None  # the github step made the release: _no_comments checked
    assert progress.release_url is not None
    with progress.step("comments") as record:
        body = github_comments.comment_body(release.version, release.tag, progress.release_url)
        done = github_comments.comment_released(
            target, numbers, body=body, tag=release.tag, label=str(run.cfg.released_label),
            log=say, pacing=github.Pacing(),
        )  # fmt: skip
        progress.changed = progress.changed or bool(done.commented)
        record.detail = f"commented on {len(done.commented)}, found {len(done.found)} done"
        record.detail += f", {len(done.missing)} not on GitHub" if done.missing else ""


def _no_comments(run: Run, numbers: tuple[int, ...]) -> str:
    """Why the comment step is skipped; "" when it runs."""
    if run.options.no_comments or not run.cfg.comment:
        return "--no-comments" if run.options.no_comments else "comment = false"
    if run.progress.release_url is None:
        return "no GitHub release"
    return "" if numbers else "the release names no issue or pull request"


def notify_step(run: Run) -> None:
    """Run notify_command after a release this run made or finished; a failure only warns."""
    command, progress = str(run.cfg.notify_command), run.progress
    if not command:
        return
    if not progress.pushed or not progress.changed:
        why = "nothing was released" if not progress.pushed else "this run released nothing new"
        progress.note("notify", "skipped", why)
        return
    with progress.step("notify") as record, _notes_file(run) as notes:
        returncode, _tail = _run_tests(command, run.root, _notify_env(run, notes))
        record.detail = command
        if returncode != 0:
            record.status = "failed"
            say(
                f"WARNING: notify_command failed (exit {returncode}): {command}; the release "
                f"{run.release.tag} is out and stays: run the command by hand to notify"
            )


@contextmanager
def _notes_file(run: Run) -> Iterator[Path]:
    """The release notes (as the GitHub release shows them) in a temporary file."""
    handle, name = tempfile.mkstemp(prefix="autorelease-notes-", suffix=".md")
    path = Path(name)
    try:
        with open(handle, "w", encoding="utf-8") as out:
            out.write(_release_notes(run))
        yield path
    finally:
        path.unlink(missing_ok=True)


def _notify_env(run: Run, notes: Path) -> dict[str, str]:
    return {
        "AUTORELEASE_VERSION": run.release.version,
        "AUTORELEASE_TAG": run.release.tag,
        "AUTORELEASE_NOTES_FILE": str(notes),
        "AUTORELEASE_RELEASE_URL": run.progress.release_url or "",
        "AUTORELEASE_INDEX_URL": run.progress.index_url or "",
    }
