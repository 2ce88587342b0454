"""The command line: parse arguments, call the core, render, and map errors to exit codes."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autorelease import __version__
from autorelease.errors import AutoreleaseError, ExitCode, ToolFailed

if TYPE_CHECKING:
    import logging

    from autorelease.core.plan import ReleasePlan
    from autorelease.publish.options import PublishOptions

ISSUES_URL = "https://github.com/autorelease-dev/autorelease/issues"


def publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("--bump", choices=("patch", "minor", "major"), help="override the bump")
    parser.add_argument("--pre", choices=("a", "b", "rc"), help="make a PEP 440 pre-release")
    parser.add_argument(
        "--test", action="store_true", help="pre-release (a) to TestPyPI, e.g. 2.0.0a1"
    )
    parser.add_argument("--skip-tests", action="store_true", help="do not run the test command")
    parser.add_argument(
        "--no-push", action="store_true", help="commit and tag locally only: no upload, no GitHub"
    )
    parser.add_argument("--no-upload", action="store_true", help="do not upload to the index")
    parser.add_argument("--no-github", action="store_true", help="no GitHub release")
    parser.add_argument(
        "--repository", "-r", help="pypi, testpypi, a name in ~/.pypirc, or an upload URL"
    )
    parser.add_argument("--report", type=Path, help="write the run as JSON to this file")
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list everything; publish: also show the debug log (the tools' output as it runs)",
    )
    parser.add_argument(
        "--check-remote",
        action="store_true",
        help="with --dry-run: also read what the remote, the index and GitHub hold",
    )
    parser.add_argument(
        "--offline", action="store_true", help="publish --dry-run: skip the remote lookups"
    )


# Commands whose modules are imported only when the command line names them: every other
# command starts faster. name -> (module, help shown by --help before it is mounted).
_LAZY_COMMANDS = {
    "check": ("hooks.check", "check commit messages: a PR title, or every commit of a range"),
    "hook": ("hooks.check", "run as a git hook (see .pre-commit-hooks.yaml)"),
    "init": ("cli.init", "set up [tool.autorelease], commit hooks and the release workflow"),
    "stats": (
        "cli.stats",
        "release health: lead time, cadence, contributors, release workflow runs",
    ),
    "rollback": ("cli.rollback", "release a patch that takes a bad release's changes out"),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; ARGV (default: all) says which lazy commands to mount."""
    parser = argparse.ArgumentParser(
        prog="autorelease",
        description="Conventional commits in; version, changelog, tag, PyPI and GitHub out.",
    )
    parser.add_argument("--version", action="version", version=f"autorelease {__version__}")
    parser.add_argument("-C", "--repo", type=Path, default=Path("."), help="project directory")
    parser.add_argument("--traceback", action="store_true", help="show tracebacks on errors")
    publish_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    publish = sub.add_parser("publish", help="release: version, changelog, build, tag, upload")
    publish_arguments(publish)
    publish.set_defaults(handler=cmd_publish, full_preview=True, publishes=True)

    status = sub.add_parser("status", help="version, last tag, unreleased commits")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    version = sub.add_parser("version", help="the next version")
    version.add_argument("--print", action="store_true", help="print the next version alone")
    version.add_argument("--bump", choices=("patch", "minor", "major"))
    version.add_argument("--pre", choices=("a", "b", "rc"))
    version.set_defaults(handler=cmd_version)

    log = sub.add_parser("changelog", help="preview or rebuild the changelog")
    log.add_argument("--init", action="store_true", help="write the file from all release tags")
    log.add_argument("--dry-run", action="store_true")
    log.set_defaults(handler=cmd_changelog)

    words = set(argv) if argv is not None else set(_LAZY_COMMANDS)
    modules = {_LAZY_COMMANDS[w][0] for w in words & _LAZY_COMMANDS.keys()}
    for module in sorted(modules):
        _mount(module, sub)
    for name, (module, help_text) in _LAZY_COMMANDS.items():
        if module not in modules:  # listed by --help; never chosen, or it would be mounted
            sub.add_parser(name, help=help_text, add_help=False)
    _defer_to_main_parser(parser, sub)
    return parser


