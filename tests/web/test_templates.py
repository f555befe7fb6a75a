"""Template rules that keep the CSP meaningful and fragments honest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from tracker.web.forms import FormResult
from tracker.web.templating import TEMPLATES, environment, render_block

TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_inline_script_style_or_handlers(path: Path) -> None:
    """The CSP would block these anyway; the test says so before a browser does."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: use a file in static/js"
    assert not re.search(r"\sstyle\s*=", text), "style attribute: use a class in static/css/app.css"
    assert not re.search(r"\son[a-z]+\s*=", text), "on* handler attribute: use a script file"
    assert "hx-on" not in text, "hx-on evaluates code (needs unsafe-eval): use a script file"
    assert "|safe" not in text.replace(" ", ""), "|safe turns escaping off: build Markup in Python"


def test_a_block_renders_alone_with_the_component_macros() -> None:
    html = render_block("errors/error.html", "error",
                        {"status": 404, "title": "Not found", "message": "<b>gone</b>"})
    assert html.lstrip().startswith('<div class="error-page" id="error">')
    assert "<html" not in html and "&lt;b&gt;gone&lt;/b&gt;" in html


def test_macros_escape_values_and_undefined_names_fail() -> None:
    ui = environment().globals["ui"]
    form = FormResult(None, {"email": '"><script>x</script>'}, {"email": "<i>bad</i>"})
    html = str(ui.field("email", "E-mail", form))
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html and "&lt;i&gt;bad" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-email-error"' in html
    with pytest.raises(UndefinedError):
        environment().from_string("{{ missing.name }}").render()
