"""Message templates: placeholders filled by plain substitution, checked when written, and one
message for a person owed news about several fixes."""

from __future__ import annotations

import pytest

from tracker.closed_loop.messages import (
    DEFAULT_TEMPLATE,
    DraftSource,
    check_template,
    combined_draft,
    list_fixes,
    render,
    template_problems,
)
from tracker.errors import InvalidInput


def _source(fix: str, template: str | None = None, message: str = "") -> DraftSource:
    return DraftSource(customer_name="Ben Carter", contact="ben@carter.example", fix=fix, template=template,
                       message=message)


def test_placeholders_are_filled_and_braces_doubled_are_literal() -> None:
    text = render("Hi {customer_name} ({contact}): {fix}. {{fix}} is not filled.", customer_name="Ben",
                  contact="ben@x.example", fix="VAT ID printed")
    assert text == "Hi Ben (ben@x.example): VAT ID printed. {fix} is not filled."
    assert render(None, customer_name="Ben", contact="", fix="X").startswith("Hello Ben,")


def test_values_are_not_scanned_again() -> None:
    # A customer called "{fix}" stays "{fix}": substitution is one pass over the template.
    assert render("{customer_name}/{fix}", customer_name="{fix}", contact="", fix="Y") == "{fix}/Y"


@pytest.mark.parametrize(("template", "problem"), [
    ("Hi {name}", "unknown placeholder {name}"),
    ("Hi {fix.__class__}", "unknown placeholder {fix.__class__}"),
    ("Hi {customer_name[0]}", "unknown placeholder {customer_name[0]}"),
    ("Hi {customer_name", "a lone '{'"),
    ("Hi }", "a lone '}'"),
])
def test_bad_templates_are_named(template: str, problem: str) -> None:
    assert any(problem in p for p in template_problems(template))
    with pytest.raises(InvalidInput) as refused:
        check_template(template)
    assert refused.value.field == "text" and problem in refused.value.message


def test_checked_templates() -> None:
    assert check_template("  Hi {customer_name}  ") == "Hi {customer_name}"
    assert check_template("   ") is None and check_template(None) is None
    assert template_problems(DEFAULT_TEMPLATE) == []
    with pytest.raises(InvalidInput, match="at most 5000"):
        check_template("x" * 5001)
    with pytest.raises(InvalidInput, match="NUL"):
        check_template("a\x00b")


def test_one_message_for_several_fixes() -> None:
    assert list_fixes(["A"]) == "A" and list_fixes(["A", "B"]) == "A and B"
    assert list_fixes(["A", "B", "C"]) == "A, B and C"
    both = combined_draft([_source("Seats prorated"), _source("VAT ID printed")])
    assert both.count("Hello Ben Carter") == 1 and "fixed: Seats prorated and VAT ID printed." in both
    # Different templates: each fix's own text, one after the other.
    mixed = combined_draft([_source("A", "About A, {customer_name}."), _source("B", "About B.")])
    assert mixed == "About A, Ben Carter.\n\nAbout B."
    # An entry's own message wins over the template; the same text is said once.
    own = combined_draft([_source("A", message="Written by hand."), _source("B", message="Written by hand.")])
    assert own == "Written by hand."
