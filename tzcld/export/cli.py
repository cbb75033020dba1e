"""``python -m tzcld export-site [OUT/] [--tiles | --no-tiles] [--database-url URL]
[--atomic] [--follow [--interval S]] [--keep N]``.

Writes the public Transparence page, its open data and the map as static files
(see :mod:`tzcld.export.site`); the open-data records follow the settings
(:attr:`tzcld.runtime.Settings.open_data`: licence, publisher, public address). The database
(``--database-url``, else the settings') gives both the progress ledger and the published
perimeters (approved versions), read with the runtime's one fallback policy: no database
yet, the published facts and the committed perimeters (nothing is created); a database that
cannot be read, the same, and the command and the page say so. Heavy imports happen only
when the command runs.

``--atomic`` publishes into ``OUT`` in one step (``OUT`` becomes a symbolic link to a
complete version, :mod:`tzcld.export.publish`); a database that cannot be read then keeps
an already published site instead of replacing it. ``--follow`` publishes, then again after
every change in the database (a figure, an approval...) until stopped (SIGTERM, Ctrl-C).
Without ``OUT``, the publish path is ``TZCLD_PUBLISH_DIR`` (:attr:`tzcld.runtime.Settings.publish`;
``--atomic`` is then implied).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tzcld.export.metadata import OpenDataSettings
    from tzcld.export.site import SiteExport
    from tzcld.runtime import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export-site`` sub-command."""
    parser = subparsers.add_parser(
        "export-site",
        help="écrire la page Transparence et les données ouvertes en fichiers statiques",
        description=(
            "Écrit la page publique Transparence (français et anglais), les données ouvertes "
            "(GeoJSON, CSV, XLSX, dictionnaire, datapackage.json) et la carte dans le dossier "
            "OUT, servable par n'importe quel serveur web sans Streamlit."
        ),
    )
    parser.add_argument(
        "out",
        metavar="OUT",
        type=Path,
        nargs="?",
        default=None,
        help=(
            "dossier de sortie (créé au besoin) ; avec --atomic ou --follow, le chemin publié (un lien "
            "symbolique vers la dernière version complète) ; défaut : réglage TZCLD_PUBLISH_DIR"
        ),
    )
    parser.add_argument(
        "--tiles",
        action=argparse.BooleanOptionalAction,
        default=False,
        help=(
            "ajouter le fond de carte OpenStreetMap (chargé depuis tile.openstreetmap.org par "
            "les visiteurs) ; par défaut non : aucune ressource d'un autre site"
        ),
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=(
            "base du registre des progrès et des versions de périmètre approuvées "
            "(défaut : TZCLD_DATABASE_URL ou SQLite dans le dossier de données)"
        ),
    )
    parser.add_argument(
        "--atomic",
        action="store_true",
        help=(
            "publier d'un coup : OUT devient un lien symbolique vers une version complète écrite à côté "
            "(OUT.versions/), basculé en une fois ; si la base est illisible, le site déjà publié est gardé"
        ),
    )
    parser.add_argument(
        "--follow",
        action="store_true",
        help=(
            "publier (comme --atomic), puis republier après chaque changement dans la base (chiffre, "
            "correction, import, périmètre proposé ou approuvé) et chaque jour, jusqu'à l'arrêt"
        ),
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=None,
        help="avec --follow : secondes entre deux regards sur la base (défaut : TZCLD_PUBLISH_INTERVAL ou 30)",
    )
    parser.add_argument(
        "--keep",
        type=int,
        default=None,
        help="versions publiées gardées avant la version courante (défaut : TZCLD_PUBLISH_KEEP ou 3)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Export the site; French messages; non-zero exit on failure."""
    from tzcld.config import SettingError
    from tzcld.export import metadata
    from tzcld.runtime import Settings

    settings = Settings.from_env().replace(database_url=args.database_url)
    try:
        opts = metadata.settings(settings.open_data)  # licence, publisher, public address: checked before writing
        publish = settings.publish
        out = args.out or publish.folder
        keep = args.keep if args.keep is not None else publish.keep
        interval = args.interval if args.interval is not None else float(publish.interval_s)
    except SettingError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if out is None:
        print("Erreur : indiquez le dossier de sortie OUT (ou le réglage TZCLD_PUBLISH_DIR).", file=sys.stderr)
        return 2
    if keep < 1 or interval < 1:
        print("Erreur : --keep et --interval valent au moins 1.", file=sys.stderr)
        return 2
    atomic = args.atomic or args.follow or args.out is None
    if not atomic:
        if out.exists() and not out.is_dir():
            print(f"Erreur : « {out} » existe et n'est pas un dossier.", file=sys.stderr)
            return 2
        try:
            result = write_site(out, settings, args.tiles, opts=opts)
        except OSError as exc:
            print(f"Erreur : impossible d'écrire dans « {out} » : {exc}", file=sys.stderr)
            return 1
        _report(result, opts)
        return 0
    if out.exists() and not out.is_symlink() and not out.is_dir():
        print(f"Erreur : « {out} » existe et n'est ni un dossier ni un lien symbolique.", file=sys.stderr)
        return 2
    if args.follow:
        return _follow(out, args, settings, keep, interval, opts)
    return _publish_once(out, args, settings, keep, opts)


def _writer(out: Path, args: argparse.Namespace, settings: Settings, opts: OpenDataSettings):
    """``write(folder)`` for :mod:`tzcld.export.publish`: a database that cannot be read
    keeps an already published site (:class:`~tzcld.export.publish.SourcesUnavailable`)."""

    def write(folder: Path) -> SiteExport:
        # a site already there (published or a plain folder) is never replaced by a poorer one
        return write_site(folder, settings, args.tiles, opts=opts, refuse_degraded=out.is_dir())

    return write


def _publish_once(out: Path, args: argparse.Namespace, settings: Settings, keep: int, opts: OpenDataSettings) -> int:
    from tzcld.export.publish import SourcesUnavailable, publish_site

    try:
        pub = publish_site(out, _writer(out, args, settings, opts), keep=keep)
    except SourcesUnavailable as exc:
        print(f"Erreur : {exc} Le site déjà publié dans « {out} » est gardé.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur : impossible de publier dans « {out} » : {exc}", file=sys.stderr)
        return 1
    print(f"Site publié d'un coup : {out} → {pub.folder} ({pub.files} fichiers, {pub.total_bytes / 1024:.0f} Ko).")
    if pub.earlier is not None:
        print(f"  l'ancien dossier « {out} » a été déplacé dans {pub.earlier}.")
    if not opts.licence.chosen:
        print(
            "  licence de nos données : pas encore choisie (réglage TZCLD_OPEN_DATA_LICENCE) ; les exports le disent."
        )
    if pub.perimeter_version:
        print(f"  périmètres publiés : version {pub.perimeter_version}")
    return 0


def _follow(
    out: Path, args: argparse.Namespace, settings: Settings, keep: int, interval: float, opts: OpenDataSettings
) -> int:
    import signal
    import threading
    import types

    from tzcld.errors import is_database_error
    from tzcld.export.publish import database_fingerprint, follow
    from tzcld.runtime import Runtime

    stop = threading.Event()

    def _stop(signum: int, _frame: types.FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # the publisher of a database: it creates the schema and the published figures first, so
    # that the first look sees what the export reads (a one-off export creates nothing)
    rt = Runtime(settings, retry_after_s=0.0)
    try:
        rt.ledger_store()
        rt.perimeter_store().versions()
    except Exception as exc:
        if not is_database_error(exc):
            raise
        say(f"Base de données illisible au démarrage ({type(exc).__name__}) : nouvel essai dans {interval:g} s.")

    say(f"Publication suivie dans « {out} » : la base est regardée toutes les {interval:g} s (arrêt : Ctrl-C).")
    try:
        follow(
            out,
            _writer(out, args, settings, opts),
            lambda: database_fingerprint(rt.engine),
            interval_s=interval,
            keep=keep,
            stop=stop,
            say=say,
        )
    finally:
        rt.close()
    say("Publication suivie arrêtée.")
    return 0


def write_site(
    out: Path, settings: Settings, tiles: bool, *, opts: OpenDataSettings | None = None, refuse_degraded: bool = False
) -> SiteExport:
    """Export the site into ``out`` from the database of ``settings`` (read with the runtime's
    fallback policy; nothing is created); warnings on stderr. With ``refuse_degraded``, a
    database that cannot be read raises :class:`tzcld.export.publish.SourcesUnavailable`
    instead of exporting without it."""
    from tzcld.export.publish import SourcesUnavailable
    from tzcld.export.site import export_site
    from tzcld.runtime import Runtime

    rt = Runtime(settings, retry_after_s=0.0)  # each publication looks at the database afresh
    try:
        ledger = rt.observations()  # no database yet: the published facts, nothing created
        if ledger.unavailable:
            if refuse_degraded:
                raise SourcesUnavailable("ledger", detail=ledger.unavailable)
            print(
                f"Attention : registre des progrès indisponible ({ledger.unavailable}). "
                "La page est publiée avec les chiffres publiés seulement ; le journal l'indique.",
                file=sys.stderr,
            )
        state = rt.perimeters.state()
        if state.unavailable:
            if refuse_degraded:
                raise SourcesUnavailable("perimeters", detail=state.unavailable)
            print(
                f"Attention : versions de périmètre indisponibles ({state.unavailable}). "
                "Les périmètres de référence (données géographiques du dépôt) sont publiés.",
                file=sys.stderr,
            )
        elif state.store is None:
            print(
                "Attention : sans base de données, les périmètres de référence (données géographiques du dépôt) "
                "sont publiés.",
                file=sys.stderr,
            )
        return export_site(
            out, ledger.frame, tiles=tiles, ledger_available=not ledger.unavailable, store=state.store, opts=opts
        )
    finally:
        rt.close()


def _report(result: SiteExport, opts: OpenDataSettings) -> None:
    print(
        f"Site statique écrit dans {result.out_dir} : {len(result.files)} fichiers, {result.total_bytes / 1024:.0f} Ko."
    )
    print(f"  page : {result.out_dir / 'index.html'} (anglais : {result.out_dir / 'en' / 'index.html'})")
    print(f"  données ouvertes : {result.out_dir / 'data'} (datapackage.json, dcat-ap.jsonld, perimetres.gpkg)")
    if not opts.licence.chosen:
        print(
            "  licence de nos données : pas encore choisie (réglage TZCLD_OPEN_DATA_LICENCE) ; les exports le disent."
        )
    if result.perimeter_version:
        print(f"  périmètres publiés : version {result.perimeter_version}")
    if not result.map_available:
        print("  carte : indisponible (géodonnées ou Leaflet absents) ; les tableaux restent complets.")
    print(
        "  fond de carte : " + ("OpenStreetMap (--tiles)" if result.tiles else "désactivé (aucune ressource externe)")
    )
    if result.example_rows:
        print(
            f"Attention : {result.example_rows} lignes de données d'exemple (mode démo) sont incluses "
            "et marquées comme telles ; ne publiez pas ce site tel quel.",
            file=sys.stderr,
        )
