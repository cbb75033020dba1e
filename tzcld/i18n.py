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

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
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
