"""Where a project declares its version, and rewriting exactly that declaration.

Pure functions over text (`locate`, `replace`), plus `discover` and `read_all`, which read files.
A declaration is written `path`, `path:dotted.toml.key`, `path:VARIABLE` or `path:regex`; a regex
with a `(?P<version>...)` group rewrites that group, one without rewrites the current version
inside the lines it matches. Nothing else in a file is ever touched.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.errors import ConfigError, ExitCode, VersionError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_TOML_HEADER = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$")
_TOML_ARRAY_HEADER = re.compile(r"^\s*\[\[")
_TOML_STRING = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z0-9_.\-\"' ]+?)[ \t]*=[ \t]*(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)",
    re.MULTILINE,
)


class Declaration(NamedTuple):
    """One place that states the version: a file and how to find the value in it."""

    path: str
    kind: str  # toml | variable | regex | setup_cfg | setup_py
    key: str

    def __str__(self) -> str:
        labels = {"toml": f"[{self.key.rpartition('.')[0]}].{self.key.rpartition('.')[2]}"}
        return f"{self.path} {labels.get(self.kind, self.key)}"


class Found(NamedTuple):
    """A declaration and the version text it holds."""

    declaration: Declaration
    value: str


def parse_spec(spec: str, root: Path) -> Declaration:
    """Turn a user's `path[:what]` into a Declaration."""
    path, sep, what = spec.partition(":")
    if not sep or not what:
        return _auto_declaration(path, root)
    if path.endswith(".toml") and (_DOTTED.fullmatch(what) or what == "version"):
        return Declaration(path, "toml", _resolve_toml_key(path, what, root))
    if _IDENTIFIER.fullmatch(what) and not path.endswith(".toml"):
        return Declaration(path, "variable", what)
    try:
        re.compile(what)
    except re.error as exc:
        raise ConfigError(f"version_files: {spec!r} has an invalid regex: {exc}") from None
    return Declaration(path, "regex", what)


def _resolve_toml_key(path: str, key: str, root: Path) -> str:
    if key != "version":
        return key
    # commitizen's `pyproject.toml:version` means "the version line": pick the real table.
    data = _load_toml(root / path)
    for candidate in ("project.version", "tool.poetry.version", "version"):
        if _dig(data, candidate) is not None:
            return candidate
    return "project.version"


def _auto_declaration(path: str, root: Path) -> Declaration:
    name = Path(path).name
    if name == "pyproject.toml":
        return Declaration(path, "toml", _resolve_toml_key(path, "version", root))
    if name == "setup.cfg":
        return Declaration(path, "setup_cfg", "[metadata] version")
    if name == "setup.py":
        return Declaration(path, "setup_py", "version=")
    if path.endswith(".toml"):
        return Declaration(path, "toml", "version")
    return Declaration(path, "variable", "__version__")


def locate(decl: Declaration, text: str) -> list[tuple[int, int]]:
    """The character spans of the version value(s) the declaration points at in TEXT."""
    if decl.kind == "toml":
        return _toml_spans(text, decl.key)
    if decl.kind == "variable":
        pattern = (
            rf"^[ \t]*{re.escape(decl.key)}[ \t]*(?::[^=\n]+)?=[ \t]*"
            r"([\"'])(?P<version>[^\"'\n]+)\1"
        )
        return _group_spans(re.compile(pattern, re.MULTILINE), text)
    if decl.kind == "setup_cfg":
        section = re.search(r"^\[metadata\][ \t]*$(?P<body>.*?)(?=^\[|\Z)", text, re.M | re.S)
        if not section:
            return []
        inner = re.compile(r"^version[ \t]*[=:][ \t]*(?P<version>[^\s#;]+)", re.MULTILINE)
        offset = section.start("body")
        return [(offset + s, offset + e) for s, e in _group_spans(inner, section["body"])]
    if decl.kind == "setup_py":
        pattern = r"\bversion[ \t]*=[ \t]*([\"'])(?P<version>[^\"'\n]+)\1"
        return _group_spans(re.compile(pattern), text)
    return _regex_spans(re.compile(decl.key, re.MULTILINE), text)


def _group_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span("version") for m in pattern.finditer(text)]


def _regex_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    if "version" in pattern.groupindex:
        return _group_spans(pattern, text)
    # Like commitizen: the version-looking text inside each line the regex matches.
    spans = []
    version_like = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)?(?:[-.+]?[A-Za-z0-9]+(?:\.\d+)?)*")
    position = 0
    for line in text.splitlines(keepends=True):
        if pattern.search(line):
            found = version_like.search(line)
            if found:
                spans.append((position + found.start(), position + found.end()))
        position += len(line)
    return spans


