"""lint(): the specification's own examples pass; bad messages get every problem and a fix."""

from __future__ import annotations

import pytest

from autorelease.hooks.lint import SCISSORS, clean, lint, suggest_header

# https://www.conventionalcommits.org/en/v1.0.0/#examples, verbatim.
SPEC_EXAMPLES = [
    "feat: allow provided config object to extend other configs\n\n"
    "BREAKING CHANGE: `extends` key in config file is now used for extending other config files",
    "feat!: send an email to the customer when a product is shipped",
    "feat(api)!: send an email to the customer when a product is shipped",
    "chore!: drop support for Node 6\n\n"
    "BREAKING CHANGE: use JavaScript features not available in Node 6.",
    "docs: correct spelling of CHANGELOG",
    "feat(lang): add Polish language",
    "fix: prevent racing of requests\n\n"
    "Introduce a request id and a reference to latest request. Dismiss\n"
    "incoming responses other than from latest request.\n\n"
    "Remove timeouts which were used to mitigate the racing issue but are\n"
    "obsolete now.\n\n"
    "Reviewed-by: Z\n"
    "Refs: #123",
    "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868",
]


@pytest.mark.parametrize("message", SPEC_EXAMPLES)
def test_spec_examples_pass(message: str) -> None:
    result = lint(message)
    assert result.ok, result.problems
    assert result.suggestion is None
    assert result.skipped is None


@pytest.mark.parametrize(
    ("message", "skipped"),
    [
        ("", "empty"),
        ("\n\n# Please enter the commit message for your changes.\n#\n", "empty"),
        ("Merge branch 'feature/x' into main", "merge"),
        ("Merge pull request #12 from someone/branch\n\nfeat: thing", "merge"),
        ('Revert "feat: add search"\n\nThis reverts commit 1234567abcdef.', "revert"),
        ("fixup! feat: add search", "fixup"),
        ("squash! fix: login", "fixup"),
        ("amend! fix: login\n\nfix: login redirect", "fixup"),
    ],
)
def test_messages_git_writes_pass(message: str, skipped: str) -> None:
    result = lint(message)
    assert result.ok
    assert result.skipped == skipped


def test_comments_and_everything_after_the_scissors_are_ignored() -> None:
    message = (
        "fix: login\n\n# Please enter the commit message\n# On branch main\n"
        f"{SCISSORS}\n# Do not modify or remove the line above.\n"
        "diff --git a/x b/x\nBad line: with no blank line\n"
    )
    assert clean(message) == "fix: login"
    assert lint(message).ok


def test_crlf_from_windows_editors_is_tolerated() -> None:
    assert lint("fix: login\r\n\r\nbody\r\n").ok


SPACE = "1: the type is followed by a colon and a space"
BLANK = "6: the body begins one blank line after the description"


