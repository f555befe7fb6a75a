"""Shared pieces of the server-rendered SVG pictures: escaping, the root element, the palette.

Every picture is a string of SVG built here, never by a chart library, so it prints, needs no
script, and a test can read its geometry back. User text only ever goes through `esc` (text
content and attribute values alike), so a title such as `"><script>` stays text.

Styling uses SVG presentation attributes (`fill`, `stroke`), not `style` attributes or a
`<style>` element: a Content-Security-Policy of `default-src 'self'` blocks inline styles but
not presentation attributes. A page stylesheet can still override them through the classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe-Ito colours: told apart with the common colour-vision deficiencies, and they keep
# distinct grey levels when printed in black and white (blue dark, orange light).
INK = "#1f2328"  # text, axes: near-black for print and contrast
MUTED = "#57606a"  # secondary text; 6.5:1 on white
GRID = "#d0d7de"
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
SKY = "#56B4E9"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT_SIZE = 12  # user units; the pictures are drawn 1 unit = 1 CSS pixel at their natural size


def esc(value: object) -> str:
    """Text safe inside an element or a double-quoted attribute (& < > " ' escaped)."""
    return str(escape(str(value)))


def num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, so tests can parse it exactly."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**values: object) -> str:
    """` name="value"` pairs (escaped); a trailing underscore is dropped (`class_`)."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        parts.append(f' {key}="{esc(num(value) if isinstance(value, float) else value)}"')
    return "".join(parts)


def fit(content: str, width: float, size: int = TEXT_SIZE) -> str:
    """`content` cut (with an ellipsis) to about `width` units at `size`: SVG text does not wrap,
    and a long stage or category name would run over its neighbours."""
    room = max(int(width / (size * 0.55)), 2)  # 0.55 em: a little over an average glyph
    return content if len(content) <= room else content[:room - 1].rstrip() + "\u2026"


def text(x: float, y: float, content: str, *, size: int = TEXT_SIZE, anchor: str = "middle",
         fill: str = INK, weight: str | None = None, class_: str | None = None,
         max_width: float | None = None) -> str:
    """A text element; with `max_width`, cut to fit, the whole text kept in its <title>."""
    a = attrs(x=float(x), y=float(y), font_size=size, text_anchor=anchor, fill=fill,
              font_weight=weight, class_=class_)
    shown = content if max_width is None else fit(content, max_width, size)
    tip = f"<title>{esc(content)}</title>" if shown != content else ""
    return f"<text{a}>{tip}{esc(shown)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = GRID, width: float = 1,
         dash: str | None = None, class_: str | None = None) -> str:
    a = attrs(x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke,
              stroke_width=float(width), stroke_dasharray=dash, class_=class_)
    return f"<line{a}/>"


def svg(*, width: float, height: float, label: str, body: Iterable[str], class_: str,
        desc: str | None = None) -> Markup:
    """The root element: role="img", an accessible name (aria-label and a <title>), a viewBox.

    The name is on the element itself (no id reference), so several pictures on one page never
    collide on ids. width/height give the natural size; CSS may scale it (the viewBox keeps
    the proportions).
    """
    a = attrs(class_=f"chart {class_}", viewBox=f"0 0 {num(width)} {num(height)}",
              width=float(width), height=float(height), aria_label=label, font_family=FONT,
              preserveAspectRatio="xMinYMin meet")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img"{a}>', f"<title>{esc(label)}</title>"]
    if desc:
        parts.append(f"<desc>{esc(desc)}</desc>")
    parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))


def no_data(*, width: float, height: float, label: str, message: str, class_: str) -> Markup:
    """A picture that says why it is empty, at the size the real one would have."""
    frame = attrs(x=0.5, y=0.5, width=float(width) - 1, height=float(height) - 1, fill="none",
                  stroke=GRID, stroke_dasharray="4 4", rx=4.0)
    body = [f"<rect{frame}/>", text(width / 2, height / 2 + 4, message, fill=MUTED, class_="chart-empty")]
    return svg(width=width, height=height, label=f"{label}: {message}", body=body,
               class_=f"{class_} chart-no-data")


def axis_top(value: float, ticks: int = 4) -> int:
    """The smallest axis top >= `value` whose `ticks` equal steps are round whole numbers.

    Steps come from 1, 1.5, 2, 2.5, 3, 4, 5 times a power of ten, kept whole, so gridlines
    read 0, 2, 4, 6, 8 or 0, 25, 50, 75, 100, never 2.5.
    """
    needed = max(value, 1) / ticks
    scale = 1
    while True:
        for m in (1, 1.5, 2, 2.5, 3, 4, 5):
            step = m * scale
            if step == int(step) and step >= needed:
                return int(step) * ticks
        scale *= 10


@dataclass(frozen=True)
class PlotFrame:
    """A chart's canvas and the margins around its plot area; each chart sets its own sizes."""

    width: float = 560.0
    height: float = 320.0
    left: float = 48.0
    right: float = 16.0
    top: float = 20.0
    bottom: float = 48.0

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> float:
        """The y of the plot's bottom edge (the zero line of bar charts)."""
        return self.top + self.plot_h
