"""``python -m tzcld check``, ``check-file`` and ``address-index build`` (a stable contract).

- ``check "Rue de Droixhe 10, 4020 Liège" [--json]`` / ``check --lat 50.648 --lon 5.615 [--json]``
- ``check-file IN.csv -o OUT.csv [--column COL] [--lat-column C --lon-column C]``: every input
  column kept, :data:`tzcld.check.FIELDS` added, then ``data_version`` (the perimeter version
  used) (CSV or XLSX by the output's extension). An address in several columns:
  ``--street-column C [--number-column C] [--box-column C] [--postcode-column C]
  [--locality-column C]``; without any column option, the columns are recognised by their
  names and content (:func:`tzcld.columns.detect_columns`) — when unsure, the command asks
  for them rather than guess
- ``check-file RESULTS.csv -o OUT.csv --recheck``: ``RESULTS.csv`` is an earlier output;
  only the rows whose answer may have changed with a perimeter approved since are
  re-checked (their result columns replaced in place), the others are kept; a summary on
  stderr (rows re-checked, answers changed)
- ``address-index build [--raw DIR] [--out DIR]``: build the offline address index
- ``check … --as-of YYYY-MM-DD`` / ``check-file … --as-of YYYY-MM-DD``: with the perimeters
  that were published on that date (the hiring date, say); the answer names that version
  (:func:`tzcld.perimeters.published.published_ids_on`)

Each command builds its :class:`tzcld.runtime.Runtime` from the settings and its options
(``--index``, ``--geocoder-url``). The perimeters are the published ones (committed geodata
and approved versions) of the configured database; when it does not exist yet, the committed
ones (nothing is created); when it cannot be reached, the committed ones, with a warning on
stderr.

The assembly shared with the HTTP API (:mod:`tzcld.api`), so that both answer alike:
:func:`answer_json` (the JSON of one answer), :func:`batch_spec` (which columns of a table
to check) and :func:`check_frame` (check a table), :func:`output_separator`.

Exit codes: 0 on success (whatever the verdict), 2 on unusable input (clear French message
on stderr). Addresses are never logged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tzcld.i18n import DEFAULT_LANG, LANGUAGES, t

if TYPE_CHECKING:
    import pandas as pd

    from tzcld.check import Checker, CheckResult
    from tzcld.perimeters.provider import Perimeters
    from tzcld.perimeters.store import PerimeterStore
    from tzcld.runtime import Runtime


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help="une adresse ou un point est-il dans un territoire ?")
    p.add_argument("address", nargs="?", help="adresse (ex. « Rue de Droixhe 10, 4020 Liège ») ou coordonnées")
    p.add_argument("--lat", type=str, help="latitude WGS84 (degrés décimaux)")
    p.add_argument("--lon", type=str, help="longitude WGS84 (degrés décimaux)")
    p.add_argument("--json", action="store_true", help="réponse en JSON")
    _common(p)
    p.set_defaults(handler=run_check)

    f = subparsers.add_parser("check-file", help="vérifier chaque ligne d'un fichier CSV/XLSX")
    f.add_argument("input", help="fichier CSV ou XLSX")
    f.add_argument("-o", "--output", required=True, help="fichier de sortie (.csv ou .xlsx)")
    f.add_argument("--column", action="append", help="colonne d'adresse (répétable : jointes dans l'ordre)")
    for role, label in (
        ("street", "de la rue"),
        ("number", "du numéro"),
        ("box", "de la boîte"),
        ("postcode", "du code postal"),
        ("locality", "de la localité (commune, ancienne commune, village)"),
    ):
        f.add_argument(
            f"--{role}-column", dest=f"{role}_column", help=f"colonne {label} (adresse en plusieurs colonnes)"
        )
    f.add_argument("--lat-column", help="colonne latitude (ou x Lambert)")
    f.add_argument("--lon-column", help="colonne longitude (ou y Lambert)")
    f.add_argument(
        "--sep",
        default=None,
        type=_separator,
        choices=OUTPUT_SEPARATORS,
        metavar="SEP",
        help="séparateur du CSV de sortie : « ; », « , », « | » ou « tab » (défaut : celui de l'entrée)",
    )
    f.add_argument(
        "--recheck",
        action="store_true",
        help="l'entrée est un fichier de résultats (colonnes status, territory_id, data_version) : "
        "re-vérifier seulement les lignes concernées par un changement de périmètre depuis, "
        "en remplaçant leurs résultats",
    )
    _common(f)
    f.set_defaults(handler=run_check_file)

    i = subparsers.add_parser("address-index", help="index des adresses hors ligne (registre ICAR)")
    isub = i.add_subparsers(dest="index_command", metavar="ACTION")
    b = isub.add_parser("build", help="construire l'index (dans TZCLD_ADDRESS_INDEX, sinon data/address_index)")
    b.add_argument("--raw", type=Path, help="dossier des données brutes (défaut : TZCLD_RAW_DIR ou ../shared/geodata)")
    b.add_argument(
        "--out", type=Path, help="dossier de l'index (défaut : TZCLD_ADDRESS_INDEX, sinon data/address_index)"
    )
    b.set_defaults(handler=run_index_build)


#: Separators ``check-file --sep`` accepts (as ``sep`` of the API's ``POST /v1/check-file``).
OUTPUT_SEPARATORS: tuple[str, ...] = (";", ",", "|", "\t")


def _separator(text: str) -> str:
    """``--sep``: ``tab`` (or ``\\t``) is the tab; anything else as typed (then checked
    against :data:`OUTPUT_SEPARATORS`: a word or nothing would make an unreadable file)."""
    return "\t" if text.lower() in ("tab", "\\t", "tabulation") else text


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="langue des messages")
    p.add_argument(
        "--as-of",
        metavar="AAAA-MM-JJ",
        help="vérifier avec les périmètres publiés à cette date (ex. la date d'embauche ; AAAA-MM-JJ ou JJ/MM/AAAA) ; défaut : aujourd'hui",
    )
    p.add_argument(
        "--index",
        type=Path,
        help="dossier de l'index des adresses (défaut : TZCLD_ADDRESS_INDEX, sinon data/address_index)",
    )
    p.add_argument(
        "--geocoder",
        choices=("offline", "nominatim", "photon"),
        default="offline",
        help="géocodeur ; nominatim/photon ENVOIENT l'adresse à un service en ligne",
    )
    p.add_argument("--geocoder-url", help="adresse d'un serveur Nominatim/Photon (ex. http://localhost:8080)")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _as_of(args) -> dt.date | None:
    """The ``--as-of`` date (:func:`tzcld.perimeters.published.parse_as_of`; raises ``AsOfError``)."""
    from tzcld.perimeters.published import parse_as_of

    return parse_as_of(getattr(args, "as_of", None), day_first=True)  # a person typing: JJ/MM/AAAA too


def _index_problem(args, lang: str) -> str | None:
    """Why ``--index`` cannot be used (a folder that does not exist: a mistyped path, where an
    index would otherwise be built without a word), else ``None``."""
    index = getattr(args, "index", None)
    if index is None or Path(index).is_dir():
        return None
    return t("check.cli.index_folder_missing", lang, folder=str(index))


def _runtime(args) -> Runtime:
    """The runtime of these options: the settings with ``--index`` and ``--geocoder-url``."""
    from tzcld.runtime import Runtime, Settings

    changes = {"address_index": getattr(args, "index", None), "geocoder_url": getattr(args, "geocoder_url", None)}
    return Runtime(Settings.from_env().replace(**changes))


def _perimeters(rt: Runtime, lang: str, as_of: dt.date | None = None) -> Perimeters:
    """The published perimeters (as of ``as_of``); the fallback warning on stderr."""
    per = rt.perimeters.resolve(as_of)
    if per.unavailable:
        version = per.classifier.data_version
        print(t("check.cli.database_unavailable", lang, version=version), file=sys.stderr)
    return per


# ---------------------------------------------------------------------- shared with the API


def answer_json(
    res: CheckResult, as_of: dt.date | None = None, store: PerimeterStore | None = None, versions: dict | None = None
) -> dict:
    """One answer as ``check --json`` prints it (and the API returns it): the
    :data:`tzcld.check.JSON_FIELDS` first, then the rest of :meth:`CheckResult.as_json`, then
    ``as_of`` (the date whose perimeters were used, ``None``: today's) and
    ``perimeter_version`` (``label`` ``v<id>`` | ``base`` and ``date``: the version of the
    answer's territory, ``None`` when it is in none; ``store``: where the versions are, or
    ``versions``: :func:`~tzcld.perimeters.published.territory_versions` already read)."""
    from tzcld.check import JSON_FIELDS

    data = res.as_json()
    ordered = {k: data[k] for k in JSON_FIELDS}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    ordered["as_of"] = as_of.isoformat() if as_of else None
    ordered["perimeter_version"] = None
    if res.territory_id:
        if versions is None:
            from tzcld.perimeters.published import territory_versions

            versions = territory_versions(store, on=as_of)
        version = versions.get(res.territory_id)
        if version is not None:
            ordered["perimeter_version"] = {"label": version.label, "date": version.date}
    return ordered


def batch_spec(
    table: pd.DataFrame,
    address_columns: Sequence[str] | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    part_columns: dict[str, str] | None = None,
) -> dict:
    """Which columns of ``table`` to check: ``{"address": [cols], "roles": [...] | None}`` or
    ``{"lat": c, "lon": c}``, plus ``"guessed": True`` when nothing was named.

    From the columns named (``--column``, the address parts ``--street-column``...,
    ``--lat-column``/``--lon-column``), else detected by header names *and* content
    (:func:`tzcld.columns.detect_columns`: a name column is never the address; of an earlier
    run's results, among its input columns, named as in ``table``: ``lat_input``...). Raises
    :class:`tzcld.batch_io.BatchInputError` (``check.file.unknown_column``,
    ``check.file.address_and_coordinates`` (address columns and coordinate columns together),
    ``check.file.lat_lon_pair`` (one coordinate column alone), ``check.cli.street_column_needed``,
    ``check.file.no_column``, ``check.file.unsure_column``, ``check.file.unsure_coordinates``).
    """
    from tzcld.batch_io import BatchInputError
    from tzcld.check_tables import BATCH_FIELDS, looks_like_results, results_inputs
    from tzcld.columns import PART_ROLES, detect_columns

    names = [str(c) for c in table.columns]
    listed = ", ".join(names)

    def named(col: str | None) -> str | None:
        """The file's column ``col`` names: as typed, else the one column equal to it but for
        case and surrounding spaces (``--column adresse`` for ``Adresse``)."""
        if not col or col in names:
            return col
        alike = [n for n in names if n.strip().casefold() == col.strip().casefold()]
        if len(alike) != 1:
            raise BatchInputError("check.file.unknown_column", column=col, columns=listed)
        return alike[0]

    address_columns = [c for c in (named(c) for c in address_columns or []) if c]
    parts = {role: c for role, col in (part_columns or {}).items() if (c := named(col))}
    lat_column, lon_column = named(lat_column), named(lon_column)
    if (lat_column or lon_column) and (parts or address_columns):
        raise BatchInputError("check.file.address_and_coordinates")  # one would be ignored
    if bool(lat_column) != bool(lon_column):
        raise BatchInputError("check.file.lat_lon_pair")  # not a guess for the other half
    if parts:
        if "street" not in parts:
            raise BatchInputError("check.cli.street_column_needed")
        part_roles = [r for r in PART_ROLES if r in parts]
        return {"address": [parts[r] for r in part_roles], "roles": part_roles}
    if address_columns:
        return {"address": list(address_columns), "roles": None}
    if lat_column and lon_column:
        return {"lat": lat_column, "lon": lon_column}
    # of an earlier run's results, the columns are guessed among its input's (its own result
    # columns, e.g. an empty matched_address, are never the address), by their names in ``table``
    guessed_in, as_named = table, dict[str, str]()
    if looks_like_results(names):
        guessed_in = results_inputs(table)
        as_named = {f: f"{f}_input" for f in BATCH_FIELDS if f"{f}_input" in names}
    guess = detect_columns(guessed_in)
    if guess.mode is None:
        raise BatchInputError("check.file.no_column", columns=listed)
    if not guess.sure and guess.mode == "coords":
        raise BatchInputError("check.file.unsure_coordinates", guess=f"{guess.lat}, {guess.lon}", columns=listed)
    if not guess.sure:
        raise BatchInputError("check.file.unsure_column", guess=" + ".join(guess.address), columns=listed)
    if guess.mode == "coords":
        lat, lon = str(guess.lat), str(guess.lon)
        return {"lat": as_named.get(lat, lat), "lon": as_named.get(lon, lon), "guessed": True}
    roles = guess.roles if len(guess.address) > 1 else None
    return {"address": [as_named.get(c, c) for c in guess.address], "roles": roles, "guessed": True}


def spec_columns(spec: dict) -> str:
    """The columns of a :func:`batch_spec` for messages (``Rue + Numéro``, ``lat, lon``)."""
    return " + ".join(spec["address"]) if "address" in spec else f"{spec['lat']}, {spec['lon']}"


def check_frame(checker: Checker, df: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """``check_table(checker, …)`` for the columns of ``spec`` (:func:`batch_spec`), for a writer of
    :mod:`tzcld.table_writer` (``compact``: verdict texts as categoricals, the same bytes)."""
    from tzcld.check_tables import check_table

    if "address" in spec:
        return check_table(checker, df, address_columns=spec["address"], address_roles=spec.get("roles"), compact=True)
    return check_table(checker, df, lat_column=spec["lat"], lon_column=spec["lon"], compact=True)


def output_separator(data: bytes, filename: str | None) -> str:
    """The CSV separator of the results: the input's (``;`` for a workbook)."""
    from tzcld.batch_io import is_xlsx, sniff_delimiter

    if is_xlsx(data[:4], filename):
        return ";"
    return sniff_delimiter(data[:8192].decode("utf-8", errors="replace"))


def _checker(rt: Runtime, args, per: Perimeters, need_geocoder: bool, lazy: bool = False) -> Checker:
    """The checker of ``per``, with the ``--geocoder`` when addresses are to be read; ``lazy``:
    made on the first address looked up (:class:`tzcld.geocode.base.LazyGeocoder`: a column
    whose cells are all coordinates never loads the address index)."""
    from tzcld.geocode.base import Geocoder, LazyGeocoder

    geocoder: Geocoder | None = None
    if need_geocoder:
        made = lambda: rt.geocoder(args.geocoder, args.lang)  # noqa: E731
        geocoder = LazyGeocoder(made) if lazy else made()
    return rt.checker(args.lang, per, geocoder)


def _print_human(res, lang: str, as_of: dt.date | None = None) -> None:
    from tzcld.check import candidate_text, format_distance

    rows = [
        (t("check.page.result", lang), t(f"check.status.{res.status}", lang)),
        (t("check.page.territory", lang), res.territory_name or (res.nearest_territory_name and "—") or "—"),
        (t("check.page.unit", lang), res.unit or "—"),
        (
            t("check.page.match_quality", lang),
            t(f"check.quality.{res.match_quality}", lang) if res.match_quality else "—",
        ),
        (t("check.page.matched_address", lang), res.matched_address or "—"),
        ("lat, lon", f"{res.lat}, {res.lon}" if res.lat is not None else "—"),
        (t("check.page.distance_to_boundary", lang), format_distance(res.distance_to_boundary_m, lang) or "—"),
        (t("check.page.precision", lang), t(f"common.precision.{res.precision}", lang) if res.precision else "—"),
        (t("check.page.data_version", lang), res.data_version or "—"),
    ]
    if as_of is not None:
        from tzcld.formatting import format_date

        rows.append((t("asof.label", lang), format_date(as_of, lang)))
    from tzcld.i18n import punctuation

    colon = punctuation(":", lang)  # " : " in French, ": " in English
    width = max(len(k) for k, _ in rows)
    for k, v in rows:  # values aligned; the colon against the label in English
        label = k.ljust(width) + colon if lang == "fr" else (k + colon.rstrip()).ljust(width + 2)
        print(f"{label}{v}")
    print(res.message)
    if len(res.candidates) > 1:
        print(t("check.page.candidates", lang) + colon.rstrip())
        for cand in res.candidates:
            print(f"  - {candidate_text(cand, lang)}")


def run_check(args: argparse.Namespace) -> int:
    from tzcld.geocode.base import GeocoderUnavailable, IndexMissing
    from tzcld.perimeters.published import AsOfError

    lang = args.lang
    try:
        as_of = _as_of(args)
    except AsOfError as exc:
        return _fail(exc.message(lang))
    problem = _index_problem(args, lang)
    if problem:
        return _fail(problem)
    rt = _runtime(args)
    per: Perimeters | None = None

    def checker(need_geocoder: bool) -> Checker:
        nonlocal per
        per = _perimeters(rt, lang, as_of)
        return _checker(rt, args, per, need_geocoder)

    if (args.lat is not None or args.lon is not None) and args.address and args.address.strip():
        return _fail(t("check.cli.both_inputs", lang))  # never answer for one and ignore the other
    if args.lat is not None or args.lon is not None:
        if args.lat is None or args.lon is None:
            return _fail(t("check.cli.need_input", lang))
        from tzcld.coords import CoordinateError, read_pair

        try:
            point = read_pair(float(str(args.lat).replace(",", ".")), float(str(args.lon).replace(",", ".")))
        except (ValueError, CoordinateError) as exc:
            key = getattr(exc, "key", "check.msg.coords_unreadable")
            params = dict(getattr(exc, "params", {}))
            if "text" in params or not params:  # what was typed, not the numbers read ("inf")
                params["text"] = f"{args.lat} {args.lon}"
            return _fail(t(key, lang, **params))
        res = checker(need_geocoder=False).check_point(point)
    else:
        if not args.address or not args.address.strip():
            return _fail(t("check.cli.need_input", lang))
        from tzcld.coords import looks_like_coordinates

        try:
            res = checker(need_geocoder=not looks_like_coordinates(args.address)).check_text(args.address)
        except (IndexMissing, GeocoderUnavailable) as exc:
            return _fail(exc.message(lang))
    if args.json:
        store = per.store if per is not None else None
        versions = per.versions if per is not None else None
        print(json.dumps(answer_json(res, as_of, store, versions), ensure_ascii=False, indent=2))
    else:
        _print_human(res, lang, as_of)
    return 2 if res.status == "error" else 0


def run_check_file(args: argparse.Namespace) -> int:
    """``check-file``: read, check and write by chunks (:mod:`tzcld.batch_stream`), the
    memory flat whatever the file's length; ``--recheck`` likewise.

    The whole command runs with the cyclic garbage collector paused (:mod:`tzcld.gcpause`):
    its imports and chunks make hundreds of thousands of objects and no cycles worth a pass
    (the memory of 1,000,000 rows the same either way), and the collector's passes over
    them took about 5 % of a run of 200,000 coordinates (0.1 s). One command per process,
    no other thread waits for them."""
    from tzcld.gcpause import paused

    with paused():
        return _run_check_file(args)


def _run_check_file(args: argparse.Namespace) -> int:
    from tzcld.batch_stream import run_recheck_streaming, run_streaming
    from tzcld.perimeters.published import AsOfError

    lang = args.lang
    try:
        as_of = _as_of(args)
    except AsOfError as exc:
        return _fail(exc.message(lang))
    if as_of is not None and getattr(args, "recheck", False):
        return _fail(t("asof.no_recheck", lang))
    path = Path(args.input)
    if not path.exists():
        return _fail(t("errors.file.missing", lang, path=path))
    if path.is_dir():
        return _fail(t("check.cli.input_is_folder", lang, path=path))
    problem = output_problem(args.output, path, lang)
    if problem:
        print(problem[0], file=sys.stderr)
        return problem[1]
    if index_problem := _index_problem(args, lang):
        return _fail(index_problem)
    rt = _runtime(args)
    if getattr(args, "recheck", False):
        return run_recheck_streaming(args, path, rt)
    return run_streaming(args, path, as_of, rt)


def output_problem(output: str | Path, source: Path, lang: str = DEFAULT_LANG) -> tuple[str, int] | None:
    """Why ``check-file`` cannot write its results to ``output``, and the exit code (``None``:
    it can), said before anything is read: no name, a folder, the input file itself (it
    would be replaced by its results) — 2, a refused request —, or a folder where nothing can
    be written (the reason in ``lang``) — 1, a file inaccessible. A folder that does not
    exist yet is created by the writer, as before."""
    import os
    import tempfile

    from tzcld.errors import os_reason

    if not str(output).strip():
        return t("check.cli.output_missing", lang), 2
    target = Path(output)
    if target.is_dir():
        return t("check.cli.output_is_folder", lang, path=target), 2
    try:
        same = target.exists() and os.path.samefile(target, source)
    except OSError:
        same = False
    if same:
        return t("check.cli.output_is_input", lang, path=target), 2
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if not folder.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(folder))
        fd, probe = tempfile.mkstemp(prefix=".tzcld-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = os_reason(exc, lang)
        return t("check.cli.output_unwritable", lang, path=target, folder=folder, reason=reason), 1
    return None


def run_index_build(args: argparse.Namespace) -> int:
    from tzcld.formatting import format_number
    from tzcld.geocode.register import build_index
    from tzcld.runtime import Settings

    settings = Settings.from_env().replace(raw_dir=args.raw, address_index=args.out)
    t0 = time.perf_counter()
    folder = build_index(raw=settings.raw_dir, out=settings.address_index)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    print(
        t(
            "check.cli.built",
            DEFAULT_LANG,
            path=folder,
            addresses=format_number(meta["addresses"]),
            streets=format_number(meta["streets"]),
            seconds=format_number(time.perf_counter() - t0, 1),
        )
    )
    return 0
