"""A rollback whose revert changes a file the release writes its version into: the release
commit changes the file as the revert left it (it must not put the reverted lines back).

Real git with a bare origin, a real pypiserver, build and twine; GitHub faked over HTTP
(publish_world's single sample project).
"""

from __future__ import annotations

import pytest

from autorelease.cli.main import main
from autorelease.errors import ExitCode
from conftest import git_out
from publish_world import World

pytest_plugins = ["index_server", "publish_world"]

INIT = "src/sample_pkg/__init__.py"
HELLO = '\n\ndef hello() -> str:\n    return "hi"\n'


def _bad_release_in_init(w: World, newline: str) -> None:
    """1.1.0 released by publish with a function in the __init__.py that holds __version__ (its
    lines ended by NEWLINE), then 1.2.0 (the bad one) changing that function, then a docs
    commit pushed on top."""
    text = (w.repo.path / INIT).read_text()
    w.repo.commit("feat: hello", (INIT, (text + HELLO).replace("\n", newline)))
    w.repo.git("push", "-q", "origin", "main")
    assert w.publish().code == ExitCode.OK
    text = (w.repo.path / INIT).read_bytes().decode()
    w.repo.commit("feat: hello says more", (INIT, text.replace('"hi"', '"hi there"')))
    w.repo.git("push", "-q", "origin", "main")
    done = w.publish()
    assert done.code == ExitCode.OK, done.err
    assert git_out(w.repo.path, "show", f"HEAD:{INIT}").startswith('__version__ = "1.2.0"')
    w.repo.commit("docs: usage", ("docs/usage.md", "Use it.\n"))
    w.repo.git("push", "-q", "origin", "main")


@pytest.mark.slow
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_the_release_writes_its_version_into_the_file_as_the_revert_left_it(
    w: World, newline: str
) -> None:
    _bad_release_in_init(w, newline)

    code = main(["-C", str(w.repo.path), "rollback", "--repository", w.upload_url])

    assert code == ExitCode.OK
    assert git_out(w.repo.path, "log", "-2", "--format=%s").splitlines() == [
        "chore(release): 1.2.1", "revert: roll back 1.2.0",
    ]  # fmt: skip
    # 1.1.0's function, and 1.2.1's version: neither change undoes the other
    expected = ('__version__ = "1.2.1"\n' + HELLO).replace("\n", newline)
    assert (w.repo.path / INIT).read_bytes() == expected.encode()
    assert git_out(w.repo.path, "status", "--porcelain") == ""
    assert "sample_pkg-1.2.1.tar.gz" in w.index_files()
