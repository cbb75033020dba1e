"""Perimeter stewardship: project leads propose corrections of their territory's perimeter,
administrators approve them, every version is kept, and answers name the version used.

Public API::

    from tzcld.perimeters import (open_perimeter_store, perimeter_store_for, published_perimeters,
                                  published_version, published_classifier, changed_territories)
    pstore = perimeter_store_for(ledger_store)          # same database as the ledger
    perimeters, version = published_perimeters(pstore)  # EPSG:31370 rows + "…+p3.7"
    catalogue = build_catalogue("gembloux")             # sectors of the territory's communes
    proposal = proposal_from_sectors(catalogue, ["92142A00-", ...])
    diff = compute_diff("gembloux", current_rows, proposal.rows, addresses_xy, others, communes)
    vid = pstore.propose(account, proposal, reason, source, diff.summary())
    pstore.approve(admin, vid)

Modules: :mod:`~tzcld.perimeters.files` (uploaded files), :mod:`~tzcld.perimeters.proposals`
(sectors, files, streets), :mod:`~tzcld.perimeters.sources` (raw inputs, ICAR addresses),
:mod:`~tzcld.perimeters.diff`, :mod:`~tzcld.perimeters.store` (versions, approvals),
:mod:`~tzcld.perimeters.published`, :mod:`~tzcld.perimeters.permissions`,
:mod:`~tzcld.perimeters.mapping` (folium maps), :mod:`~tzcld.perimeters.web` (published web layers
for maps and exports), :mod:`~tzcld.perimeters.display` (tables). Geometry is in EPSG:31370 (metres)
everywhere except maps (WGS84).
"""

# The names below are imported on first use (tzcld.lazy): importing one submodule, or the
# package for one name, does not load every concern (the CLI's start-up time).
from typing import TYPE_CHECKING

from tzcld.lazy import lazy_names

if TYPE_CHECKING:
    from tzcld.perimeters.diff import PerimeterDiff, compute_diff
    from tzcld.perimeters.errors import PerimeterError, PerimeterFileError, PerimeterPermissionDenied
    from tzcld.perimeters.files import read_perimeter_file
    from tzcld.perimeters.permissions import can_propose, check_can_approve, check_can_propose, proposable_territories
    from tzcld.perimeters.proposals import (
        Proposal,
        SectorCatalogue,
        build_catalogue,
        committed_catalogue,
        match_streets,
        proposal_from_file,
        proposal_from_sectors,
        proposal_from_streets,
    )
    from tzcld.perimeters.published import (
        changed_territories,
        compose_version,
        parse_version,
        published_classifier,
        published_perimeters,
        published_version,
        recheck_mask,
        territory_versions,
    )
    from tzcld.perimeters.store import PerimeterStore, Version, open_perimeter_store, perimeter_store_for
    from tzcld.perimeters.web import published_territories_geojson, published_web_layers

_LAZY: dict[str, str] = {
    "PerimeterDiff": "tzcld.perimeters.diff",
    "compute_diff": "tzcld.perimeters.diff",
    "PerimeterError": "tzcld.perimeters.errors",
    "PerimeterFileError": "tzcld.perimeters.errors",
    "PerimeterPermissionDenied": "tzcld.perimeters.errors",
    "read_perimeter_file": "tzcld.perimeters.files",
    "can_propose": "tzcld.perimeters.permissions",
    "check_can_approve": "tzcld.perimeters.permissions",
    "check_can_propose": "tzcld.perimeters.permissions",
    "proposable_territories": "tzcld.perimeters.permissions",
    "Proposal": "tzcld.perimeters.proposals",
    "SectorCatalogue": "tzcld.perimeters.proposals",
    "build_catalogue": "tzcld.perimeters.proposals",
    "committed_catalogue": "tzcld.perimeters.proposals",
    "match_streets": "tzcld.perimeters.proposals",
    "proposal_from_file": "tzcld.perimeters.proposals",
    "proposal_from_sectors": "tzcld.perimeters.proposals",
    "proposal_from_streets": "tzcld.perimeters.proposals",
    "changed_territories": "tzcld.perimeters.published",
    "compose_version": "tzcld.perimeters.published",
    "parse_version": "tzcld.perimeters.published",
    "published_classifier": "tzcld.perimeters.published",
    "published_perimeters": "tzcld.perimeters.published",
    "published_version": "tzcld.perimeters.published",
    "recheck_mask": "tzcld.perimeters.published",
    "territory_versions": "tzcld.perimeters.published",
    "PerimeterStore": "tzcld.perimeters.store",
    "Version": "tzcld.perimeters.store",
    "open_perimeter_store": "tzcld.perimeters.store",
    "perimeter_store_for": "tzcld.perimeters.store",
    "published_territories_geojson": "tzcld.perimeters.web",
    "published_web_layers": "tzcld.perimeters.web",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


__all__ = [
    "PerimeterDiff",
    "PerimeterError",
    "PerimeterFileError",
    "PerimeterPermissionDenied",
    "PerimeterStore",
    "Proposal",
    "SectorCatalogue",
    "Version",
    "build_catalogue",
    "can_propose",
    "changed_territories",
    "check_can_approve",
    "check_can_propose",
    "committed_catalogue",
    "compose_version",
    "compute_diff",
    "match_streets",
    "open_perimeter_store",
    "parse_version",
    "perimeter_store_for",
    "proposable_territories",
    "proposal_from_file",
    "proposal_from_sectors",
    "proposal_from_streets",
    "published_classifier",
    "published_perimeters",
    "published_territories_geojson",
    "published_version",
    "published_web_layers",
    "read_perimeter_file",
    "recheck_mask",
    "territory_versions",
]
