"""Settings that cannot work, refused when the configuration is read: paths and tag formats.

A changelog or version file must be a relative path inside the repository (autorelease writes
it), and a tag format must make a tag name that git accepts. Pure functions: no file system, no
subprocess, so the check costs nothing on the planning path.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from autorelease.errors import ConfigError

SAMPLE_VERSION = "1.2.3"
SAMPLE_NAME = "pkg"
_PATH_HINT = "use a path relative to the repository root, inside it, e.g. 'CHANGELOG.md'"
# What git refuses in a ref name: control characters, space, ~ ^ : ? * [ \ and DEL, '..', '@{'.
# A part of a ref name is a file name (255 bytes at most), and git locks it as NAME.lock.
_PART_BYTES = 250
_REF_FORBIDDEN = re.compile(r"[\x00-\x20~^:?*\[\\\x7f]|\.\.|@\{")


def check_source(kind: str, raw: Mapping[str, Any], layer: Mapping[str, Any], where: str) -> None:
    """Raise ConfigError for a path or tag format in one source that cannot work.

    KIND is autorelease, commitizen or semantic_release; RAW is the table as written, LAYER
    what autorelease made of it (a commitizen tag format with $version already converted).
    """
    for key, value in _paths(kind, raw):
        whole = key.endswith(("changelog_file", "changelog_template"))  # no :key part
        if is_outside(value if whole else value.partition(":")[0]):
            raise ConfigError(f"{where}: {key} = {value!r} is outside the repository", _PATH_HINT)
    if "tag_format" in layer:  # as written; commitizen's default when its table sets none
        written = raw.get("tag_format", layer["tag_format"])
        check_tag_format(str(layer["tag_format"]), f"{where}: tag_format = {written!r}")


def _paths(kind: str, raw: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key as the user wrote it, value) for every file path the source names."""
    keys = {
        "autorelease": ("changelog_file", "version_files", "changelog_template"),
        "commitizen": ("changelog_file", "version_files"),
        "semantic_release": ("version_toml", "version_variables"),
    }[kind]
    for key in keys:
        value = raw.get(key)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for item in items:
            yield key, str(item)
    if kind == "semantic_release":
        changelog = raw.get("changelog", {})
        templates = changelog.get("default_templates", {}) if isinstance(changelog, dict) else {}
        for table, name in ((changelog, "changelog.changelog_file"),
                            (templates, "changelog.default_templates.changelog_file")):  # fmt: skip
            if isinstance(table, dict) and table.get("changelog_file"):
                yield name, str(table["changelog_file"])


def is_outside(path: str) -> bool:
    """True when PATH is absolute or climbs out of the directory it is relative to."""
    if not path:
        return False
    if path.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:[\\/]", path):
        return True
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal == ".." or normal.startswith("../")


def check_tag_format(fmt: str, what: str) -> None:
    """Raise ConfigError unless FMT holds {version} once, no other field but {name} (a
    workspace's package name), and makes a tag name."""
    count = fmt.count("{version}")
    if count != 1:
        raise ConfigError(
            f"{what} {'lacks' if count == 0 else 'repeats'} {{version}}",
            "write {version} exactly once, e.g. 'v{version}'",
        )
    rest = fmt.replace("{version}", "").replace("{name}", "")
    if "{" in rest or "}" in rest:
        field = re.search(r"\{[^{}]*\}?|\}", rest)
        raise ConfigError(
            f"{what} has a field other than {{version}}: {field[0] if field else rest!r}",
            "use only {version} (and {name} in a workspace), e.g. 'v{version}' (a brace is not "
            "allowed in a tag format)",
        )
    name = fmt.replace("{version}", SAMPLE_VERSION).replace("{name}", SAMPLE_NAME)
    problem = tag_name_problem(name)
    if problem:
        raise ConfigError(
            f"{what} makes tags like {name!r}, which git refuses: {problem}",
            "start it with a letter or digit; use letters, digits, . - _ and /, e.g. 'v{version}'",
        )


def tag_name_problem(name: str) -> str | None:
    """Why git refuses NAME as a tag (`git check-ref-format refs/tags/NAME`, `git tag`), or None."""
    forbidden = _REF_FORBIDDEN.search(name)
    checks = (
        (name.startswith("-"), "it starts with '-'"),
        (forbidden is not None, f"it contains {forbidden[0] if forbidden else ''!r}"),
        (name.startswith("/") or name.endswith("/") or "//" in name, "it has an empty part"),
        (name.endswith("."), "it ends with '.'"),
        (any(p.startswith(".") for p in name.split("/")), "a part starts with '.'"),
        (any(p.endswith(".lock") for p in name.split("/")), "a part ends with '.lock'"),
        (any(len(p.encode()) > _PART_BYTES for p in name.split("/")),
         f"a part is longer than {_PART_BYTES} bytes (each is a file name in .git/refs)"),
    )  # fmt: skip
    return next((why for failed, why in checks if failed), None)
