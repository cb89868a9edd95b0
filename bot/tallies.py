"""Monthly counts (the knowledge entries asked about, per Thai calendar month)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import thai_date
from bot.db import Database, upsert_insert
from bot.models import MonthlyTally


def month_of(moment: datetime) -> str:
    return thai_date(moment).strftime("%Y-%m")


def add_tallies(session: Session, dialect: str, names: Iterable[str], moment: datetime) -> None:
    """Count each name once more for the month, in the caller's transaction."""
    insert = upsert_insert(dialect)
    month = month_of(moment)
    for name in names:
        statement = insert(MonthlyTally).values(month=month, name=name[:120], count=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["month", "name"],
                set_={"count": MonthlyTally.count + 1},
            )
        )


def tallies_for(db: Database, month: str, prefix: str = "") -> list[tuple[str, int]]:
    """The month's counts whose names start with `prefix`, most counted first."""
    with db.transaction() as s:
        rows = s.execute(
            select(MonthlyTally.name, MonthlyTally.count)
            .where(MonthlyTally.month == month, MonthlyTally.name.startswith(prefix))
            .order_by(MonthlyTally.count.desc(), MonthlyTally.name)
        ).all()
    return [(name, count) for name, count in rows]
