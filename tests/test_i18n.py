"""The message catalogue: French and English say the same things, with the same
placeholders, and every key the code asks for by name exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from tzcld.i18n import catalogue, t

REPO = Path(__file__).resolve().parent.parent
#: Literal keys in calls such as tr("map.title"), t("check.msg.empty", lang), tr(k + ...) excluded.
KEY_CALL = re.compile(r"""\b(?:tr|t)\(\s*f?["']([a-z_]+\.[a-z0-9_.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_french_and_english_have_the_same_keys():
    fr, en = set(catalogue("fr")), set(catalogue("en"))
    assert sorted(fr - en) == [], "missing in English"
    assert sorted(en - fr) == [], "missing in French"


def test_translations_use_the_same_placeholders():
    fr, en = catalogue("fr"), catalogue("en")
    differ = {
        k: (placeholders(fr[k]), placeholders(en[k]))
        for k in fr
        if k in en and placeholders(fr[k]) != placeholders(en[k])
    }
    assert differ == {}


def test_every_key_used_in_the_code_exists():
    files = [*REPO.glob("tzcld/**/*.py"), *REPO.glob("app_pages/*.py"), REPO / "dashboard.py"]
    used: dict[str, str] = {}
    for path in files:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if "{" not in key:
                used.setdefault(key, str(path.relative_to(REPO)))
    assert len(used) > 100  # the pattern does find the calls
    fr = catalogue("fr")
    missing = {k: where for k, where in used.items() if k not in fr}
    assert missing == {}


def test_missing_key_shows_itself_and_english_falls_back_to_french():
    assert t("no.such.key", "fr") == "no.such.key"
    assert t("common.nav.map", "en") != t("common.nav.map", "fr")
