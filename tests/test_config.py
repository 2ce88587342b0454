"""config.load: precedence of autorelease, commitizen and semantic-release; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from autorelease.core import config
from autorelease.errors import ConfigError, ExitCode


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_defaults(tmp_path: Path) -> None:
    cfg = config.load(tmp_path)
    assert cfg.tag_format == "v{version}"
    assert cfg.bump_map == {"feat": "minor", "fix": "patch", "perf": "patch"}
    assert cfg.major_on_zero is True
    assert cfg.changelog_file == "CHANGELOG.md"
    assert cfg.commit_rules == ""
    assert set(cfg.origin.values()) == {"default"}


OWN = '[tool.autorelease]\ntag_format = "release-{version}"\n'
CZ = '[tool.commitizen]\ntag_format = "cz-$version"\nmajor_version_zero = true\n'
PSR = '[tool.semantic_release]\ntag_format = "psr-{version}"\nallow_zero_version = false\n'


@pytest.mark.parametrize(
    ("files", "tag_format", "origin"),
    [
        ({"pyproject.toml": OWN + CZ + PSR}, "release-{version}", "[tool.autorelease]"),
        ({"pyproject.toml": CZ + PSR}, "cz-{version}", "pyproject.toml [tool.commitizen]"),
        ({"pyproject.toml": PSR}, "psr-{version}", "[tool.semantic_release]"),
        ({"pyproject.toml": PSR, ".cz.toml": CZ}, "cz-{version}", ".cz.toml"),
        ({"pyproject.toml": OWN + PSR, ".cz.toml": CZ}, "release-{version}", "[tool.autorelease]"),
        ({"pyproject.toml": PSR, "cz.toml": "[commitizen]\ntag_format = '${version}'\n"},
         "{version}", "cz.toml"),
    ],
)  # fmt: skip
def test_precedence(tmp_path: Path, files: dict[str, str], tag_format: str, origin: str) -> None:
    cfg = config.load(write(tmp_path, files))
    assert cfg.tag_format == tag_format
    assert origin in cfg.origin["tag_format"]


def test_precedence_is_key_by_key(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, {"pyproject.toml": OWN + CZ + PSR}))
    assert cfg.tag_format == "release-{version}"
    assert cfg.major_on_zero is False  # commitizen's major_version_zero
    assert cfg.allow_zero_version is False  # semantic-release's
    assert cfg.origin["allow_zero_version"] == "pyproject.toml [tool.semantic_release]"


@pytest.mark.parametrize(
    ("cz", "key", "value"),
    [
        ("version_provider = 'pep621'", "version_files", ["pyproject.toml:project.version"]),
        ("version_provider = 'poetry'", "version_files", ["pyproject.toml:tool.poetry.version"]),
        ("version_provider = 'scm'", "version_source", "tag"),
        ("version = '1.0.0'\nversion_files = ['src/p/__init__.py:__version__']", "version_files",
         ["pyproject.toml:tool.commitizen.version", "src/p/__init__.py:(?:__version__)"]),
        ("version_scheme = 'semver2'", "version_scheme", "semver"),
        ("version_scheme = 'pep440'", "version_scheme", "pep440"),
        ("changelog_file = 'HISTORY.md'", "changelog_file", "HISTORY.md"),
        ("name = 'cz_customize'", "commit_rules", "cz_customize"),
        ("name = 'cz_conventional_commits'", "commit_rules", ""),
        ("tag_format = '$version'", "tag_format", "{version}"),
        ("bump_map = {'feat' = 'MAJOR', 'docs' = 'PATCH'}", "bump_map",
         {"feat": "major", "docs": "patch"}),
        # commitizen's bump_map keys are regexes matched against the type
        ("bump_map = {'^.+!$' = 'MAJOR', '^feat' = 'MINOR', '^refactor$' = 'PATCH'}",
         "bump_map", {"feat": "minor", "refactor": "patch"}),
        # cz check's header limit: none unless message_length_limit sets one
        ("name = 'cz_conventional_commits'", "max_header_length", 0),
        ("message_length_limit = 72", "max_header_length", 72),
        ("message_length_limit = -1", "max_header_length", 0),
    ],
)  # fmt: skip
def test_from_commitizen(tmp_path: Path, cz: str, key: str, value: object) -> None:
    cfg = config.load(write(tmp_path, {"pyproject.toml": f"[tool.commitizen]\n{cz}\n"}))
    assert cfg.values[key] == value


@pytest.mark.parametrize(
    ("psr", "key", "value"),
    [
        ("version_toml = ['pyproject.toml:project.version']", "version_files",
         ["pyproject.toml:project.version"]),
        ("version_variables = ['src/p/__init__.py:__version__:nf']", "version_files",
         ["src/p/__init__.py:__version__:nf"]),
        ("version_variables = ['src/p/__init__.py:__version__']", "version_files",
         ["src/p/__init__.py:__version__:nf"]),
        ("version_variables = ['README.md:pkg@COMMIT  #:tf']", "version_files",
         ["README.md:pkg@COMMIT  #:tf"]),
        ("version_toml = ['pyproject.toml:project.version:tf']", "version_files",
         ["pyproject.toml:project.version:tf"]),
        ("version_toml = ['pyproject.toml:project.version:nf']", "version_files",
         ["pyproject.toml:project.version"]),
        ("major_on_zero = false", "major_on_zero", False),
        ("tag_format = 'v{version}'", "max_header_length", 0),  # PSR checks no message
        ("[tool.semantic_release.changelog]\nchangelog_file = 'NEWS.md'", "changelog_file",
         "NEWS.md"),
        ("[tool.semantic_release.changelog.default_templates]\nchangelog_file = 'N.md'",
         "changelog_file", "N.md"),
    ],
)  # fmt: skip
def test_from_semantic_release(tmp_path: Path, psr: str, key: str, value: object) -> None:
    cfg = config.load(write(tmp_path, {"pyproject.toml": f"[tool.semantic_release]\n{psr}\n"}))
    assert cfg.values[key] == value


@pytest.mark.parametrize(
    ("toml", "message", "hint"),
    [
        ("tag_fromat = 'v{version}'", r"pyproject\.toml: unknown key .*tag_fromat",
         "did you mean 'tag_format'?"),
        ("frobnicate = 1", "unknown key", "docs/configuration.md"),
        ("major_on_zero = 'yes'",
         r"pyproject\.toml: tool\.autorelease\.major_on_zero must be true or false, not str",
         None),
        ("version_files = 'pyproject.toml'",
         r"pyproject\.toml: tool\.autorelease\.version_files must be a list", None),
        ("major_on_zero = 1", "major_on_zero must be true or false", None),
        ("parse_squash_bodies = 0", "parse_squash_bodies must be true or false", None),
        ("tag_format = true", "tag_format must be a string", None),
        ("version_scheme = 'calver'", r"version_scheme = 'calver' is not one of pep440, semver",
         None),
        ("tag_format = 'v'", r"tag_format = 'v' lacks \{version\}", "v{version}"),
        ("version_files = [1]", "version_files must hold only strings", None),
        ("bump_map = {feat = 'huge'}", r"bump_map\.feat = 'huge' is not major, minor", None),
        ("max_header_length = -1", r"tool\.autorelease\.max_header_length must be 0 or more", None),
        ("max_header_length = '72'", "max_header_length must be a number of characters", None),
    ],
)  # fmt: skip
def test_invalid_own_config(tmp_path: Path, toml: str, message: str, hint: str | None) -> None:
    write(tmp_path, {"pyproject.toml": f"[tool.autorelease]\n{toml}\n"})
    with pytest.raises(ConfigError, match=message) as info:
        config.load(tmp_path)
    assert info.value.code == ExitCode.CONFIG
    if hint:
        assert info.value.hint is not None
        assert hint in info.value.hint


def test_own_table_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool]\nautorelease = 3\n"})
    with pytest.raises(ConfigError, match=r"\[tool\.autorelease\] must be a table"):
        config.load(tmp_path)


@pytest.mark.parametrize("name", ["pyproject.toml", ".cz.toml"])
def test_malformed_toml(tmp_path: Path, name: str) -> None:
    write(tmp_path, {name: "[tool.autorelease\ntag_format = 'v{version}'\n"})
    with pytest.raises(ConfigError, match=rf"{name} is not valid TOML: .*line 1") as info:
        config.load(tmp_path)
    assert info.value.hint == f"fix the syntax in {tmp_path / name}"
    assert "\n" not in str(info.value)


def test_commitizen_tag_format_with_other_fields(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.commitizen]\ntag_format = '$major.$minor'\n"})
    with pytest.raises(ConfigError, match="uses fields autorelease does not support"):
        config.load(tmp_path)


def test_with_values_records_the_command_line(tmp_path: Path) -> None:
    cfg = config.load(tmp_path).with_values(tag_format="{version}")
    assert (cfg.tag_format, cfg.origin["tag_format"]) == ("{version}", "command line")
    with pytest.raises(AttributeError):
        _ = cfg.no_such_key


@pytest.mark.parametrize(
    ("name", "text", "spec"),
    [
        (".cz.toml", '[tool.commitizen]\nversion = "0.3.0"\n', ".cz.toml:tool.commitizen.version"),
        (".cz.toml", '[commitizen]\nversion = "0.3.0"\n', ".cz.toml:commitizen.version"),
        ("cz.toml", '[commitizen]\nversion = "0.3.0"\n', "cz.toml:commitizen.version"),
    ],
)
def test_commitizen_version_provider_points_at_its_own_table(
    tmp_path: Path, name: str, text: str, spec: str
) -> None:
    write(tmp_path, {name: text})
    assert config.load(tmp_path).version_files == [spec]
