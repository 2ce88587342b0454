"""A workspace: the packages one repository releases, where each lives, what each needs.

Packages come from `[tool.uv.workspace] members` (globs, `exclude`) and from
`[tool.autorelease.packages]` (name = "path", or name = {path, tag_format, changelog_file,
version_files, scopes, previous_tag_format}). A repository with neither is not a workspace
(`discover` returns None) and is released as one package, as it always was. Reads files only.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.core import config, config_checks
from autorelease.core.version import parse_version
from autorelease.errors import ConfigError
from autorelease.fileio import inside

DEFAULT_TAG_FORMAT = "{name}-v{version}"
# A project name (PEP 508): what a package of the workspace may be called.
PROJECT_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
# What a package's table in [tool.autorelease.packages] may set, and what each must be.
PACKAGE_KEYS: dict[str, tuple[type, str]] = {
    "path": (str, "the package's folder, relative to the repository root"),
    "tag_format": (str, "a string containing {version}"),
    "previous_tag_format": (str, "a string containing {version}"),
    "changelog_file": (str, "a path relative to the package's folder, or ''"),
    "version_files": (list, "a list of strings relative to the package's folder"),
    "scopes": (list, "a list of commit scopes"),
}


class Dependency(NamedTuple):
    """One requirement a package has on another package of the workspace."""

    name: str  # the package depended on, as the workspace names it
    requirement: str  # the string as [project].dependencies writes it
    specifier: str  # its version specifier, e.g. ">=1.2,<2" ("" for any version)


class Package(NamedTuple):
    """One package of the workspace and its settings, every path relative to the root."""

    name: str
    path: str  # "." for the repository's root
    pyproject: Mapping[str, Any]
    tag_format: str
    previous_tag_formats: tuple[str, ...]  # older tags that count as its releases
    changelog_file: str  # "" keeps none
    version_files: tuple[str, ...]
    scopes: tuple[str, ...]  # commit scopes that name it (with scope_routes)
    dependencies: tuple[Dependency, ...]


class Workspace(NamedTuple):
    """The packages in dependency order (a package after everything it needs), and how they
    move together."""

    packages: tuple[Package, ...]
    dependents: str  # bump | update-only | ignore
    linked: tuple[tuple[str, ...], ...]
    scope_routes: bool
    outside_files: str  # ignore | all


def discover(root: Path, cfg: config.Config) -> Workspace | None:
    """The workspace under ROOT, or None when the repository is one package."""
    listed = dict(cfg.packages)
    members = _uv_members(root, cfg.pyproject)
    if not listed and not members:
        return None
    found = _named_members(root, members)
    for name, spec in listed.items():
        _check_package_table(name, spec)
        path = spec if isinstance(spec, str) else spec.get("path")
        if path is None and name not in found:
            raise ConfigError(
                f"pyproject.toml: [tool.autorelease.packages].{name} is no workspace member "
                "and has no path",
                f'write {name} = "path/to/{name}" (the folder of its pyproject.toml)',
            )
        if path is not None:
            found[name] = _clean_path(root, name, str(path))
    if not found:
        return None
    _check_one_package_per_folder(found)
    packages = [
        _package(root, cfg, name, path, listed.get(name)) for name, path in sorted(
            found.items(), key=lambda item: item[1])
    ]  # fmt: skip
    linked = _linked(cfg.linked, {p.name for p in packages})
    _check_shared_tags(packages, linked)
    return Workspace(
        packages=tuple(dependency_order(_with_dependencies(packages))),
        dependents=str(cfg.dependents),
        linked=linked,
        scope_routes=bool(cfg.scope_routes),
        outside_files=str(cfg.outside_files),
    )


def _check_shared_tags(packages: list[Package], linked: tuple[tuple[str, ...], ...]) -> None:
    """Packages may share a tag format (one tag for a lockstep release, as `v{version}`) only
    in one linked group: else each would take the other's tags for its own releases. A
    previous_tag_format counts too: its tags are the package's releases as well."""
    by_format: dict[str, list[str]] = {}
    for package in packages:
        for fmt in dict.fromkeys((package.tag_format, *package.previous_tag_formats)):
            by_format.setdefault(fmt, []).append(package.name)
    for tag_format, names in by_format.items():
        if len(names) > 1 and not any(set(names) <= set(group) for group in linked):
            quoted = ", ".join(f'"{name}"' for name in names)
            raise ConfigError(
                f"the packages {', '.join(names)} share the tag format {tag_format} but are "
                "not linked",
                f"link them to release them together under one tag (linked = [[{quoted}]]), "
                "or give each its own tag_format",
            )


