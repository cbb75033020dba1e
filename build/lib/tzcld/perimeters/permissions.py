"""Who may propose and approve perimeters (enforced by :class:`~tzcld.perimeters.store.PerimeterStore`).

- a porteur (project lead) proposes a new perimeter for **their own territory only**;
- an administrator (Forem / SPW) proposes for any territory, and **only an administrator
  approves or rejects** a proposal (also their own: the decision is recorded with the name).

Accounts and roles are those of the ledger (:class:`tzcld.ledger.permissions.Account`).
"""

from __future__ import annotations

from tzcld.ledger.permissions import Account
from tzcld.perimeters.errors import PerimeterPermissionDenied
from tzcld.territories import TERRITORY_IDS


def can_propose(account: Account | None, territory_id: str) -> bool:
    """True when ``account`` may propose a perimeter for ``territory_id``."""
    if account is None or territory_id not in TERRITORY_IDS:
        return False
    return account.is_admin or account.territory == territory_id


def proposable_territories(account: Account | None) -> tuple[str, ...]:
    """Territories ``account`` may propose for (all for an admin, its own for a porteur)."""
    if account is None:
        return ()
    return TERRITORY_IDS if account.is_admin else tuple(t for t in TERRITORY_IDS if t == account.territory)


def check_can_propose(account: Account | None, territory_id: str) -> None:
    """Raise :class:`PerimeterPermissionDenied` unless ``account`` may propose for the territory."""
    if not can_propose(account, territory_id):
        raise PerimeterPermissionDenied(
            "error.propose_denied", user=getattr(account, "username", "?"), territory=territory_id
        )


def check_can_approve(account: Account | None) -> None:
    """Raise :class:`PerimeterPermissionDenied` unless ``account`` is an administrator."""
    if account is None or not account.is_admin:
        raise PerimeterPermissionDenied("error.approve_denied", user=getattr(account, "username", "?"))
