"""One description of the open data, for every record that describes it: the Frictionless
``datapackage.json`` (:mod:`tzcld.export.datapackage`), the DCAT-AP-BE record
(:mod:`tzcld.export.dcat`) and the schema.org ``Dataset`` of the static page.

What the programme owner decides is a setting (:attr:`tzcld.runtime.Settings.open_data`),
with a default that says plainly that it is not decided yet:

- the licence of **our own** data (ledger, territory registry, the compilation):
  ``TZCLD_OPEN_DATA_LICENCE`` — default *not yet chosen*, written as such everywhere;
- the publisher and its contact: ``TZCLD_OPEN_DATA_PUBLISHER``, ``TZCLD_OPEN_DATA_CONTACT``;
- where the site is published: ``TZCLD_PUBLIC_URL`` (absolute links; else relative ones).

The producers' licences (Statbel, SPW – ICAR, BOSA BeST Address, OpenStreetMap) stay
attached to what derives from their data, per file (:func:`producer_licences`), as the
geodata manifest records them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tzcld.config import OPEN_DATA_LICENCES, OpenDataChoices

#: The open-data licence file written beside the data (``data/LICENCE.md``).
LICENCE_FILE = "LICENCE.md"
#: Keys of the geodata manifest's inputs behind the territory outlines (the perimeters).
PERIMETER_INPUTS: tuple[str, ...] = ("sector_polygons", "sector_table", "address_points", "admin_units")
#: Keys behind the context outlines (Wallonia, provinces) of the map.
CONTEXT_INPUTS: tuple[str, ...] = ("admin_units",)

TITLE = {
    "fr": "Territoires zéro chômeur de longue durée (TerritoiR'ES), Wallonie : territoires, périmètres et progrès",
    "en": "Long-term zero-unemployment territories (TerritoiR'ES), Wallonia: territories, perimeters and progress",
}
DESCRIPTION = {
    "fr": (
        "Données ouvertes du tableau de bord public du projet pilote wallon « Territoires zéro chômeur de longue "
        "durée » (17 micro-territoires, objectif de près de 750 emplois, 104 M€ pour 2022–2026) : les territoires et "
        "leurs périmètres publiés (versions approuvées et dates), en GeoJSON WGS84 simplifié et en GeoPackage "
        "Lambert 72 exact, et le registre des progrès, dont chaque chiffre garde sa source et sa date ; ce qui n'est "
        "pas communiqué est laissé vide, jamais mis à 0."
    ),
    "en": (
        "Open data of the public dashboard of Wallonia's “long-term zero unemployment territories” pilot "
        "(17 micro-territories, a target of nearly 750 jobs, €104M for 2022–2026): the territories and their "
        "published perimeters (approved versions and dates), as simplified WGS84 GeoJSON and exact Lambert 72 "
        "GeoPackage, and the progress ledger, each figure with its source and date; what is not disclosed is "
        "left empty, never set to 0."
    ),
}
KEYWORDS = {
    "fr": [
        "territoires zéro chômeur de longue durée",
        "TZCLD",
        "TerritoiR'ES",
        "emploi",
        "chômage de longue durée",
        "économie sociale",
        "Wallonie",
        "périmètres",
        "Fonds social européen",
    ],
    "en": [
        "zero long-term unemployment territories",
        "employment",
        "long-term unemployment",
        "social economy",
        "Wallonia",
        "perimeters",
        "European Social Fund",
    ],
}
#: The programme's official page (the package's homepage when no public site is set).
PROGRAMME_HOMEPAGE = "https://economie.wallonie.be/"
#: The programme's period.
TEMPORAL = ("2022-01-01", "2026-12-31")
#: EU data themes (publications.europa.eu authority table).
THEMES: tuple[str, ...] = ("SOCI", "ECON", "REGI", "GOVE")
#: NUTS region of Wallonia.
NUTS_WALLONIA = "http://data.europa.eu/nuts/code/BE3"

NOT_CHOSEN = {
    "fr": "Licence non encore choisie par le propriétaire du programme",
    "en": "Licence not yet chosen by the programme owner",
}
NOT_DESIGNATED = {
    "fr": "Éditeur non encore désigné (tableau de bord public TZCLD Wallonie)",
    "en": "Publisher not yet designated (TZCLD Wallonia public dashboard)",
}


@dataclass(frozen=True)
class Licence:
    """Our data's licence: ``id`` (SPDX / Open Definition), ``title``, ``url``; ``id`` is
    ``None`` while the programme owner has not chosen one."""

    id: str | None
    title: str
    url: str | None

    @property
    def chosen(self) -> bool:
        return self.id is not None


@dataclass(frozen=True)
class ProducerLicence:
    """A data producer's licence as the geodata manifest records it."""

    producer: str
    dataset: str
    licence: str
    attribution: str