def _named_members(root: Path, members: list[str]) -> dict[str, str]:
    """MEMBERS (folders) by the [project].name each holds; two members of one name refused."""
    found: dict[str, str] = {}
    for path in members:
        name = _name_of(root, path)
        if name in found:
            raise ConfigError(
                f"the workspace members {found[name]} and {path} are both named {name}",
                "give each its own [project].name, or exclude one in [tool.uv.workspace]",
            )
        found[name] = path
    return found


def _check_one_package_per_folder(found: dict[str, str]) -> None:
    """Two names for one folder would release it twice (one version already released under
    the other name's tags): refused."""
    by_folder: dict[str, list[str]] = {}
    for name, path in found.items():
        by_folder.setdefault(path, []).append(name)
    for path, names in by_folder.items():
        if len(names) > 1:
            raise ConfigError(
                f"the packages {' and '.join(names)} are the same folder, {path}",
                "name each package's folder once in [tool.autorelease.packages] (a uv member "
                "is named by its [project].name already)",
            )


def _uv_members(root: Path, pyproject: Mapping[str, Any]) -> list[str]:
    """The folders `[tool.uv.workspace]` names (with the root when it is a project itself)."""
    table = pyproject.get("tool", {}).get("uv", {}).get("workspace")
    if not isinstance(table, Mapping):
        return []
    excluded = [str(p).rstrip("/") for p in table.get("exclude", [])]
    folders = []
    for pattern in table.get("members", []):
        if config_checks.is_outside(str(pattern)):
            raise ConfigError(
                f"pyproject.toml: [tool.uv.workspace] members: {pattern!r} is outside the "
                "repository",
                "list the members' folders relative to the repository root, inside it",
            )
        for path in sorted(root.glob(str(pattern).rstrip("/"))):
            rel = posixpath.normpath(path.relative_to(root).as_posix())
            if (path / "pyproject.toml").is_file() and not any(
                fnmatch.fnmatchcase(rel, ex) for ex in excluded
            ):
                folders.append(rel)
    if folders and isinstance(pyproject.get("project", {}).get("name"), str):
        folders.insert(0, ".")  # uv: the root is a member when it is a project
    return list(dict.fromkeys(folders))


def _check_package_table(name: str, spec: Any) -> None:
    if not PROJECT_NAME.fullmatch(name):  # it goes into the release commit's message and tags
        raise ConfigError(
            f"pyproject.toml: [tool.autorelease.packages] names a package {name!r}, which is "
            "no project name",
            "use letters, digits and . _ - and start and end with a letter or digit, as "
            "[project].name does",
        )
    where = f"pyproject.toml: [tool.autorelease.packages].{name}"
    if isinstance(spec, str):
        return
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} must be a path or a table, not {type(spec).__name__}")
    for key, value in spec.items():
        if key not in PACKAGE_KEYS:
            raise ConfigError(
                f"{where}: unknown key {key}", f"use one of {', '.join(PACKAGE_KEYS)}"
            )
        kind, expected = PACKAGE_KEYS[key]
        if not isinstance(value, kind) or (
            isinstance(value, list) and not all(isinstance(item, str) for item in value)
        ):
            raise ConfigError(f"{where}.{key} must be {expected}, not {value!r}")
        if key.endswith("tag_format") and "{version}" not in str(value):
            raise ConfigError(f"{where}.{key} = {value!r} lacks {{version}}",
                              'write it like "{name}-v{version}"')  # fmt: skip
        if key.endswith("tag_format"):
            config_checks.check_tag_format(str(value), f"{where}.{key} = {value!r}")


def _check_tag_name(name: str, tag_format: str) -> None:
    """Refuse the package NAME when its TAG_FORMAT ({name} filled in) makes tags git refuses:
    found when the configuration is read, never by `git tag` after the release commit."""
    tag = tag_format.replace("{version}", config_checks.SAMPLE_VERSION)
    problem = config_checks.tag_name_problem(tag)
    if problem:
        raise ConfigError(
            f"the package {name!r} makes tags like {tag!r}, which git refuses: {problem}",
            "give it a tag_format without {name} in its [tool.autorelease.packages] table, "
            'e.g. tag_format = "mypkg-v{version}"',
        )