def _toml_spans(text: str, dotted: str) -> list[tuple[int, int]]:
    """Find `key = "value"` for a dotted key by tracking [table] headers line by line."""
    table = ""
    spans = []
    position = 0
    for line in text.splitlines(keepends=True):
        header = _TOML_HEADER.match(line)
        if header:
            table = _normalise_key(header["name"])
        elif _TOML_ARRAY_HEADER.match(line):
            table = "\0"  # inside an array of tables: never the declaration
        else:
            match = _TOML_STRING.match(line)
            if match and table != "\0":
                key = _normalise_key(match["key"])
                full = f"{table}.{key}" if table else key
                if full == dotted:
                    spans.append((position + match.start("value"), position + match.end("value")))
        position += len(line)
    return spans


def _normalise_key(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def replace(decl: Declaration, text: str, new: str) -> str:
    """TEXT with the declared version set to NEW; nothing else changes."""
    spans = locate(decl, text)
    if not spans:
        raise VersionError(
            f"{decl.path}: no version found for {decl}",
            "check version_files in [tool.autorelease]",
            ExitCode.NO_VERSION,
        )
    for start, end in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def read(decl: Declaration, text: str) -> str | None:
    """The version the declaration holds in TEXT (the first, if it matches several times)."""
    spans = locate(decl, text)
    return text[spans[0][0] : spans[0][1]] if spans else None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def discover(root: Path, pyproject: Mapping[str, Any]) -> list[Declaration]:
    """The declarations a project has, when the user named none."""
    found: list[Declaration] = []
    project = pyproject.get("project", {})
    if isinstance(project.get("version"), str):
        found.append(Declaration("pyproject.toml", "toml", "project.version"))
    if isinstance(_dig(pyproject, "tool.poetry.version"), str):
        found.append(Declaration("pyproject.toml", "toml", "tool.poetry.version"))
    hatch_path = _dig(pyproject, "tool.hatch.version.path")
    if isinstance(hatch_path, str):
        found.append(Declaration(hatch_path, "variable", "__version__"))
    for name, kind, key in (("setup.cfg", "setup_cfg", "[metadata] version"),
                            ("setup.py", "setup_py", "version=")):  # fmt: skip
        decl = Declaration(name, kind, key)
        if (root / name).is_file() and read(decl, (root / name).read_text()) not in (None, ""):
            value = read(decl, (root / name).read_text()) or ""
            if not value.startswith(("attr:", "file:")):
                found.append(decl)
    # A literal __version__ next to a static version is a declaration too: leaving it behind
    # would ship a package whose metadata and __version__ disagree.
    found.extend(d for d in _module_declarations(root) if d not in found)
    return found


def _module_declarations(root: Path) -> list[Declaration]:
    found = []
    for pattern in ("src/*/__init__.py", "*/__init__.py", "src/*/__about__.py", "*/__about__.py"):
        for path in sorted(root.glob(pattern)):
            decl = Declaration(path.relative_to(root).as_posix(), "variable", "__version__")
            if read(decl, path.read_text(errors="replace")):
                found.append(decl)
    return found


def uses_scm_version(pyproject: Mapping[str, Any]) -> bool:
    """True when the version comes from git tags at build time (hatch-vcs, setuptools-scm...)."""
    dynamic = pyproject.get("project", {}).get("dynamic", [])
    if "version" not in dynamic:
        return False
    requires = " ".join(pyproject.get("build-system", {}).get("requires", [])).lower()
    tool = pyproject.get("tool", {})
    return (
        any(name in requires for name in ("setuptools-scm", "setuptools_scm", "hatch-vcs",
                                          "pdm-backend", "versioningit", "dunamai"))
        or _dig(pyproject, "tool.hatch.version.source") == "vcs"
        or "setuptools_scm" in tool
        or _dig(pyproject, "tool.pdm.version.source") == "scm"
    )  # fmt: skip


def read_all(root: Path, declarations: list[Declaration]) -> list[Found]:
    """Read every declaration; raise if a file or its version is missing."""
    found = []
    for decl in declarations:
        path = root / decl.path
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise VersionError(
                f"{decl.path} does not exist but version_files names it",
                "fix version_files in [tool.autorelease]",
                ExitCode.NO_VERSION,
            ) from None
        value = read(decl, text)
        if value is None:
            raise VersionError(
                f"{decl.path}: no version declaration found ({decl})",
                "add one, or fix version_files in [tool.autorelease]",
                ExitCode.NO_VERSION,
            )
        found.append(Found(decl, value))
    return found