@dataclass(frozen=True)
class OpenDataSettings:
    """The settings of the records (see the module docstring)."""

    licence: Licence
    publisher: str | None
    contact: str | None
    public_url: str | None

    @property
    def homepage(self) -> str:
        return self.public_url or PROGRAMME_HOMEPAGE

    def publisher_name(self, lang: str = "fr") -> str:
        return self.publisher or NOT_DESIGNATED[lang]

    def data_url(self, name: str) -> str:
        """The address of a file of ``data/`` (absolute with a public URL, else relative to ``data/``)."""
        return (self.public_url + "data/" + name) if self.public_url else name


def settings(choices: OpenDataChoices | None = None) -> OpenDataSettings:
    """The records' wording of the programme owner's ``choices``
    (:attr:`tzcld.runtime.Settings.open_data`; ``None``: nothing chosen yet)."""
    choices = choices or OpenDataChoices()
    if choices.licence is None:
        licence = Licence(None, f"{NOT_CHOSEN['fr']} / {NOT_CHOSEN['en']}", None)
    else:
        title, url = OPEN_DATA_LICENCES[choices.licence]
        licence = Licence(choices.licence, title, url)
    return OpenDataSettings(licence, choices.publisher, choices.contact, choices.public_url)


def producer_licences(keys: tuple[str, ...] = PERIMETER_INPUTS, manifest: dict | None = None) -> list[ProducerLicence]:
    """The licences of the manifest inputs ``keys`` (one per producer and licence, in order)."""
    if manifest is None:
        try:
            from tzcld.geodata.layers import read_manifest

            manifest = read_manifest()
        except (OSError, ValueError):
            manifest = {}
    out: dict[tuple[str, str], ProducerLicence] = {}
    for item in manifest.get("inputs") or []:
        if item.get("key") not in keys:
            continue
        producer, licence = str(item.get("producer") or ""), str(item.get("licence") or "")
        if not producer:
            continue
        prev = out.get((producer, licence))
        dataset = str(item.get("dataset") or "")
        if prev is not None:
            dataset = prev.dataset if dataset in prev.dataset else f"{prev.dataset} ; {dataset}"
        out[(producer, licence)] = ProducerLicence(producer, dataset, licence, str(item.get("attribution") or producer))
    return list(out.values())


def licence_markdown(opts: OpenDataSettings, generated: dt.date | None = None) -> str:
    """``LICENCE.md``: our licence (or that none is chosen yet) and the producers' ones."""
    generated = generated or dt.date.today()
    ours_fr = (
        f"**{opts.licence.title}** ({opts.licence.id}) : {opts.licence.url}"
        if opts.licence.chosen
        else f"**{NOT_CHOSEN['fr']}.** Tant qu'elle ne l'est pas, demandez l'accord de l'éditeur avant toute réutilisation."
    )
    ours_en = (
        f"**{opts.licence.title}** ({opts.licence.id}): {opts.licence.url}"
        if opts.licence.chosen
        else f"**{NOT_CHOSEN['en']}.** Until it is, ask the publisher before any reuse."
    )
    lines = [
        "# Licences des données ouvertes / Open data licences",
        "",
        f"Tableau de bord public TZCLD Wallonie (TerritoiR'ES) — éditeur : {opts.publisher_name('fr')}"
        + (f" ({opts.contact})" if opts.contact else "")
        + f" — fichier écrit le {generated.isoformat()}.",
        "",
        "## Nos données / Our data",
        "",
        "Registre des progrès, registre des territoires, compilation des périmètres "
        "(`registre-progres.*`, `territoires.*`, `perimetres.gpkg`, `dictionnaire-des-donnees.csv`) :",
        "",
        ours_fr,
        "",
        ours_en,
        "",
        "## Données des producteurs / Producers' data",
        "",
        "Les contours des territoires (`territoires.geojson`, `perimetres.gpkg`) dérivent de ces données ; leur "
        "licence s'applique et leur mention est obligatoire. / The territory outlines derive from these data; "
        "their licence applies and their credit is required.",
        "",
        "| producteur / producer | données / data | licence | mention / credit |",
        "|---|---|---|---|",
    ]
    for p in producer_licences():
        lines.append(f"| {p.producer} | {p.dataset} | {p.licence} | {p.attribution} |")
    lines.append("")
    return "\n".join(lines)
