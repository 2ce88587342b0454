"""One error type per problem the user can fix, each owning its exit code (twine's habit).

Callers raise and catch the types; only the command line turns an error into an exit status,
so no module but autorelease.errors names a code when it makes an error.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
from collections import Counter
from pathlib import Path

import pytest

import autorelease
from autorelease import errors
from autorelease.errors import AutoreleaseError, ExitCode

PACKAGE = Path(autorelease.__file__).parent
# Statuses that are no error of the user's: verdicts a command returns, Ctrl-C, and a bug
# (any unexpected exception, or the base class raised by mistake).
NOT_USER_ERRORS = {
    ExitCode.OK,
    ExitCode.NOTHING_TO_RELEASE,
    ExitCode.INVALID_COMMIT,
    ExitCode.INTERRUPTED,
    ExitCode.INTERNAL,
}


def _all_modules() -> None:
    """Import every module, so an error type defined anywhere is seen."""
    for info in pkgutil.walk_packages([str(PACKAGE)], "autorelease."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


@functools.cache
def _error_types() -> tuple[type[AutoreleaseError], ...]:
    _all_modules()
    found: list[type[AutoreleaseError]] = []
    todo = [AutoreleaseError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo += kind.__subclasses__()
    return tuple(found)


def _owners() -> dict[type[AutoreleaseError], ExitCode]:
    """Each error type that sets its own exit code, and that code."""
    return {t: t.__dict__["code"] for t in _error_types()[1:] if "code" in t.__dict__}


def test_every_error_exit_code_is_owned_by_exactly_one_type() -> None:
    owned = Counter(_owners().values())
    assert {code for code, n in owned.items() if n > 1} == set()
    assert set(owned) == set(ExitCode) - NOT_USER_ERRORS


def test_every_error_type_lives_in_the_errors_module() -> None:
    elsewhere = [t.__qualname__ for t in _error_types() if t.__module__ != errors.__name__]
    assert elsewhere == []


def test_an_error_type_keeps_its_code_and_its_one_line() -> None:
    error = errors.NoRemote("there is no remote named up", "git remote add up URL")
    assert error.code == ExitCode.NO_REMOTE
    assert (error.message, error.hint) == ("there is no remote named up", "git remote add up URL")
    assert str(error) == "there is no remote named up (git remote add up URL)"
    assert isinstance(errors.VersionConflict("x"), errors.VersionError)
    assert isinstance(errors.NotARepository("x"), errors.GitError)


def _misuses(path: Path) -> list[str]:
    """Outside autorelease.errors no error is given `code=`, and none is of a type that owns no
    code (AutoreleaseError, ToolFailed): the type says which problem it is."""
    owners = {t.__name__ for t in _owners()}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    made = [
        (call, name)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and (name := _callee(call)) in {t.__name__ for t in _error_types()}
    ]
    wrong = [
        f"{n} line {c.lineno}: code=" for c, n in made if any(k.arg == "code" for k in c.keywords)
    ]
    return wrong + [f"{n} line {c.lineno}: no code of its own" for c, n in made if n not in owners]


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "errors.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_errors_are_made_by_type_not_by_code(path: Path) -> None:
    assert _misuses(path) == []


def test_the_check_sees_an_error_made_by_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "raise AutoreleaseError('x', code=ExitCode.CONFIG)\n"
        "raise errors.ToolFailed('y', None)\n"
        "raise errors.ConfigError('z', code=ExitCode.GIT)\n"
        "raise ConfigError('fine')\n",
        encoding="utf-8",
    )
    assert _misuses(bad) == [
        "AutoreleaseError line 1: code=",
        "ConfigError line 3: code=",
        "AutoreleaseError line 1: no code of its own",
        "ToolFailed line 2: no code of its own",
    ]
