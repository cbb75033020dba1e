"""Tables of rows in and out: a table of addresses or coordinates → a table of verdicts.

:func:`check_table` keeps every input column and adds :data:`BATCH_FIELDS`
(:data:`tzcld.check.FIELDS`, then the perimeter version used, so that the rows can be
re-checked after a perimeter change, :mod:`tzcld.recheck`). Typed addresses go the exact
pass first (:func:`tzcld.batch_check.address_table`). :func:`display_table` is the screen
rendering of a results table; :func:`summarise` counts its verdicts. Nothing here stores,
logs or sends an address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tzcld.check import FIELDS, STATUSES, Checker
from tzcld.columns import join_parts
from tzcld.coords import read_columns
from tzcld.formatting import join_list
from tzcld.i18n import DEFAULT_LANG, place_name, t, territory_name

#: Columns added to every row of a batch's results: :data:`FIELDS`, then the perimeter
#: version used (so that the rows can be re-checked after a perimeter change).
BATCH_FIELDS: tuple[str, ...] = FIELDS + ("data_version",)
#: Columns telling that a table is the results of an earlier batch (see :func:`looks_like_results`).
RESULT_MARKERS: tuple[str, ...] = ("status", "territory_id", "data_version")
#: Numeric result columns (read back as text from an earlier results file).
_NUMERIC_FIELDS = ("lat", "lon", "distance_to_boundary_m")


def check_table(
    checker: Checker,
    df: pd.DataFrame,
    address_columns: Sequence[str] | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    address_roles: Sequence[str | None] | None = None,
    compact: bool = False,
) -> pd.DataFrame:
    """Every input column kept, :data:`BATCH_FIELDS` added (:data:`FIELDS`, then
    ``data_version``: the perimeter version used).

    Give ``address_columns`` (several are assembled in order by
    :func:`tzcld.columns.join_parts`, helped by their ``address_roles`` — street,
    number, box, postcode, locality — when known) or ``lat_column`` and ``lon_column``
    (WGS84 degrees or Lambert x/y, decimal commas accepted). An input column whose name is
    one of :data:`BATCH_FIELDS` is kept as ``<name>_input`` (to re-check an earlier
    batch's results in place, use :func:`tzcld.recheck.recheck_table`).

    ``compact``: for a table that goes only to a writer of :mod:`tzcld.table_writer` (the same
    bytes): the text columns of coordinates' verdicts and ``data_version`` as categoricals (each
    distinct text once, not spread on the rows).
    """
    out = df.copy()
    out = out.rename(columns=input_renames(out.columns))
    if lat_column and lon_column:
        table = _coordinates_table(checker, df[lat_column], df[lon_column], progress, compact)
    else:
        cols = list(address_columns or [])
        if not cols:
            raise ValueError("address_columns or lat_column/lon_column required")
        if len(cols) > 1:
            roles = list(address_roles) if address_roles else None
            texts = [join_parts(row, roles) for row in df[cols].astype("string").itertuples(index=False)]
        else:
            texts = df[cols[0]].astype("string").fillna("").tolist()
        from tzcld.batch_check import address_table  # exact pass first, then the careful path

        table = address_table(checker, texts, progress)
    for c in FIELDS:
        out[c] = table[c].array  # as typed (a numpy array of text would be inferred as str again)
    version = checker.classifier.data_version
    if compact:
        out["data_version"] = pd.Categorical.from_codes(np.zeros(len(out), np.int64), categories=pd.Index([version]))
    else:
        out["data_version"] = version
    return out


def input_renames(columns: Sequence[str]) -> dict[str, str]:
    """How input columns named like a result column are kept: ``lat`` → ``lat_input``, or
    ``lat_input_2``... when the input already has a ``lat_input`` (a results file checked
    again without ``--recheck``: its ``lat_input`` and its ``lat`` are both kept)."""
    taken = {str(c) for c in columns}
    renames: dict[str, str] = {}
    for c in columns:
        if c in BATCH_FIELDS:
            name, k = f"{c}_input", 2
            while name in taken:
                name, k = f"{c}_input_{k}", k + 1
            taken.add(name)
            renames[c] = name
    return renames


def _coordinates_table(checker: Checker, a: pd.Series, b: pd.Series, progress, compact: bool = False) -> pd.DataFrame:
    av, bv = number_array(a), number_array(b)
    lat, lon, x, y, swapped, valid, system = read_columns(av, bv)
    cls = checker.classifier.classify(x, y)
    from tzcld.coords import in_wallonia

    inw = np.zeros(len(x), bool)
    inw[valid] = in_wallonia(x[valid], y[valid])
    table = checker._rows(cls, valid=valid, swapped=swapped, in_wallonia=inw, system=system, compact=compact)
    if not valid.all():  # unreadable, or numbers beyond the bounds of coordinates: say which
        from tzcld.coords import coordinate_messages

        said = coordinate_messages(av[~valid], bv[~valid], checker.lang)
        bad = np.flatnonzero(~valid)
        blank = _blank(a.iloc[bad]) | _blank(b.iloc[bad])  # an empty cell: missing, not unreadable
        if blank.any():
            missing = t("check.msg.coordinates_missing", checker.lang)
            said = [missing if empty else text for text, empty in zip(said, blank, strict=True)]
        message = table["message"]
        if isinstance(message.dtype, pd.CategoricalDtype):  # compact: the texts said added as categories
            known = set(message.cat.categories)
            table["message"] = message.cat.add_categories([s for s in dict.fromkeys(said) if s not in known])
        table.loc[~valid, "message"] = said
    table["lat"] = np.where(valid, np.round(lat, 6), np.nan)
    table["lon"] = np.where(valid, np.round(lon, 6), np.nan)
    table["match_quality"] = None
    table["matched_address"] = None
    if progress:
        progress(len(x), len(x))
    return table


def _blank(values: pd.Series) -> np.ndarray:
    """Which cells are empty (missing, or only spaces)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.isna().to_numpy()
    return (values.isna() | (values.astype(object).where(values.notna(), "").astype(str).str.strip() == "")).to_numpy(
        bool
    )


