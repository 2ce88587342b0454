"""`autorelease init`: what adopting autorelease changes in an existing project (pure + reads).

`changes(root)` returns the new text of each file it would write; nothing is written here. Each
change is idempotent: a file that already has what init would add is left as it is, so running
init twice changes nothing the second time, and an existing file is merged into, never replaced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from autorelease import __version__, git
from autorelease.cli import adopt_workspace
from autorelease.core import config, version_files, workspace
from autorelease.core.history import tag_format_of
from autorelease.errors import ConfigError, VersionError
from autorelease.fileio import inside

HOOKS_REPO = "https://github.com/autorelease-dev/autorelease"
HOOK_IDS = ("autorelease-commit-msg", "autorelease-pre-push")
WORKFLOW = ".github/workflows/release.yml"
# Where the workflow goes when the project's own workflow is called release.yml.
WORKFLOW_NAMES = (WORKFLOW, ".github/workflows/autorelease.yml")
_CARRIED = ("tag_format", "version_files", "version_source", "major_on_zero",
            "allow_zero_version", "bump_map", "version_scheme", "changelog_file",
            "commit_rules", "max_header_length", "bump_rules", "changelog_marker",
            "changelog_sections", "changelog_exclude", "parse_squash_bodies",
            "commit_message")  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One file init writes: its path, current text (None if new) and new text."""

    path: str
    before: str | None
    after: str
    why: str


def changes(root: Path) -> list[Change]:
    """Every file change adoption needs under ROOT; empty when already adopted."""
    found = [
        _pyproject_change(root),
        _precommit_change(root),
        _workflow_change(root),
    ]
    return [c for c in found if c is not None and c.after != c.before]


# --- [tool.autorelease] ----------------------------------------------------------------------


def _pyproject_change(root: Path) -> Change | None:
    path = inside(root, "pyproject.toml")  # nothing outside the repository is read or written
    before = path.read_text(encoding="utf-8") if path.exists() else None
    cfg = config.load(root)
    if "autorelease" in cfg.pyproject.get("tool", {}):
        return None
    space = workspace.discover(root, cfg)  # a member it cannot name: ConfigError
    text = (before or "").rstrip("\n")
    if space is not None:
        after = (text + "\n\n" if text else "") + _workspace_table(root, cfg, space)
        adopt_workspace.check(root, after)  # what --dry-run would refuse, refused now
        names = ", ".join(p.name for p in space.packages)
        return Change("pyproject.toml", before, after, f"a workspace of {names}")
    adopt_workspace.check_members(root, cfg)
    settings = settings_for(root, cfg)
    table = "[tool.autorelease]\n" + "".join(
        f"{k} = {toml_value(v)}\n" for k, v in settings.items()
    )
    after = (text + "\n\n" if text else "") + table
    carried = sorted({cfg.origin[k] for k in settings if cfg.origin.get(k, "default") != "default"})
    why = "settings detected" + (f", carried over from {', '.join(carried)}" if carried else "")
    if cfg.origin["max_header_length"] == "default" and "max_header_length" in settings:
        why += "; max_header_length: the longest conventional header in the history"
    return Change("pyproject.toml", before, after, why)


def settings_for(root: Path, cfg: config.Config) -> dict[str, Any]:
    """The [tool.autorelease] values init writes: detected ones and carried-over ones."""
    settings: dict[str, Any] = {"tag_format": detect_tag_format(root, str(cfg.tag_format))}
    settings.update(carried(root, cfg, skip=("tag_format",)))
    stale = unfound(root, cfg)
    kept = [spec for spec in settings.get("version_files", []) if spec not in stale]
    if stale:  # what the other tool skipped is left out (notes() says so), not a broken table
        settings.pop("version_files")
        settings.update({"version_files": kept} if kept else {})
    if "version_files" not in settings and "version_source" not in settings:
        if version_files.uses_scm_version(cfg.pyproject):
            settings["version_source"] = "tag"
        else:
            specs = [spec_of(d) for d in version_files.discover(root, cfg.pyproject)]
            if specs:
                settings["version_files"] = specs
    return settings


def unfound(root: Path, cfg: config.Config) -> list[str]:
    """The version_files entries carried over from commitizen or semantic-release that hold no
    version: those tools skip them, the dry run would stop at them, so init leaves them out."""
    if cfg.origin.get("version_files", "default") == "default":
        return []
    stale = []
    for spec in cfg.version_files:
        specs = version_files.expand(spec, root)
        decls = [version_files.parse_spec(s, root, str(cfg.tag_format)) for s in specs]
        try:
            version_files.read_all(root, decls)
        except VersionError:
            stale.append(spec)
    return stale


