"""SQLAlchemy 2 table definitions of the ledger (schema versions: :mod:`tzcld.ledger.migrations`).

One table of append-only observations. A correction is a new row whose
``supersedes_id`` points at the row it replaces; a retraction (``retracted`` true) is a
row that withdraws the one it supersedes without giving a new value. Rows are never
updated or deleted.

Version 2 added how a figure is known: ``date_precision``, ``date_note``, ``qualifier``,
``source_kind``, ``note``, and, for seeded rows, ``fact_key`` (the key of the figure in
``geodata/published_facts.csv``) and ``retracted``. Version 3: a row loaded back from a
backup file keeps its author and time and carries who restored it and when
(``restored_by`` / ``restored_at``); the sign-in journal (:class:`SigninEventRow`) holds
every local sign-in attempt, for throttling across server replicas. Version 4: the local
accounts (:class:`AccountRow`), shared by every replica, when a database URL is set.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    #: The mapped table (typed as a :class:`~sqlalchemy.Table`: the queries insert into it).
    __table__: ClassVar[Table]


class ObservationRow(Base):
    """One recorded figure.

    ``value`` is in ``unit`` (euros for ``EUR``); ``value_text`` holds a status for
    ``unit == "status"``. ``period_date`` is the ISO date (possibly partial: ``2025``,
    ``2024-09``) the figure describes, ``date_precision`` how (``day``, ``month``,
    ``year``, ``inferred``, ``uncertain``; ``NULL``: from its shape) and ``date_note``
    why; ``qualifier`` is ``approx``/``lt``/``gt`` or ``NULL`` (exact); ``source_kind``
    ``official``/``press``/``project``/``political`` or ``NULL``; ``entered_at`` is UTC.
    Seeded rows carry ``fact_key`` (the figure's key in the facts file) and ``seed_key``
    (``key#fingerprint`` of that version of the figure; unique: seeding is idempotent).
    """

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(64), nullable=False)
    metric: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unit: Mapped[str] = mapped_column(String(16), nullable=False)
    period_date: Mapped[str] = mapped_column(String(10), nullable=False)
    source_title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_url: Mapped[str] = mapped_column(Text, nullable=False, default="")
    entered_by: Mapped[str] = mapped_column(String(128), nullable=False)
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    supersedes_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("observations.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    seed_key: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    # schema version 2
    date_precision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    date_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    qualifier: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    retracted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    fact_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    #: Set on rows written by a restore (``ledger import`` of an export): when, and by whom
    #: (the ``--as`` account or ``cli:<OS user>``). Added by migration 3.
    restored_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    restored_by: Mapped[str | None] = mapped_column(String(128), nullable=True)

    __table_args__ = (
        Index("ix_observations_scope_metric", "scope", "metric"),
        Index("ix_observations_supersedes", "supersedes_id"),
        Index("ix_observations_fact_key", "fact_key"),
    )


class SchemaVersion(Base):
    """Applied migrations, one row each."""

    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SigninEventRow(Base):
    """One local sign-in attempt (migration 3): who (the user name typed, lower case), when
    (UTC), from where (the client address, ``""`` when unknown) and how it ended:
    ``failure`` (also recorded *before* the password is checked, then turned into
    ``success``), ``success`` or ``refused`` (throttled: the password was not checked).
    Never the password."""

    __tablename__ = "signin_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)

    __table_args__ = (
        Index("ix_signin_events_username_at", "username", "at"),
        Index("ix_signin_events_address_at", "address", "at"),
        Index("ix_signin_events_at", "at"),
    )


class AccountRow(Base):
    """A local account (migration 4), used instead of the accounts file when a database URL is
    set (:func:`tzcld.auth.accounts_location`): every server replica sees the same accounts.
    ``password_hash`` is an argon2id hash (``""``: OpenID Connect only), never a password;
    ``email`` is lower case (``""``: none). Times are UTC."""

    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    territory: Mapped[str | None] = mapped_column(String(64), nullable=True)
    display_name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_accounts_email", "email"),)