def _text(values: pd.Series) -> pd.Series:
    """Cells as comparable text (``None``/NaN → ``""``)."""
    return values.astype(object).where(values.notna(), "").astype(str)


def number_array(values: pd.Series) -> np.ndarray:
    """Numbers read from a column of text as ``float64`` (decimal commas accepted, spaces
    around trimmed; degrees with their signs, ``50°38'52"N``, as :func:`tzcld.coords.read_degrees`
    reads them; blank or unreadable → NaN)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)
    plain = _plain_numbers(values)
    return plain if plain is not None else _number_array_general(values)


#: The bytes of the cells :func:`_plain_numbers` reads: digits, point and signs.
_PLAIN_BYTES = np.zeros(256, bool)
_PLAIN_BYTES[list(b"0123456789.+-")] = True
#: The longest cell :func:`_plain_numbers` reads (at most 15 digits: exactly an integer below
#: 2**53 scaled by a power of ten, which every correct parser rounds the same way).
_PLAIN_LENGTH = 15


def _plain_numbers(values: pd.Series) -> np.ndarray | None:
    """:func:`number_array` of an arrow-backed text column whose cells are all plain decimals
    (digits, a point, a sign; at most :data:`_PLAIN_LENGTH` characters) or missing, read by
    arrow's cast at C speed: the numbers of ``pd.to_numeric``, which reads them to the same
    doubles. ``None`` (the general path) for any other column: one cell with a space, a comma,
    an exponent, a letter, empty or unreadable, or a negative zero (``pd.to_numeric`` may read
    ``-0`` as the integer 0)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or not len(values):
        return None
    array = pa.array(values.array)
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        buffers = chunk.buffers()
        width = "<i4" if pa.types.is_string(chunk.type) else "<i8"
        offsets = np.frombuffer(buffers[1], dtype=np.dtype(width))[chunk.offset : chunk.offset + len(chunk) + 1]
        offsets = offsets.astype(np.int64, copy=False)
        if len(offsets) > 1 and int(np.diff(offsets).max()) > _PLAIN_LENGTH:
            return None
        if buffers[2] is not None and offsets[-1] > offsets[0]:
            data = np.frombuffer(buffers[2], np.uint8)[offsets[0] : offsets[-1]]
            if not _PLAIN_BYTES[data].all():
                return None
    try:
        numbers = pc.cast(array, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)
    if (np.signbit(out) & (out == 0)).any():
        return None
    return out


