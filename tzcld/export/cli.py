"""``python -m tzcld export-site OUT/ [--tiles | --no-tiles] [--database-url URL]``.

Writes the public Transparence page, its open data and the map as static files
(see :mod:`tzcld.export.site`); the open-data records follow the settings of
:mod:`tzcld.export.metadata` (licence, publisher, public address). The database (``--database-url``, else
``TZCLD_DATABASE_URL``, else SQLite in the data folder) gives both the progress ledger and
the published perimeters (approved versions); when it cannot be opened the site is
published with the committed perimeters and without the ledger, and says so. Heavy
imports happen only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    parser.add_argument("out", metavar="OUT", type=Path, help="dossier de sortie (créé au besoin)")
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Export the site; French messages; non-zero exit on failure."""
    from tzcld.export.site import export_site

    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"Erreur : « {out} » existe et n'est pas un dossier.", file=sys.stderr)
        return 2
    from tzcld.config import SettingError
    from tzcld.export import metadata

    try:
        opts = metadata.settings()  # licence, publisher, public address: checked before writing
    except SettingError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    observations = None
    ledger_available = True
    store = None
    try:
        from tzcld.ledger import open_store

        store = open_store(args.database_url)
        observations = store.observations_frame(include_superseded=True)
    except Exception as exc:  # noqa: BLE001 - any database failure: publish without the ledger, say so
        ledger_available = False
        print(
            f"Attention : registre des progrès indisponible ({exc.__class__.__name__}: {exc}). "
            "La page est publiée avec les chiffres publiés seulement ; le journal l'indique.",
            file=sys.stderr,
        )
    perimeters = None
    if store is not None:
        try:
            from tzcld.perimeters.published import published_version
            from tzcld.perimeters.store import perimeter_store_for

            perimeters = perimeter_store_for(store)
            published_version(perimeters)
        except Exception as exc:  # noqa: BLE001 - publish the committed perimeters, say so
            perimeters = None
            print(
                f"Attention : versions de périmètre indisponibles ({exc.__class__.__name__}: {exc}). "
                "Les périmètres de référence (données géographiques du dépôt) sont publiés.",
                file=sys.stderr,
            )
    else:
        print(
            "Attention : sans base de données, les périmètres de référence (données géographiques du dépôt) "
            "sont publiés.",
            file=sys.stderr,
        )
    try:
        result = export_site(out, observations, tiles=args.tiles, ledger_available=ledger_available, store=perimeters)
    except OSError as exc:
        print(f"Erreur : impossible d'écrire dans « {out} » : {exc}", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.dispose()
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
    return 0
