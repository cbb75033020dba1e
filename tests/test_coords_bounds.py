"""Numbers beyond the bounds of coordinates are "hors des bornes", not "illisibles" (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

from tzcld.coords import CoordinateError, coordinate_messages, coordinate_problem, parse_point, read_pair
from tzcld.i18n import t


@pytest.mark.parametrize("pair", [(95, 200), (-100, -190), (95, 185), (200, 95)])
def test_degree_like_numbers_beyond_bounds(pair):
    with pytest.raises(CoordinateError) as err:
        read_pair(*pair)
    message = t(err.value.key, **err.value.params)
    assert message.startswith("Coordonnées hors des bornes : «") and "illisible" not in message


def test_what_stays_unreadable_or_outside_belgium():
    assert coordinate_problem(float("nan"), 5.0)[0] == "check.msg.coords_unreadable"
    key, params = coordinate_problem(950_000.0, 2_000_000.0)
    assert key == "check.msg.coords_out_of_range" and params["text"] == "950000 2000000"
    assert parse_point("50.648, 5.615").crs == "wgs84"  # within bounds: still read


def test_batch_rows_say_which():
    messages = coordinate_messages(np.array([95.0, np.nan]), np.array([200.0, 5.6]))
    assert messages[0].startswith("Coordonnées hors des bornes sur cette ligne")
    assert messages[1] == t("check.msg.coordinates_invalid")


def test_the_check_of_a_file_says_hors_des_bornes():
    import pandas as pd

    from tzcld.check import Checker
    from tzcld.check_tables import check_table
    from tzcld.eligibility import default_classifier

    out = check_table(
        Checker(default_classifier(), None, "fr"),
        pd.DataFrame({"lat": ["95", "abc", "50.6"], "lon": ["200", "5", "5.6"]}),
        lat_column="lat",
        lon_column="lon",
    )
    assert out["status"].tolist()[:2] == ["error", "error"]
    assert out["message"].iloc[0].startswith("Coordonnées hors des bornes sur cette ligne")
    assert out["message"].iloc[1] == "Coordonnées illisibles sur cette ligne."
