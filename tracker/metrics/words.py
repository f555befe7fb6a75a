"""Verdicts in words, the same on the moment page, the journey page and in the digest.

Plain text only: every caller escapes it for its own medium (Jinja, Markdown, Slack, HTML).
"""

from __future__ import annotations

from tracker.metrics.verdicts import MetricVerdict, Verdict

VERDICT_WORDS = {
    Verdict.improved: "improved",
    Verdict.no_clear_change: "no clear change",
    Verdict.worse: "worse",
    Verdict.not_enough_data: "not enough data yet",
}


def amount(value: float | None, unit: str) -> str:
    """`27.5 tickets`; a whole number without decimals, at most three significant decimals."""
    if value is None:
        return "–"
    shown = f"{value:.0f}" if value == int(value) else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{shown} {unit}".strip()


def change_words(v: MetricVerdict) -> str:
    """`median 38 → 27 tickets (−11 tickets, −28.9%)`, or '' when there is nothing to compare."""
    if v.change is None or v.before_median is None or v.after_median is None:
        return ""
    sign = "+" if v.change > 0 else "−" if v.change < 0 else "±"
    delta = f"{sign}{amount(abs(v.change), v.unit)}"
    if v.change_percent is not None:
        delta += f", {'+' if v.change_percent > 0 else '−' if v.change_percent < 0 else '±'}" \
                 f"{abs(v.change_percent):.1f}%"
    return f"median {amount(v.before_median, '')} → {amount(v.after_median, v.unit)} ({delta})"


def evidence_words(v: MetricVerdict) -> str:
    """The named test and its p-value, or why it was not run."""
    if v.p_value is None:
        return v.reason
    return f"{v.test}, p = {v.p_value:.2g}"


def verdict_line(v: MetricVerdict) -> str:
    """One line for a list: `Billing contacts: improved, median 38 → 27 (…); Mann-Whitney …`."""
    parts = [f"{v.name}: {VERDICT_WORDS[v.verdict]}"]
    moved = change_words(v)
    if moved and v.verdict is not Verdict.not_enough_data:
        parts.append(f", {moved}")
    parts.append(f"; {evidence_words(v)}")
    return "".join(parts)
