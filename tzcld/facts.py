"""The programme's published figures, as data, each with its source and date.

This module is the only place where real figures about the programme are written down.
They come from ``../shared/facts/programme-facts.md`` (which cites the public sources);
the ledger (:mod:`tzcld.ledger`) is seeded from them, the home page shows
:func:`headline_facts`. Anything not listed here is **unknown** ("non communiqué") until
someone records it in the ledger with a source: never write 0 for unknown.

Units: ``persons`` (people / jobs), ``fte`` (full-time equivalents), ``activities``,
``territories``, ``EUR`` (euros, not millions), ``status`` (``value`` is ``None`` and
``text`` holds the status: ``active`` | ``ended`` | ``unconfirmed``).

Dates are ISO strings, possibly partial (``"2024-09"``, ``"2025"``): the sources do not
always give a day. The 2022 announcement of the 17 projects (``../shared/seed/``) is an
official Wallonia news item whose web address is not in our sources: its facts carry an
empty ``source_url`` and the announcement's title, never an invented link.
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRAMME = "programme"

#: Source titles and addresses (one place each).
ANNOUNCEMENT_TITLE = (
    "Wallonie (Plan de relance), « Déploiement de 17 projets "
    "\u201cTerritoires zéro chômeur de longue durée\u201d » — annonce officielle"
)
ANNOUNCEMENT_URL = ""
ANNOUNCEMENT_DATE = "2022"

SPW_2024_TITLE = (
    "SPW Économie, « TerritoiR'ES : l'économie sociale, un moteur d'inclusion au service des besoins locaux »"
)
SPW_2024_URL = "https://economie.wallonie.be/"

MIDTERM_TITLE = (
    "Cabinet du ministre Yves Coppieters, « Le Gouvernement wallon recentre le dispositif "
    "des TerritoiR'ES pour renforcer l'emploi local par l'économie sociale » (évaluation à "
    "mi-parcours, SPW EER et Agence FSE)"
)
MIDTERM_URL = (
    "https://coppieters.wallonie.be/home/communiques-de-presse/presses/le-gouvernement-"
    "wallon-recentre-le-dispositif-des-territoir-es-pour-renforcer-l-emploi-local-par-l-"
    "economie-sociale.html"
)

LA_LOUVIERE_TITLE = "Antenne Centre, « La Louvière : stop aux territoires zéro chômeur »"
LA_LOUVIERE_URL = "https://www.antennecentre.tv/actu/la-louviere-stop-aux-territoires-zero-chomeur/26372"

FARCIENNES_TITLE = "Journal L'Essentiel, « Territoire zéro chômeur, ça roule »"
FARCIENNES_URL = "https://journalessentiel.be/territoire-zero-chomeur-ca-roule"


@dataclass(frozen=True)
class Fact:
    """One published figure.

    ``scope`` is ``"programme"`` or a territory id (:data:`tzcld.territories.TERRITORY_IDS`);
    ``metric`` is a ledger metric id (:data:`tzcld.ledger.metrics.METRICS`); ``value`` is
    in ``unit`` (euros for ``EUR``, not millions); ``date`` is the ISO (possibly partial)
    date the figure describes; ``source_url`` may be empty when the source is a document
    without a known public address (then ``source_title`` names it).
    """

    key: str
    scope: str
    metric: str
    value: float | None
    unit: str
    label_fr: str
    label_en: str
    date: str
    source_title: str
    source_url: str
    text: str | None = None

    def label(self, lang: str = "fr") -> str:
        """The label in ``lang`` (French unless ``"en"``)."""
        return self.label_en if lang == "en" else self.label_fr


def _announced_target(tid: str, name: str, target: int) -> Fact:
    return Fact(
        key=f"target.{tid}",
        scope=tid,
        metric="job_target",
        value=float(target),
        unit="persons",
        label_fr=f"{name} : {target} emplois annoncés",
        label_en=f"{name}: {target} jobs announced",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    )


#: The 17 territory targets of the announcement (they add up to 725, not 750).
TERRITORY_TARGETS: tuple[tuple[str, str, int], ...] = (
    ("liege", "Liège", 46),
    ("flemalle", "Flémalle", 30),
    ("seraing", "Seraing", 60),
    ("trooz-chaudfontaine", "Trooz et Chaudfontaine", 55),
    ("herstal-oupeye", "Herstal et Oupeye", 55),
    ("comblain-sprimont-aywaille", "Comblain-au-Pont, Sprimont et Aywaille", 55),
    ("verviers-dison", "Verviers et Dison", 55),
    ("farciennes", "Farciennes", 50),
    ("mons-jemappes", "Mons (Jemappes)", 100),
    ("charleroi-marchienne", "Charleroi (Marchienne-au-Pont)", 50),
    ("la-louviere", "La Louvière", 10),
    ("colfontaine", "Colfontaine", 50),
    ("frameries", "Frameries", 25),
    ("virton-rouvroy-meix", "Virton, Rouvroy et Meix-devant-Virton", 20),
    ("hotton-durbuy-erezee-rendeux-la-roche", "Hotton, Durbuy, Erezée, Rendeux et La Roche-en-Ardenne", 24),
    ("bertrix", "Bertrix", 15),
    ("gembloux", "Gembloux", 25),
)

_PROGRAMME_LEVEL: tuple[Fact, ...] = (
    Fact(
        key="target.programme",
        scope=PROGRAMME,
        metric="job_target",
        value=750.0,
        unit="persons",
        label_fr="Objectif annoncé : près de 750 personnes sous contrat de travail",
        label_en="Announced target: nearly 750 people on an employment contract",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="target.territories_sum",
        scope=PROGRAMME,
        metric="job_target_territories_sum",
        value=725.0,
        unit="persons",
        label_fr="Somme des objectifs des 17 territoires : 725 emplois",
        label_en="Sum of the 17 territories' targets: 725 jobs",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="projects.retained",
        scope=PROGRAMME,
        metric="territories_retained",
        value=17.0,
        unit="territories",
        label_fr="17 projets retenus sur 19 candidatures",
        label_en="17 projects selected out of 19 applications",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="budget.total",
        scope=PROGRAMME,
        metric="budget_allocated",
        value=104_000_000.0,
        unit="EUR",
        label_fr="Budget 2022–2026 : 104 millions d'euros",
        label_en="2022–2026 budget: €104 million",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="budget.fse",
        scope=PROGRAMME,
        metric="budget_allocated_fse",
        value=52_000_000.0,
        unit="EUR",
        label_fr="Dont la moitié par le Fonds social européen (FSE) : 52 millions d'euros",
        label_en="Half of it from the European Social Fund (ESF): €52 million",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="budget.wallonia",
        scope=PROGRAMME,
        metric="budget_allocated_wallonia",
        value=52_000_000.0,
        unit="EUR",
        label_fr="Et la moitié par la Wallonie : 52 millions d'euros",
        label_en="And half from Wallonia: €52 million",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="budget.recovery_plan",
        scope=PROGRAMME,
        metric="budget_reserved_recovery_plan",
        value=27_700_000.0,
        unit="EUR",
        label_fr="27,7 millions d'euros réservés par la Wallonie dans le plan de relance (2022–2024)",
        label_en="€27.7 million reserved by Wallonia in its recovery plan (2022–2024)",
        date=ANNOUNCEMENT_DATE,
        source_title=ANNOUNCEMENT_TITLE,
        source_url=ANNOUNCEMENT_URL,
    ),
    Fact(
        key="hired.2024-09",
        scope=PROGRAMME,
        metric="hired",
        value=60.0,
        unit="persons",
        label_fr="Septembre 2024 : 60 personnes ont trouvé un emploi grâce au projet",
        label_en="September 2024: 60 people had found a job through the project",
        date="2024-09",
        source_title=SPW_2024_TITLE,
        source_url=SPW_2024_URL,
    ),
    Fact(
        key="hired.midterm-2025",
        scope=PROGRAMME,
        metric="hired",
        value=120.0,
        unit="persons",
        label_fr="Évaluation à mi-parcours (2025) : 120 emplois créés",
        label_en="Mid-term evaluation (2025): 120 jobs created",
        date="2025",
        source_title=MIDTERM_TITLE,
        source_url=MIDTERM_URL,
    ),
    Fact(
        key="in_integration.midterm-2025",
        scope=PROGRAMME,
        metric="in_integration",
        value=33.0,
        unit="persons",
        label_fr="Et 33 personnes en cours d'intégration",
        label_en="Plus 33 people being integrated",
        date="2025",
        source_title=MIDTERM_TITLE,
        source_url=MIDTERM_URL,
    ),
    Fact(
        key="activities.midterm-2025",
        scope=PROGRAMME,
        metric="activities",
        value=43.0,
        unit="activities",
        label_fr="43 activités économiques locales développées",
        label_en="43 local economic activities developed",
        date="2025",
        source_title=MIDTERM_TITLE,
        source_url=MIDTERM_URL,
    ),
    Fact(
        key="territories.ended-2025",
        scope=PROGRAMME,
        metric="territories_ended",
        value=5.0,
        unit="territories",
        label_fr="5 territoires arrêtés par le Gouvernement wallon (2025)",
        label_en="5 territories ended by the Walloon Government (2025)",
        date="2025",
        source_title=MIDTERM_TITLE,
        source_url=MIDTERM_URL,
    ),
    Fact(
        key="territories.continued-2025",
        scope=PROGRAMME,
        metric="territories_continued",
        value=11.0,
        unit="territories",
        label_fr="11 territoires poursuivis (2025)",
        label_en="11 territories continued (2025)",
        date="2025",
        source_title=MIDTERM_TITLE,
        source_url=MIDTERM_URL,
    ),
)

_TERRITORY_LEVEL: tuple[Fact, ...] = (
    Fact(
        key="status.la-louviere-2025",
        scope="la-louviere",
        metric="status",
        value=None,
        unit="status",
        label_fr="La Louvière : territoire arrêté (2025)",
        label_en="La Louvière: territory ended (2025)",
        date="2025",
        source_title=LA_LOUVIERE_TITLE,
        source_url=LA_LOUVIERE_URL,
        text="ended",
    ),
    Fact(
        key="budget_withdrawn.la-louviere-2025",
        scope="la-louviere",
        metric="budget_withdrawn",
        value=4_800_000.0,
        unit="EUR",
        label_fr="La Louvière : subside attendu de 4,8 millions d'euros (Wallonie + FSE) retiré",
        label_en="La Louvière: expected €4.8 million subsidy (Wallonia + ESF) withdrawn",
        date="2025",
        source_title=LA_LOUVIERE_TITLE,
        source_url=LA_LOUVIERE_URL,
    ),
    Fact(
        key="fte.farciennes-2024",
        scope="farciennes",
        metric="fte",
        value=15.0,
        unit="fte",
        label_fr="Farciennes (« 6240 services ») : 4 activités, 15 équivalents temps plein",
        label_en="Farciennes (“6240 services”): 4 activities, 15 full-time equivalents",
        date="2024",
        source_title=FARCIENNES_TITLE,
        source_url=FARCIENNES_URL,
    ),
    Fact(
        key="activities.farciennes-2024",
        scope="farciennes",
        metric="activities",
        value=4.0,
        unit="activities",
        label_fr="Farciennes (« 6240 services ») : 4 activités",
        label_en="Farciennes (“6240 services”): 4 activities",
        date="2024",
        source_title=FARCIENNES_TITLE,
        source_url=FARCIENNES_URL,
    ),
)

#: Every published figure, programme first, then the 17 targets, then territory figures.
PROGRAMME_FACTS: tuple[Fact, ...] = (
    _PROGRAMME_LEVEL
    + tuple(_announced_target(tid, name, target) for tid, name, target in TERRITORY_TARGETS)
    + _TERRITORY_LEVEL
)

#: Keys of the figures the home page shows, in display order.
HEADLINE_KEYS: tuple[str, ...] = (
    "target.programme",
    "target.territories_sum",
    "budget.total",
    "budget.fse",
    "budget.wallonia",
    "budget.recovery_plan",
    "hired.2024-09",
    "hired.midterm-2025",
    "in_integration.midterm-2025",
    "activities.midterm-2025",
    "territories.ended-2025",
    "territories.continued-2025",
)

_BY_KEY: dict[str, Fact] = {f.key: f for f in PROGRAMME_FACTS}


def fact(key: str) -> Fact:
    """The fact with this key (``KeyError`` if there is none)."""
    return _BY_KEY[key]


def headline_facts() -> list[Fact]:
    """The figures for the home page: targets 750 and 725, €104M and its 50/50 split,
    €27.7M recovery-plan reservation, 60 people (Sept. 2024), 120 jobs + 33 in
    integration + 43 activities (mid-term 2025), 5 territories ended / 11 continued."""
    return [_BY_KEY[k] for k in HEADLINE_KEYS]


def facts_for(scope: str | None = None, metric: str | None = None) -> list[Fact]:
    """Facts filtered by scope and/or metric, in :data:`PROGRAMME_FACTS` order."""
    return [
        f for f in PROGRAMME_FACTS if (scope is None or f.scope == scope) and (metric is None or f.metric == metric)
    ]
