"""`autorelease init`: what adopting autorelease changes in an existing project (pure + reads).

`changes(root)` returns the new text of each file it would write; nothing is written here. Each
change is idempotent: a file that already has what init would add is left as it is, so running
init twice changes nothing the second time, and an existing file is merged into, never replaced.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from autorelease import __version__, git
from autorelease.core import config, version_files
from autorelease.errors import ConfigError

HOOKS_REPO = "https://github.com/autorelease-dev/autorelease"
HOOK_IDS = ("autorelease-commit-msg", "autorelease-pre-push")
WORKFLOW = ".github/workflows/release.yml"
# Where the workflow goes when the project's own workflow is called release.yml.
WORKFLOW_NAMES = (WORKFLOW, ".github/workflows/autorelease.yml")
_CARRIED = ("tag_format", "version_files", "version_source", "major_on_zero",
            "allow_zero_version", "bump_map", "version_scheme", "changelog_file",
            "commit_rules", "max_header_length", "bump_rules", "changelog_marker",
            "changelog_sections", "changelog_exclude")  # fmt: skip


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
    path = root / "pyproject.toml"
    before = path.read_text(encoding="utf-8") if path.exists() else None
    cfg = config.load(root)
    if "autorelease" in cfg.pyproject.get("tool", {}):
        return None
    settings = settings_for(root, cfg)
    table = "[tool.autorelease]\n" + "".join(
        f"{k} = {toml_value(v)}\n" for k, v in settings.items()
    )
    text = (before or "").rstrip("\n")
    after = (text + "\n\n" if text else "") + table
    carried = sorted({cfg.origin[k] for k in settings if cfg.origin.get(k, "default") != "default"})
    why = "settings detected" + (f", carried over from {', '.join(carried)}" if carried else "")
    if cfg.origin["max_header_length"] == "default" and "max_header_length" in settings:
        why += "; max_header_length: the longest conventional header in the history"
    return Change("pyproject.toml", before, after, why)


def settings_for(root: Path, cfg: config.Config) -> dict[str, Any]:
    """The [tool.autorelease] values init writes: detected ones and carried-over ones."""
    settings: dict[str, Any] = {"tag_format": detect_tag_format(root, str(cfg.tag_format))}
    for key in _CARRIED:
        if cfg.origin.get(key, "default") != "default" and key != "tag_format":
            settings[key] = cfg.values[key]
    if "max_header_length" not in settings:
        longest = longest_header(root)
        if longest > int(cfg.max_header_length):
            settings["max_header_length"] = longest  # what the history accepted stays accepted
    if "version_files" not in settings and "version_source" not in settings:
        if version_files.uses_scm_version(cfg.pyproject):
            settings["version_source"] = "tag"
        else:
            specs = [spec_of(d) for d in version_files.discover(root, cfg.pyproject)]
            if specs:
                settings["version_files"] = specs
    return settings


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


def tag_format_of(names: Iterable[str]) -> str | None:
    prefixes: Counter[str] = Counter()
    for name in names:
        match = re.fullmatch(r"(?P<prefix>.*?)(?P<version>\d+\.\d+(?:\.\d+)?(?:[-.+]?\w+)*)", name)
        if match:
            prefixes[match["prefix"]] += 1
    if not prefixes:
        return None
    return prefixes.most_common(1)[0][0] + "{version}"


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
    path = root / ".pre-commit-config.yaml"
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


def workflow_text(branch: str = "main") -> str:
    """The GitHub Actions workflow that releases on every push to BRANCH."""
    text = resources.files("autorelease").joinpath("data/release.yml").read_text(encoding="utf-8")
    text = text.replace("Every push to main", f"Every push to {branch}")
    return text.replace("branches: [main]", f"branches: [{branch}]")


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
    branch = release_branch(root, config.load(root))
    why = f"release on push to {branch}" + (f"; {why}" if why else "")
    return Change(target, None, workflow_text(branch), why)


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
    return [why] if target is None else []
