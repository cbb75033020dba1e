"""Vendor the map's browser assets into ``static/vendor/`` from the npm registry.

Folium's maps load Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers
from CDNs by default. The dashboard must work without internet (CI, government
intranets), so ``tzcld.map_assets`` points folium at copies served by Streamlit at
``/app/static/vendor/...``. This script fetches the exact versions folium 0.20 asks for
with ``npm pack <package>@<version>`` (the ordinary npm client, registry only), copies the
few files a map needs plus each package's licence, and writes ``static/vendor/ASSETS.json``
(package, version, licence, tarball sha512 integrity, files with sha256).

The dashboard's maps load only Leaflet: ``tzcld.map_assets.localize_assets`` drops folium's
other map-level assets unless an element of the map needs them (a ``folium.Icon`` needs
awesome-markers, Font Awesome, Glyphicons and Bootstrap's CSS; a ``folium.Popup`` jQuery).
They stay vendored so that such a map still loads nothing from a CDN.

The maps' layers are not vendored: the server writes them into ``static/layers/``
(``tzcld.map_files``, git-ignored), once per content.

Run from the repository root (needs ``npm``)::

    python tools/vendor_map_assets.py

Re-running with the same versions produces identical files. Commit ``static/vendor``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: which files to copy (package-relative → vendor-relative)."""

    name: str
    version: str
    folder: str
    licence: str
    files: dict[str, str]
    #: Licence text to write when the package ships no licence file.
    licence_note: str = ""


PACKAGES: tuple[Package, ...] = (
    Package(
        "leaflet",
        "1.9.3",
        "leaflet/1.9.3",
        "BSD-2-Clause",
        {
            "dist/leaflet.js": "leaflet.js",
            "dist/leaflet.css": "leaflet.css",
            "dist/images/layers.png": "images/layers.png",
            "dist/images/layers-2x.png": "images/layers-2x.png",
            "dist/images/marker-icon.png": "images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "images/marker-shadow.png",
            "LICENSE": "LICENSE",
        },
    ),
    Package(
        "jquery",
        "3.7.1",
        "jquery/3.7.1",
        "MIT",
        {"dist/jquery.min.js": "jquery.min.js", "LICENSE.txt": "LICENSE.txt"},
    ),
    Package(
        "bootstrap",
        "5.2.2",
        "bootstrap/5.2.2",
        "MIT",
        {
            "dist/js/bootstrap.bundle.min.js": "js/bootstrap.bundle.min.js",
            "dist/css/bootstrap.min.css": "css/bootstrap.min.css",
            "LICENSE": "LICENSE",
        },
    ),
    Package(
        "@fortawesome/fontawesome-free",
        "6.2.0",
        "fontawesome-free/6.2.0",
        "CC-BY-4.0 AND OFL-1.1 AND MIT",
        {
            "css/all.min.css": "css/all.min.css",
            "webfonts/fa-brands-400.woff2": "webfonts/fa-brands-400.woff2",
            "webfonts/fa-regular-400.woff2": "webfonts/fa-regular-400.woff2",
            "webfonts/fa-solid-900.woff2": "webfonts/fa-solid-900.woff2",
            "webfonts/fa-v4compatibility.woff2": "webfonts/fa-v4compatibility.woff2",
            "LICENSE.txt": "LICENSE.txt",
        },
    ),
    Package(
        "drmonty-leaflet-awesome-markers",
        "2.0.2",
        "leaflet.awesome-markers/2.0.2",
        "MIT",
        {
            "js/leaflet.awesome-markers.js": "leaflet.awesome-markers.js",
            "css/leaflet.awesome-markers.css": "leaflet.awesome-markers.css",
            "css/images/markers-soft.png": "images/markers-soft.png",
            "css/images/markers-soft@2x.png": "images/markers-soft@2x.png",
            "css/images/markers-shadow.png": "images/markers-shadow.png",
            "css/images/markers-shadow@2x.png": "images/markers-shadow@2x.png",
        },
        licence_note=(
            "Leaflet.awesome-markers 2.0.2 by Lennard Voogdt, MIT licence\n"
            "(https://github.com/lvoogdt/Leaflet.awesome-markers/blob/2.0/develop/LICENSE),\n"
            "installed from the npm package drmonty-leaflet-awesome-markers@2.0.2.\n"
        ),
    ),
    Package(
        "glyphicons-only-bootstrap",
        "1.0.1",
        "glyphicons/1.0.1",
        "MIT",
        {
            "css/bootstrap.min.css": "css/glyphicons.min.css",
            "fonts/glyphicons-halflings-regular.woff2": "fonts/glyphicons-halflings-regular.woff2",
            "fonts/glyphicons-halflings-regular.woff": "fonts/glyphicons-halflings-regular.woff",
            "fonts/glyphicons-halflings-regular.ttf": "fonts/glyphicons-halflings-regular.ttf",
        },
        licence_note=(
            "Glyphicons-only build of Bootstrap 3.3.7 (MIT, (c) Twitter, Inc.), npm package\n"
            "glyphicons-only-bootstrap@1.0.1 (MIT, https://github.com/ohpyupi/glyphicons-only-bootstrap).\n"
            "Glyphicons Halflings font by Jan Kovarik (glyphicons.com), distributed with\n"
            "Bootstrap under Bootstrap's licence terms.\n"
        ),
    ),
)

