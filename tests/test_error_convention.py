"""One error convention: an error shown to people is a TzcldError carrying a catalogue key and
its parameters, rendered the same way by the CLI (tzcld.errors.describe) and the pages
(tzcld.ui.errors.problem_message), in the reader's language."""

from __future__ import annotations

import pytest

from tzcld.coords import CoordinateError, parse_point
from tzcld.errors import TzcldError, describe
from tzcld.ledger.permissions import Account, PermissionDenied, check_can_manage_accounts, check_can_record
from tzcld.ui.errors import problem_message

ANNE = Account("anne", "porteur", "liege", "Anne")


def _raised(call) -> TzcldError:
    with pytest.raises(TzcldError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_can_record(ANNE, "seraing", "hired"),
        lambda: check_can_manage_accounts(ANNE),
        lambda: parse_point("pas des coordonnées"),
    ],
    ids=["scope", "accounts", "coordinates"],
)
def test_pages_and_cli_render_the_same_message_in_the_readers_language(call):
    exc = _raised(call)
    assert isinstance(exc, PermissionDenied | CoordinateError)
    french, english = exc.message("fr"), exc.message("en")
    assert french != english and str(exc) == french
    assert "{" not in french + english  # every parameter filled
    assert describe(exc, "en")[0] == problem_message(exc, "en") == english
    assert describe(exc, "fr")[0] == problem_message(exc, "fr") == french


def _registry_empty(tmp_path):
    from tzcld.territories import parse_registry

    return lambda: parse_registry({})


def _geodata_missing(tmp_path):
    from tzcld.geodata import layers

    return lambda: layers.read_territories(tmp_path)


@pytest.mark.parametrize(
    ("call", "french"),
    [(_registry_empty, "Le registre doit contenir une liste « territories »."), (_geodata_missing, None)],
    ids=["registry", "geodata"],
)
def test_registry_and_geodata_errors_carry_a_key(call, french, tmp_path):
    exc = _raised(call(tmp_path))
    fr, en = exc.message("fr"), exc.message("en")
    assert fr != en and str(exc) == fr and "{" not in fr + en
    if french:
        assert fr == french
    assert describe(exc, "en")[0] == problem_message(exc, "en") == en


def test_build_sources_geocoder_and_validation_errors_carry_a_key():
    from tzcld.export.publish import SourcesUnavailable
    from tzcld.geocode.base import GeocoderUnavailable
    from tzcld.geodata.build import BuildError
    from tzcld.ledger.validation import ValidationError

    build = BuildError("no_admin_unit", refnis="62063", name="Liège")
    assert str(build) == "Commune 62063 (Liège) absente des unités administratives de Statbel."
    assert build.message("en") == "Municipality 62063 (Liège) is missing from Statbel's administrative units."
    sources = SourcesUnavailable("ledger", detail="base de données injoignable")
    assert str(sources) == "Registre des progrès illisible (base de données injoignable)."
    geocoder = GeocoderUnavailable("check.online.unreachable", service="Nominatim")
    assert "Nominatim" in geocoder.message("fr") and geocoder.message("fr") != geocoder.message("en")
    assert describe(geocoder, "en")[0] == problem_message(geocoder, "en") == geocoder.message("en")
    # the problems of a batch are sentences already written in the caller's language
    validation = ValidationError(["Première.", "Seconde."], {0: ["Première."], 1: ["Seconde."]})
    assert str(validation) == "Première. Seconde." and validation.messages == ["Première.", "Seconde."]
    assert isinstance(validation, ValueError) and describe(validation)[0] == "Première. Seconde."


def test_every_key_given_to_an_error_exists():
    """The keys written in ``raise SomeError("key", ...)`` exist in the catalogue (the
    i18n test only finds the keys of ``t(...)`` calls)."""
    import re
    from pathlib import Path

    from tzcld.i18n import catalogue

    domains = {
        "RegistryError": "errors.registry.",
        "BuildError": "errors.build.",
        "SourcesUnavailable": "errors.sources.",
    }
    pattern = re.compile(
        r"\b(" + "|".join([*domains, "GeocoderUnavailable", "GeodataNotBuiltError"]) + r')\(\s*"([a-z_.]+)"'
    )
    repo = Path(__file__).resolve().parent.parent
    used = {
        domains.get(cls, "") + key
        for path in [*repo.glob("tzcld/**/*.py"), *repo.glob("app_pages/*.py")]
        for cls, key in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) >= 20
    fr = catalogue("fr")
    assert sorted(k for k in used if k not in fr) == []
