"""Release tags that HEAD cannot reach must not hide the commits HEAD can (found by replaying
`semantic-release --print` on the same histories: it ignores such tags)."""

from __future__ import annotations

from autorelease.core import history
from conftest import GitRepo


def test_a_later_release_does_not_hide_the_range_of_an_older_commit(repo: GitRepo) -> None:
    """HEAD checked out behind v0.4.1: the last release is still v0.4.0, with `fix: a` since."""
    repo.history([("chore: init", "v0.4.0"), ("fix: a", None), ("chore: b", "v0.4.1")])
    repo.git("checkout", "-q", "HEAD~1")
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v0.4.0"
    assert [c.message for c in hist.commits] == ["fix: a"]


def test_a_maintenance_tag_forked_after_the_last_release(repo: GitRepo) -> None:
    """maint forks at `feat: a`, after v1.0.0; its v1.0.1 must not hide `feat: a` from main."""
    repo.history([("chore: init", "v1.0.0"), ("feat: a", None)])
    repo.git("switch", "-q", "-c", "maint")
    repo.history([("fix: backport", "v1.0.1")])
    repo.git("switch", "-q", "main")
    repo.commit("fix: b")
    hist = history.read(repo.path, "v{version}")
    assert hist.last_final is not None
    assert hist.last_final.name == "v1.0.0"
    assert [c.message for c in hist.commits] == ["fix: b", "feat: a"]
