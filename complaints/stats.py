"""The complaint statistics the office publishes, computed from per-ticket facts.

Pure: the caller reads the facts (Thai dates already) and renders the report. Every
figure is defined here once, so the CSV, XLSX and JSON exports cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from complaints.thai_calendar import BE_OFFSET, FISCAL_YEAR_START_MONTH
from complaints.tickets import Status

FINISHED = frozenset({Status.RESOLVED, Status.CLOSED})
SATISFIED_FROM = 4  # ratings of 4 and 5 count as satisfied
SATISFACTION_TARGET_PCT = 80


class PeriodKind(StrEnum):
    MONTH = "month"
    FISCAL_YEAR = "fiscal_year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """Thai local dates, both ends included."""

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(PeriodKind.MONTH, first, _next_month(first) - timedelta(days=1))

    @classmethod
    def fiscal_year(cls, year_be: int) -> Period:
        """Fiscal year 2570 (BE) runs from 1 October 2026 to 30 September 2027."""
        start_year = year_be - BE_OFFSET - 1
        first = date(start_year, FISCAL_YEAR_START_MONTH, 1)
        return cls(PeriodKind.FISCAL_YEAR, first, date(start_year + 1, 9, 30))

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        return cls(PeriodKind.RANGE, first, last)

    @property
    def key(self) -> str:
        """Short and file-name safe: "2026-11", "fy2570", "2026-11-01_2026-11-30"."""
        if self.kind is PeriodKind.MONTH:
            return self.first.strftime("%Y-%m")
        if self.kind is PeriodKind.FISCAL_YEAR:
            return f"fy{self.last.year + BE_OFFSET}"
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    @property
    def months(self) -> tuple[str, ...]:
        """Every calendar month the period touches, as "YYYY-MM", in order."""
        months: list[str] = []
        month = self.first.replace(day=1)
        while month <= self.last:
            months.append(month.strftime("%Y-%m"))
            month = _next_month(month)
        return tuple(months)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def _next_month(first_of_month: date) -> date:
    if first_of_month.month == 12:
        return date(first_of_month.year + 1, 1, 1)
    return date(first_of_month.year, first_of_month.month + 1, 1)


@dataclass(frozen=True)
class TicketFacts:
    """What the statistics need of one ticket, and nothing personal. Dates are Thai dates."""

    received_on: date
    category: str
    channel: str
    status: Status
    due_on: date
    finished_on: date | None
    """The Thai date of `finished_at`; None while the ticket is not finished."""
    rating: int | None


@dataclass(frozen=True)
class KnowledgeUsage:
    """How many times a knowledge entry was answered in a Thai calendar month."""

    month: str
    entry_id: str
    count: int
    title: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """What the statistics need of one corruption report: its metadata, nothing sealed."""

    received_on: date
    status: Status


@dataclass(frozen=True)
class TrackFigures:
    """The corruption track's counts: no categories, channels or ratings, on purpose."""

    received: int
    finished: int
    in_progress: int
    rejected: int


@dataclass(frozen=True)
class CorruptionStats:
    totals: TrackFigures
    by_month: tuple[tuple[str, TrackFigures], ...]
    """Every month of the period ("2026-11"), in order."""


@dataclass(frozen=True)
class Figures:
    received: int
    finished: int
    in_progress: int
    rejected: int
    overdue: int
    finished_within_sla: int
    finished_within_sla_pct: float
    """Of the finished tickets."""
    median_days_to_finish: float | None
    mean_days_to_finish: float | None


@dataclass(frozen=True)
class Group:
    key: str
    """A category slug, a month ("2026-11") or a channel name."""
    figures: Figures


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    mean_rating: float | None
    satisfied: int
    """Rated 4 or 5."""
    satisfied_pct: float
    target_pct: int
    target_met: bool | None
    """None while nobody has rated."""


@dataclass(frozen=True)
class StatsReport:
    period: Period
    as_of: date
    totals: Figures
    by_category: tuple[Group, ...]
    by_month: tuple[Group, ...]
    by_channel: tuple[Group, ...]
    satisfaction: Satisfaction
    knowledge_usage: tuple[KnowledgeUsage, ...]
    corruption: CorruptionStats | None = None
    """The corruption track's own counts, never mixed into the figures above; None when
    the office does not run the track."""