@pytest.mark.parametrize(
    ("message", "rules", "suggestion"),
    [
        ("Fix login", ["1:"], "fix: login"),
        ("Added search", ["1:"], "feat: added search"),
        ("Update the README", ["1:"], "docs: update the README"),
        ("Bump dependencies", ["1:"], "chore: bump dependencies"),
        ("fix(api) handle nulls", ["1:"], "fix(api): handle nulls"),
        ("feat:add search", [SPACE], "feat: add search"),
        ("feat(): add search", ["4:"], "feat: add search"),
        ("fix(api: handle nulls", ["4:"], "fix(api): handle nulls"),
        ("fix:", [SPACE, "5:"], "fix: describe the change"),
        ("feature: search box", ["project setting (allowed types)"], "feat: search box"),
        (
            "bugfix(ui): button colour",
            ["project setting (allowed types)"],
            "fix(ui): button colour",
        ),
        ("WIP: login page", ["project setting (allowed types)"], "chore: WIP login page"),
        ("fix: login\nthe redirect was wrong", [BLANK], "fix: login\n\nthe redirect was wrong"),
        (
            "fix: login\n\nbody\n\nReviewed by: Alice\nRefs: #12",
            ["9:"],
            "fix: login\n\nbody\n\nReviewed-by: Alice\nRefs: #12",
        ),
        (
            "feat: new api\n\nbreaking change: the old one is gone",
            ["12, 15:"],
            "feat: new api\n\nBREAKING CHANGE: the old one is gone",
        ),
        (
            "feat: new api\n\nBREAKING CHANGES: the old one is gone",
            ["12, 15:"],
            "feat: new api\n\nBREAKING CHANGE: the old one is gone",
        ),
        # Every problem at once, and one example that fixes them all.
        (
            "Added search\nit is fast\n\nSigned off by: Bob\nBreaking-change: old search removed",
            ["1:", BLANK, "12, 15:", "9:"],
            "feat: added search\n\nit is fast\n\n"
            "Signed-off-by: Bob\nBREAKING CHANGE: old search removed",
        ),
    ],
)
def test_bad_messages_get_every_problem_and_a_valid_example(
    message: str, rules: list[str], suggestion: str
) -> None:
    result = lint(message)
    assert not result.ok
    assert len(result.problems) == len(rules), result.problems
    for problem, rule in zip(result.problems, rules, strict=True):
        assert problem.rule.startswith(rule), (problem, rule)
    assert result.suggestion == suggestion
    assert lint(suggestion).ok


def test_long_header_is_reported_and_the_rest_moves_to_the_body() -> None:
    message = "feat: " + " ".join(f"word{i}" for i in range(30))
    result = lint(message)
    assert [p.rule.split(" (")[0] for p in result.problems] == ["project setting"]
    assert "header-max-length" in result.problems[0].rule
    assert result.suggestion is not None
    header, _, body = result.suggestion.partition("\n\n")
    assert len(header) <= 100
    assert body.endswith("word29")
    assert lint(result.suggestion).ok


@pytest.mark.parametrize(
    ("options", "ok"),
    [
        ({}, False),
        ({"max_header_length": None}, True),
        ({"max_header_length": 200}, True),
        ({"max_header_length": 20}, False),
    ],
)
def test_header_length_is_configurable(options: dict[str, int | None], ok: bool) -> None:
    assert lint("fix: " + "x" * 120, **options).ok is ok  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "allowed", "ok"),
    [
        ("wip: thing", None, True),
        ("wip: thing", ("wip", "feat"), True),
        ("WIP: thing", ("wip", "feat"), True),  # rule 15: types are not case sensitive
        ("fix: thing", ("wip", "feat"), False),
        ("Feat(Api)!: thing", ("feat",), True),
    ],
)
def test_allowed_types_are_configurable(
    message: str, allowed: tuple[str, ...] | None, ok: bool
) -> None:
    assert lint(message, allowed_types=allowed).ok is ok


def test_suggestion_uses_only_allowed_types() -> None:
    assert suggest_header("Fix login", ("feat", "chore")) == "chore: fix login"
    assert suggest_header("Fix login", ("feat",)) == "feat: fix login"
    assert lint("Fix login", allowed_types=("feat",)).suggestion == "feat: fix login"


def test_breaking_change_footer_written_correctly_is_not_flagged() -> None:
    assert lint("feat: x\n\nBREAKING-CHANGE: gone").ok
    assert lint("feat: x\n\nBREAKING CHANGE: gone\n\nstill describing it").ok


def test_a_sentence_with_a_colon_in_the_body_is_not_a_footer() -> None:
    assert lint("fix: x\n\nThe cause was this: a race.\n\nRefs: #1").ok


def test_committed_messages_keep_hash_lines_and_may_not_be_empty() -> None:
    assert lint("#12 fix login").ok  # in a commit-msg file, that line is a comment
    committed = lint("#12 fix login", editing=False)
    assert not committed.ok
    assert committed.suggestion == "fix: #12 fix login"
    assert not lint("", editing=False).ok
