"""Vendored files are exactly what their manifests say, and nothing we serve loads from
another site (the browser tests also watch every request a page makes)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tracker.web.templating import STATIC, TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = [STATIC / "vendor" / "manifest.json", Path(__file__).parent / "vendor" / "manifest.json"]
URL = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)
# XML namespace names look like URLs but are never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _entries() -> list[tuple[Path, dict[str, str]]]:
    return [(m.parent, e) for m in MANIFESTS for e in json.loads(m.read_text())]


@pytest.mark.parametrize(("folder", "entry"), _entries(),
                         ids=lambda v: v.get("file", "") if isinstance(v, dict) else "")
def test_vendored_file_matches_its_manifest(folder: Path, entry: dict[str, str]) -> None:
    path = folder / entry["file"]
    assert path.is_file(), f"{path} is in the manifest but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"{path} was changed"
    assert entry["file"].startswith(f"{entry['file'].split('/')[0]}") and entry["version"] in entry["file"]
    assert entry["package"] and entry["source"]


def test_every_vendored_file_is_in_a_manifest() -> None:
    listed = {(folder / e["file"]).resolve() for folder, e in _entries()}
    on_disk = {p.resolve() for m in MANIFESTS for p in m.parent.rglob("*") if p.is_file() and p != m}
    assert on_disk == listed, f"not in a manifest: {sorted(map(str, on_disk - listed))}"


def _own_files() -> list[Path]:
    ours = [p for p in STATIC.rglob("*") if p.is_file() and "vendor" not in p.relative_to(STATIC).parts]
    return sorted(ours + [p for p in TEMPLATES.rglob("*") if p.is_file()])


@pytest.mark.parametrize("path", _own_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_external_url_in_templates_or_our_static_files(path: Path) -> None:
    found = set(URL.findall(path.read_text(encoding="utf-8"))) - NAMESPACES
    assert not found, f"{path.relative_to(ROOT)} refers to another site: {sorted(found)}"


def test_vendored_stylesheets_import_nothing_from_elsewhere() -> None:
    for css in STATIC.joinpath("vendor").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", text), css
        assert not re.search(r"@import\s+(url\()?\s*['\"]?\s*(https?:)?//", text), css


def test_templates_only_reference_static_files_that_exist() -> None:
    for template in TEMPLATES.rglob("*.html"):
        for ref in re.findall(r"static\('([^']+)'\)", template.read_text(encoding="utf-8")):
            assert (STATIC / ref).is_file(), f"{template.name}: static('{ref}') does not exist"
