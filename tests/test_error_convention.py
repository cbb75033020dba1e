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
