"""The directory's tables, shaped after Open Referral HSDS 3.

Field names follow HSDS where it has one (organization, service, location,
phone, schedule, service_area) so that import and export map field for field.
Text a person reads is stored per language as ``{"en": ..., "es": ...}``.
Areas and weekly hours are small and always read whole, so they are JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resource_bot.db import Base

Translated = dict[str, str]


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[Translated] = mapped_column(JSON)
    description: Mapped[Translated] = mapped_column(JSON, default=dict)
    website: Mapped[str | None] = mapped_column(String(500))


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[Translated] = mapped_column(JSON)
    description: Mapped[Translated] = mapped_column(JSON)
    eligibility: Mapped[Translated] = mapped_column(JSON, default=dict)
    cost: Mapped[Translated] = mapped_column(JSON, default=dict)
    application_process: Mapped[Translated] = mapped_column(JSON, default=dict)
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``"national"`` or the mapping form of data/README.md "Service areas".
    area: Mapped[Any] = mapped_column(JSON)
    #: ``"24/7"``, the mapping form of data/README.md "Hours", or None.
    hours: Mapped[Any] = mapped_column(JSON, nullable=True)
    source_url: Mapped[str] = mapped_column(String(500))
    last_verified: Mapped[dt.date] = mapped_column(Date)
    #: Where the entry came from, so maintainers' tools can point at file:line.
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_line: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)

    topics: Mapped[list[ServiceTopic]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceTopic.position", lazy="selectin"
    )
    phones: Mapped[list[Phone]] = relationship(cascade="all, delete-orphan", order_by="Phone.position", lazy="selectin")
    locations: Mapped[list[Location]] = relationship(
        cascade="all, delete-orphan", order_by="Location.position", lazy="selectin"
    )


class ServiceTopic(Base):
    """A need topic a service answers (HSDS: service attribute with our taxonomy)."""

    __tablename__ = "service_topic"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    #: voice | sms | tty | whatsapp (HSDS phone.type uses text for sms).
    kind: Mapped[str] = mapped_column(String(16), default="voice")
    keyword: Mapped[str | None] = mapped_column(String(40))
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[Translated] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Location(Base):
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[Translated] = mapped_column(JSON, default=dict)
    street: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    #: A confidential location has no street, and its coordinates are its ZIP's centre.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(Integer, default=0)


class DirectoryVersion(Base):
    """One row per successful load, so every process can tell the directory changed."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    services: Mapped[int] = mapped_column(Integer)
    files: Mapped[str] = mapped_column(Text, default="")
    #: A digest of the files' bytes, so a process can tell the data folder differs from what is loaded.
    digest: Mapped[str] = mapped_column(String(64), default="")