def _number_array_general(values: pd.Series) -> np.ndarray:
    """:func:`number_array` without :func:`_plain_numbers` (the tests compare the two)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)
    txt = values.astype("string").str.strip()
    out = pd.to_numeric(txt.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    unread = np.flatnonzero(np.isnan(out) & (txt.fillna("") != "").to_numpy(bool))
    if len(unread):  # degrees written with their signs, each distinct text read once
        from tzcld.coords import read_degrees

        cells = txt.iloc[unread]
        read = {c: read_degrees(c) for c in pd.unique(cells)}
        out[unread] = [read[c] for c in cells]
    return out


def _numbers(values: pd.Series) -> pd.Series:
    """Numbers read back from text (decimal commas accepted; blank → NaN)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    return pd.Series(number_array(values), index=values.index, dtype=float)


def looks_like_results(columns: Sequence[str]) -> bool:
    """True when a table holds the results of an earlier batch (:data:`RESULT_MARKERS`)."""
    names = {str(c) for c in columns}
    return all(m in names for m in RESULT_MARKERS)


def results_inputs(results: pd.DataFrame) -> pd.DataFrame:
    """The original input columns of an earlier batch's results: :data:`BATCH_FIELDS`
    dropped, and an input column that the batch had kept as ``<name>_input`` named back."""
    keep = [c for c in results.columns if c not in BATCH_FIELDS]
    back = {f"{f}_input": f for f in BATCH_FIELDS if f"{f}_input" in keep}
    return results[keep].rename(columns=back)


def territory_list(ids: Sequence[str], lang: str = DEFAULT_LANG) -> str:
    """Territory names in ``lang`` for messages, separated by ``" ; "`` (``"; "`` in
    English: names may hold commas)."""
    from tzcld.territories import load_registry

    names = {t.id: territory_name(t.id, lang, t.name) for t in load_registry()}
    return join_list((names.get(i, i) for i in ids), lang)


def display_table(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """A results table for people to read: the verdict columns with human labels
    (``outside`` → "hors territoire", ``street_only`` → "rue seulement", nothing for unknowns)
    and French / English headers. The downloaded files keep the machine codes of the CLI
    contract; this is for the screen only."""
    out = table.copy()
    for col, prefix in (("status", "check.status"), ("match_quality", "check.quality")):
        if col in out.columns:
            out[col] = [t(f"{prefix}.{v}", lang) if isinstance(v, str) and v else "" for v in out[col]]
    if "precision" in out.columns:
        out["precision"] = [
            t(f"common.precision.{v}", lang) if isinstance(v, str) and v else "" for v in out["precision"]
        ]
    if lang != DEFAULT_LANG:  # the registry's names (French) in the page's language
        if "territory_name" in out.columns and "territory_id" in out.columns:
            out["territory_name"] = [
                territory_name(i, lang, n) if isinstance(i, str) and i else n
                for i, n in zip(out["territory_id"], out["territory_name"])
            ]
        if "unit" in out.columns:
            out["unit"] = [place_name(u, lang) if isinstance(u, str) and u else u for u in out["unit"]]
    for col in BATCH_FIELDS:
        if col in out.columns and out[col].dtype == object:
            out[col] = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else v)
    return out.rename(columns={c: t(f"check.columns.{c}", lang) for c in BATCH_FIELDS if c in out.columns})


def summarise(table: pd.DataFrame) -> dict[str, int]:
    """Row counts per status (every status present, 0 when absent) plus ``total``."""
    counts = table["status"].value_counts()
    out = {s: int(counts.get(s, 0)) for s in STATUSES}
    out["total"] = len(table)
    return out