def compute_report(
    facts: Iterable[TicketFacts],
    period: Period,
    as_of: date,
    knowledge_usage: Iterable[KnowledgeUsage] = (),
    channels: Sequence[str] = (),
    corruption: Iterable[CaseFacts] | None = None,
) -> StatsReport:
    """The report on the tickets received in `period`, with overdue counted as of `as_of`.

    `channels` are listed even when no ticket came through them; every month of the period
    is listed; categories are listed when they have tickets, most received first."""
    tickets = [f for f in facts if f.received_on in period]
    by_category = _groups(tickets, lambda f: f.category, as_of)
    by_category.sort(key=lambda g: (-g.figures.received, g.key))
    by_month = _groups(tickets, lambda f: f.received_on.strftime("%Y-%m"), as_of, period.months)
    by_channel = _groups(tickets, lambda f: f.channel, as_of, channels)
    usage = sorted(
        (u for u in knowledge_usage if u.month in period.months),
        key=lambda u: (u.month, -u.count, u.entry_id),
    )
    return StatsReport(
        period=period,
        as_of=as_of,
        totals=figures_of(tickets, as_of),
        by_category=tuple(by_category),
        by_month=tuple(by_month),
        by_channel=tuple(by_channel),
        satisfaction=satisfaction_of(tickets),
        knowledge_usage=tuple(usage),
        corruption=None if corruption is None else corruption_stats(corruption, period),
    )


def corruption_stats(cases: Iterable[CaseFacts], period: Period) -> CorruptionStats:
    """The corruption reports received in `period`, in total and by month."""
    received = [c for c in cases if c.received_on in period]
    by_month: dict[str, list[CaseFacts]] = {month: [] for month in period.months}
    for case in received:
        by_month[case.received_on.strftime("%Y-%m")].append(case)
    return CorruptionStats(
        totals=track_figures(received),
        by_month=tuple((month, track_figures(group)) for month, group in by_month.items()),
    )


def track_figures(cases: Sequence[CaseFacts]) -> TrackFigures:
    return TrackFigures(
        received=len(cases),
        finished=sum(1 for c in cases if c.status in FINISHED),
        in_progress=sum(1 for c in cases if c.status.open),
        rejected=sum(1 for c in cases if c.status is Status.REJECTED),
    )


def figures_of(tickets: Sequence[TicketFacts], as_of: date) -> Figures:
    finished = [t for t in tickets if t.status in FINISHED]
    timed = [t.finished_on - t.received_on for t in finished if t.finished_on is not None]
    days = sorted(delta.days for delta in timed)
    within_sla = sum(1 for t in finished if t.finished_on is not None and t.finished_on <= t.due_on)
    return Figures(
        received=len(tickets),
        finished=len(finished),
        in_progress=sum(1 for t in tickets if t.status.open),
        rejected=sum(1 for t in tickets if t.status is Status.REJECTED),
        overdue=sum(1 for t in tickets if t.status.open and as_of > t.due_on),
        finished_within_sla=within_sla,
        finished_within_sla_pct=percent(within_sla, len(finished)),
        median_days_to_finish=_median(days),
        mean_days_to_finish=_mean(days),
    )


def satisfaction_of(tickets: Sequence[TicketFacts]) -> Satisfaction:
    ratings = [t.rating for t in tickets if t.rating is not None]
    satisfied = sum(1 for r in ratings if r >= SATISFIED_FROM)
    return Satisfaction(
        rated=len(ratings),
        mean_rating=_mean(ratings),
        satisfied=satisfied,
        satisfied_pct=percent(satisfied, len(ratings)),
        target_pct=SATISFACTION_TARGET_PCT,
        # compared exactly, not on the rounded percentage
        target_met=satisfied * 100 >= SATISFACTION_TARGET_PCT * len(ratings) if ratings else None,
    )


def percent(part: int, whole: int) -> float:
    """`part` of `whole` in per cent, to one decimal; 0.0 of nothing."""
    return _one_decimal(Fraction(100 * part, whole)) if whole else 0.0


def _groups(
    tickets: Sequence[TicketFacts],
    key: Callable[[TicketFacts], str],
    as_of: date,
    always: Sequence[str] = (),
) -> list[Group]:
    """One group per key: the `always` keys first, in their order, then the others sorted."""
    members: dict[str, list[TicketFacts]] = {k: [] for k in always}
    extra: dict[str, list[TicketFacts]] = {}
    for ticket in tickets:
        k = key(ticket)
        (members if k in members else extra).setdefault(k, []).append(ticket)
    members.update(sorted(extra.items()))
    return [Group(k, figures_of(group, as_of)) for k, group in members.items()]


def _median(values: Sequence[int]) -> float | None:
    """Of sorted values; the mean of the middle two when their number is even."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return float(values[middle])
    return _one_decimal(Fraction(values[middle - 1] + values[middle], 2))


def _mean(values: Sequence[int]) -> float | None:
    return _one_decimal(Fraction(sum(values), len(values))) if values else None


def _one_decimal(value: Fraction) -> float:
    """Half up, as people round (Python's round() goes to even, and floats miss halves)."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10
