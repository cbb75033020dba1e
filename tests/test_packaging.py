"""The installable package (``pip install .``, pyproject.toml): its console script, its
package data found through :mod:`importlib.resources`, its dependency bounds.

Installing into a fresh virtual environment takes minutes (every dependency): it is checked
by hand (README, « Installer le paquet »); these tests check, fast, what that install relies on.
"""

from __future__ import annotations

import importlib
import importlib.resources
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_the_console_script_is_python_dash_m_tzcld():
    target = PYPROJECT["project"]["scripts"]["tzcld"]
    module, _, name = target.partition(":")
    entry = getattr(importlib.import_module(module), name)
    import tzcld.cli

    assert entry is tzcld.cli.main
    assert "from tzcld.cli import main" in (REPO / "tzcld" / "__main__.py").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; from {module} import {name}; sys.exit({name}(['--help']))"],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0 and "check" in done.stdout and "export-site" in done.stdout


def test_package_data_resolve_through_importlib_resources():
    from tzcld import config, i18n
    from tzcld.export import site

    package = importlib.resources.files("tzcld")
    assert (package / "locales" / "fr" / "common.toml").is_file()
    assert (package / "locales" / "en" / "common.toml").is_file()
    assert Path(str(package / "locales")) == i18n.LOCALES_DIR
    assert Path(str(package)) == config.PACKAGE_DIR
    assert any((importlib.resources.files("tzcld.export") / "site_assets").iterdir())
    assert Path(str(importlib.resources.files("tzcld.export") / "site_assets")) == site.ASSETS_DIR
    # the committed geodata and the map assets: in the repository here, inside the package installed
    assert (config.GEODATA_DIR / "territories.yaml").is_file() and (config.GEODATA_DIR / "perimeters.gpkg").is_file()
    assert (config.STATIC_DIR / "vendor" / "ASSETS.json").is_file()


def _packages_on_disk() -> set[str]:
    return {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "tzcld").rglob("__init__.py")}


def test_every_package_and_data_file_is_installed():
    """A new sub-package or data file is not forgotten by ``pip install .``."""
    packages = set(SETUPTOOLS["packages"])
    assert packages - {"tzcld._geodata", "tzcld._static"} == _packages_on_disk()
    folders = {name: REPO / path for name, path in SETUPTOOLS["package-dir"].items()}
    assert folders["tzcld._geodata"] == REPO / "geodata" and folders["tzcld._static"] == REPO / "static"
    tracked = subprocess.run(
        ["git", "ls-files", "tzcld", "geodata", "static"], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    installed: set[Path] = set()
    for package in packages:
        folder = folders.get(package) or REPO.joinpath(*package.split("."))
        for pattern in SETUPTOOLS["package-data"].get(package, []):
            installed |= {p for p in folder.glob(pattern) if p.is_file()}
    data = [REPO / f for f in tracked if not f.endswith(".py")]
    assert [str(p.relative_to(REPO)) for p in data if p not in installed] == []


def _requirement(line: str) -> str:
    return re.sub(r"\s+", "", line.split("#")[0]).lower()


def test_requirements_txt_is_the_package_dependencies_with_upper_bounds():
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    listed = [_requirement(ln) for ln in lines if _requirement(ln)]
    declared = [_requirement(d) for d in PYPROJECT["project"]["dependencies"]]
    assert listed == declared
    assert all("<" in d for d in declared), [d for d in declared if "<" not in d]
    # the vendored map assets are folium 0.20's (static/vendor/ASSETS.json)
    assert "folium>=0.20,<0.21" in declared
    assert any(d.startswith("streamlit[auth]>=1.50,") for d in declared)


def test_development_tools_are_upper_bounded():
    lines = (REPO / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    tools = {_requirement(ln).split(">")[0].split("<")[0]: _requirement(ln) for ln in lines if _requirement(ln)}
    assert "<" in tools["mypy"] and "<" in tools["ruff"]
