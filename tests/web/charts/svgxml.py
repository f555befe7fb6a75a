"""Reading the charts' SVG back as XML, so tests assert on geometry instead of on strings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>" onload="alert(2)'


def parse(markup: str) -> ET.Element:
    """The root element; fails the test if the markup is not well-formed XML."""
    return ET.fromstring(str(markup))


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(NS + tag)
    return [e for e in found if cls is None or cls in (e.get("class") or "").split()]


def f(element: ET.Element, name: str) -> float:
    return float(element.attrib[name])


def points(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = [p.split(",") for p in polyline.attrib["points"].split()]
    return [(float(x), float(y)) for x, y in pairs]


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    """What each text element shows (a <title> inside it is a tooltip, not shown)."""
    return [(e.text or "") + "".join(child.tail or "" for child in e) for e in find(root, "text", cls)]


def tooltips(root: ET.Element, cls: str | None = None) -> list[str | None]:
    return [next((c.text for c in e if c.tag == NS + "title"), None) for e in find(root, "text", cls)]


def assert_accessible(root: ET.Element) -> None:
    """What axe's svg-img-alt rule and a scaling layout need from every picture."""
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root[0].tag == NS + "title" and root[0].text == root.get("aria-label")
    assert len(root.get("viewBox", "").split()) == 4


def assert_inert(markup: str, root: ET.Element) -> None:
    """Hostile text stays text: no element or attribute was injected, and the words survive."""
    raw = str(markup)
    assert "<script" not in raw and '" onload="' not in raw
    assert not list(root.iter("script")) and not list(root.iter(NS + "script"))
    assert all("onload" not in e.attrib for e in root.iter())
    assert any(HOSTILE in (e.text or "") or HOSTILE in (e.get("aria-label") or "") for e in root.iter())
