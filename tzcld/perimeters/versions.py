"""Version labels of the published perimeters, without the database (light to import).

``base`` is the committed geodata; ``v12`` the stored version 12 (:mod:`tzcld.perimeters.store`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tzcld.perimeters.store import Version

BASE_LABEL = "base"


def version_label(version_id: int | None) -> str:
    """``v12`` for version 12; ``base`` for the committed geodata."""
    return BASE_LABEL if version_id is None else f"v{int(version_id)}"


def latest_approved(approved: list[Version]) -> dict[str, int]:
    """Territory id → id of its latest approved version (latest decision, then id)."""
    out: dict[str, tuple[dt.datetime, int]] = {}
    for v in approved:
        key = (v.decided_at or v.created_at, v.id)
        if v.territory_id not in out or key > out[v.territory_id]:
            out[v.territory_id] = key
    return {tid: vid for tid, (_at, vid) in out.items()}