#: Folium's own tiny stylesheet for rotated awesome-markers icons (``Icon(angle=...)``),
#: re-created here (one rule per multiple of 15 degrees) instead of loading it from GitHub.
ROTATE_CSS_PATH = "folium/leaflet.awesome.rotate.css"


def rotate_css() -> str:
    """CSS classes ``fa-rotate-<deg>`` used by folium's ``Icon(angle=deg)``."""
    rules = [f".fa-rotate-{deg}{{transform:rotate({deg}deg)}}" for deg in range(0, 360, 15)]
    return "/* Rotation classes for folium Icon(angle=...) (tzcld). */\n" + "\n".join(rules) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(spec: str, workdir: Path) -> tuple[Path, str]:
    """Download ``spec`` as a tarball with ``npm pack``; return (path, integrity)."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"], info.get("integrity", "")


def vendor(package: Package, workdir: Path) -> dict:
    tarball, integrity = npm_pack(f"{package.name}@{package.version}", workdir)
    target = VENDOR_DIR / package.folder
    if target.exists():
        shutil.rmtree(target)
    files = {}
    with tarfile.open(tarball) as tar:
        for source, dest in package.files.items():
            member = tar.getmember(f"package/{source}")
            data = tar.extractfile(member)
            assert data is not None, source
            out = target / dest
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data.read())
    if package.licence_note:
        (target / "LICENSE").write_text(package.licence_note, encoding="utf-8")
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        files[path.relative_to(VENDOR_DIR).as_posix()] = sha256(path)
    return {
        "package": package.name,
        "version": package.version,
        "licence": package.licence,
        "integrity": integrity,
        "folder": package.folder,
        "files": files,
    }


def main() -> int:
    if shutil.which("npm") is None:
        print("npm introuvable : installez Node.js/npm pour télécharger les bibliothèques.", file=sys.stderr)
        return 1
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            entries.append(vendor(package, Path(tmp)))
            print(f"vendored {package.name}@{package.version} → static/vendor/{package.folder}")
    rotate = VENDOR_DIR / ROTATE_CSS_PATH
    rotate.parent.mkdir(parents=True, exist_ok=True)
    rotate.write_text(rotate_css(), encoding="utf-8")
    entries.append(
        {
            "package": "folium (leaflet.awesome.rotate.css, re-created)",
            "version": "0.20",
            "licence": "MIT",
            "integrity": "",
            "folder": "folium",
            "files": {ROTATE_CSS_PATH: sha256(rotate)},
        }
    )
    manifest = {"generated_by": "tools/vendor_map_assets.py", "packages": entries}
    (VENDOR_DIR / "ASSETS.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
