"""``python -m tzcld ledger ...``: export, import, backup, add-account.

- ``ledger export --format csv|xlsx [-o FILE] [--current-only]``  (CSV to stdout without ``-o``)
- ``ledger import FILE [--as USER] [--dry-run]``  (CSV/XLSX; all rows or none; a file
  written by ``ledger export`` is restored with its authors, times and corrections)
- ``ledger backup -o FILE``  (SQLite: a consistent copy of the database file, refused when
  the database or the copy fails ``PRAGMA integrity_check``)
- ``ledger check``  (SQLite: ``PRAGMA integrity_check`` and counts; a backup file is checked
  with ``--database sqlite:///FILE``)
- ``ledger add-account USER --role porteur|admin [--territory ID] [--name N] [--email E]``
  (password asked twice, or ``--password-stdin``; ``--no-password`` for OIDC-only)
- ``ledger remove-account USER`` (past entries stay in the ledger under that name)
- ``ledger import-accounts FILE [--replace]`` (copies a file's accounts, hashes as they are,
  into the database: moving from one host to several replicas)

All take ``--database URL`` (default ``TZCLD_DATABASE_URL`` or SQLite in the data folder):
each command builds its :class:`tzcld.runtime.Runtime` from the settings and its options.
Accounts are kept where :func:`tzcld.auth.accounts_location` says: ``--file``, else
``--database``, else ``TZCLD_ACCOUNTS_FILE``, else the database of ``TZCLD_DATABASE_URL``,
else ``data/accounts.toml`` (:attr:`tzcld.runtime.Settings.accounts`).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tzcld.ledger.permissions import Account
    from tzcld.ledger.store import Store
    from tzcld.runtime import Runtime


def _runtime(args) -> Runtime:
    """The runtime of these options (``--database``, ``--file``)."""
    from tzcld.runtime import Runtime, Settings

    changes = {"database_url": getattr(args, "database", None), "accounts_file": getattr(args, "file", None)}
    return Runtime(Settings.from_env().replace(**changes))


def register(subparsers) -> None:
    """Add the ``ledger`` command and its sub-commands to ``python -m tzcld``."""
    ledger = subparsers.add_parser("ledger", help="registre des progrès : export, import, comptes")
    sub = ledger.add_subparsers(dest="ledger_command", metavar="ACTION")
    ledger.set_defaults(handler=lambda args: (ledger.print_help(), 2)[1])

    exp = sub.add_parser("export", help="exporter le registre (CSV ou XLSX)")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("-o", "--output", type=Path, help="fichier de sortie (CSV : sortie standard par défaut)")
    exp.add_argument(
        "--current-only", action="store_true", help="seulement les valeurs en vigueur (sans les entrées corrigées)"
    )
    exp.add_argument("--database", help="URL de la base (défaut : TZCLD_DATABASE_URL ou SQLite local)")
    exp.set_defaults(handler=_export)

    imp = sub.add_parser("import", help="importer un fichier CSV/XLSX (tout ou rien)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--as", dest="as_user", help="enregistrer au nom de ce compte local (ses droits s'appliquent)")
    imp.add_argument("--dry-run", action="store_true", help="vérifier seulement, ne rien enregistrer")
    imp.add_argument("--database")
    imp.set_defaults(handler=_import)

    bak = sub.add_parser(
        "backup",
        help="copie intégrale de la base SQLite (contrôlée : source et copie)",
        description="Copie la base SQLite entière (registre, versions de périmètre, journal des connexions). "
        "La base et la copie passent PRAGMA integrity_check, sinon la sauvegarde est refusée.",
    )
    bak.add_argument("-o", "--output", type=Path, required=True)
    bak.add_argument("--database")
    bak.set_defaults(handler=_backup)

    chk = sub.add_parser(
        "check",
        help="contrôler l'intégrité d'une base ou d'une sauvegarde (SQLite)",
        description="PRAGMA integrity_check sur la base (ou --database sqlite:///SAUVEGARDE.sqlite), "
        "puis le nombre d'observations et de versions de périmètre. Ne modifie rien.",
    )
    chk.add_argument("--database")
    chk.set_defaults(handler=_check)

    acc = sub.add_parser("add-account", help="ajouter un compte local (empreinte argon2)")
    acc.add_argument("username")
    acc.add_argument("--role", choices=("porteur", "admin"), required=True)
    acc.add_argument("--territory", help="identifiant du territoire (porteur)")
    acc.add_argument("--name", default="", help="nom affiché")
    acc.add_argument("--email", default="", help="e-mail de connexion OpenID Connect (facultatif)")
    group = acc.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    group.add_argument("--no-password", action="store_true", help="compte OpenID Connect seulement")
    acc.add_argument("--replace", action="store_true", help="remplacer un compte existant")
    acc.add_argument(
        "--file",
        type=Path,
        help="fichier des comptes (défaut : TZCLD_ACCOUNTS_FILE, sinon la base de TZCLD_DATABASE_URL, "
        "sinon data/accounts.toml)",
    )
    acc.add_argument("--database", help="enregistrer le compte dans cette base (URL) plutôt que dans un fichier")
    acc.set_defaults(handler=_add_account)

    rem = sub.add_parser("remove-account", help="supprimer un compte local (ses saisies restent)")
    rem.add_argument("username")
    rem.add_argument("--file", type=Path, help="fichier des comptes")
    rem.add_argument("--database", help="base des comptes (URL)")
    rem.set_defaults(handler=_remove_account)

    ima = sub.add_parser(
        "import-accounts",
        help="copier les comptes d'un fichier dans la base (plusieurs serveurs)",
        description="Copie les comptes locaux d'un fichier (empreintes telles quelles) dans la base de "
        "données, partagée par tous les serveurs : TZCLD_DATABASE_URL ou --database. Un compte déjà "
        "présent est gardé, sauf --replace. Tout ou rien : le fichier est lu et contrôlé d'abord.",
    )
    ima.add_argument("file", type=Path, help="fichier des comptes (accounts.toml)")
    ima.add_argument("--replace", action="store_true", help="remplacer les comptes déjà présents dans la base")
    ima.add_argument("--database", help="URL de la base (défaut : TZCLD_DATABASE_URL)")
    ima.set_defaults(handler=_import_accounts)


def _export(args) -> int:
    from tzcld.ledger.export import write_export
    from tzcld.ledger.integrity import ensure_intact

    if args.format == "xlsx" and args.output is None:
        print("Pour un export XLSX, indiquez un fichier : -o FICHIER.xlsx", file=sys.stderr)
        return 2
    rt = _runtime(args)
    ensure_intact(rt.settings.database_url)  # an export of a damaged file would be a false backup
    store = rt.ledger_store()
    data = write_export(store, args.format, args.output, args.current_only)
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        print(f"Export écrit : {args.output} ({len(store.observations_frame())} observations)", file=sys.stderr)
    return 0


def _import(args) -> int:
    from tzcld.auth import load_accounts
    from tzcld.ledger.imports import commit_import, preview_import
    from tzcld.ledger.integrity import ensure_intact
    from tzcld.ledger.permissions import Account, PermissionDenied
    from tzcld.ledger.validation import ValidationError
    from tzcld.runtime import Runtime, Settings

    if not args.file.exists():
        print(f"Fichier introuvable : {args.file}", file=sys.stderr)
        return 2
    rt = Runtime(Settings.from_env().replace(database_url=args.database))
    ensure_intact(rt.settings.database_url)  # nothing is written into a damaged database
    if args.as_user:
        stored = load_accounts(rt.settings.accounts).get(args.as_user.lower())
        if stored is None:
            print(f"Compte inconnu « {args.as_user} ».", file=sys.stderr)
            return 2
        actor = stored.account()
    else:
        from tzcld.restore import cli_actor_name

        actor = Account(cli_actor_name(), "admin", display_name="Import en ligne de commande")
    store = rt.ledger_store()
    limits = rt.settings.file_limits
    if _is_export(args.file, limits):
        return _restore(args, store, actor, limits)
    preview = preview_import(args.file, args.file.name, store, actor, limits=limits)
    for message in preview.file_errors:
        print(message, file=sys.stderr)
    for row in preview.rows:
        for message in row.errors:
            print(f"Ligne {row.line} : {message}", file=sys.stderr)
    if not preview.ok:
        print("Import refusé : rien n'a été enregistré.", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"Vérification réussie : {len(preview.rows)} ligne(s) prêtes (rien enregistré).", file=sys.stderr)
        return 0
    try:
        ids = commit_import(preview, store, actor)
    except (ValidationError, PermissionDenied) as exc:
        print(f"Import refusé : {exc} Rien n'a été enregistré.", file=sys.stderr)
        return 1
    print(f"Import réussi : {len(ids)} ligne(s) enregistrée(s) par {actor.username}.", file=sys.stderr)
    return 0


def _is_export(path: Path, limits=None) -> bool:
    """A file written by ``ledger export`` (it has the ledger's own bookkeeping columns)."""
    from tzcld.batch_io import BatchInputError
    from tzcld.ledger.imports import read_table

    try:
        columns = set(read_table(path, path.name, limits).columns)
    except BatchInputError:
        return False
    return {"id", "entered_by", "entered_at", "supersedes_id", "seed_key"} <= columns


def _restore(args, store: Store, actor: Account, limits=None) -> int:
    from tzcld.ledger.imports import read_table, unescape_cell
    from tzcld.ledger.permissions import PermissionDenied
    from tzcld.ledger.validation import ValidationError

    frame = read_table(args.file, args.file.name, limits).map(unescape_cell)
    if args.dry_run:
        print(f"Fichier d'export du registre : {len(frame)} ligne(s) ; rien enregistré (--dry-run).", file=sys.stderr)
        return 0
    try:
        inserted, skipped = store.restore(frame, actor)
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for message in messages:
            print(message, file=sys.stderr)
        print("Restauration refusée : rien n'a été enregistré.", file=sys.stderr)
        return 1
    print(
        f"Restauration réussie : {inserted} entrée(s) ajoutée(s), {skipped} déjà présente(s) ; "
        f"les entrées ajoutées gardent leur auteur et leur date et sont marquées « restaurée par {actor.username} ».",
        file=sys.stderr,
    )
    return 0


def _backup(args) -> int:
    from tzcld.ledger.integrity import backup_sqlite

    backup_sqlite(_runtime(args).settings.database_url, args.output)
    print(f"Sauvegarde écrite et contrôlée (intégrité de la base et de la copie) : {args.output}", file=sys.stderr)
    return 0


def _check(args) -> int:
    from sqlalchemy import create_engine

    from tzcld.errors import DatabaseDamaged, TzcldError
    from tzcld.i18n import t
    from tzcld.ledger.integrity import counts, integrity_problems, sqlite_file

    url = _runtime(args).settings.database_url
    path = sqlite_file(url)
    if path is not None:
        if not path.exists():
            raise TzcldError("errors.database.missing", path=str(path))
        problems = integrity_problems(path)
        if problems:
            raise DatabaseDamaged("errors.database.damaged", path=str(path), detail=" ; ".join(problems[:2]))
        url = f"sqlite:///file:{path}?mode=ro&uri=true"  # read-only: a check changes nothing
    engine = create_engine(url)
    try:
        observations, versions = counts(engine)
    finally:
        engine.dispose()
    where = str(path) if path is not None else make_safe(url)
    print(t("errors.database.intact", observations=observations, versions=versions, path=where))
    return 0


def make_safe(url: str) -> str:
    """A database URL without its password (safe to print)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _add_account(args) -> int:
    from tzcld.auth import AccountError, accounts_location, add_account

    where = accounts_location(args.file, args.database)

    if args.no_password:
        password = None
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Répétez le mot de passe : ") != password:
            print("Les deux mots de passe diffèrent : aucun compte créé.", file=sys.stderr)
            return 1
    try:
        stored = add_account(
            args.username,
            password,
            args.role,
            args.territory,
            args.name,
            args.email,
            path=where,
            replace=args.replace,
        )
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(
        f"Compte « {stored.username} » ({stored.role}{' — ' + stored.territory if stored.territory else ''}) enregistré dans {where.describe()}.",
        file=sys.stderr,
    )
    return 0


def _remove_account(args) -> int:
    from tzcld.auth import AccountError, remove_account

    try:
        remove_account(args.username, path=args.file, database=args.database)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Compte « {args.username} » supprimé (ses saisies restent dans le registre).", file=sys.stderr)
    return 0


def _import_accounts(args) -> int:
    from tzcld.auth import AccountError, accounts_location, import_accounts

    if not args.file.is_file():
        print(f"Fichier introuvable : {args.file}", file=sys.stderr)
        return 2
    try:
        added, skipped = import_accounts(args.file, database=args.database, replace=args.replace)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    where = accounts_location(None, args.database).describe()
    print(
        f"{len(added)} compte(s) copié(s) dans {where}" + (f" : {', '.join(added)}." if added else "."), file=sys.stderr
    )
    if skipped:
        print(
            f"{len(skipped)} compte(s) déjà présent(s), gardé(s) tel(s) quel(s) (--replace pour les remplacer) : "
            + ", ".join(skipped)
            + ".",
            file=sys.stderr,
        )
    return 0