def _clean_path(root: Path, name: str, path: str) -> str:
    clean = posixpath.normpath(Path(path).as_posix()).strip("/") or "."
    if config_checks.is_outside(path) or config_checks.is_outside(clean):
        raise ConfigError(
            f"pyproject.toml: [tool.autorelease.packages].{name} = {path!r} is outside the "
            "repository",
            "give the package's folder relative to the repository root",
        )
    if not (root / clean / "pyproject.toml").is_file():
        raise ConfigError(
            f"pyproject.toml: [tool.autorelease.packages].{name}: {clean}/pyproject.toml "
            "does not exist",
            "give the folder that holds the package's pyproject.toml",
        )
    return clean


def _read(root: Path, path: str) -> dict[str, Any]:
    where = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
    try:  # nothing outside the repository is read, through any link
        with inside(root, where).open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}", f"fix {where}") from None


def _name_of(root: Path, path: str) -> str:
    name = _read(root, path).get("project", {}).get("name")
    if not isinstance(name, str):
        where = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
        raise ConfigError(
            f"{where} has no [project].name, so its package cannot be named",
            f'add name = "..." to [project] in {where}, or exclude the folder in '
            "[tool.uv.workspace]",
        )
    if not PROJECT_NAME.fullmatch(name):
        where = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
        raise ConfigError(
            f"{where}: [project].name = {name!r} is no project name",
            "use letters, digits and . _ - and start and end with a letter or digit",
        )
    return name


def _package(
    root: Path, cfg: config.Config, name: str, path: str, spec: str | dict[str, Any] | None
) -> Package:
    # The package's table wins, then the settings the member released with on its own.
    own = spec if isinstance(spec, dict) else {}
    pyproject = _read(root, path)
    settings = {**_adopted(root, path, set(own), pyproject), **own}
    here = "" if path == "." else f"{path}/"
    root_format = str(cfg.tag_format)
    default_format = root_format if "{name}" in root_format else DEFAULT_TAG_FORMAT
    chosen = cfg.origin["tag_format"] != "default"  # the root's own tags: chosen, not defaulted
    if path == "." and chosen and "{name}" not in root_format:
        default_format = root_format  # a root released under its own format keeps it
    tag_format = str(settings.get("tag_format", default_format)).replace("{name}", name)
    _check_tag_name(name, tag_format)
    previous = settings.get("previous_tag_format")
    if previous is None and path == "." and default_format != root_format:
        previous = root_format  # a repository that became a workspace: its old tags
    log_name = settings.get("changelog_file", Path(str(cfg.changelog_file)).name)
    return Package(
        name=name,
        path=path,
        pyproject=pyproject,
        tag_format=tag_format,
        previous_tag_formats=(str(previous).replace("{name}", name),) if previous else (),
        # One name for one file: two packages' "../CHANGES.md" are the same file, said once.
        changelog_file=posixpath.normpath(f"{here}{log_name}") if log_name else "",
        version_files=tuple(_spec_in(here, spec) for spec in settings.get("version_files", ())),
        scopes=(name, *settings.get("scopes", ())),
        dependencies=(),
    )


def _spec_in(here: str, spec: str) -> str:
    """The version_files entry SPEC (`path[:what]`, its path relative to the folder HERE) with
    its path relative to the root, one name for one file: git names packages/core/../../VERSION
    VERSION, and so must the release."""
    path, sep, what = spec.partition(":")
    return f"{posixpath.normpath(f'{here}{path}')}{sep}{what}"


ADOPTED = ("tag_format", "version_files", "changelog_file")


def _adopted(
    root: Path, path: str, given: set[str], pyproject: Mapping[str, Any]
) -> dict[str, Any]:
    """The tag format, version files and changelog a member folder's own configuration names
    ([tool.autorelease], [tool.semantic_release], [tool.commitizen] or .cz.toml there): a
    package that python-semantic-release or commitizen released on its own keeps its tags.
    GIVEN: the keys the package's table sets (when it sets all three, the folder's is unread);
    PYPROJECT: the folder's pyproject.toml, read already."""
    if path == "." or set(ADOPTED) <= given:
        return {}  # the root's configuration is the workspace's
    try:
        own = config.load(root / path, pyproject)
    except ConfigError as exc:  # its settings as that folder's: say which folder
        raise ConfigError(
            f"{path}/{exc.message}",
            f"{exc.hint or 'fix it there'}; or set tag_format, version_files and "
            "changelog_file in its [tool.autorelease.packages] table",
        ) from None
    chosen = [k for k in ADOPTED if own.origin[k] != "default" and "detected" not in own.origin[k]]
    return {key: own.values[key] for key in chosen}


