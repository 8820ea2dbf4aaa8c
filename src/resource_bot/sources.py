"""Link sources the maintainers listed: the only source tags the statistics count.

A share link can carry a source tag (``sclinic4``) so a clinic can see whether
its flyer is used. But a tag is whatever the link says: anyone can make
``/start sJaneDoeClient``, and a count under that name, on a quiet day, is a
trail to one person. So a tag is counted under its own name only once a
maintainer listed it (``resource-bot sources add clinic4``); every other tag
is counted as ``other``.

The list lives in the database, beside the counts, so every bot process (and
every webhook server behind one load balancer) counts the same way, and a
maintainer changes it without a deploy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Date, Engine, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.clock import utc_today
from resource_bot.db import Base

#: What an unlisted source tag is counted as.
OTHER = "other"
#: The tags a share link can carry (see resource_bot.dialog.deeplink).
TAG = re.compile(r"^[A-Za-z0-9_]{1,20}$")


class ListedSource(Base):
    __tablename__ = "listed_source"

    tag: Mapped[str] = mapped_column(String(20), primary_key=True)
    added_on: Mapped[dt.date] = mapped_column(Date)


@dataclass(frozen=True)
class Source:
    tag: str
    added_on: dt.date


class SourceError(ValueError):
    """A tag that cannot be listed; the message says why and what to use."""


def check_tag(tag: str) -> str:
    if tag == OTHER:
        raise SourceError(f"{OTHER!r} is what unlisted tags count as; choose another tag, like clinic4")
    if not TAG.match(tag):
        raise SourceError(
            f"{tag!r} is not a source tag: use 1-20 letters, digits or _, like clinic4 (never a person's name)"
        )
    return tag


def add_sources(engine: Engine, tags: Iterable[str], today: dt.date | None = None) -> list[str]:
    """List these tags; returns the ones that were new. Raises SourceError before changing anything."""
    wanted = sorted({check_tag(tag) for tag in tags})
    day = today or utc_today()
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    added = []
    with engine.begin() as connection:
        for tag in wanted:
            statement = insert(ListedSource).values(tag=tag, added_on=day).on_conflict_do_nothing()
            if connection.execute(statement).rowcount:
                added.append(tag)
    return added


def remove_sources(engine: Engine, tags: Iterable[str]) -> list[str]:
    """Unlist these tags (their past counts stay); returns the ones that were listed."""
    removed = []
    with engine.begin() as connection:
        for tag in sorted(set(tags)):
            if connection.execute(delete(ListedSource).where(ListedSource.tag == tag)).rowcount:
                removed.append(tag)
    return removed


def list_sources(engine: Engine) -> list[Source]:
    with engine.connect() as connection:
        rows = connection.execute(select(ListedSource).order_by(ListedSource.tag))
        return [Source(row.tag, row.added_on) for row in rows]


def counted_as(connection: Connection, tags: Iterable[str]) -> dict[str, str]:
    """Each tag's name in the counts: itself when listed, else ``other``. One query."""
    wanted = set(tags)
    if not wanted:
        return {}
    listed = set(connection.execute(select(ListedSource.tag).where(ListedSource.tag.in_(wanted))).scalars())
    return {tag: tag if tag in listed else OTHER for tag in wanted}