def carried(root: Path, cfg: config.Config, skip: tuple[str, ...]) -> dict[str, Any]:
    """The settings carried over from commitizen or semantic-release (but SKIP), and the
    header limit the project's history was written under."""
    settings = {
        key: cfg.values[key]
        for key in _CARRIED
        if cfg.origin.get(key, "default") != "default" and key not in skip
    }
    if "max_header_length" not in settings:
        longest = longest_header(root)
        if longest > int(cfg.max_header_length):
            settings["max_header_length"] = longest  # what the history accepted stays accepted
    return settings


def _workspace_table(root: Path, cfg: config.Config, space: workspace.Workspace) -> str:
    """[tool.autorelease] for a workspace, commented, and [tool.autorelease.packages]."""
    found = adopt_workspace.layout(root, cfg, space)
    lines = ["[tool.autorelease]"]
    for setting in found.settings:
        lines += [f"# {line}" for line in setting.comment]
        lines.append(f"{setting.key} = {toml_value(setting.value)}")
    shared = carried(root, cfg, skip=adopt_workspace.PER_PACKAGE)
    if shared:
        lines.append("# Every package's, carried over or detected:")
        lines += [f"{k} = {toml_value(v)}" for k, v in shared.items()]
    lines += [
        "",
        "# The packages, found from [tool.uv.workspace]. A package's table may also set",
        "# changelog_file, version_files and scopes (docs/monorepo.md).",
        "[tool.autorelease.packages]",
    ]
    entries = [f"{_toml_key(m.name)} = {toml_value(m.settings)}" for m in found.packages]
    width = max(map(len, entries))
    lines += [
        f"{e.ljust(width)}  # {m.comment}" for e, m in zip(entries, found.packages, strict=True)
    ]
    return "\n".join(lines) + "\n"


_CONVENTIONAL_HEADER = re.compile(r"[A-Za-z][\w-]*(?:\([^()\n]*\))?!?: \S")


def longest_header(root: Path) -> int:
    """The length of the longest Conventional Commits header on HEAD's history (merges aside),
    0 without commits: the limit the project's own history was written under."""
    if git.head(root) is None:
        return 0
    commits = (c for c in git.iter_commits(root, "HEAD") if len(c.parents) < 2)
    headers = (c.message.split("\n", 1)[0].strip() for c in commits)
    return max((len(h) for h in headers if _CONVENTIONAL_HEADER.match(h)), default=0)


def spec_of(decl: version_files.Declaration) -> str:
    """The `path:what` string that names DECL in version_files."""
    if decl.kind in ("toml", "variable", "regex"):
        return f"{decl.path}:{decl.key}"
    return decl.path


def detect_tag_format(root: Path, default: str) -> str:
    """The tag format the existing tags use (most common prefix before a version), or DEFAULT."""
    names = [t.name for t in git.list_tags(root)]
    return tag_format_of(names) or default


def toml_value(value: Any) -> str:
    """VALUE written as TOML (strings, booleans, numbers, lists and flat tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


# --- .pre-commit-config.yaml -------------------------------------------------------------------


def hooks_entry(indent: str = "  ") -> str:
    """The `repos:` item for autorelease's hooks, indented for a list at INDENT."""
    inner = indent + "  "
    lines = [
        f"{indent}- repo: {HOOKS_REPO}",
        f"{inner}rev: v{__version__}",
        f"{inner}hooks:",
        *(f"{inner}  - id: {hook}" for hook in HOOK_IDS),
    ]
    return "\n".join(lines) + "\n"


def _precommit_change(root: Path) -> Change | None:
    path = inside(root, ".pre-commit-config.yaml")
    if not path.exists():
        after = (
            "# Conventional commits, checked when you commit and when you push.\n"
            "# Enable with: pre-commit install\n"
            "default_install_hook_types: [pre-commit, commit-msg, pre-push]\n\n"
            "repos:\n" + hooks_entry()
        )
        return Change(path.name, None, after, "commit-msg and pre-push hooks")
    before = path.read_text(encoding="utf-8")
    if any(hook in before for hook in HOOK_IDS):
        return None
    return Change(path.name, before, merge_hooks(before), "hooks added; the rest kept as it was")


