"""Message catalogue: French first, English second.

Messages live in ``tzcld/locales/<lang>/<domain>.toml``; a key is ``<domain>.<key>``
(nested TOML tables add dotted parts). Each concern owns its own domain file
(``common``, ``map``, ``check``, ``progress``, ...). A key missing in English falls
back to French; a key missing everywhere is returned as-is so it shows up in tests.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

#: The catalogues: package data of ``tzcld`` (``locales/<lang>/<domain>.toml``), beside this
#: module (the folder ``importlib.resources.files("tzcld")`` names, without importing it).
LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANG = "fr"


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed ``domain.key``."""
    out: dict[str, str] = {}
    folder = LOCALES_DIR / lang
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), out)
    return out


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """Translate ``key`` into ``lang``, formatting ``{placeholders}`` with ``params``."""
    text = catalogue(lang).get(key)
    if text is None and lang != DEFAULT_LANG:
        text = catalogue(DEFAULT_LANG).get(key)
    if text is None:
        return key
    return text.format(**params) if params else text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    """True when ``key`` exists in the catalogue of ``lang`` (no fallback)."""
    return key in catalogue(lang)


def territory_name(territory_id: str, lang: str = DEFAULT_LANG, default: str | None = None) -> str:
    """A territory's name in ``lang`` (``registry.name.<id>``). In French the registry
    (``default``, :attr:`tzcld.territories.Territory.name`) is authoritative; elsewhere the
    catalogue's translation, else ``default``, else the id."""
    if lang == DEFAULT_LANG and default:
        return default
    return catalogue(lang).get(f"registry.name.{territory_id}") or default or territory_id


def place_name(text: str, lang: str = DEFAULT_LANG) -> str:
    """A place description of the registry (``Flénu (alentours)``, ``Centre de Dison``) in
    ``lang`` (``registry.unit.<French text>``); proper names alone are returned as they are."""
    return catalogue(lang).get(f"registry.unit.{text}", text)


def punctuation(mark: str, lang: str = DEFAULT_LANG) -> str:
    """``mark`` (``:``, ``;``) typeset for ``lang``, followed by a space: French puts a space
    before it (``" : "``, as the catalogues do), English none (``": "``)."""
    return f" {mark} " if lang == "fr" else f"{mark} "


def unit_rationale(territory_id: str, unit: str, french: str, lang: str = DEFAULT_LANG) -> tuple[str, str]:
    """Why a unit is in a territory's perimeter, in ``lang`` when the catalogue translates it:
    ``(text, language it is written in)``. ``french`` is the registry's rationale
    (authoritative); the translation (``registry.rationale.<id>.<unit>``) is used only while
    the French catalogue repeats that rationale word for word, so a rationale changed in the
    registry and not yet translated is shown in French (and said to be)."""
    if lang == DEFAULT_LANG:
        return french, DEFAULT_LANG
    key = f"registry.rationale.{territory_id}.{unit}"
    translated = catalogue(lang).get(key)
    if translated and catalogue(DEFAULT_LANG).get(key) == french:
        return translated, lang
    return french, DEFAULT_LANG
