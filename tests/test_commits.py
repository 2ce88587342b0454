"""commits.parse: every example of the Conventional Commits 1.0.0 page, and real histories."""

from __future__ import annotations

import re

import pytest

from autorelease.core.commits import (
    Commit,
    Footer,
    ParseError,
    parse,
    reverted_sha,
    special_kind,
    squashed_items,
)

FIX_RACING = (
    "fix: prevent racing of requests\n\n"
    "Introduce a request id and a reference to latest request. Dismiss\n"
    "incoming responses other than from latest request.\n\n"
    "Remove timeouts which were used to mitigate the racing issue but are\n"
    "obsolete now.\n\n"
    "Reviewed-by: Z\n"
    "Refs: #123"
)

# https://www.conventionalcommits.org/en/v1.0.0/#examples (and the FAQ's revert), verbatim:
# (message, type, scope, description, breaking, breaking notes, footers)
SPEC_EXAMPLES = [
    pytest.param(
        "feat: allow provided config object to extend other configs\n\n"
        "BREAKING CHANGE: `extends` key in config file is now used for extending other config "
        "files",
        "feat", None, "allow provided config object to extend other configs", True,
        ("`extends` key in config file is now used for extending other config files",),
        (("BREAKING CHANGE", "`extends` key in config file is now used for extending other "
          "config files"),),
        id="description-and-breaking-footer",
    ),
    pytest.param(
        "feat!: send an email to the customer when a product is shipped",
        "feat", None, "send an email to the customer when a product is shipped", True,
        ("send an email to the customer when a product is shipped",), (),
        id="bang",
    ),
    pytest.param(
        "feat(api)!: send an email to the customer when a product is shipped",
        "feat", "api", "send an email to the customer when a product is shipped", True,
        ("send an email to the customer when a product is shipped",), (),
        id="scope-and-bang",
    ),
    pytest.param(
        "chore!: drop support for Node 6\n\n"
        "BREAKING CHANGE: use JavaScript features not available in Node 6.",
        "chore", None, "drop support for Node 6", True,
        ("use JavaScript features not available in Node 6.",),
        (("BREAKING CHANGE", "use JavaScript features not available in Node 6."),),
        id="bang-and-breaking-footer",
    ),
    pytest.param(
        "docs: correct spelling of CHANGELOG",
        "docs", None, "correct spelling of CHANGELOG", False, (), (),
        id="no-body",
    ),
    pytest.param(
        "feat(lang): add Polish language",
        "feat", "lang", "add Polish language", False, (), (),
        id="scope",
    ),
    pytest.param(
        FIX_RACING,
        "fix", None, "prevent racing of requests", False, (),
        (("Reviewed-by", "Z"), ("Refs", "#123")),
        id="multi-paragraph-body-and-footers",
    ),
    pytest.param(
        "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868",
        "revert", None, "let us never again speak of the noodle incident", False, (),
        (("Refs", "676104e, a215868"),),
        id="faq-revert",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("message", "expected"),
    [pytest.param(p.values[0], p.values[1:], id=p.id) for p in SPEC_EXAMPLES],
)
def test_spec_examples(message: str, expected: tuple[object, ...]) -> None:
    commit = parse(message)
    assert isinstance(commit, Commit), commit
    footers = tuple((f.token, f.value) for f in commit.footers)
    got = (commit.type, commit.scope, commit.description, commit.breaking, commit.breaking_notes)
    assert (*got, footers) == expected


def test_multi_paragraph_body_is_kept_whole() -> None:
    commit = parse(FIX_RACING)
    assert isinstance(commit, Commit)
    assert commit.body == (
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now."
    )
    assert commit.footer("refs") == "#123"
    assert commit.footer("Signed-off-by") is None


@pytest.mark.parametrize(
    ("message", "breaking", "footers"),
    [
        ("fix: a\n\nBREAKING-CHANGE: the synonym", True, (("BREAKING-CHANGE", "the synonym"),)),
        # rule 16: BREAKING CHANGE must be uppercase; other case is not a breaking footer
        ("fix: a\n\nbreaking change: lower case", False, ()),
        ("fix: a\n\nBreaking-Change: mixed case", False, (("Breaking-Change", "mixed case"),)),
        ("fix: a\n\nCloses #42", False, (("Closes", "42"),)),
        ("fix: a\n\nReviewed-by: Z\nCloses #42\nRefs: #1, #2",
         False, (("Reviewed-by", "Z"), ("Closes", "42"), ("Refs", "#1, #2"))),
        # rule 10: a footer value may span lines, until the next token/separator pair
        ("fix: a\n\nBREAKING CHANGE: first line\n  second line\nthird line\nRefs: #9",
         True, (("BREAKING CHANGE", "first line\n  second line\nthird line"), ("Refs", "#9"))),
        # rule 12: BREAKING CHANGE's text may run over several paragraphs
        ("fix: a\n\nBREAKING CHANGE: one\n\ntwo\n\nRefs: #3",
         True, (("BREAKING CHANGE", "one\n\ntwo"), ("Refs", "#3"))),
        ("fix: a\n\nBREAKING CHANGE #5", True, (("BREAKING CHANGE", "5"),)),
    ],
)  # fmt: skip
def test_footers(message: str, breaking: bool, footers: tuple[tuple[str, str], ...]) -> None:
    commit = parse(message)
    assert isinstance(commit, Commit)
    assert tuple((f.token, f.value) for f in commit.footers) == footers
    assert commit.breaking is breaking


def test_hash_separator_is_remembered() -> None:
    commit = parse("fix: a\n\nCloses #42")
    assert isinstance(commit, Commit)
    assert commit.footers == (Footer("Closes", "42", " #"),)


@pytest.mark.parametrize(
    ("header", "type_", "scope", "bang", "description"),
    [
        ("feat: x", "feat", None, False, "x"),
        ("FEAT: upper case type", "feat", None, False, "upper case type"),  # rule 15
        ("Fix(Parser): mixed case", "fix", "Parser", False, "mixed case"),
        ("feat:   extra spaces after the colon", "feat", None, False,
         "extra spaces after the colon"),
        ("feat:\textra tab", "feat", None, False, "extra tab"),
        ("feat(a-b_c.d/e)!: punctuation in scope", "feat", "a-b_c.d/e", True,
         "punctuation in scope"),
        ("build-system: a dash in the type", "build-system", None, False, "a dash in the type"),
        ("feat: description: with a colon", "feat", None, False, "description: with a colon"),
        ("feat: trailing spaces   ", "feat", None, False, "trailing spaces"),
    ],
)  # fmt: skip
def test_headers(header: str, type_: str, scope: str | None, bang: bool, description: str) -> None:
    commit = parse(header)
    assert isinstance(commit, Commit), commit
    assert (commit.type, commit.scope, commit.bang, commit.description) == (
        type_,
        scope,
        bang,
        description,
    )


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ("update the readme", "does not start with a type"),
        ("feat(ui) add a thing", "no colon"),
        ("feat add a thing", "no colon"),
        ("feat(api: add a thing", "closing parenthesis"),
        ("feat:add a thing", "no space after the colon"),
        ("feat: ", "description is missing"),
        ("feat():  x", "scope is empty"),
        (": no type", "does not start with a type"),
        ("WIP", "does not start with a type"),
    ],
)
def test_not_conventional(message: str, problem: str) -> None:
    result = parse(message)
    assert isinstance(result, ParseError)
    assert any(problem in p.message for p in result.problems), result.problems


