"""The command line: the table of commands, the parser, and running one command: logging set
up, errors mapped to output and exit codes. Each command is a module of cli/ (see COMMANDS)."""

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
from typing import TYPE_CHECKING, Any, NamedTuple

from autorelease import __version__
from autorelease.cli import publish
from autorelease.errors import AutoreleaseError, ExitCode, ToolFailed

if TYPE_CHECKING:
    import logging

ISSUES_URL = "https://github.com/autorelease-dev/autorelease/issues"


class Command(NamedTuple):
    """A command: the cli module whose register(subparsers) adds it, and its --help line."""

    module: str
    help: str


# Every command, in the order `autorelease --help` lists them. A command's module is imported
# only when the command line names it, so no command pays for the others' imports; until then
# --help shows the line below, the one place each command's help line is written.
COMMANDS = {
    "publish": Command("publish", "release: version, changelog, build, tag, upload"),
    "status": Command("status", "version, last tag, unreleased commits"),
    "version": Command("version", "the next version"),
    "changelog": Command("changelog", "preview or rebuild the changelog"),
    "check": Command("check", "check commit messages: a PR title, or every commit of a range"),
    "hook": Command("check", "run as a git hook (see .pre-commit-hooks.yaml)"),
    "init": Command("init", "set up [tool.autorelease], commit hooks and the release workflow"),
    "stats": Command(
        "stats", "release health: lead time, cadence, contributors, release workflow runs"
    ),
    "rollback": Command("rollback", "release a patch that takes a bad release's changes out"),
}


if TYPE_CHECKING:
    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time
    _Subparsers = argparse._SubParsersAction


class _Commands(_Subparsers):
    """The main parser's subcommands: each takes its help line from COMMANDS, and a module
    that adds a command missing from the table fails (KeyError) rather than go unlisted."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("help", COMMANDS[name].help)
        return super().add_parser(name, **kwargs)


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, as wide as argparse makes it (the terminal's width less 2)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = _terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns without importing shutil: argparse would, for every
    parser, and shutil imports zlib, bz2 and lzma (2 ms of each start)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser with _Formatter; its subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; ARGV (default: all) says which commands' modules to mount."""
    parser: argparse.ArgumentParser = _Parser(
        prog="autorelease",
        description="Conventional commits in; version, changelog, tag, PyPI and GitHub out.",
    )
    parser.add_argument("--version", action="version", version=f"autorelease {__version__}")
    parser.add_argument("-C", "--repo", type=Path, default=Path("."), help="project directory")
    parser.add_argument("--traceback", action="store_true", help="show tracebacks on errors")
    publish.arguments(parser)  # `autorelease --dry-run` needs no command
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Commands)
    words = set(argv) if argv is not None else set(COMMANDS)
    wanted = {COMMANDS[w].module for w in words & COMMANDS.keys()}
    mounted: set[str] = set()
    for name, command in COMMANDS.items():
        if command.module not in wanted:  # listed by --help; never chosen, or it would be mounted
            sub.add_parser(name, add_help=False)
        elif command.module not in mounted:
            _mount(command.module, sub)
            mounted.add(command.module)
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
    """Mount the commands of cli/MODULE, which exposes register(subparsers). A module that is
    missing is a broken install or a renamed module: it fails loudly, never as a help-only stub."""
    import importlib

    importlib.import_module(f"autorelease.cli.{module}").register(sub)


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
        handler = publish.run
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