def _defer_to_main_parser(
    parser: argparse.ArgumentParser, sub: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    """Let `autorelease --dry-run publish` mean `autorelease publish --dry-run`.

    argparse lets a subcommand's defaults overwrite what was given before the subcommand, so an
    option both parsers know would be silently dropped; a subcommand option that was not given
    now leaves the main parser's value alone.
    """
    shared = {action.dest for action in parser._actions}
    for subparser in sub.choices.values():
        for action in subparser._actions:
            if action.dest in shared and action.dest != "help":
                action.default = argparse.SUPPRESS


def _mount(module: str, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Mount a command module that exposes register(subparsers). A module that is missing is
    a broken install or a renamed module: it fails loudly, never as a help-only stub."""
    import importlib

    importlib.import_module(f"autorelease.{module}").register(sub)


def _plan(args: argparse.Namespace, *, changelog: bool = True) -> ReleasePlan:
    from autorelease.core.plan import PlanOptions, plan_release

    options = PlanOptions.from_command_line(
        getattr(args, "bump", None), getattr(args, "pre", None), getattr(args, "test", False)
    )
    return plan_release(args.repo, options._replace(changelog=changelog))


def publish_options(args: argparse.Namespace) -> PublishOptions:
    """The publish command's options, converted from the command line once."""
    from autorelease.publish.options import PublishOptions

    return PublishOptions(
        repo=args.repo, bump=args.bump, pre=args.pre, test=args.test,
        skip_tests=args.skip_tests, no_push=args.no_push, no_upload=args.no_upload,
        no_github=args.no_github, repository=args.repository, report=args.report,
        verbose=args.verbose,
    )  # fmt: skip


def cmd_publish(args: argparse.Namespace) -> int:
    """`autorelease publish` and `autorelease --dry-run`."""
    options = publish_options(args)
    if not args.dry_run:
        from autorelease.publish import run

        return int(run.main(options))
    from autorelease.cli import render
    from autorelease.core.plan import plan_release

    plan = plan_release(options.repo, options.plan_options())
    facts = _remote_facts(plan, args, options)
    if args.json:
        data = plan.to_json()
        if facts is not None:
            data["remote_state"] = [vars(f) for f in facts]
        sys.stdout.writelines(render.json_parts(data))
        return ExitCode.OK
    sys.stdout.writelines(
        render.preview_parts(plan, render.publish_steps(plan, options), options.verbose)
    )
    if facts is not None:
        from autorelease.publish import remote_state

        print(remote_state.render(facts), end="")
    return ExitCode.OK


def _remote_facts(plan: Any, args: argparse.Namespace, options: PublishOptions) -> list[Any] | None:
    """Read-only remote lookups: `publish --dry-run` (unless --offline) or --check-remote."""
    wanted = args.check_remote or (getattr(args, "full_preview", False) and not args.offline)
    if not wanted or not plan.tag or not plan.next_version:
        return None
    from autorelease.core import config
    from autorelease.publish import remote_state

    root = Path(plan.root)
    cfg = config.load(root)
    project = str(cfg.pyproject.get("project", {}).get("name") or root.name)
    repo = options.index_spec(str(cfg.repository))
    return remote_state.gather(
        root, cfg, tag=plan.tag, version=plan.next_version, project=project, repo=repo
    )


def cmd_status(args: argparse.Namespace) -> int:
    from autorelease.cli import render

    plan = _plan(args, changelog=False)
    if args.json:
        import json

        data = plan.to_json()
        keys = ("current_version", "current_source", "last_tag", "next_version", "bump", "tag",
                "head_released", "counts")  # fmt: skip
        print(json.dumps({k: data[k] for k in keys}, indent=2))
    else:
        print(render.status(plan), end="")
    return ExitCode.OK


def cmd_version(args: argparse.Namespace) -> int:
    plan = _plan(args, changelog=False)
    if not plan.next_version:
        if not args.print:
            print(f"nothing to release: {plan.current_version} is current", file=sys.stderr)
        return ExitCode.NOTHING_TO_RELEASE
    print(plan.next_version if args.print else f"{plan.current_version} -> {plan.next_version}")
    return ExitCode.OK


def cmd_changelog(args: argparse.Namespace) -> int:
    from autorelease.cli import changelog

    return changelog.main(args)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command runs; restore it afterwards.

    A plan allocates a few objects per commit and frees almost none before the process ends,
    so the collector would rescan them all again and again: a third of the CPU time of
    `--dry-run` on 100,000 commits, for cycles that do not exist.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _printable(stream: object) -> None:
    """Let STREAM print what its encoding lacks as "?" rather than fail: under a Latin-1
    locale a changelog's "⚠" or a name in another script must not end a run."""
    if not isinstance(stream, io.TextIOWrapper) or stream.errors != "strict":
        return
    if codecs.lookup(stream.encoding).name != "utf-8":
        stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run autorelease; return the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        if not args.dry_run:
            parser.print_help(sys.stderr)
            print("\nautorelease: say what to do, e.g. `autorelease --dry-run`", file=sys.stderr)
            return ExitCode.USAGE
        handler = cmd_publish
    _printable(sys.stdout)
    publishing = bool(getattr(args, "publishes", False)) and not args.dry_run
    try:
        with _collector_paused(), _log_handler(publishing, args.verbose):
            return int(handler(args))
    except AutoreleaseError as exc:
        if args.traceback:
            raise
        _print_error(exc, args.verbose)
        return int(exc.code)
    except KeyboardInterrupt:
        print("autorelease: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader (`| head`) has gone: not an error of ours. Keep Python from
        # complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as exc:
        if args.traceback:
            raise
        print(
            f"autorelease: internal error: {_scrubbed(f'{type(exc).__name__}: {exc}')} — rerun "
            f"with --traceback and report it at {ISSUES_URL}",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL


@contextlib.contextmanager
def _log_handler(publishing: bool, verbose: bool) -> Iterator[None]:
    """The one place logging is set up (as pre-commit's logging_handler): while a publish runs,
    the `autorelease` loggers' records go to stderr, each a scrubbed `autorelease: ` line.

    Progress is INFO; --verbose adds DEBUG, the build's and twine's output as it arrives.
    The modules only log. Other commands log nothing, and do not pay for importing logging.
    """
    if not publishing:
        yield
        return
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("autorelease: %(message)s"))
    handler.addFilter(_scrub_record)
    logger = logging.getLogger("autorelease")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _scrub_record(record: logging.LogRecord) -> bool:
    record.msg, record.args = _scrubbed(record.getMessage()), ()
    return True


def _print_error(exc: AutoreleaseError, verbose: bool) -> None:
    """The error line; for a failed tool, after the end of its output unless that was shown."""
    if isinstance(exc, ToolFailed) and exc.output and not (exc.shown or verbose):
        print("autorelease: the end of the failed tool's output:", file=sys.stderr)
        quoted = "".join(f"  | {line}\n" for line in _scrubbed(exc.output).splitlines())
        print(quoted, end="", file=sys.stderr)
    line = exc.message + (f" — {exc.hint}" if exc.hint else "")
    print(f"autorelease: error: {_scrubbed(line)}", file=sys.stderr)


def _scrubbed(text: str) -> str:
    """TEXT without the secrets an error may quote (file contents, URLs, exception text)."""
    from autorelease.scrub import for_display

    return for_display(text)
