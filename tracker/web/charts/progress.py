"""A progress bar with its numbers written out: "12 of 20 people trained (60%)".

The text carries the meaning (it is what a screen reader and a greyscale print get); the bar
is the glance. More done than planned (e.g. more people trained than the target) shows the
real numbers and a full bar.
"""

from __future__ import annotations

from markupsafe import Markup

from tracker.web.charts.svg import GREEN, GRID, INK, MUTED, attrs, fit, svg, text


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down so 99.6% never reads as a finished 100%."""
    if total <= 0:
        return 0
    return min(100, max(0, done * 100 // total))


def progress_bar(done: int, total: int, *, label: str, unit: str = "", width: float = 320.0,
                 empty: str = "nothing to do") -> Markup:
    """`label`: `done` of `total` `unit` (percent), over a bar `width` units wide."""
    height = 34.0
    track_y, track_h = 20.0, 10.0
    if total <= 0:
        summary = f"{label}: {empty}"
        dashed = attrs(x=0.5, y=track_y, width=width - 1, height=track_h, rx=3.0, fill="#ffffff",
                       stroke=GRID, stroke_dasharray="3 3", class_="track")
        body = [text(0, 13, summary, anchor="start", fill=MUTED, class_="progress-text", max_width=width),
                f"<rect{dashed}/>"]
        return svg(width=width, height=height, label=summary, body=body, class_="progress progress-empty")
    pct = percent(done, total)
    words = f"{done} of {total}{f' {unit}' if unit else ''} ({pct}%)"
    summary = f"{label}: {words}"
    fill_w = (width - 1) * min(done, total) / total if done > 0 else 0.0
    track = attrs(x=0.5, y=track_y, width=width - 1, height=track_h, rx=3.0, fill="#ffffff", stroke=MUTED,
                  class_="track")
    bar = attrs(x=0.5, y=track_y, width=fill_w, height=track_h, rx=3.0, fill=GREEN, stroke=INK,
                stroke_width=0.5, class_="fill", data_done=done, data_total=total)
    # The numbers go first when the label must be cut: they are what the bar is about.
    shown = summary if fit(summary, width) == summary else f"{words} {label}"
    body = [text(0, 13, shown, anchor="start", class_="progress-text", max_width=width), f"<rect{track}/>"]
    if fill_w > 0:
        body.append(f"<rect{bar}/>")
    return svg(width=width, height=height, label=summary, body=body, class_="progress")