def _with_dependencies(packages: list[Package]) -> list[Package]:
    """PACKAGES, each with the requirements its [project].dependencies has on the others."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    names = {canonicalize_name(p.name): p.name for p in packages}
    out = []
    for package in packages:
        deps = []
        for text in package.pyproject.get("project", {}).get("dependencies", []):
            try:
                req = Requirement(str(text))
            except InvalidRequirement:
                continue  # not ours to judge: the build will say
            target = names.get(canonicalize_name(req.name))
            if target is not None and target != package.name:
                deps.append(Dependency(target, str(text), str(req.specifier)))
        out.append(package._replace(dependencies=tuple(deps)))
    return out


def dependency_order(packages: list[Package]) -> list[Package]:
    """PACKAGES with each after every package it depends on; ConfigError on a cycle."""
    done: dict[str, Package] = {}
    waiting = list(packages)
    while waiting:
        ready = [p for p in waiting if all(d.name in done for d in p.dependencies)]
        if not ready:
            raise ConfigError(
                f"the workspace's packages depend on each other in a cycle: {_cycle(waiting)}",
                "remove one of these dependencies: packages are released in dependency order",
            )
        for package in ready:
            done[package.name] = package
        waiting = [p for p in waiting if p.name not in done]
    return list(done.values())


def _cycle(waiting: list[Package]) -> str:
    """One cycle among WAITING (packages each of which needs another of them), as a -> b -> a."""
    needs = {p.name: [d.name for d in p.dependencies if d.name in {w.name for w in waiting}]
             for p in waiting}  # fmt: skip
    path = [waiting[0].name]
    while path[-1] not in path[:-1]:
        path.append(needs[path[-1]][0])
    return " -> ".join(path[path.index(path[-1]) :])


def _linked(groups: list[Any], names: set[str]) -> tuple[tuple[str, ...], ...]:
    out = []
    for group in groups:
        if not isinstance(group, list) or not all(isinstance(n, str) for n in group):
            raise ConfigError(
                f"pyproject.toml: [tool.autorelease].linked holds {group!r}, not a list of "
                "package names",
                'write it like linked = [["core", "plugin"]]',
            )
        unknown = [n for n in group if n not in names]
        if unknown:
            raise ConfigError(
                f"pyproject.toml: [tool.autorelease].linked names {', '.join(unknown)}, "
                "which is no package of the workspace",
                f"use the packages' names: {', '.join(sorted(names))}",
            )
        out.append(tuple(group))
    return tuple(out)


def rewrite_requirement(text: str, dep: Dependency, new: str) -> str:
    """TEXT with the requirement DEP (a quoted string in it) admitting version NEW."""
    replacement = moved_requirement(dep.requirement, new)
    for quote in ('"', "'"):
        literal = f"{quote}{dep.requirement}{quote}"
        if literal in text:
            return text.replace(literal, f"{quote}{replacement}{quote}")
    return text


def moved_requirement(requirement: str, new: str) -> str:
    """REQUIREMENT with its specifier moved to admit NEW: a pin follows it, an upper bound
    goes to the next major version, a lower bound rises to it."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    req = Requirement(requirement)
    version = parse_version(new)
    major = version.major if version else 0
    parts = []
    for spec in sorted(req.specifier, key=lambda s: (s.operator[0] not in ">=~", str(s))):
        if spec.operator in ("==", "==="):
            parts.append(f"=={major}.*" if spec.version.endswith(".*") else f"=={new}")
        elif spec.operator in ("<", "<="):
            parts.append(f"<{major + 1}")
        elif spec.operator in (">=", ">", "~="):
            parts.append(f">={new}")  # released against it: older ones may lack what it needs
        elif spec.version != new:
            parts.append(str(spec))
    specifier = ",".join(parts)
    if not SpecifierSet(specifier).contains(new, prereleases=True):
        specifier = f">={new}"
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f"; {req.marker}" if req.marker else ""
    return f"{req.name}{extras}{specifier}{marker}"
