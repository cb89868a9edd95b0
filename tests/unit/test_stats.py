"""The published complaint statistics, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.stats_export import PeriodError, parse_period, ticket_facts, utc_bounds
from complaints.stats import (
    Figures,
    Group,
    KnowledgeUsage,
    Period,
    PeriodKind,
    TicketFacts,
    compute_report,
    percent,
)
from complaints.tickets import Status

NOVEMBER = Period.month(2026, 11)
AS_OF = date(2026, 11, 25)
CHANNELS = ("line", "telegram", "dev")


def nov(day: int) -> date:
    return date(2026, 11, day)


def facts(
    received: date,
    category: str,
    channel: str,
    status: Status,
    due: date,
    finished: date | None = None,
    rating: int | None = None,
) -> TicketFacts:
    return TicketFacts(received, category, channel, status, due, finished, rating)


# received, category, channel, status, due, finished on, rating; as of 25 November
TICKETS = [
    facts(nov(1), "road", "line", Status.CLOSED, nov(16), nov(5), 5),  # A: 4 days, in time
    facts(nov(2), "road", "line", Status.RESOLVED, nov(17), nov(17)),  # B: 15 days, ON the due day
    facts(nov(3), "road", "telegram", Status.CLOSED, nov(18), nov(19), 3),  # C: 16 days, 1 late
    facts(nov(4), "lighting", "line", Status.CLOSED, nov(19), nov(6), 4),  # D: 2 days, in time
    facts(nov(5), "lighting", "dev", Status.IN_PROGRESS, nov(20)),  # E: overdue (25 > 20)
    facts(nov(10), "lighting", "line", Status.RECEIVED, nov(25)),  # F: due today: not overdue
    facts(nov(8), "drainage", "telegram", Status.FORWARDED, nov(23)),  # G: overdue
    facts(nov(9), "drainage", "line", Status.REJECTED, nov(24)),  # H: rejected, never overdue
    facts(nov(20), "mystery", "line", Status.RECEIVED, date(2026, 12, 5)),  # I: unknown slug
]


def test_the_totals() -> None:
    report = compute_report(TICKETS, NOVEMBER, AS_OF, channels=CHANNELS)
    # received 9; finished A B C D = 4; open E F G I = 4; rejected H = 1; overdue E G = 2;
    # in time A B D = 3 of 4 finished = 75.0 %; days 2 4 15 16: median (4 + 15) / 2 = 9.5,
    # mean 37 / 4 = 9.25, which rounds half up to 9.3 (round() would give 9.2)
    assert report.totals == Figures(
        received=9,
        finished=4,
        in_progress=4,
        rejected=1,
        overdue=2,
        finished_within_sla=3,
        finished_within_sla_pct=75.0,
        median_days_to_finish=9.5,
        mean_days_to_finish=9.3,
    )
    assert report.period == NOVEMBER and report.as_of == AS_OF


def test_by_category_most_received_first() -> None:
    report = compute_report(TICKETS, NOVEMBER, AS_OF)
    # lighting and road have 3 each (alphabetical between them), drainage 2, mystery 1
    assert [g.key for g in report.by_category] == ["lighting", "road", "drainage", "mystery"]
    by_key = {g.key: g.figures for g in report.by_category}
    # road: A B C, all finished, A and B in time: 2 of 3 = 66.7 %; days 4 15 16: median 15,
    # mean 35 / 3 = 11.67 -> 11.7
    assert by_key["road"] == Figures(3, 3, 0, 0, 0, 2, 66.7, 15.0, 11.7)
    # lighting: D finished in 2 days (in time: 100 %); E overdue, F due today
    assert by_key["lighting"] == Figures(3, 1, 2, 0, 1, 1, 100.0, 2.0, 2.0)
    # drainage: G open and overdue, H rejected; nothing finished: 0 %, no days
    assert by_key["drainage"] == Figures(2, 0, 1, 1, 1, 0, 0.0, None, None)
    assert by_key["mystery"] == Figures(1, 0, 1, 0, 0, 0, 0.0, None, None)


def test_by_channel_lists_every_channel_even_without_tickets() -> None:
    report = compute_report(TICKETS, NOVEMBER, AS_OF, channels=(*CHANNELS, "email"))
    assert [g.key for g in report.by_channel] == ["line", "telegram", "dev", "email"]
    by_key = {g.key: g.figures for g in report.by_channel}
    # line: A B D F H I = 6; finished A B D, all in time; days 2 4 15: median 4, mean 7
    assert by_key["line"] == Figures(6, 3, 2, 1, 0, 3, 100.0, 4.0, 7.0)
    # telegram: C finished a day late (16 days), G overdue
    assert by_key["telegram"] == Figures(2, 1, 1, 0, 1, 0, 0.0, 16.0, 16.0)
    assert by_key["dev"] == Figures(1, 0, 1, 0, 1, 0, 0.0, None, None)
    assert by_key["email"] == Figures(0, 0, 0, 0, 0, 0, 0.0, None, None)


def test_satisfaction_against_the_80_percent_target() -> None:
    report = compute_report(TICKETS, NOVEMBER, AS_OF)
    # ratings 5 3 4: mean 4.0; 4-5 given by 2 of 3 = 66.7 %: below 80 %
    satisfaction = report.satisfaction
    assert (satisfaction.rated, satisfaction.mean_rating) == (3, 4.0)
    assert (satisfaction.satisfied, satisfaction.satisfied_pct) == (2, 66.7)
    assert (satisfaction.target_pct, satisfaction.target_met) == (80, False)


def test_exactly_80_percent_meets_the_target() -> None:
    rated = [
        facts(nov(1), "road", "line", Status.CLOSED, nov(16), nov(2), stars)
        for stars in (5, 4, 4, 5, 2)
    ]
    satisfaction = compute_report(rated, NOVEMBER, AS_OF).satisfaction
    # 4 of 5 = 80.0 %; mean 20 / 5 = 4.0
    assert (satisfaction.satisfied_pct, satisfaction.target_met) == (80.0, True)
    assert satisfaction.mean_rating == 4.0


def test_the_sla_counts_the_due_day_itself_as_in_time() -> None:
    on_the_day = facts(nov(1), "road", "line", Status.RESOLVED, nov(16), nov(16))
    a_day_late = facts(nov(1), "road", "line", Status.RESOLVED, nov(16), nov(17))
    report = compute_report([on_the_day, a_day_late], NOVEMBER, AS_OF)
    # days 15 and 16: median and mean 15.5
    assert report.totals.finished_within_sla == 1
    assert report.totals.finished_within_sla_pct == 50.0
    assert report.totals.median_days_to_finish == 15.5
    assert report.totals.mean_days_to_finish == 15.5


def test_overdue_starts_the_day_after_the_due_date() -> None:
    due_today = facts(nov(10), "road", "line", Status.RECEIVED, nov(25))
    due_yesterday = facts(nov(9), "road", "line", Status.IN_PROGRESS, nov(24))
    assert compute_report([due_today, due_yesterday], NOVEMBER, AS_OF).totals.overdue == 1
    assert compute_report([due_today], NOVEMBER, date(2026, 11, 26)).totals.overdue == 1


def test_medians_of_odd_and_even_counts() -> None:
    def finished_after(*days: int) -> list[TicketFacts]:
        return [facts(nov(1), "road", "line", Status.CLOSED, nov(16), nov(1 + d)) for d in days]

    # 1 3 10 -> 3; mean 14 / 3 = 4.67 -> 4.7
    odd = compute_report(finished_after(10, 1, 3), NOVEMBER, AS_OF).totals
    assert (odd.median_days_to_finish, odd.mean_days_to_finish) == (3.0, 4.7)
    # 0 1 3 10 -> (1 + 3) / 2 = 2.0; mean 14 / 4 = 3.5
    even = compute_report(finished_after(10, 0, 1, 3), NOVEMBER, AS_OF).totals
    assert (even.median_days_to_finish, even.mean_days_to_finish) == (2.0, 3.5)
    # 2 and 3 -> 2.5 (finished the same day counts 0 days)
    assert compute_report(finished_after(3, 2), NOVEMBER, AS_OF).totals.median_days_to_finish == 2.5


def test_an_empty_period_is_all_zeros() -> None:
    december = Period.month(2026, 12)
    report = compute_report(TICKETS, december, AS_OF, channels=CHANNELS)  # none in December
    zeros = Figures(0, 0, 0, 0, 0, 0, 0.0, None, None)
    assert report.totals == zeros
    assert report.by_category == ()
    assert report.by_month == (Group("2026-12", zeros),)
    assert report.by_channel == tuple(Group(c, zeros) for c in CHANNELS)
    satisfaction = report.satisfaction
    assert (satisfaction.rated, satisfaction.mean_rating, satisfaction.satisfied_pct) == (
        0,
        None,
        0.0,
    )
    assert satisfaction.target_met is None  # nobody rated: neither met nor missed
    assert report.knowledge_usage == ()


def test_thai_months_across_the_utc_midnight() -> None:
    # 16:59:59 UTC on 31 October is still 31 October in Thailand; 17:00 is 1 November
    def received(at: datetime) -> TicketFacts:
        return ticket_facts(at, "road", "line", "received", date(2026, 11, 30), None, None)

    late_october = received(datetime(2026, 10, 31, 16, 59, 59, tzinfo=UTC))
    early_november = received(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    assert (late_october.received_on, early_november.received_on) == (
        date(2026, 10, 31),
        date(2026, 11, 1),
    )
    report = compute_report(
        [late_october, early_november], Period.between(date(2026, 10, 15), nov(15)), AS_OF
    )
    assert [(g.key, g.figures.received) for g in report.by_month] == [
        ("2026-10", 1),
        ("2026-11", 1),
    ]
    # only the November one is November's
    assert compute_report([late_october, early_november], NOVEMBER, AS_OF).totals.received == 1


def test_the_finishing_day_is_the_thai_date_too() -> None:
    # due 16 Nov; finished 17:30 UTC on 16 Nov = 00:30 on 17 Nov in Thailand: a day late
    late = ticket_facts(
        datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
        "road",
        "line",
        "resolved",
        nov(16),
        datetime(2026, 11, 16, 17, 30, tzinfo=UTC),
        None,
    )
    assert late.finished_on == nov(17)
    totals = compute_report([late], NOVEMBER, AS_OF).totals
    assert (totals.finished_within_sla, totals.median_days_to_finish) == (0, 16.0)


def test_a_reopened_ticket_is_not_finished() -> None:
    reopened = ticket_facts(
        datetime(2026, 11, 1, 3, 0, tzinfo=UTC), "road", "line", "in_progress", nov(16), None, None
    )
    assert reopened.finished_on is None
    totals = compute_report([reopened], NOVEMBER, AS_OF).totals
    assert (totals.finished, totals.in_progress, totals.overdue) == (0, 1, 1)


def test_every_month_of_a_fiscal_year_is_listed() -> None:
    fiscal_2570 = Period.fiscal_year(2570)
    assert (fiscal_2570.first, fiscal_2570.last) == (date(2026, 10, 1), date(2027, 9, 30))
    report = compute_report(TICKETS, fiscal_2570, AS_OF)
    months = [g.key for g in report.by_month]
    assert months[0] == "2026-10" and months[-1] == "2027-09" and len(months) == 12
    assert [g.figures.received for g in report.by_month] == [0, 9] + [0] * 10


def test_knowledge_usage_of_the_period_busiest_first_each_month() -> None:
    usage = [
        KnowledgeUsage("2026-11", "info.no-gift-policy", 2),
        KnowledgeUsage("2026-10", "eservice.garbage-bin", 99),  # not in November
        KnowledgeUsage("2026-11", "eservice.garbage-bin", 7, "ขอรับถังขยะ"),
        KnowledgeUsage("2026-11", "eservice.a", 2),
    ]
    report = compute_report([], NOVEMBER, AS_OF, usage)
    assert [(u.entry_id, u.count) for u in report.knowledge_usage] == [
        ("eservice.garbage-bin", 7),
        ("eservice.a", 2),
        ("info.no-gift-policy", 2),
    ]


def test_percentages_round_half_up_to_one_decimal() -> None:
    assert [percent(1, 8), percent(1, 16), percent(1, 3), percent(2, 3)] == [
        12.5,
        6.3,
        33.3,
        66.7,
    ]
    assert percent(0, 0) == 0.0


def test_periods() -> None:
    assert Period.month(2028, 2).last == date(2028, 2, 29)
    assert Period.month(2026, 12).last == date(2026, 12, 31)
    assert [Period.month(2026, 11).key, Period.fiscal_year(2570).key] == ["2026-11", "fy2570"]
    span = Period.between(date(2026, 11, 1), date(2027, 1, 5))
    assert span.key == "2026-11-01_2027-01-05"
    assert span.months == ("2026-11", "2026-12", "2027-01")
    with pytest.raises(ValueError):
        Period.between(nov(2), nov(1))


def test_the_period_in_utc_covers_whole_thai_days() -> None:
    assert utc_bounds(NOVEMBER) == (
        datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    )


def test_period_options() -> None:
    assert parse_period("2026-11", None, None, None) == NOVEMBER
    assert parse_period(None, 2570, None, None).kind is PeriodKind.FISCAL_YEAR
    assert parse_period(None, None, "2026-11-01", "2026-11-30") == Period.between(nov(1), nov(30))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((None, None, None, None), "exactly one period"),
        (("2026-11", 2570, None, None), "exactly one period"),
        (("2026-11", None, "2026-11-01", "2026-11-30"), "exactly one period"),
        (("2569-11", None, None, None), "2569-11 is 2026-11"),
        ((None, 2026, None, None), "Buddhist-era"),
        ((None, None, "2026-11-01", None), "--from and --to go together"),
        ((None, None, None, "2026-11-30"), "--from and --to go together"),
        ((None, None, "2569-11-01", "2569-11-30"), "Christian era"),
        ((None, None, "2026-11-31", "2026-12-01"), "--from must be YYYY-MM-DD"),
        ((None, None, "2026-12-01", "2026-11-01"), "is after --to"),
    ],
)
def test_a_wrong_period_is_a_clear_error(
    options: tuple[str | None, int | None, str | None, str | None], message: str
) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(*options)
