"""A DigestReport as Markdown or as a small standalone HTML page (every text escaped)."""

from __future__ import annotations

import html
import re

from tracker.messaging.ports import DigestReport

# Characters that would turn a title someone typed into Markdown formatting or a link.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>~])")
# At the start of a block a `#`, `-`, `+` or `1.` would open a heading or a list (`>` is escaped).
_MD_LEADING = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([#+\-.)])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def md_escape(text: str) -> str:
    """Inline Markdown: control characters escaped and line breaks collapsed, so a title with
    newlines cannot write a heading or a bullet of its own."""
    inline = _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    return _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), inline)


def to_markdown(report: DigestReport) -> str:
    out = [f"# {md_escape(report.title)}", "", f"*{md_escape(report.period)}*", "",
           md_escape(report.headline), ""]
    for section in report.sections:
        out += [f"## {md_escape(section.title)}", ""]
        out += [f"- {md_escape(line)}" for line in section.lines] or [f"_{md_escape(section.empty_text)}_"]
        out.append("")
    return "\n".join(out)


def to_html(report: DigestReport) -> str:
    e = html.escape
    parts = [
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(report.title)}</title>", "</head>", "<body>",
        f"<h1>{e(report.title)}</h1>", f'<p class="period">{e(report.period)}</p>',
        f'<p class="headline">{e(report.headline)}</p>',
    ]
    for section in report.sections:
        parts.append(f"<section><h2>{e(section.title)}</h2>")
        if section.lines:
            parts.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in section.lines) + "</ul>")
        else:
            parts.append(f'<p class="empty">{e(section.empty_text)}</p>')
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
