"""CSV for people's spreadsheets in Belgium, beside the machine CSV of the open data.

Excel and LibreOffice set to Belgian French read a CSV directly when it uses ``;`` as
separator and the decimal comma, and recognise UTF-8 (accents) only with a byte-order
mark. The machine CSV (:func:`tzcld.export.spreadsheet_safety.csv_bytes`: ``,``,
decimal point, UTF-8 without BOM) stays the reference for programs; every download of
the site offers both (Progrès, Transparence, the static site, the Vérifier results).

Both are neutralised against formula injection (:mod:`tzcld.export.spreadsheet_safety`).
"""

from __future__ import annotations

import pandas as pd

from tzcld.export.spreadsheet_safety import neutralise_frame

#: What a people's CSV file name ends with (``registre-progres.csv`` -> ``registre-progres-tableur.csv``).
PEOPLE_SUFFIX = "-tableur"


def people_csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV for a Belgian spreadsheet: ``;`` separator, decimal comma (every
    float column), UTF-8 with BOM, CRLF line ends, header row, no index, neutralised."""
    text = neutralise_frame(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def people_file_name(name: str) -> str:
    """The people's variant of a CSV file name: ``territoires.csv`` -> ``territoires-tableur.csv``."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}{PEOPLE_SUFFIX}.{ext}" if dot and ext.lower() == "csv" else f"{name}{PEOPLE_SUFFIX}"
