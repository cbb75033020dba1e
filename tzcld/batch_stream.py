"""``check-file`` in chunks: read, check and write a block of rows at a time, so that the
memory of a run stays flat whatever the file's length (:meth:`tzcld.batch_io.TableReader.chunks`,
:func:`tzcld.check_cli.check_frame`, :mod:`tzcld.table_writer`).

:func:`check_stream` is the loop, shared by ``check-file`` (:func:`run_streaming`),
``check-file --recheck`` (:func:`run_recheck_streaming`), the API's ``POST /v1/check-file``
(:mod:`tzcld.api.app`) and the Vérifier page (:mod:`tzcld.file_results`).

Same options, messages, exit codes and output as reading the whole file first: the columns
are recognised on the first :data:`FIRST_BLOCK_ROWS` rows (all that
:func:`tzcld.columns.detect_columns` reads anyway); every row is checked on its own; a file
that turns out unusable half-way (a limit reached, a bad line) leaves no output behind.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from tzcld.formatting import format_number
from tzcld.i18n import t

if TYPE_CHECKING:
    import argparse
    import datetime as dt

    from tzcld.batch_io import TableReader
    from tzcld.runtime import Runtime

#: Rows read before the columns are recognised (detect_columns looks at the first 5,000).
FIRST_BLOCK_ROWS = 5_000
#: Cells per chunk read, checked and written (:data:`tzcld.batch_io.CHUNK_CELLS`).
CHUNK_CELLS = 200_000


class ChunkWriter(Protocol):
    """What :func:`check_stream` writes to (:class:`tzcld.table_writer.CsvWriter`,
    :class:`~tzcld.table_writer.XlsxWriter`, :class:`tzcld.file_results.MemoryCsv`)."""

    rows: int

    def write(self, df: pd.DataFrame) -> None: ...

    def close(self) -> None: ...

    def discard(self) -> None: ...


#: ``prepare(head)`` → the function that turns a block of input rows into its results.
Prepare = Callable[[pd.DataFrame], Callable[[pd.DataFrame], pd.DataFrame]]


def input_columns(columns: Iterable[str]) -> list[str]:
    """The output's names of the input columns (``<name>_input`` on a clash with a result
    field, see :func:`tzcld.check_tables.input_renames`): the only cells the writers neutralise."""
    from tzcld.check_tables import input_renames

    names = list(columns)
    renames = input_renames(names)
    return [renames.get(c, c) for c in names]


def check_stream(
    reader: TableReader,
    prepare: Prepare,
    open_writer: Callable[[list[str]], ChunkWriter],
    progress: Callable[[int], None] | None = None,
) -> ChunkWriter:
    """Read ``reader`` by chunks, check each, write each: the one loop of every file check.

    The first chunks, up to :data:`FIRST_BLOCK_ROWS` rows, are read before anything else and
    given to ``prepare`` (which recognises the columns, builds the checker, and returns the
    function checking one block); then ``open_writer(columns)`` (the input's columns) opens
    the output, and every block, first ones included, is checked and written; ``progress``
    gets the rows done after each block. The writer is closed and returned; on any error
    (a limit reached half-way, a bad line, the geocoder gone) it is discarded (nothing left
    behind) and the error raised.
    """
    chunks = reader.chunks()
    columns = reader.columns
    first: list[pd.DataFrame] = []
    while sum(len(f) for f in first) < FIRST_BLOCK_ROWS:
        block = next(chunks, None)
        if block is None:
            break
        first.append(block)
    head = pd.concat(first, ignore_index=True) if len(first) > 1 else first[0]
    check = prepare(head)
    del head
    writer = open_writer(columns)
    done = 0
    try:
        while first:
            block = first.pop(0)
            writer.write(check(block))
            done += len(block)
            if progress is not None:
                progress(done)
        for block in chunks:
            writer.write(check(block))
            done += len(block)
            if progress is not None:
                progress(done)
        writer.close()  # may fail too (the output moved in place, the disk full): nothing left then either
    except BaseException:
        writer.discard()
        raise
    return writer


#: The C allocator's settings for the rest of a ``check-file`` process (glibc's ``mallopt``):
#: blocks up to 64 MB from its heap, none of it given back to the system before 256 MB are
#: free (``M_MMAP_THRESHOLD``, ``M_TRIM_THRESHOLD``).
_MALLOPT = ((-3, 64 << 20), (-1, 256 << 20))


def _share_memory() -> None:
    """Arrow's buffers (the texts of the chunks read and written) taken from the C allocator
    that numpy and pandas use, for the rest of a ``check-file`` process: the memory of one chunk
    is used again by the next whatever library asked for it, where arrow's own pool kept its
    freed blocks apart (about 40 MB less at the peak of 200,000 rows, the same CPU time).

    And that allocator keeps the memory it was given (:data:`_MALLOPT`): the arrays of a
    chunk, a few MB each, were mapped afresh from the system and given back one by one, every
    page of each zeroed and faulted in again for the next (30,000 page faults of 200,000 rows,
    a third of them, 0.05 s of system time; the peak the same: the next chunk takes the same
    room). Only where the C library is glibc (elsewhere, nothing changes)."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS...): its own ways
        return
    for option, value in _MALLOPT:
        mallopt(option, value)


def _open_file_writer(target: Path, path: Path, args: argparse.Namespace, neutral: list[str] | None):
    """The CSV or XLSX writer of ``check-file``'s output (the separator: ``--sep``, else the input's)."""
    from tzcld.check_cli import output_separator
    from tzcld.table_writer import CsvWriter, XlsxWriter

    if target.suffix.lower() in (".xlsx", ".xlsm"):
        from tzcld.geodata.layers import attribution

        credit = attribution(args.lang) + " ; SPW – ICAR (adresses)"
        return XlsxWriter(target, credit=credit, neutral=neutral)
    sep = args.sep
    if sep is None:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            sep = ";"
        else:
            with path.open("rb") as fh:
                sep = output_separator(fh.read(8192), path.name)
    return CsvWriter(target, sep=sep, neutral=neutral)


def run_streaming(args: argparse.Namespace, path: Path, as_of: dt.date | None, rt: Runtime) -> int:
    """The ``check-file`` command without ``--recheck`` (see :func:`tzcld.check_cli.run_check_file`),
    with the runtime of its options (settings: the file limits; perimeters, geocoder)."""
    from tzcld.batch_io import BatchInputError, TableReader
    from tzcld.check_cli import _checker, _fail, _perimeters, batch_spec, check_frame, spec_columns
    from tzcld.check_tables import looks_like_results
    from tzcld.columns import PART_ROLES
    from tzcld.geocode.base import GeocoderUnavailable, IndexMissing

    lang = args.lang
    target = Path(args.output)
    used = {}
    _share_memory()

    def prepare(head: pd.DataFrame):
        address_cols = list(args.column or [])
        part_cols = {r: c for r in PART_ROLES if (c := getattr(args, f"{r}_column", None))}
        spec = batch_spec(head, address_cols, args.lat_column, args.lon_column, part_cols)
        if spec.get("guessed"):
            print(t("check.cli.columns_used", lang, columns=spec_columns(spec)), file=sys.stderr)
        if looks_like_results(head.columns):
            print(t("check.cli.recheck_hint", lang), file=sys.stderr)
        source = used["source"] = _perimeters(rt, lang, as_of)
        # an address column's geocoder is made on its first cell that is no point (LazyGeocoder):
        # a column of coordinates in one cell ("GPS": 50.648, 5.615) never loads the index
        checker = _checker(rt, args, source, need_geocoder="address" in spec, lazy=True)
        return lambda block: check_frame(checker, block, spec)

    try:
        reader = TableReader(path, limits=rt.settings.file_limits, chunk_cells=CHUNK_CELLS)
        with reader:
            # only the cells that came from the input are neutralised (kept as <name>_input on a clash)
            out = check_stream(
                reader, prepare, lambda columns: _open_file_writer(target, path, args, input_columns(columns))
            )
    except BatchInputError as exc:
        return _fail(exc.message(lang))
    except (IndexMissing, GeocoderUnavailable) as exc:
        return _fail(exc.message(lang))
    if as_of is not None:
        version = used["source"].classifier.data_version
        print(t("asof.used", lang, date=as_of.isoformat(), version=version), file=sys.stderr)
    print(t("check.cli.written", lang, rows=format_number(out.rows, lang=lang), path=target), file=sys.stderr)
    return 0


def run_recheck_streaming(args: argparse.Namespace, path: Path, rt: Runtime) -> int:
    """``check-file RESULTS -o OUT --recheck`` by chunks: each chunk's rows concerned by a
    perimeter change since (:class:`tzcld.recheck.RecheckPlanner`) are checked again in place
    (:func:`tzcld.recheck.recheck_table`), the others kept; one pass over the file (the plan of
    a row needs only that row and the versions' changes, asked once). The summary on stderr
    once every row is seen; the output the same as re-checking the whole table at once."""
    from tzcld.batch_io import BatchInputError, TableReader
    from tzcld.check_cli import _checker, _fail, _perimeters, batch_spec, spec_columns
    from tzcld.check_tables import BATCH_FIELDS, looks_like_results, results_inputs, territory_list
    from tzcld.columns import PART_ROLES
    from tzcld.geocode.base import GeocoderUnavailable, IndexMissing
    from tzcld.recheck import RecheckPlanner, recheck_table

    lang = args.lang
    target = Path(args.output)
    state: dict = {"rechecked": 0, "changed": 0, "version": ""}
    _share_memory()

    def prepare(head: pd.DataFrame):
        # the columns are the earlier input's: result columns set aside, and an input column the
        # earlier run kept as <name>_input named back (either name is accepted)
        inputs = results_inputs(head)
        back = {f"{c}_input": c for c in BATCH_FIELDS if f"{c}_input" in head.columns}
        address_cols = [back.get(c, c) for c in args.column or []]
        part_cols = {r: back.get(c, c) for r in PART_ROLES if (c := getattr(args, f"{r}_column", None))}
        lat_col, lon_col = (back.get(c, c) if c else c for c in (args.lat_column, args.lon_column))
        spec = batch_spec(inputs, address_cols, lat_col, lon_col, part_cols)
        if spec.get("guessed"):
            print(t("check.cli.columns_used", lang, columns=spec_columns(spec)), file=sys.stderr)
        per = _perimeters(rt, lang, None)
        planner = state["planner"] = RecheckPlanner(per.store)
        plain = _checker(rt, args, per, need_geocoder=False)
        checkers = {"plain": plain}
        if "address" in spec:
            columns = {"address_columns": spec["address"], "address_roles": spec.get("roles")}
        else:
            columns = {"lat_column": spec["lat"], "lon_column": spec["lon"]}

        def check(block: pd.DataFrame) -> pd.DataFrame:
            mask = planner.mask(block)
            checker = plain
            if "address" in spec and mask.any():  # the geocoder only when an address is re-checked
                if "full" not in checkers:
                    checkers["full"] = _checker(rt, args, per, need_geocoder=True, lazy=True)
                checker = checkers["full"]
            out, summary = recheck_table(checker, block, mask, **columns)
            state["rechecked"] += summary.rechecked
            state["changed"] += summary.changed
            state["version"] = summary.version
            return out

        return check

    try:
        reader = TableReader(path, limits=rt.settings.file_limits, chunk_cells=CHUNK_CELLS)
        with reader:
            if not looks_like_results(reader.columns):
                return _fail(t("check.cli.recheck_not_results", lang))
            # every cell neutralised, as when the whole table was written at once
            out = check_stream(reader, prepare, lambda _columns: _open_file_writer(target, path, args, None))
    except BatchInputError as exc:
        return _fail(exc.message(lang))
    except (IndexMissing, GeocoderUnavailable) as exc:
        return _fail(exc.message(lang))
    plan = state["planner"].summary()
    if plan.changed:
        print(t("check.cli.recheck_changed", lang, territories=territory_list(plan.changed)), file=sys.stderr)
    if state["rechecked"]:
        print(
            t(
                "check.cli.recheck_done",
                lang,
                rechecked=format_number(state["rechecked"], lang=lang),
                total=format_number(plan.total, lang=lang),
                changed=format_number(state["changed"], lang=lang),
                version=state["version"],
            ),
            file=sys.stderr,
        )
    elif plan.unchanged:
        print(t("check.cli.recheck_none", lang, version=plan.version), file=sys.stderr)
    else:
        print(t("check.cli.recheck_none_elsewhere", lang, territories=territory_list(plan.changed)), file=sys.stderr)
    print(t("check.cli.written", lang, rows=format_number(out.rows, lang=lang), path=target), file=sys.stderr)
    return 0
