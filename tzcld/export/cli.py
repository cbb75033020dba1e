"""``python -m tzcld export-site OUT/ [--tiles | --no-tiles] [--database-url URL]``.

Writes the public Transparence page, its open data and the map as static files
(see :mod:`tzcld.export.site`); the open-data records follow the settings
(:attr:`tzcld.runtime.Settings.open_data`: licence, publisher, public address). The database
(``--database-url``, else the settings') gives both the progress ledger and the published
perimeters (approved versions), read with the runtime's one fallback policy: no database
yet, the published facts and the committed perimeters (nothing is created); a database that
cannot be read, the same, and the command and the page say so. Heavy imports happen only
when the command runs.
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
    from tzcld.config import SettingError
    from tzcld.export import metadata
    from tzcld.export.site import export_site
    from tzcld.runtime import Runtime, Settings

    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"Erreur : « {out} » existe et n'est pas un dossier.", file=sys.stderr)
        return 2
    settings = Settings.from_env().replace(database_url=args.database_url)
    try:
        opts = metadata.settings(settings.open_data)  # licence, publisher, public address: checked before writing
    except SettingError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    rt = Runtime(settings)
    ledger = rt.observations()  # no database yet: the published facts, nothing created
    if ledger.unavailable:
        print(
            f"Attention : registre des progrès indisponible ({ledger.unavailable}). "
            "La page est publiée avec les chiffres publiés seulement ; le journal l'indique.",
            file=sys.stderr,
        )
    per = rt.perimeters.resolve()
    if per.unavailable:
        print(
            f"Attention : versions de périmètre indisponibles ({per.unavailable}). "
            "Les périmètres de référence (données géographiques du dépôt) sont publiés.",
            file=sys.stderr,
        )
    elif per.store is None:
        print(
            "Attention : sans base de données, les périmètres de référence (données géographiques du dépôt) "
            "sont publiés.",
            file=sys.stderr,
        )
    try:
        result = export_site(
            out, ledger.frame, tiles=args.tiles, ledger_available=not ledger.unavailable, store=per.store, opts=opts
        )
    except OSError as exc:
        print(f"Erreur : impossible d'écrire dans « {out} » : {exc}", file=sys.stderr)
        return 1
    finally:
        rt.close()
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
