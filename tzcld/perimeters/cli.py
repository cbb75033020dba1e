"""``python -m tzcld perimeter ...``: list, export and import the perimeter versions.

- ``perimeter list [--territory ID] [--status pending|approved|rejected]``: a table on stdout
- ``perimeter export -o FICHIER.geojson [--territory ID]``: every version (all statuses) as
  one GeoJSON file in Lambert 72 (format: :mod:`tzcld.perimeters.backup`)
- ``perimeter import FICHIER.geojson [--dry-run]``: restores such a file, all or nothing;
  versions already present are skipped (a restore path: no account, no approval flow)

All take ``--database URL`` (default ``TZCLD_DATABASE_URL`` or SQLite in the data folder);
``list`` and ``export`` only read (a database that does not exist yet is not created: it
holds no version).
The logic is in :class:`tzcld.perimeters.store.PerimeterStore` (``versions``,
``export_versions``, ``import_versions``); this module only parses options and prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tzcld.runtime import Runtime

_DATABASE_HELP = "URL de la base (défaut : TZCLD_DATABASE_URL ou SQLite dans le dossier de données)"
_STATUSES = ("pending", "approved", "rejected")
#: Reason and source are cut to this many characters in the table (full text: export).
_CELL = 40


def register(subparsers) -> None:
    """Add the ``perimeter`` command and its sub-commands to ``python -m tzcld``."""
    perimeter = subparsers.add_parser(
        "perimeter",
        help="versions de périmètre : liste, sauvegarde (export) et restauration (import)",
        description="Versions de périmètre proposées et approuvées (page Périmètre), dans la base du registre.",
    )
    sub = perimeter.add_subparsers(dest="perimeter_command", metavar="ACTION")
    perimeter.set_defaults(handler=lambda args: (perimeter.print_help(), 2)[1])

    lst = sub.add_parser("list", help="lister les versions (tableau)")
    lst.add_argument("--territory", help="identifiant d'un territoire (ex. gembloux)")
    lst.add_argument("--status", choices=_STATUSES, help="seulement ce statut (en attente, approuvée, refusée)")
    lst.add_argument("--database", help=_DATABASE_HELP)
    lst.set_defaults(handler=_list)

    exp = sub.add_parser(
        "export",
        help="sauvegarder toutes les versions dans un fichier GeoJSON",
        description=(
            "Écrit toutes les versions (tous statuts) dans un GeoJSON en Lambert belge 72 "
            "(EPSG:31370, indiqué par le membre « crs ») : une entité par unité de périmètre, avec "
            "les informations de la version (auteur, dates, raison, source, décision). "
            "C'est la sauvegarde des périmètres sur PostgreSQL ; « perimeter import » la restaure."
        ),
    )
    exp.add_argument("-o", "--output", type=Path, required=True, help="fichier de sortie (.geojson)")
    exp.add_argument("--territory", help="seulement ce territoire")
    exp.add_argument("--database", help=_DATABASE_HELP)
    exp.set_defaults(handler=_export)

    imp = sub.add_parser(
        "import",
        help="restaurer un fichier écrit par « perimeter export » (tout ou rien)",
        description=(
            "Restaure un fichier écrit par « perimeter export » : les versions gardent leurs "
            "auteurs, dates, statuts et décisions. C'est une restauration : elle contourne "
            "volontairement le circuit proposition / approbation et ne demande aucun compte ; "
            "réservez-la à l'administrateur de la base. Les versions déjà présentes (même "
            "numéro, territoire et date) sont ignorées, les autres ajoutées sous leur numéro, "
            "ou sous un nouveau numéro s'il est pris (les références « basée sur » suivent). "
            "Une seule transaction : tout ou rien. Relancer l'import ne change rien. "
            "Chaque version ajoutée est marquée « restaurée le … par … » (--as, ou l'utilisateur du système). "
            "Une décision (approbation, refus) doit nommer un compte administrateur de ce serveur : sinon "
            "l'import est refusé en nommant ces comptes, sauf avec --accept-unmatched."
        ),
    )
    imp.add_argument("file", type=Path, help="fichier .geojson de « perimeter export »")
    imp.add_argument("--dry-run", action="store_true", help="vérifier seulement, ne rien enregistrer")
    imp.add_argument(
        "--as",
        dest="as_user",
        help="compte administrateur local qui restaure (par défaut : cli:<utilisateur du système>) ; "
        "les versions ajoutées sont marquées « restaurée le … par » lui",
    )
    imp.add_argument(
        "--accept-unmatched",
        action="store_true",
        help="restaurer aussi les décisions dont l'auteur n'est pas un compte administrateur de ce serveur, "
        "marquées « décideur non reconnu » (par défaut : refusé)",
    )
    imp.add_argument("--database", help=_DATABASE_HELP)
    imp.set_defaults(handler=_import)


def _check_territory(territory: str | None) -> bool:
    from tzcld.territories import TERRITORY_IDS

    if territory is not None and territory not in TERRITORY_IDS:
        print(f"Territoire inconnu « {territory} ». Identifiants : {', '.join(TERRITORY_IDS)}.", file=sys.stderr)
        return False
    return True


def _when(value) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y %H:%M UTC")


def _cut(text: str | None, width: int = _CELL) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def version_table(versions, published: dict[str, int]):
    """The ``perimeter list`` table (French headers) of store ``Version`` s."""
    import pandas as pd

    from tzcld.formatting import format_number
    from tzcld.i18n import t

    k = "perimeter.history."
    return pd.DataFrame(
        {
            t(k + "label"): [v.label for v in versions],
            "Territoire": [v.territory_id for v in versions],
            t(k + "status"): [t(f"perimeter.status.{v.status}") for v in versions],
            t(k + "method"): [t(f"perimeter.method_label.{v.method}") for v in versions],
            "Précision": [v.precision for v in versions],
            t(k + "units"): [format_number(v.units) for v in versions],
            t(k + "area"): [format_number(v.area_m2 / 1e6, 2) for v in versions],
            t(k + "created_by"): [v.created_by for v in versions],
            t(k + "created_at"): [_when(v.created_at) for v in versions],
            t(k + "decided_by"): [v.decided_by or "" for v in versions],
            t(k + "decided_at"): [_when(v.decided_at) for v in versions],
            t(k + "published"): ["oui" if published.get(v.territory_id) == v.id else "" for v in versions],
            t(k + "reason"): [_cut(v.reason) for v in versions],
            t(k + "source"): [_cut(v.source) for v in versions],
            t("restore.column"): [v.restore_mark() for v in versions],
        }
    )


def _runtime(args) -> Runtime:
    from tzcld.runtime import Runtime, Settings

    return Runtime(Settings.from_env().replace(database_url=args.database))


def _list(args) -> int:
    if not _check_territory(args.territory):
        return 2
    rt = _runtime(args)
    store = rt.perimeter_store(create=False)  # none yet: no version
    try:
        versions = store.versions(args.territory, args.status) if store is not None else []
        published = store.published_ids() if store is not None else {}
    finally:
        rt.close()
    if not versions:
        which = []
        if args.territory:
            which.append(f"pour le territoire « {args.territory} »")
        if args.status:
            from tzcld.i18n import t

            which.append(f"au statut « {t(f'perimeter.status.{args.status}')} »")
        suffix = (" " + " ".join(which)) if which else ""
        print(
            f"Aucune version de périmètre{suffix} dans la base : les territoires utilisent le périmètre de référence (geodata/)."
        )
        return 0
    table = version_table(versions, published)
    print(table.to_string(index=False))
    print(f"\n{len(versions)} version(s) ; raison et source abrégées (texte complet : perimeter export).")
    return 0


def _export(args) -> int:
    if not _check_territory(args.territory):
        return 2
    from tzcld.perimeters.backup import export_document

    rt = _runtime(args)
    store = rt.perimeter_store(create=False)  # none yet: an export without any version
    try:
        doc = store.export_versions(args.territory) if store is not None else export_document([], {}, args.territory)
    finally:
        rt.close()
    text = json.dumps(doc, ensure_ascii=False)
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"Impossible d'écrire « {args.output} » : {exc}", file=sys.stderr)
        return 1
    versions = {f["properties"]["version_id"] for f in doc["features"]}
    print(
        f"Export écrit : {args.output} ({len(versions)} version(s), {len(doc['features'])} entité(s), "
        "Lambert 72 / EPSG:31370).",
        file=sys.stderr,
    )
    return 0


def _import(args) -> int:
    from tzcld.auth import load_accounts
    from tzcld.i18n import t
    from tzcld.perimeters.backup import PerimeterImportError
    from tzcld.restore import cli_actor_name

    if not args.file.exists():
        print(f"Fichier introuvable : {args.file}", file=sys.stderr)
        return 2
    rt = _runtime(args)
    limit = rt.settings.file_limits.max_uncompressed_bytes
    size = args.file.stat().st_size
    if size > limit:
        print(
            f"Fichier trop volumineux : {size / 1e6:.0f} Mo ; limite {limit / 1e6:.0f} Mo. Rien n'a été enregistré.",
            file=sys.stderr,
        )
        return 2
    accounts = load_accounts(rt.settings.accounts_file)
    restorer = cli_actor_name()
    if args.as_user:
        stored = accounts.get(args.as_user.strip().lower())
        if stored is None:
            print(t("restore.unknown_actor", name=args.as_user), file=sys.stderr)
            return 2
        if stored.role != "admin":
            print(t("restore.not_admin", name=args.as_user), file=sys.stderr)
            return 2
        restorer = stored.username
    try:
        doc = json.loads(args.file.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"Fichier illisible (JSON attendu, encodé en UTF-8) : {exc}. Rien n'a été enregistré.", file=sys.stderr)
        return 2
    store = rt.perimeter_store()
    try:
        summary = store.import_versions(
            doc,
            dry_run=args.dry_run,
            restored_by=restorer,
            administrators={name for name, a in accounts.items() if a.role == "admin"},
            accept_unmatched=args.accept_unmatched,
        )
    except PerimeterImportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        rt.close()
    done = "à importer" if summary.dry_run else "importée(s)"
    print(
        f"{len(summary.imported)} version(s) {done}, {len(summary.skipped)} déjà présente(s) (ignorée(s)).",
        file=sys.stderr,
    )
    for old, new in sorted(summary.remapped.items()):
        print(f"  v{old} du fichier → v{new} (numéro déjà pris dans la base)", file=sys.stderr)
    for vid in summary.differing:
        print(
            f"  v{vid} : déjà présente avec un autre statut ou une autre décision, laissée telle quelle",
            file=sys.stderr,
        )
    listed = ", ".join(f"{tid} v{vid}" for tid, vid in sorted(summary.published.items()))
    print(
        f"{len(summary.published)} territoire(s) avec une version publiée ensuite"
        + (f" : {listed}." if listed else "."),
        file=sys.stderr,
    )
    if summary.imported and not summary.dry_run:
        print(f"Versions ajoutées marquées « restaurée le … par {summary.restored_by} ».", file=sys.stderr)
    if summary.unmatched:
        names = ", ".join(f"« {n} »" for n in summary.unmatched)
        print(f"Décisions restaurées marquées « décideur non reconnu » : {names}.", file=sys.stderr)
    if summary.dry_run:
        print("Vérification seulement (--dry-run) : rien n'a été enregistré.", file=sys.stderr)
    return 0
