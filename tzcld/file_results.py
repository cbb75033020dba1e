"""A file checked on the Vérifier page, within the page's limits, and what the page keeps of it.

The page runs in the dashboard's server, shared by every visitor. A file is checked there up
to :attr:`tzcld.runtime.Settings.page_max_rows` rows (``TZCLD_PAGE_MAX_ROWS``), counted
*while* reading (:meth:`tzcld.config.FileLimits.tightened`); a longer one is refused with a
message naming ``python -m tzcld check-file`` and the API, with their limits
(:func:`refusal_message`). The check itself is the loop of ``check-file``
(:func:`tzcld.batch_stream.check_stream`), by chunks; the session keeps only
:class:`PageResults`: the results CSV (written once, chunk after chunk, :class:`MemoryCsv`),
the counts, the first :data:`PREVIEW_ROWS` rows for the screen and, for an earlier run's
results, the re-check plan of the new results. The XLSX and the people's CSV are made from
that CSV when asked for (:func:`results_frame`). Nothing is written to disk.

- :func:`scan_upload`: one pass over an upload by chunks (nothing kept): its rows counted
  within the limits and, for an earlier run's results, the re-check plan (:class:`tzcld.recheck.PlanSummary`);
- :func:`check_upload`: the check (or the re-check, in place) of every row, by chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tzcld.batch_io import BatchInputError, TableReader, write_csv
from tzcld.check_tables import _NUMERIC_FIELDS, BATCH_FIELDS, STATUSES, _numbers, check_table, looks_like_results
from tzcld.recheck import PlanSummary, RecheckPlanner, RecheckSummary, recheck_table

if TYPE_CHECKING:
    from tzcld.check import Checker
    from tzcld.config import ApiSettings, FileLimits
    from tzcld.perimeters.store import PerimeterStore

#: Rows of the results shown on the page (and kept for it).
PREVIEW_ROWS = 200
#: Cells per chunk of the page's check: a quarter of ``check-file``'s
#: (:data:`tzcld.batch_stream.CHUNK_CELLS`), the page's server being shared by every visitor.
PAGE_CHUNK_CELLS = 50_000


@dataclass(frozen=True)
class UploadScan:
    """An upload read once: its data ``rows``, whether it holds an earlier run's results
    (``previous``) and then their re-check ``plan``."""

    rows: int
    previous: bool
    plan: PlanSummary | None = None


@dataclass(frozen=True)
class PageResults:
    """What the page keeps of a checked file: the results CSV (``csv``: the bytes of
    :func:`tzcld.batch_io.write_csv`), ``counts`` per status (and ``total``), the first
    :data:`PREVIEW_ROWS` rows (``preview``), for an earlier run's results the ``plan`` of the
    new results (what is left to re-check) and the ``recheck`` summary."""

    csv: bytes
    counts: dict[str, int]
    preview: pd.DataFrame
    plan: PlanSummary | None = None
    recheck: RecheckSummary | None = None

    @property
    def rows(self) -> int:
        return self.counts["total"]


class MemoryCsv:
    """A :class:`tzcld.batch_stream.ChunkWriter` into memory: the bytes of
    :func:`tzcld.batch_io.write_csv` of all the chunks at once (UTF-8 with BOM, the header
    once, every cell neutralised), written chunk after chunk; :attr:`data` once closed (one
    chunk's bytes are kept as they are, not copied)."""

    def __init__(self, sep: str = ";") -> None:
        self._sep = sep
        self._parts: list[bytes] = []
        self.rows = 0
        self.data = b""

    def write(self, df: pd.DataFrame) -> None:
        data = write_csv(df, sep=self._sep)
        if self._parts:  # BOM and header once
            data = data[len(write_csv(df.iloc[:0], sep=self._sep)) :]
        self._parts.append(data)
        self.rows += len(df)

    def close(self) -> None:
        parts, self._parts = self._parts, []
        self.data = parts[0] if len(parts) == 1 else b"".join(parts)

    def discard(self) -> None:
        self._parts = []


def scan_upload(
    data: bytes, filename: str | None, limits: FileLimits, store: PerimeterStore | None = None
) -> UploadScan:
    """Read the upload once, by chunks, within ``limits`` (raises
    :class:`tzcld.batch_io.BatchInputError`); the rows are counted, not kept."""
    with TableReader(data, filename, limits) as reader:
        previous = looks_like_results(reader.columns)
        planner = RecheckPlanner(store) if previous else None
        rows = 0
        for block in reader.chunks():
            rows += len(block)
            if planner is not None:
                planner.mask(block)
    return UploadScan(rows, previous, planner.summary() if planner is not None else None)


def check_upload(
    checker: Checker,
    data: bytes,
    filename: str | None,
    limits: FileLimits,
    columns: dict,
    previous: bool = False,
    recheck: bool = False,
    store: PerimeterStore | None = None,
    progress: Callable[[int], None] | None = None,
) -> PageResults:
    """Check every row of the upload by chunks (``columns``: the keyword arguments of
    :func:`tzcld.check_tables.check_table`: ``address_columns`` / ``address_roles`` or
    ``lat_column`` / ``lon_column``); ``progress`` gets the rows done.

    An earlier run's results (``previous``) are checked again in place
    (:func:`tzcld.recheck.recheck_table`): every row, or with ``recheck`` only the rows a
    perimeter change concerns (the plan of ``store``'s published perimeters). Raises
    :class:`tzcld.batch_io.BatchInputError` (the file, its limits) and what the checker
    raises (:class:`tzcld.geocode.base.GeocoderUnavailable`)."""
    from tzcld.batch_stream import CHUNK_CELLS, check_stream

    counts = dict.fromkeys(STATUSES, 0)
    preview: list[pd.DataFrame] = []
    shown = 0
    done = 0
    planner = RecheckPlanner(store) if recheck else None
    after = RecheckPlanner(store) if previous else None  # what is left to re-check, on the new results
    totals = {"rechecked": 0, "changed": 0}

    def rows_done(n: int, _total: int = 0) -> None:
        if progress is not None:
            progress(done + n)

    def check(block: pd.DataFrame) -> pd.DataFrame:
        nonlocal done, shown
        if previous:
            mask = planner.mask(block) if planner is not None else None
            out, summary = recheck_table(checker, block, mask, progress=rows_done, **columns)
            totals["rechecked"] += summary.rechecked
            totals["changed"] += summary.changed
            after.mask(out)  # type: ignore[union-attr]
        else:
            out = check_table(checker, block, progress=rows_done, **columns)
        done += len(block)
        for status, n in out["status"].value_counts().items():
            if status in counts:
                counts[status] += int(n)
        if shown < PREVIEW_ROWS:
            preview.append(out.head(PREVIEW_ROWS - shown).reset_index(drop=True).copy())  # not a view of the chunk
            shown += len(preview[-1])
        return out

    with TableReader(data, filename, limits, chunk_cells=min(PAGE_CHUNK_CELLS, CHUNK_CELLS)) as reader:
        writer = check_stream(reader, lambda _head: check, lambda _columns: MemoryCsv())
    assert isinstance(writer, MemoryCsv)
    counts["total"] = writer.rows
    head = pd.concat(preview, ignore_index=True) if len(preview) > 1 else preview[0]
    summary = None
    if previous:
        summary = RecheckSummary(
            total=writer.rows,
            rechecked=totals["rechecked"],
            changed=totals["changed"],
            version=checker.classifier.data_version,
        )
    return PageResults(writer.data, counts, head, after.summary() if after is not None else None, summary)


def results_frame(csv: bytes) -> pd.DataFrame:
    """The results table back from :attr:`PageResults.csv` (for the XLSX and the people's
    CSV): text as written, the numeric fields as numbers, empty result cells missing."""
    from tzcld.batch_io import read_table

    frame = read_table(csv, "verification.csv")
    for c in BATCH_FIELDS:
        if c not in frame.columns:
            continue
        if c in _NUMERIC_FIELDS:
            frame[c] = _numbers(frame[c])
        else:
            frame[c] = frame[c].astype(object).where(frame[c] != "", None)
    return frame


def refusal_message(
    exc: BatchInputError, page_max_rows: int, file_limits: FileLimits, api: ApiSettings, lang: str = "fr"
) -> str:
    """The message of a file the page cannot read: for one beyond the page's row limit (and
    not the general one), what to do instead (``check-file``, the API, with their limits);
    otherwise the reader's own message."""
    from tzcld.formatting import format_number
    from tzcld.i18n import t

    limit = exc.params.get("limit") if isinstance(exc.params, dict) else None
    if exc.key == "errors.limit.rows" and limit == page_max_rows and page_max_rows < file_limits.max_rows:
        return t(
            "check.page.too_many_rows",
            lang,
            limit=format_number(page_max_rows, 0, lang),
            cli_rows=format_number(file_limits.max_rows, 0, lang),
            api_rows=format_number(min(api.max_rows, file_limits.max_rows), 0, lang),
            api_mb=format_number(api.max_file_bytes / 1_048_576, 0, lang),
        )
    return exc.message(lang)
