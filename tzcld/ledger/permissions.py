"""Who may record what: the rules the store enforces on every write (server-side).

- ``admin`` (Forem / SPW): any scope, any metric, statuses and targets, accounts.
- ``porteur`` (project lead): their own territory only, and only the metrics of
  :data:`tzcld.ledger.metrics.PORTEUR_METRICS` (no targets, statuses or allocations).

The Saisie page narrows its form with the same functions, but the store checks again:
a crafted request cannot get around the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from tzcld.errors import TzcldError
from tzcld.ledger.metrics import METRICS, PORTEUR_METRICS, PROGRAMME
from tzcld.territories import TERRITORY_IDS

ROLES: tuple[str, ...] = ("porteur", "admin")


class PermissionDenied(TzcldError, PermissionError):
    """The account may not do this (``entry.error.*_denied`` with its parameters; ``str(exc)``
    is the French message, :meth:`~tzcld.errors.TzcldError.message` the reader's)."""


@dataclass(frozen=True)
class Account:
    """A signed-in person. ``territory`` is set for a porteur, ``None`` for an admin."""

    username: str
    role: str
    territory: str | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Rôle inconnu « {self.role} » (attendu : {', '.join(ROLES)}).")
        if self.role == "porteur" and self.territory not in TERRITORY_IDS:
            raise ValueError(f"Un compte porteur doit être lié à un territoire connu (reçu « {self.territory} »).")
        if not self.username:
            raise ValueError("Nom d'utilisateur vide.")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


#: The account used by the seed (published facts) and by command-line imports.
SYSTEM_SEED = Account(username="seed", role="admin", display_name="Faits publiés (amorçage)")


def allowed_scopes(account: Account) -> tuple[str, ...]:
    """Scopes this account may record for: everything for an admin, its territory otherwise."""
    if account.is_admin:
        return (PROGRAMME, *TERRITORY_IDS)
    return (account.territory,) if account.territory else ()


def allowed_metrics(account: Account, scope: str) -> tuple[str, ...]:
    """Metrics this account may record for ``scope`` (empty if the scope is not allowed)."""
    if scope not in allowed_scopes(account):
        return ()
    kind = "programme" if scope == PROGRAMME else "territory"
    ids = METRICS if account.is_admin else PORTEUR_METRICS
    return tuple(m for m in ids if kind in METRICS[m].scopes)


def check_can_record(account: Account, scope: str, metric: str, lang: str = "fr") -> None:
    """Raise :class:`PermissionDenied` unless ``account`` may record ``metric`` for ``scope``
    (``lang`` is kept for the callers: the message is rendered in the reader's language)."""
    if scope not in allowed_scopes(account):
        raise PermissionDenied("entry.error.scope_denied", scope=scope, user=account.username)
    if metric not in allowed_metrics(account, scope):
        raise PermissionDenied("entry.error.metric_denied", metric=metric, user=account.username)


def check_can_manage_accounts(account: Account, lang: str = "fr") -> None:
    """Only administrators add or change accounts."""
    if not account.is_admin:
        raise PermissionDenied("entry.error.accounts_denied", user=account.username)
