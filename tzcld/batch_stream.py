"""``check-file`` in chunks: read, check and write a block of rows at a time, so that the
memory of a run stays flat whatever the file's length (:meth:`tzcld.batch_io.TableReader.chunks`,
:func:`tzcld.check_cli.check_frame`, :mod:`tzcld.table_writer`).

Same options, messages, exit codes and output as reading the whole file first: the columns
are recognised on the first :data:`FIRST_BLOCK_ROWS` rows (all that
:func:`tzcld.columns.detect_columns` reads anyway); every row is checked on its own; a file
that turns out unusable half-way (a limit reached, a bad line) leaves no output behind.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tzcld.i18n import t

if TYPE_CHECKING:
    import argparse
    import datetime as dt

    from tzcld.runtime import Runtime

#: Rows read before the columns are recognised (detect_columns looks at the first 5,000).
FIRST_BLOCK_ROWS = 5_000
#: Cells per chunk read, checked and written (:data:`tzcld.batch_io.CHUNK_CELLS`).
CHUNK_CELLS = 200_000


def run_streaming(args: argparse.Namespace, path: Path, as_of: dt.date | None, rt: Runtime) -> int:
    """The ``check-file`` command without ``--recheck`` (see :func:`tzcld.check_cli.run_check_file`),
    with the runtime of its options (settings: the file limits; perimeters, geocoder)."""
    from tzcld.batch_io import BatchInputError, TableReader
    from tzcld.check_cli import _checker, _fail, _perimeters, batch_spec, check_frame, output_separator, spec_columns
    from tzcld.check_tables import input_renames, looks_like_results
    from tzcld.columns import PART_ROLES
    from tzcld.geocode.base import GeocoderUnavailable
    from tzcld.geocode.register import IndexMissing
    from tzcld.table_writer import CsvWriter, XlsxWriter

    lang = args.lang
    target = Path(args.output)
    writer: CsvWriter | XlsxWriter | None = None
    out: CsvWriter | XlsxWriter
    try:
        reader = TableReader(path, limits=rt.settings.file_limits, chunk_cells=CHUNK_CELLS)
    except BatchInputError as exc:
        return _fail(exc.message(lang))
    try:
        with reader:
            chunks = reader.chunks()
            first: list[pd.DataFrame] = []
            try:
                columns = reader.columns
                while sum(len(f) for f in first) < FIRST_BLOCK_ROWS:
                    block = next(chunks, None)
                    if block is None:
                        break
                    first.append(block)
                head = pd.concat(first, ignore_index=True) if len(first) > 1 else first[0]
            except BatchInputError as exc:
                return _fail(exc.message(lang))
            address_cols = list(args.column or [])
            part_cols = {r: c for r in PART_ROLES if (c := getattr(args, f"{r}_column", None))}
            try:
                spec = batch_spec(head, address_cols, args.lat_column, args.lon_column, part_cols)
            except BatchInputError as exc:
                return _fail(exc.message(lang))
            if spec.get("guessed"):
                print(t("check.cli.columns_used", lang, columns=spec_columns(spec)), file=sys.stderr)
            if looks_like_results(columns):
                print(t("check.cli.recheck_hint", lang), file=sys.stderr)
            source = _perimeters(rt, lang, as_of)
            try:
                checker = _checker(rt, args, source, need_geocoder="address" in spec)
            except (IndexMissing, GeocoderUnavailable) as exc:
                return _fail(str(exc))
            # only the cells that came from the input are neutralised (kept as <name>_input on a clash)
            renames = input_renames(columns)
            inputs = [renames.get(c, c) for c in columns]
            if target.suffix.lower() in (".xlsx", ".xlsm"):
                from tzcld.geodata.layers import attribution

                credit = attribution(lang) + " ; SPW – ICAR (adresses)"
                out = writer = XlsxWriter(target, credit=credit, neutral=inputs)
            else:
                sep = args.sep
                if sep is None:
                    if path.suffix.lower() in (".xlsx", ".xlsm"):
                        sep = ";"
                    else:
                        with path.open("rb") as fh:
                            sep = output_separator(fh.read(8192), path.name)
                out = writer = CsvWriter(target, sep=sep, neutral=inputs)
            try:
                for block in first:
                    out.write(check_frame(checker, block, spec))
                first.clear()
                del head
                for block in chunks:
                    out.write(check_frame(checker, block, spec))
            except BatchInputError as exc:
                out.discard()
                writer = None
                return _fail(exc.message(lang))
            except (IndexMissing, GeocoderUnavailable) as exc:
                out.discard()
                writer = None
                return _fail(str(exc))
        out.close()
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if as_of is not None:
        print(t("asof.used", lang, date=as_of.isoformat(), version=source.classifier.data_version), file=sys.stderr)
    print(t("check.cli.written", lang, rows=out.rows, path=target), file=sys.stderr)
    return 0