def merge_hooks(text: str) -> str:
    """TEXT with autorelease's hooks appended to its `repos:` list; everything else as it was."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f".pre-commit-config.yaml is not valid YAML: {str(exc).splitlines()[0]}",
            "fix it, then run autorelease init again",
        ) from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"repos:\s*(#.*)?$", line)), None)
    if not isinstance(data, dict) or start is None:
        return "".join(lines) + "\nrepos:\n" + hooks_entry()
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "-", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    items = [line for line in lines[start + 1 : end] if line.lstrip().startswith("- ")]
    indent = re.match(r"\s*", items[0]).group(0) if items else "  "  # type: ignore[union-attr]
    merged = "".join(lines[:end]) + hooks_entry(indent) + "".join(lines[end:])
    if not _has_hooks(yaml.safe_load(merged)):
        raise ConfigError(
            ".pre-commit-config.yaml has a layout autorelease cannot merge into safely",
            f"add the repo {HOOKS_REPO} with hooks {', '.join(HOOK_IDS)} by hand",
        )
    return merged


def _has_hooks(data: Any) -> bool:
    repos = data.get("repos", []) if isinstance(data, dict) else []
    return any(isinstance(r, dict) and r.get("repo") == HOOKS_REPO for r in repos)


# --- the release workflow --------------------------------------------------------------------


_INSTALL = """\
      - name: Install the project, its tests and autorelease
        run: |
          python -m pip install --upgrade pip
          python -m pip install -e . pytest conventional-autorelease
"""


def workflow_text(branch: str = "main", folders: Sequence[str] = ()) -> str:
    """The GitHub Actions workflow that releases on every push to BRANCH; with FOLDERS (a
    workspace's packages) its install step installs each of them rather than the root."""
    text = resources.files("autorelease").joinpath("data/release.yml").read_text(encoding="utf-8")
    text = text.replace("Every push to main", f"Every push to {branch}")
    if folders:
        text = text.replace(_INSTALL, _workspace_install(folders))
    return text.replace("branches: [main]", f"branches: [{branch}]")


def _workspace_install(folders: Sequence[str]) -> str:
    """The install step for a workspace: every package editable, in one pip run, so that a
    requirement on another package of the workspace is met by its folder, not the index."""
    import shlex

    editable = "".join(f" \\\n            -e {shlex.quote(folder)}" for folder in folders)
    return (
        "      - name: Install the workspace's packages, their tests and autorelease\n"
        "        # every package of the workspace: add the folder of a package added later\n"
        "        run: |\n"
        "          python -m pip install --upgrade pip\n"
        f"          python -m pip install pytest conventional-autorelease{editable}\n"
    )


def release_branch(root: Path, cfg: config.Config) -> str:
    """The branch releases are made from: configured, the remote's default, or the current one."""
    return (
        str(cfg.release_branch)
        or git.remote_default_branch(root, str(cfg.remote))
        or git.current_branch(root)
        or "main"
    )


def _workflow_change(root: Path) -> Change | None:
    target, why = workflow_target(root)
    if target is None:
        return None
    cfg = config.load(root)
    branch = release_branch(root, cfg)
    space = workspace.discover(root, cfg)
    folders = [p.path for p in space.packages] if space else []
    why = f"release on push to {branch}" + (f"; {why}" if why else "")
    return Change(target, None, workflow_text(branch, folders), why)


def workflow_target(root: Path) -> tuple[str | None, str]:
    """Where init writes the release workflow and why there; None and why it writes none.

    A workflow the project already has is never replaced: when release.yml is taken the
    workflow goes to autorelease.yml, and a workflow that already runs autorelease is enough.
    """
    from autorelease.cli import workflows

    for path in workflows.workflow_files(root):
        if workflows.runs_autorelease(path.read_text(encoding="utf-8", errors="replace")):
            name = path.relative_to(root).as_posix()
            return None, f"{name} already runs autorelease: no other workflow written"
    free = [name for name in WORKFLOW_NAMES if not (root / name).exists()]
    if not free:
        taken = " and ".join(WORKFLOW_NAMES)
        return None, (
            f"release workflow not written: {taken} are the project's own; rename one and run "
            "`autorelease init` again"
        )
    if free[0] != WORKFLOW:
        return free[0], f"{WORKFLOW} is the project's own workflow, kept as it is"
    return WORKFLOW, ""


def notes(root: Path) -> list[str]:
    """What init leaves as it is and why, so that no file is skipped without a word."""
    target, why = workflow_target(root)
    found = [why] if target is None else []
    cfg = config.load(root)
    space = workspace.discover(root, cfg)
    if space is not None and "autorelease" not in cfg.pyproject.get("tool", {}):
        found += adopt_workspace.notes(root, cfg, space)
    elif "autorelease" not in cfg.pyproject.get("tool", {}):
        where = cfg.origin.get("version_files", "")
        found += [
            f"version_files: {spec!r} left out: {where} lists it, but there is no version "
            "there (the tool skips it; autorelease would stop at it)"
            for spec in unfound(root, cfg)
        ]
    return found