def test_every_problem_is_reported_at_once() -> None:
    result = parse("feat():")
    assert isinstance(result, ParseError)
    assert len(result.problems) == 3


def test_crlf_messages() -> None:
    commit = parse("feat: windows\r\n\r\nbody line\r\n\r\nRefs: #1\r\n")
    assert isinstance(commit, Commit)
    assert (commit.description, commit.body) == ("windows", "body line")
    assert commit.footer("Refs") == "#1"


@pytest.mark.parametrize(
    "body",
    [
        # A dependency bump quotes upstream release notes: only header and real footers decide.
        "Bumps foo from 1.0 to 2.0.\n\n- feat: upstream feature\n- feat!: upstream break\n\n"
        "Signed-off-by: dependabot[bot] <support@github.com>",
        "Some text.\nfeat: a line that looks like a header\nmore text.",
        "* feat: a squashed item\n* fix!: another",
        "Release notes\n\n> BREAKING CHANGE: upstream dropped Python 3.8\n\nMore text.",
    ],
)
def test_body_lines_never_decide(body: str) -> None:
    commit = parse(f"chore(deps): bump foo\n\n{body}")
    assert isinstance(commit, Commit)
    assert (commit.type, commit.breaking) == ("chore", False)


@pytest.mark.parametrize(
    ("header", "body", "kind"),
    [
        ("Merge pull request #12 from someone/branch", "feat: x", "merge"),
        ("Merge branch 'feature' into main", "", "merge"),
        ("Merge remote-tracking branch 'origin/main'", "", "merge"),
        ("Merge tag 'v1.0.0'", "", "merge"),
        ('Revert "feat: add a thing"', "This reverts commit " + "a" * 40 + ".", "revert"),
        ("fixup! feat: add a thing", "", "fixup"),
        ("squash! feat: add a thing", "", "fixup"),
        ("amend! feat: add a thing", "", "fixup"),
        ("chore(release): 1.2.0", "", "release"),
        ("chore(release): 1.2.0rc1", "", "release"),
        ("1.2.0", "Automatically generated by python-semantic-release", "release"),
        ("bump: version 1.1.0 → 1.2.0", "", "release"),
        ("feat: add a thing", "", None),
        ("chore(release): prepare the release tooling", "", None),
    ],
)
def test_special_kinds(header: str, body: str, kind: str | None) -> None:
    subject = re.compile(r"chore\(release\): v?\d+\.\d+\.\d+\S*")
    assert special_kind(header, body, subject) == kind


def test_reverted_sha() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert reverted_sha(f'Revert "feat: x"\n\nThis reverts commit {sha}.') == sha
    assert reverted_sha("feat: x") is None


def test_squashed_items() -> None:
    body = "* feat(api): add a thing\n\n* fix: mend a thing\n\n- docs!: drop docs\n* not one\n"
    items = squashed_items(body)
    assert [(c.type, c.scope, c.breaking) for c in items] == [
        ("feat", "api", False),
        ("fix", None, False),
        ("docs", None, True),
    ]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ('Reapply "feat: search"', "revert"),  # git 2.43+ reverting a revert
        ("Merged PR 12: feat: search", "merge"),  # Azure DevOps
        ("Reapply the search feature", None),
    ],
)
def test_messages_other_forges_and_new_git_write(header: str, kind: str | None) -> None:
    assert special_kind(header, "", None) == kind


def test_paragraphs_split_fast_as_a_line_walk_would() -> None:
    """The one-split shortcut for regular text gives what the line-by-line definition does."""
    import random

    from autorelease.core.commits import _paragraphs, _paragraphs_by_lines

    pieces = ["a", "b c", "", "", " ", "\t", "x\r", "Refs: #1", "  indented", "x  ", "\x0c",
              "\u2028", "é", "BREAKING CHANGE: y", "\x1d"]  # fmt: skip
    rnd = random.Random(7)
    for _ in range(5000):
        rest = "\n".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        assert _paragraphs(rest) == _paragraphs_by_lines(rest), repr(rest)
