"""The package's layers, checked over every import in the source: a wrong arrow fails CI.

    cli  ->  publish | hooks  ->  core  ->  shared modules (autorelease/*.py)

Imports made inside functions and under TYPE_CHECKING count as well: a lazy import is still
a dependency. The command line is imported by nothing else, and no module imports itself back
through a chain of others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import autorelease

PACKAGE = Path(autorelease.__file__).parent
ALLOWED = {
    "shared": {"shared"},
    "core": {"core", "shared"},
    "publish": {"publish", "core", "shared"},
    "hooks": {"hooks", "core", "shared"},
    "cli": {"cli", "publish", "hooks", "core", "shared"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The autorelease modules that module NAME (at PATH) imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("autorelease"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("autorelease"):
                continue
            for alias in node.names:  # `from autorelease.core import plan` names a module
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ALLOWED else "shared"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        graph[name] = {m for m in _imports(name, path) if m not in ("autorelease", name)}
    return graph


def test_every_import_points_down_the_layers() -> None:
    wrong = [
        f"{name} ({_layer(name)}) imports {dep} ({_layer(dep)})"
        for name, deps in _graph().items()
        for dep in sorted(deps)
        if name not in {"autorelease", "autorelease.__main__"}
        and _layer(dep) not in ALLOWED[_layer(name)]
    ]
    assert wrong == []


def test_every_imported_module_exists() -> None:
    missing = [f"{n} imports {d}" for n, ds in _graph().items() for d in ds if d not in MODULES]
    assert missing == []


# The cycles left from the flat layout, being taken apart; none may be added.
KNOWN_CYCLES: list[str] = []


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    found = sorted(_from_its_first(" -> ".join(c)) for c in cycles)
    assert found == sorted(map(_from_its_first, KNOWN_CYCLES)), "\n".join(found)


def _from_its_first(cycle: str) -> str:
    """CYCLE ("a -> b -> a") told from its alphabetically first module, whichever module the
    search happened to enter it by: adding an unrelated module must not reword a known cycle."""
    members = cycle.split(" -> ")[:-1]
    start = members.index(min(members))
    members = members[start:] + members[:start]
    return " -> ".join([*members, members[0]])


def test_a_cycle_is_the_same_from_any_module() -> None:
    assert _from_its_first("b -> c -> a -> b") == "a -> b -> c -> a"
    assert _from_its_first("a -> c -> a") == "a -> c -> a"


def test_the_checks_see_a_wrong_arrow() -> None:
    """The rules themselves: a core module importing publishing is caught."""
    assert _layer("autorelease.core.plan") == "core"
    assert _layer("autorelease.publish.run") == "publish"
    assert _layer("autorelease.git") == "shared"
    assert "publish" not in ALLOWED["core"]
    assert "cli" not in ALLOWED["publish"]
    assert "autorelease.core.plan" in _graph()["autorelease.cli.publish"]


# Calls that start a process without the subprocess module.
_SPAWNS = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"}


def _starts_processes(path: Path) -> list[str]:
    """What in the module at PATH could start a process: importing subprocess (other than for
    type checking), or os.system, os.exec*, os.spawn* and the like."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import) and any(a.name == "subprocess" for a in node.names):
            found.append("import subprocess")
        elif isinstance(node, ast.ImportFrom) and node.module == "subprocess":
            found.append("from subprocess import ...")
        elif _spawns(node):
            found.append(ast.unparse(node))
    return found


def _spawns(node: ast.AST) -> bool:
    if not isinstance(node, ast.Attribute) or ast.unparse(node.value) != "os":
        return False
    return node.attr in _SPAWNS or node.attr.startswith(("exec", "spawn"))


def test_only_the_process_module_starts_processes() -> None:
    """git, build, twine and the test command all run through autorelease.process."""
    starting = {name: _starts_processes(path) for name, path in MODULES.items()}
    assert starting.pop("autorelease.process") == ["import subprocess"]
    assert {name: found for name, found in starting.items() if found} == {}


def test_the_process_check_sees_a_process_started_elsewhere(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import subprocess\n"
        "def f():\n    import subprocess\n    os.execvp('git', ['git'])\n"
    )
    assert _starts_processes(module) == ["import subprocess", "os.execvp"]
