"""The ORM mapping; it lives here and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlmodel import Field, SQLModel


class DeviceRow(SQLModel, table=True):
    """Columns for what is looked up; the rest of the device document as JSON."""

    __tablename__ = "devices"

    key: str = Field(primary_key=True, max_length=128)
    mac: str = Field(unique=True, index=True, max_length=12)
    token: str | None = Field(default=None, index=True, max_length=128)
    vendor: str = Field(index=True, max_length=64)
    model: str = Field(max_length=64)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    locked_address: str | None = Field(default=None, max_length=64)
    """The lock_to_first_address rule's address: set by the first fetch after a save, which clears it."""


class DeviceProvisioningRow(SQLModel, table=True):
    """A device's lastProvisioning, apart from its row: recording a fetch writes only this narrow row.
    Written by the batched recorder (only for stored devices), deleted with its device."""

    __tablename__ = "device_provisioning"

    key: str = Field(primary_key=True, max_length=128)
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class DevicePreviousKeyRow(SQLModel, table=True):
    """A key rotateDeviceKey replaced: the phone of `device_key` is served on it until `until`. The row
    stays after that, so that the key never names another device; it goes with its device."""

    __tablename__ = "device_previous_keys"

    key: str = Field(primary_key=True, max_length=128)
    device_key: str = Field(index=True, max_length=128)
    until: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CredentialRow(SQLModel, table=True):
    """Keys Sonata generated itself: the one that signs Digest nonces (`secret_hash` holds it sealed:
    every serving process needs it). Before migration 0006 it also held the management API token's
    hash, which is now the api_tokens row `initial`."""

    __tablename__ = "credentials"

    name: str = Field(primary_key=True, max_length=64)
    secret_hash: str = Field(max_length=128)


class DeviceChangeRow(SQLModel, table=True):
    """The key of every device inserted, updated or deleted, in order: written by triggers on
    `devices` (migration 0002), read by every process to drop what it keeps of those devices."""

    __tablename__ = "device_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # a number is never used twice, even after pruning

    seq: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    key: str = Field(sa_column=Column(String(128), nullable=False))
    changed_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.current_timestamp())
    )


class ClientFailureRow(SQLModel, table=True):
    """Refused phone requests that count against a client address's failure budget, summed over every
    serving process, per slot of a tenth of SONATA_FAILURE_WINDOW_SECONDS (the slot's number is the
    seconds since the epoch over that tenth). Rows of slots past the window are deleted."""

    __tablename__ = "client_failures"
    __table_args__ = (Index("ix_client_failures_slot", "slot"),)

    address: str = Field(primary_key=True, max_length=64)
    slot: int = Field(sa_column=Column(BigInteger(), primary_key=True, autoincrement=False))
    failures: int = Field(sa_column=Column(Integer(), nullable=False))


class ClientBlockRow(SQLModel, table=True):
    """A client address whose failure budget is spent, blocked from `blocked_at` until `blocked_until`
    (seconds since the epoch); the process that ends the block deletes the row."""

    __tablename__ = "client_blocks"

    address: str = Field(primary_key=True, max_length=64)
    blocked_at: float = Field(sa_column=Column(Float(), nullable=False))
    blocked_until: float = Field(sa_column=Column(Float(), nullable=False))


class ApiTokenRow(SQLModel, table=True):
    """A management API token: its name, role and scope, and the SHA-256 of the token, by which a
    request's token is found (unique index)."""

    __tablename__ = "api_tokens"

    name: str = Field(primary_key=True, max_length=64)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    role: str = Field(max_length=16)
    groups: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The device groups (device tokens) it is limited to; NULL: every device."""
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditEntryRow(SQLModel, table=True):
    """One change made through the management API or the command line: who, from where, which device
    or API token, what, and the names of the fields changed (never a value)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_mac_id", "mac", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    operation: str = Field(max_length=32)
    token_name: str | None = Field(default=None, max_length=64)
    """NULL: the server's command line."""
    address: str | None = Field(default=None, max_length=64)
    mac: str | None = Field(default=None, max_length=12)
    device_group: str | None = Field(default=None, max_length=128)
    api_token: str | None = Field(default=None, max_length=64)
    changed: list[str] = Field(sa_column=Column(JSON, nullable=False))


class ProvisioningEventRow(SQLModel, table=True):
    """One fetch of a known device, served or refused (provisioningEvents): written in batches by every
    serving process, read by id for the live subscriptions, deleted past SONATA_EVENT_RETENTION_DAYS."""

    __tablename__ = "provisioning_events"
    __table_args__ = (
        Index("ix_provisioning_events_at", "at"),
        Index("ix_provisioning_events_mac_id", "mac", "id"),
        {"sqlite_autoincrement": True},  # an id is never used twice, so a cursor never names another event
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    mac: str = Field(max_length=12)
    device_group: str | None = Field(default=None, max_length=128)
    """The device's token at the fetch."""
    address: str = Field(max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    filename: str | None = Field(default=None, max_length=64)
    refusal: str | None = Field(default=None, max_length=32)
    """The kind of refusal (RefusalKind); NULL: served."""
    reason: str = Field(sa_column=Column(Text(), nullable=False))


class UnknownPhoneRow(SQLModel, table=True):
    """A phone that asked on the common link of group `token` for a MAC no device had (unknownPhones):
    one row per group and MAC, written in batches by every serving process (migration 0007)."""

    __tablename__ = "unknown_phones"
    __table_args__ = (
        UniqueConstraint("token", "mac", name="uq_unknown_phones_token_mac"),
        Index("ix_unknown_phones_last_seen", "last_seen"),
        {"sqlite_autoincrement": True},  # an id is never used twice, so a cursor never names another phone
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    token: str = Field(max_length=128)
    mac: str = Field(max_length=12)
    vendor: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=64)
    firmware: str | None = Field(default=None, max_length=64)
    address: str = Field(max_length=64)
    first_seen: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_seen: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
