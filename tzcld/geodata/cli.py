"""``python -m tzcld geodata build [--raw DIR] [--out DIR]``: rebuild the derived geodata."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run_build(args: argparse.Namespace) -> int:
    from tzcld.geodata.build import BuildError, build
    from tzcld.geodata.sources import RawInputError
    from tzcld.runtime import Settings
    from tzcld.territories import RegistryError

    try:
        result = build(
            raw=Settings.from_env().replace(raw_dir=args.raw).raw_dir,
            out=Path(args.out) if args.out else None,
            registry_path=Path(args.registry) if args.registry else None,
            progress=lambda msg: print(msg, file=sys.stderr),
        )
    except (RegistryError, RawInputError, BuildError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    for rel, digest in result.outputs.items():
        print(f"{digest[:12]}  {result.out_dir / rel}")
    print(f"data_version {result.data_version} ({len(result.warnings)} avertissement(s), {result.seconds:.1f} s)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``geodata`` command and its ``build`` sub-command."""
    geodata = subparsers.add_parser("geodata", help="couches géographiques dérivées (construction)")
    sub = geodata.add_subparsers(dest="geodata_command", metavar="ACTION")
    b = sub.add_parser(
        "build",
        help="reconstruire geodata/ à partir des données brutes et du registre",
        description=(
            "Lit les données brutes (Statbel, BeST, OSM ; dossier --raw, sinon TZCLD_RAW_DIR, "
            "sinon ../shared/geodata) et geodata/territories.yaml, et écrit territories.geojson, "
            "units.geojson, perimeters.gpkg, context/*.geojson et manifest.json."
        ),
    )
    b.add_argument("--raw", metavar="DOSSIER", help="dossier des données brutes")
    b.add_argument("--out", metavar="DOSSIER", help="dossier de sortie (défaut : geodata/)")
    b.add_argument("--registry", metavar="FICHIER", help="registre des territoires (défaut : geodata/territories.yaml)")
    b.set_defaults(handler=_run_build)
    geodata.set_defaults(handler=lambda _args: (geodata.print_help(), 2)[1])
