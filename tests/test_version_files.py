"""Version declarations: find exactly the declaration, rewrite only it, and discover them."""

from __future__ import annotations

from pathlib import Path

import pytest

from autorelease.core import version_files as vf
from autorelease.errors import ConfigError, ExitCode, VersionError

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.0.0"]

[project]
name = "pkg"
version = "1.0.0"  # the release
dependencies = [
    "other>=1.0.0",
    "third==1.0.0",
]
optional-dependencies = { test = ["pytest>=1.0.0"] }

[project.urls]
version = "https://example.com/1.0.0"

[tool.ruff]
target-version = "py311"

[[tool.mypy.overrides]]
version = "1.0.0"

[tool.poetry]
version = '1.0.0'

[tool.poetry.dependencies]
version = "1.0.0"
"""


def test_pyproject_rewrites_only_the_declaration() -> None:
    decl = vf.Declaration("pyproject.toml", "toml", "project.version")
    after = vf.replace(decl, PYPROJECT, "1.1.0")
    expected = PYPROJECT.replace(
        'version = "1.0.0"  # the release', 'version = "1.1.0"  # the release'
    )
    assert after == expected
    assert vf.read(decl, after) == "1.1.0"


def test_poetry_table() -> None:
    decl = vf.Declaration("pyproject.toml", "toml", "tool.poetry.version")
    after = vf.replace(decl, PYPROJECT, "2.0.0")
    assert after == PYPROJECT.replace("version = '1.0.0'", "version = '2.0.0'")


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[tool]\npoetry.version = "1.0.0"\n', "tool.poetry.version",
         '[tool]\npoetry.version = "9"\n'),
        ('"project".version = "1.0.0"\n', "project.version", '"project".version = "9"\n'),
        ('[ project ]  # main\nversion="1.0.0"\n', "project.version",
         '[ project ]  # main\nversion="9"\n'),
        ('[tool.commitizen]\nversion = "1.0.0"\n', "tool.commitizen.version",
         '[tool.commitizen]\nversion = "9"\n'),
        ('[tool.other]\nversion = "1.0.0"\n[project]\nversion = "1.0.0"\n', "project.version",
         '[tool.other]\nversion = "1.0.0"\n[project]\nversion = "9"\n'),
    ],
)  # fmt: skip
def test_toml_keys(text: str, key: str, expected: str) -> None:
    assert vf.replace(vf.Declaration("x.toml", "toml", key), text, "9") == expected


@pytest.mark.parametrize(
    ("kind", "key", "text", "expected"),
    [
        ("variable", "__version__", '__version__ = "1.0.0"\nOTHER = "1.0.0"\n',
         '__version__ = "2.0.0"\nOTHER = "1.0.0"\n'),
        ("variable", "__version__", "__version__: str = '1.0.0'\n", "__version__: str = '2.0.0'\n"),
        ("variable", "__version__", 'x__version__ = "1.0.0"\n', None),
        ("variable", "VERSION", 'VERSION = "1.0.0"\nMY_VERSION = "1.0.0"\n',
         'VERSION = "2.0.0"\nMY_VERSION = "1.0.0"\n'),
        ("setup_cfg", "[metadata] version",
         "[metadata]\nname = p\nversion = 1.0.0\n\n[options]\nversion = 1.0.0\n",
         "[metadata]\nname = p\nversion = 2.0.0\n\n[options]\nversion = 1.0.0\n"),
        ("setup_py", "version=",
         'setup(\n    name="p",\n    version="1.0.0",\n    python_requires=">=1.0.0",\n'
         '    install_requires=["dep==1.0.0"],\n    target_version="1.0.0",\n)\n',
         'setup(\n    name="p",\n    version="2.0.0",\n    python_requires=">=1.0.0",\n'
         '    install_requires=["dep==1.0.0"],\n    target_version="1.0.0",\n)\n'),
        ("regex", r'^VERSION = "(?P<version>[^"]+)"', 'VERSION = "1.0.0"\nX = "1.0.0"\n',
         'VERSION = "2.0.0"\nX = "1.0.0"\n'),
        ("regex", "^version", 'other = "1.0.0"\nversion: 1.0.0\n',
         'other = "1.0.0"\nversion: 2.0.0\n'),
    ],
)  # fmt: skip
def test_kinds(kind: str, key: str, text: str, expected: str | None) -> None:
    decl = vf.Declaration("f", kind, key)
    if expected is None:
        with pytest.raises(VersionError, match="no version found") as info:
            vf.replace(decl, text, "2.0.0")
        assert info.value.code == ExitCode.NO_VERSION
    else:
        assert vf.replace(decl, text, "2.0.0") == expected


@pytest.mark.parametrize(
    ("spec", "kind", "key"),
    [
        ("pyproject.toml", "toml", "tool.poetry.version"),
        ("pyproject.toml:project.version", "toml", "project.version"),
        ("pyproject.toml:tool.poetry.version", "toml", "tool.poetry.version"),
        ("pyproject.toml:version", "toml", "tool.poetry.version"),  # commitizen's spelling
        ("src/p/__init__.py", "variable", "__version__"),
        ("src/p/__init__.py:__version__", "variable", "__version__"),
        ("src/p/_version.py:VERSION", "variable", "VERSION"),
        ("setup.cfg", "setup_cfg", "[metadata] version"),
        ("setup.py", "setup_py", "version="),
        ("Chart.toml", "toml", "version"),
        ("docs/conf.py:^release = ", "regex", "^release = "),
        ("package.json:\"version\": \"(?P<version>[^\"]+)\"", "regex",
         "\"version\": \"(?P<version>[^\"]+)\""),
    ],
)  # fmt: skip
def test_parse_spec(tmp_path: Path, spec: str, kind: str, key: str) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.poetry]\nversion = "1.0.0"\n')
    assert vf.parse_spec(spec, tmp_path) == vf.Declaration(spec.partition(":")[0], kind, key)


def test_parse_spec_bad_regex(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid regex"):
        vf.parse_spec("f.txt:version = (", tmp_path)


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def pyproject_of(root: Path) -> dict[str, object]:
    import tomllib

    path = root / "pyproject.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": '[project]\nversion = "1.0.0"\n'},
         ["pyproject.toml [project].version"]),
        ({"pyproject.toml": '[project]\nversion = "1.0.0"\n',
          "src/p/__init__.py": '__version__ = "1.0.0"\n'},
         ["pyproject.toml [project].version", "src/p/__init__.py __version__"]),
        ({"pyproject.toml": '[tool.poetry]\nversion = "1.0.0"\n'},
         ["pyproject.toml [tool.poetry].version"]),
        ({"setup.cfg": "[metadata]\nversion = 1.0.0\n"}, ["setup.cfg [metadata] version"]),
        ({"setup.cfg": "[metadata]\nversion = attr: p.__version__\n",
          "p/__init__.py": '__version__ = "1.0.0"\n'}, ["p/__init__.py __version__"]),
        ({"setup.py": 'setup(version="1.0.0")\n'}, ["setup.py version="]),
        ({"src/p/__about__.py": '__version__ = "1.0.0"\n',
          "pyproject.toml": '[project]\ndynamic = ["version"]\n'
                            '[tool.hatch.version]\npath = "src/p/__about__.py"\n'},
         ["src/p/__about__.py __version__"]),
        ({"pyproject.toml": '[project]\ndynamic = ["version"]\n'}, []),
    ],
)  # fmt: skip
def test_discover(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    make(tmp_path, files)
    found = vf.discover(tmp_path, pyproject_of(tmp_path))
    assert [str(d) for d in found] == expected


@pytest.mark.parametrize(
    ("pyproject", "scm"),
    [
        ('[project]\ndynamic = ["version"]\n[build-system]\nrequires = ["hatchling", "hatch-vcs"]',
         True),
        ('[project]\ndynamic = ["version"]\n[build-system]\nrequires = ["setuptools_scm>=8"]',
         True),
        ('[project]\ndynamic = ["version"]\n[tool.setuptools_scm]\n', True),
        ('[project]\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n', True),
        ('[project]\ndynamic = ["version"]\n[tool.pdm.version]\nsource = "scm"\n', True),
        # pydantic-ai's packages: hatchling with the uv-dynamic-versioning plugin
        ('[project]\ndynamic = ["version"]\n[build-system]\nrequires = ["hatchling", '
         '"uv-dynamic-versioning>=0.7.0"]\n[tool.hatch.version]\nsource = "uv-dynamic-versioning"',
         True),
        ('[project]\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "uv-dynamic-versioning"',
         True),
        ('[project]\ndynamic = ["version"]\n[build-system]\nrequires = ["poetry-core", '
         '"poetry-dynamic-versioning>=1,<2"]', True),
        ('[project]\ndynamic = ["version"]\n[build-system]\nrequires = ["hatchling"]', False),
        ('[project]\nversion = "1.0.0"\n[build-system]\nrequires = ["hatch-vcs"]', False),
    ],
)  # fmt: skip
def test_uses_scm_version(tmp_path: Path, pyproject: str, scm: bool) -> None:
    make(tmp_path, {"pyproject.toml": pyproject})
    assert vf.uses_scm_version(pyproject_of(tmp_path)) is scm


def test_read_all_errors(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "nothing here\n"})
    with pytest.raises(VersionError, match=r"missing\.py does not exist"):
        vf.read_all(tmp_path, [vf.Declaration("missing.py", "variable", "__version__")])
    with pytest.raises(VersionError, match=r"a\.py: no version declaration found"):
        vf.read_all(tmp_path, [vf.Declaration("a.py", "variable", "__version__")])
