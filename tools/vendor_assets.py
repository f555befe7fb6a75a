"""Vendor the browser's third-party files from the npm registry, and write their manifests.

    python tools/vendor_assets.py          # needs `npm` (only here, never at run time)

Each file lands in `<folder>/<lib>-<version>/<file>` next to the package's licence, and the
manifest records the npm package, version, source path in the tarball and sha256.
tests/web/test_vendored_assets.py checks the files against their manifests. To upgrade a
library: change its version below, run this, update template references, run the tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "tracker" / "web" / "static" / "vendor"
TESTS = ROOT / "tests" / "web" / "vendor"

# (destination, folder name, npm package, version, [files inside the package])
ASSETS: list[tuple[Path, str, str, str, list[str]]] = [
    (STATIC, "htmx", "htmx.org", "4.0.1", ["dist/htmx.min.js", "LICENSE"]),
    # The CSP build: Alpine's standard build evaluates expressions with `new Function`,
    # which our Content-Security-Policy (no 'unsafe-eval') forbids.
    (STATIC, "alpinejs-csp", "@alpinejs/csp", "3.17.4", ["dist/cdn.min.js"]),
    (STATIC, "sortablejs", "sortablejs", "1.15.7", ["Sortable.min.js", "LICENSE"]),
    (STATIC, "swagger-ui", "swagger-ui-dist", "5.35.0",
     ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]),
    (STATIC, "redoc", "redoc", "2.5.4", ["bundles/redoc.standalone.js", "LICENSE"]),
    (TESTS, "axe-core", "axe-core", "4.14.1", ["axe.min.js", "LICENSE"]),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor() -> None:
    manifests: dict[Path, list[dict[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for dest, name, package, version, files in ASSETS:
            tgz = subprocess.run(["npm", "pack", f"{package}@{version}", "--silent"], cwd=tmp,
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            with tarfile.open(Path(tmp) / tgz) as archive:
                archive.extractall(Path(tmp) / name, filter="data")
            folder = dest / f"{name}-{version}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for source in files:
                target = folder / Path(source).name
                shutil.copyfile(Path(tmp) / name / "package" / source, target)
                manifests.setdefault(dest, []).append({
                    "package": package, "version": version, "source": source,
                    "file": str(target.relative_to(dest)), "sha256": sha256(target)})
    for dest, entries in manifests.items():
        (dest / "manifest.json").write_text(json.dumps(entries, indent=2) + "\n")


if __name__ == "__main__":
    vendor()
