"""`autorelease publish`, and `autorelease --dry-run`: the plan previewed, or the release made.

Its options are also the main parser's own, so that `autorelease --dry-run` needs no command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autorelease.errors import ExitCode

if TYPE_CHECKING:
    from autorelease.core.plan import ReleasePlan
    from autorelease.publish.options import PublishOptions


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `publish` command (its help line is in cli/main.py's COMMANDS)."""
    publish = subparsers.add_parser("publish")
    arguments(publish)
    publish.set_defaults(handler=run, full_preview=True, publishes=True)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `publish`, which the main parser takes as well."""
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
        "--no-comments",
        action="store_true",
        help="no 'Released in' comment on the issues and pull requests of the release",
    )
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
    package_argument(parser)


def package_argument(parser: argparse.ArgumentParser) -> None:
    """--package NAME (repeatable): a workspace's commands restricted to those packages."""
    parser.add_argument(
        "--package",
        action="append",
        dest="packages",
        metavar="NAME",
        help="a workspace: only this package (repeatable)",
    )


def plan(args: argparse.Namespace, *, changelog: bool = True) -> ReleasePlan:
    """The release plan for the command line's --bump, --pre and --test (which the main
    parser gives every command)."""
    from autorelease.core.plan import PlanOptions, plan_release

    options = PlanOptions.from_command_line(args.bump, args.pre, args.test)
    return plan_release(args.repo, options._replace(changelog=changelog))


def workspace_plan(args: argparse.Namespace, *, changelog: bool = True) -> Any:
    """The workspace's plan (core/workspace_plan.py), or None for a repository of one package."""
    from autorelease.core.plan import PlanOptions
    from autorelease.core.workspace_plan import plan_workspace

    options = PlanOptions.from_command_line(args.bump, args.pre, args.test)
    only = tuple(getattr(args, "packages", None) or ())
    return plan_workspace(args.repo, options._replace(changelog=changelog), only)


def publish_options(args: argparse.Namespace) -> PublishOptions:
    """The publish command's options, converted from the command line once."""
    from autorelease.publish.options import PublishOptions

    return PublishOptions(
        repo=args.repo, bump=args.bump, pre=args.pre, test=args.test,
        skip_tests=args.skip_tests, no_push=args.no_push, no_upload=args.no_upload,
        no_github=args.no_github, no_comments=args.no_comments, repository=args.repository,
        report=args.report, verbose=args.verbose,
        packages=tuple(getattr(args, "packages", None) or ()),
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """`autorelease publish` and `autorelease --dry-run`."""
    options = publish_options(args)
    if not args.dry_run:
        from autorelease.core.workspace_plan import is_workspace

        if is_workspace(options.repo, options.packages):
            from autorelease.publish import workspace_run

            return int(workspace_run.main(options))
        from autorelease.publish import run as engine

        return int(engine.main(options))
    from autorelease.cli import render
    from autorelease.core.plan import plan_release

    workspace = workspace_plan(args)
    if workspace is not None:
        return _workspace_preview(with_pending_note(workspace), args, options)

    release_plan = with_pending_note(plan_release(options.repo, options.plan_options()))
    facts = _remote_facts(release_plan, args, options)
    if args.json:
        data = release_plan.to_json()
        if facts is not None:
            data["remote_state"] = [vars(f) for f in facts]
        sys.stdout.writelines(render.json_parts(data))
        return ExitCode.OK
    steps = render.publish_steps(release_plan, options, switches(release_plan.root))
    sys.stdout.writelines(render.preview_parts(release_plan, steps, options.verbose))
    if facts is not None:
        from autorelease.publish import remote_state

        print(remote_state.render(facts), end="")
    return ExitCode.OK


def with_pending_note(plan: Any) -> Any:
    """PLAN (one package's or a workspace's) warning of a release a killed run left here."""
    from autorelease.publish import unfinished

    note = unfinished.pending_note(Path(plan.root))
    return plan._replace(warnings=(*plan.warnings, note)) if note else plan


def switches(root: str | Path) -> Any:
    """The configuration's settings that turn publish steps off (render.Switches)."""
    from autorelease.cli import render
    from autorelease.core import config

    cfg = config.load(Path(root))
    return render.Switches(github_release=bool(cfg.github_release), comment=bool(cfg.comment))


def _workspace_preview(workspace: Any, args: argparse.Namespace, options: PublishOptions) -> int:
    from autorelease.cli import render, workspace_render

    if args.json:
        sys.stdout.writelines(render.json_parts(workspace.to_json()))
    else:
        steps = (options, switches(workspace.root))
        sys.stdout.writelines(workspace_render.preview(workspace, args.verbose, steps))
    return ExitCode.OK


def _remote_facts(
    release_plan: Any, args: argparse.Namespace, options: PublishOptions
) -> list[Any] | None:
    """Read-only remote lookups: `publish --dry-run` (unless --offline) or --check-remote."""
    wanted = args.check_remote or (getattr(args, "full_preview", False) and not args.offline)
    if not wanted or not release_plan.tag or not release_plan.next_version:
        return None
    from autorelease.core import config
    from autorelease.publish import remote_state

    root = Path(release_plan.root)
    cfg = config.load(root)
    project = str(cfg.pyproject.get("project", {}).get("name") or root.name)
    repo = options.index_spec(str(cfg.repository))
    return remote_state.gather(
        root, cfg, tag=release_plan.tag, version=release_plan.next_version, project=project,
        repo=repo,
    )  # fmt: skip
