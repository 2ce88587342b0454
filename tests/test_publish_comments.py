"""After the GitHub release: "Released in" comments on the issues and pull requests the release
names, once across runs; and notify_command. Real git, pypiserver, build and twine; the GitHub
fake over HTTP."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from autorelease.errors import ExitCode
from publish_world import TOKEN, World

pytest_plugins = ["index_server", "publish_world"]

MARKER = "<!-- autorelease:released v1.1.0 -->"


def fixes(w: World, *numbers: int) -> None:
    """A fix for each of NUMBERS naming it in a footer, pushed; and the issue on GitHub."""
    for number in numbers:
        w.github.add_issue(number)
        w.repo.commit(f"fix: case {number}\n\nCloses #{number}", (f"f{number}.txt", "x\n"))
    w.repo.git("push", "-q", "origin", "main")


def configure(w: World, text: str) -> None:
    with (w.repo.path / "pyproject.toml").open("a") as out:
        out.write(text)
    w.repo.git("commit", "-qam", "chore: configure")
    w.repo.git("push", "-q", "origin", "main")


def comments(w: World, number: int) -> list[str]:
    return [body for _id, body in w.github.issues[number].comments]


@pytest.mark.slow
def test_each_named_issue_gets_one_comment_and_the_label(w: World) -> None:
    fixes(w, 12, 13)
    w.repo.commit("feat: squashed (#14)\n\nRefs: #15, #999", ("g.txt", "y\n"))
    w.github.add_issue(14), w.github.add_issue(15)
    w.repo.git("push", "-q", "origin", "main")
    configure(w, 'released_label = "released"\n')

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    assert w.github.release("v1.1.0") is not None
    for number in (12, 13, 14, 15):
        [body] = comments(w, number)
        assert body.startswith("Released in [1.1.0](http://127.0.0.1:")
        assert "/releases/tag/v1.1.0)" in body
        assert body.endswith(MARKER)
        assert w.github.issues[number].labels == ["released"]
    assert 999 not in w.github.issues  # named but not on GitHub: no comment, no failure
    step = {s["name"]: s for s in done.report["steps"]}["comments"]
    assert step["status"] == "done"
    assert step["detail"] == "commented on 4, found 0 done, 1 not on GitHub"
    assert "[8] comments done" in done.err

    again = w.publish()  # the tagged commit: finds everything done, comments nothing twice

    assert again.code == ExitCode.OK, again.err
    assert [len(comments(w, n)) for n in (12, 13, 14, 15)] == [1, 1, 1, 1]
    assert again.report["outcome"] == "already released"
    assert len(w.github.comment_posts()) == 4


@pytest.mark.slow
def test_a_failure_after_half_the_comments_then_a_rerun_comments_the_rest_once(
    w: World,
) -> None:
    fixes(w, 1, 2, 3, 4)
    # The notes list the newest fix first: #4, #3, #2, #1. The third POST is refused outright
    # (not retried): the run stops after two comments.
    w.github.fail("POST", r"/issues/2/comments", status=403, body={"message": "Forbidden"})

    first = w.publish()

    assert first.code == ExitCode.GITHUB_FAILED, first.err
    assert [len(comments(w, n)) for n in (1, 2, 3, 4)] == [0, 0, 1, 1]
    assert first.error_lines == [
        f"autorelease: error: GitHub: commenting on #2 failed for octo/hello at "
        f"{w.github.api_url}: 403 Forbidden — commenting needs GITHUB_TOKEN with `issues: write` "
        "and `pull-requests: write`; the release is out: re-run `autorelease publish` to "
        "comment on the rest, or pass --no-comments"
    ]

    second = w.publish()

    assert second.code == ExitCode.OK, second.err
    assert [comments(w, n) for n in (1, 2, 3, 4)] == [[comments(w, 1)[0]]] * 4
    assert len(w.github.comment_posts()) == 5  # 2 + the refused one + 2
    step = {s["name"]: s for s in second.report["steps"]}["comments"]
    assert step["detail"] == "commented on 2, found 2 done"


@pytest.mark.slow
def test_a_comment_github_saved_before_failing_is_not_posted_again(w: World) -> None:
    fixes(w, 1)
    # GitHub saves the comment, then answers 502: the run looks before posting again.
    w.github.fail("POST", r"/issues/1/comments", status=502, after=True)

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    assert len(comments(w, 1)) == 1
    assert len(w.github.comment_posts()) == 1


@pytest.mark.slow
def test_a_run_killed_after_half_the_comments_then_a_rerun_comments_the_rest_once(
    w: World,
) -> None:
    fixes(w, 1, 2, 3, 4)
    run = w.publish_process(w.repo.path, dict(os.environ))
    # Killed (SIGKILL) while GitHub handles the third comment's POST (#4 and #3 come first):
    # GitHub saves that comment, and the run never learns that it did.
    w.github.before("POST", r"/issues/2/comments", lambda: os.kill(run.pid, signal.SIGKILL))
    output = run.communicate(timeout=180)[0]
    assert run.returncode == -signal.SIGKILL, output
    assert [len(comments(w, n)) for n in (1, 2, 3, 4)] == [0, 1, 1, 1], output

    again = w.publish()

    assert again.code == ExitCode.OK, again.err
    assert [len(comments(w, n)) for n in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert all(comments(w, n)[0].endswith(MARKER) for n in (1, 2, 3, 4))
    assert len(w.github.comment_posts()) == 4  # the re-run posted on #1 only
    step = {s["name"]: s for s in again.report["steps"]}["comments"]
    assert step["detail"] == "commented on 1, found 3 done"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "args", "why"),
    [("", ("--no-comments",), "--no-comments"), ("comment = false\n", (), "comment = false")],
)
def test_comments_can_be_turned_off(
    w: World, setting: str, args: tuple[str, ...], why: str
) -> None:
    fixes(w, 7)
    if setting:
        configure(w, setting)

    done = w.publish(*args)

    assert done.code == ExitCode.OK, done.err
    assert comments(w, 7) == []
    assert {s["name"]: s for s in done.report["steps"]}["comments"]["detail"] == why


# --- notify_command ----------------------------------------------------------------------------


NOTIFY = (
    'notify_command = "env | grep -e ^AUTORELEASE_ -e TOKEN -e TWINE_PASSWORD | sort > {out}; '
    'cp \\"$AUTORELEASE_NOTES_FILE\\" {notes}"\n'
)


@pytest.mark.slow
def test_notify_command_runs_after_the_release_with_its_facts_and_no_secrets(
    w: World, tmp_path: Path
) -> None:
    out, notes = tmp_path / "env.txt", tmp_path / "notes.md"
    fixes(w, 5)
    configure(w, NOTIFY.format(out=out, notes=notes))

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    seen = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert seen["AUTORELEASE_VERSION"] == "1.1.0"
    assert seen["AUTORELEASE_TAG"] == "v1.1.0"
    assert seen["AUTORELEASE_RELEASE_URL"].endswith("/releases/tag/v1.1.0")
    assert seen["AUTORELEASE_INDEX_URL"] == w.upload_url
    assert not Path(seen["AUTORELEASE_NOTES_FILE"]).exists()  # removed afterwards
    assert set(seen) == {
        "AUTORELEASE_VERSION", "AUTORELEASE_TAG", "AUTORELEASE_NOTES_FILE",
        "AUTORELEASE_RELEASE_URL", "AUTORELEASE_INDEX_URL",
    }  # fmt: skip
    assert TOKEN not in out.read_text()
    text = notes.read_text()
    assert "case 5" in text
    assert "pip install" in text
    assert [s["name"] for s in done.report["steps"]][-1] == "notify"

    out.unlink()
    again = w.publish()  # nothing new released: nobody is told twice

    assert again.code == ExitCode.OK, again.err
    assert not out.exists()
    assert {s["name"]: s for s in again.report["steps"]}["notify"]["status"] == "skipped"


@pytest.mark.slow
def test_a_failing_notify_command_warns_and_keeps_the_release(w: World) -> None:
    configure(w, 'notify_command = "echo chat is down >&2; exit 3"\n')

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    assert (
        "WARNING: notify_command failed (exit 3): echo chat is down >&2; exit 3; the release "
        "v1.1.0 is out and stays: run the command by hand to notify"
    ) in done.err
    assert "chat is down" in done.err
    assert done.report["outcome"] == "released"
    assert {s["name"]: s for s in done.report["steps"]}["notify"]["status"] == "failed"
    assert w.github.release("v1.1.0") is not None


@pytest.mark.slow
def test_no_notify_with_no_push(w: World, tmp_path: Path) -> None:
    out = tmp_path / "ran"
    configure(w, f'notify_command = "touch {out}"\n')

    done = w.publish("--no-push")

    assert done.code == ExitCode.OK, done.err
    assert not out.exists()


# --- contributors ------------------------------------------------------------------------------


def commit_as(w: World, author: str, message: str, path: str) -> None:
    (w.repo.path / path).write_text(message + "\n")
    w.repo.git("add", path)
    w.repo.git("commit", "-q", f"--author={author}", "-m", message)


@pytest.mark.slow
def test_the_release_notes_end_with_the_contributors_logins_and_first_timers(w: World) -> None:
    commit_as(w, "Ada Lovelace <ada@example.com>", "fix: count from one", "a.txt")
    commit_as(w, "Ada Lovelace <ada@example.com>", "fix: count to ten", "b.txt")
    commit_as(w, "Bob Builder <bob@example.com>", "feat: build things", "c.txt")
    w.repo.git("push", "-q", "origin", "main")
    w.github.logins = {"ada@example.com": "ada-l", "test@example.com": "tester"}

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    release = w.github.release("v1.1.0")
    assert release is not None
    # the author of `feat: greet people` made 1.0.0 too; Ada has a login, Bob has none
    assert release.body.endswith(
        "### Contributors\n\n- @tester\n- @ada-l (first contribution)\n"
        "- Bob Builder (first contribution)\n"
    )
    assert "```\n\n### Contributors" in release.body  # after the install line
    # one request per author, not per commit
    assert len(w.github.requests_matching("GET", r"/commits/[0-9a-f]{40}$")) == 3


@pytest.mark.slow
def test_changelog_contributors_lists_them_in_the_changelog_and_logins_on_github(
    w: World,
) -> None:
    with (w.repo.path / "pyproject.toml").open("a") as out:
        out.write("changelog_contributors = true\n")  # the sample's [tool.autorelease] is last
    w.repo.git("commit", "-qam", "chore: contributors in the changelog")
    commit_as(w, "Ada Lovelace <ada@example.com>", "fix: count from one", "a.txt")
    commit_as(w, "Bob Builder <bob@example.com>", "feat: build things", "c.txt")
    w.repo.git("push", "-q", "origin", "main")
    w.github.logins = {"ada@example.com": "ada-l"}

    done = w.publish()

    assert done.code == ExitCode.OK, done.err
    section = (w.repo.path / "CHANGELOG.md").read_text().split("## 1.1.0", 1)[1]
    names = section.split("### Contributors\n\n", 1)[1].splitlines()
    # names only in the file (the core asks no service), in order of first commit
    assert names[-2:] == [
        "- Ada Lovelace (first contribution)",
        "- Bob Builder (first contribution)",
    ]
    release = w.github.release("v1.1.0")
    assert release is not None
    # on GitHub the same list, with the logins GitHub knows, and not a second time at the end
    assert "- @ada-l (first contribution)\n- Bob Builder (first contribution)\n" in release.body
    assert release.body.count("### Contributors") == 1
    assert release.body.index("### Contributors") < release.body.index("pip install")


@pytest.mark.slow
def test_no_github_without_a_token_gives_notify_command_the_contributors_by_name(
    w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that makes no GitHub release needs no token: the GitHub target is found once, at
    the check, and without a token the notes name the contributors without logins."""
    notes = tmp_path / "notes.md"
    configure(w, f'notify_command = "cp \\"$AUTORELEASE_NOTES_FILE\\" {notes}"\n')
    commit_as(w, "Ada Lovelace <ada@example.com>", "fix: count from one", "a.txt")
    w.repo.git("push", "-q", "origin", "main")
    w.github.logins = {"ada@example.com": "ada-l"}
    monkeypatch.delenv("GITHUB_TOKEN")

    done = w.publish("--no-github")

    assert done.code == ExitCode.OK, done.err
    assert notes.read_text().endswith("- Ada Lovelace (first contribution)\n")
    assert w.github.requests_matching("GET", ".*") == []
    assert {s["name"]: s for s in done.report["steps"]}["notify"]["status"] == "done"
