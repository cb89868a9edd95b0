"""`siang stats`: read the facts of a period's tickets and render them as CSV, XLSX or JSON.

Only the columns the statistics need are read: the export never carries a description, a
place, contact details or a chat link, so the office can publish it as it is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.clock import THAI_TIME, Clock, thai_date
from bot.db import Database
from bot.models import CorruptionReport, IntegrityOfficer, MonthlyTally, TicketRow
from bot.settings import Settings
from complaints.stats import (
    FINISHED,
    CaseFacts,
    CorruptionStats,
    Figures,
    Group,
    KnowledgeUsage,
    Period,
    PeriodKind,
    StatsReport,
    TicketFacts,
    TrackFigures,
    compute_report,
)
from complaints.thai_calendar import BE_OFFSET, MONTHS_SHORT
from complaints.thai_calendar import thai_date as thai_date_text
from complaints.tickets import Status
from handlers.service_info import TALLY_PREFIX
from knowledge.loader import ContentError, load_content
from knowledge.store import SAMPLE_CONTENT
from nlu.categories import BY_SLUG

FORMATS = ("csv", "xlsx", "json")
CHANNELS = ("line", "telegram")  # always listed; others (the dev chat) only when used
NO_VALUE = "-"

# Everything staff read, in one place: short, polite Thai.
TH = {
    "report": "สถิติเรื่องร้องเรียนทั่วไป",
    "as_of": "ข้อมูล ณ วันที่",
    "month": "เดือน",
    "fiscal_year": "ปีงบประมาณ",
    "range": "ระหว่างวันที่ {first} ถึง {last}",
    "item": "รายการ",
    "value": "ค่า",
    "received": "รับเรื่อง",
    "finished": "ดำเนินการแล้วเสร็จ",
    "in_progress": "อยู่ระหว่างดำเนินการ",
    "rejected": "ไม่รับเรื่อง",
    "overdue": "เกินกำหนดและยังไม่เสร็จ",
    "finished_within_sla": "เสร็จทันกำหนด",
    "finished_within_sla_pct": "ร้อยละที่เสร็จทันกำหนด",
    "median_days_to_finish": "จำนวนวันที่ใช้ (มัธยฐาน)",
    "mean_days_to_finish": "จำนวนวันที่ใช้ (เฉลี่ย)",
    "total": "รวม",
    "category": "ประเภทเรื่อง",
    "month_received": "เดือนที่รับเรื่อง",
    "channel": "ช่องทาง",
    "rated": "ผู้ให้คะแนนความพึงพอใจ",
    "mean_rating": "คะแนนเฉลี่ย (เต็ม 5)",
    "satisfied": "ให้คะแนน 4–5",
    "satisfied_pct": "ร้อยละที่ให้คะแนน 4–5",
    "target_pct": "เป้าหมาย (ร้อยละ)",
    "target_met": "ผลเทียบเป้าหมาย",
    "met": "ผ่านเป้าหมาย",
    "not_met": "ยังไม่ผ่านเป้าหมาย",
    "entry_id": "รหัสเรื่อง",
    "entry_title": "ชื่อเรื่อง",
    "times_asked": "จำนวนครั้งที่สอบถาม",
    "title_totals": "สรุปภาพรวม",
    "title_by_category": "แยกตามประเภทเรื่อง",
    "title_by_month": "แยกตามเดือนที่รับเรื่อง",
    "title_by_channel": "แยกตามช่องทาง",
    "title_satisfaction": "ความพึงพอใจของผู้ร้องเรียน",
    "title_knowledge": "การสอบถามข้อมูลบริการและ E-Service",
    "sheet_totals": "สรุป",
    "sheet_by_category": "ตามประเภท",
    "sheet_by_month": "ตามเดือน",
    "sheet_by_channel": "ตามช่องทาง",
    "sheet_satisfaction": "ความพึงพอใจ",
    "sheet_knowledge": "การสอบถามบริการ",
    "unknown_channel": "ไม่ระบุ",
    "title_corruption": "เรื่องร้องเรียนการทุจริต",
    "sheet_corruption": "เรื่องทุจริต",
}
CHANNEL_LABELS = {"line": "LINE", "telegram": "Telegram", "dev": "ช่องทางทดสอบ"}
FIGURE_FIELDS = (
    "received",
    "finished",
    "in_progress",
    "rejected",
    "overdue",
    "finished_within_sla",
    "finished_within_sla_pct",
    "median_days_to_finish",
    "mean_days_to_finish",
)


class PeriodError(ValueError):
    """The period options were missing, combined or malformed."""


def parse_period(
    month: str | None, fiscal_year: int | None, first: str | None, last: str | None
) -> Period:
    """Exactly one of --month, --fiscal-year or --from with --to."""
    given = [month is not None, fiscal_year is not None, first is not None or last is not None]
    if sum(given) != 1:
        raise PeriodError(
            "give exactly one period: --month YYYY-MM, --fiscal-year YYYY (Buddhist era) "
            "or --from YYYY-MM-DD --to YYYY-MM-DD"
        )
    if month is not None:
        if not re.fullmatch(r"(19|20|21)\d\d-(0[1-9]|1[0-2])", month):
            raise PeriodError(
                f"--month must be YYYY-MM, Christian era (2569-11 is 2026-11): {month!r}"
            )
        return Period.month(int(month[:4]), int(month[5:]))
    if fiscal_year is not None:
        if not 2500 <= fiscal_year <= 2700:
            raise PeriodError(
                "--fiscal-year is the Buddhist-era year: 2570 runs from 1 Oct 2026 to "
                f"30 Sep 2027 (got {fiscal_year})"
            )
        return Period.fiscal_year(fiscal_year)
    if first is None or last is None:
        raise PeriodError("--from and --to go together")
    start, end = _iso_date("--from", first), _iso_date("--to", last)
    if start > end:
        raise PeriodError(f"--from ({first}) is after --to ({last})")
    return Period.between(start, end)


def _iso_date(option: str, text: str) -> date:
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2199:
        raise PeriodError(
            f"{option} must be YYYY-MM-DD, Christian era (2569-11-01 is 2026-11-01): {text!r}"
        )
    return day


# Reading


def utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the Thai days of the period, for the received_at index."""
    start = datetime.combine(period.first, time(), THAI_TIME)
    end = datetime.combine(period.last + timedelta(days=1), time(), THAI_TIME)
    return start.astimezone(UTC), end.astimezone(UTC)


def ticket_facts(
    received_at: datetime,
    category: str,
    channel: str,
    status: str,
    due_on: date,
    finished_at: datetime | None,
    rating: int | None,
) -> TicketFacts:
    """The facts of one ticket, its moments turned into Thai dates."""
    ticket_status = Status(status)
    finished = ticket_status in FINISHED
    return TicketFacts(
        received_on=thai_date(received_at),
        category=category,
        channel=channel,
        status=ticket_status,
        due_on=due_on,
        finished_on=thai_date(finished_at) if finished and finished_at else None,
        rating=rating,
    )


def read_ticket_facts(session: Session, period: Period) -> list[TicketFacts]:
    start, end = utc_bounds(period)
    rows = session.execute(
        select(
            TicketRow.received_at,
            TicketRow.category,
            TicketRow.channel,
            TicketRow.status,
            TicketRow.due_on,
            TicketRow.finished_at,
            TicketRow.rating,
        ).where(TicketRow.received_at >= start, TicketRow.received_at < end)
    )
    return [ticket_facts(*row) for row in rows]


def read_corruption_facts(session: Session, period: Period) -> list[CaseFacts] | None:
    """The corruption reports' metadata (received date and status: nothing sealed is
    read), or None when the office does not run the track (no officer, no report)."""
    in_use = session.scalar(select(exists().select_from(IntegrityOfficer))) or session.scalar(
        select(exists().select_from(CorruptionReport))
    )
    if not in_use:
        return None
    start, end = utc_bounds(period)
    rows = session.execute(
        select(CorruptionReport.received_on, CorruptionReport.status).where(
            CorruptionReport.received_at >= start, CorruptionReport.received_at < end
        )
    )
    return [CaseFacts(received_on, Status(status)) for received_on, status in rows]


def read_knowledge_usage(
    session: Session, period: Period, titles: Mapping[str, str]
) -> list[KnowledgeUsage]:
    rows = session.execute(
        select(MonthlyTally.month, MonthlyTally.name, MonthlyTally.count).where(
            MonthlyTally.month.in_(period.months), MonthlyTally.name.startswith(TALLY_PREFIX)
        )
    )
    usage = []
    for month, name, count in rows:
        entry_id = name.removeprefix(TALLY_PREFIX)
        usage.append(KnowledgeUsage(month, entry_id, count, titles.get(entry_id, "")))
    return usage


def collect(
    db: Database, period: Period, clock: Clock, titles: Mapping[str, str] | None = None
) -> StatsReport:
    """The report for `period`, overdue counted as of today's Thai date on `clock`."""
    with db.transaction() as session:
        facts = read_ticket_facts(session, period)
        usage = read_knowledge_usage(session, period, titles or {})
        corruption = read_corruption_facts(session, period)
    return compute_report(
        facts, period, thai_date(clock.now()), usage, channels=CHANNELS, corruption=corruption
    )


@dataclass(frozen=True)
class OfficeNames:
    office: str = ""
    entry_titles: Mapping[str, str] = field(default_factory=dict)


def office_names(settings: Settings) -> OfficeNames:
    """The office's name and its entries' titles; plain ids if the content does not load
    (the statistics do not depend on it)."""
    try:
        content = load_content(settings.knowledge_dir or SAMPLE_CONTENT)
    except (ContentError, OSError):
        return OfficeNames(settings.office_name)
    titles = {entry.id: entry.title for entry in content.entries}
    return OfficeNames(settings.office_name or content.office.name, titles)


def export_stats(settings: Settings, period: Period, fmt: str, clock: Clock) -> bytes:
    names = office_names(settings)
    db = Database.from_url(settings.database_url)
    try:
        report = collect(db, period, clock, names.entry_titles)
    finally:
        db.dispose()
    return render(report, fmt, names.office)


def default_output(period: Period, fmt: str) -> Path:
    return Path(f"siang-stats-{period.key}.{fmt}")


# Rendering


def render(report: StatsReport, fmt: str, office: str = "") -> bytes:
    if fmt == "csv":
        return render_csv(report, office).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "xlsx":
        return render_xlsx(report, office)
    if fmt == "json":
        return render_json(report).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


Cell = str | int | float


@dataclass(frozen=True)
class Table:
    title: str
    sheet: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def report_title(report: StatsReport, office: str = "") -> str:
    period = report.period
    if period.kind is PeriodKind.MONTH:
        when = f"{TH['month']} {thai_month(period.first.strftime('%Y-%m'))}"
    elif period.kind is PeriodKind.FISCAL_YEAR:
        when = f"{TH['fiscal_year']} {period.last.year + BE_OFFSET}"
    else:
        when = TH["range"].format(
            first=thai_date_text(period.first), last=thai_date_text(period.last)
        )
    parts = [TH["report"], office, when, f"({TH['as_of']} {thai_date_text(report.as_of)})"]
    return " ".join(p for p in parts if p)


def thai_month(month: str) -> str:
    """ "2026-11" → "พ.ย. 2569"."""
    year, number = int(month[:4]), int(month[5:])
    return f"{MONTHS_SHORT[number - 1]} {year + BE_OFFSET}"


def category_label(slug: str) -> str:
    category = BY_SLUG.get(slug)
    return category.name if category else slug


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel or TH["unknown_channel"])


def tables(report: StatsReport, office: str = "") -> list[Table]:
    """The report as the tables staff read, in order."""
    satisfaction = report.satisfaction
    if satisfaction.target_met is None:
        verdict = NO_VALUE
    else:
        verdict = TH["met"] if satisfaction.target_met else TH["not_met"]
    totals = tuple((TH[name], _cell(getattr(report.totals, name))) for name in FIGURE_FIELDS)
    corruption = [] if report.corruption is None else [_corruption_table(report.corruption)]
    return [
        Table(report_title(report, office), TH["sheet_totals"], (TH["item"], TH["value"]), totals),
        _group_table(report, "by_category", "category", category_label),
        _group_table(report, "by_month", "month_received", thai_month),
        _group_table(report, "by_channel", "channel", channel_label),
        Table(
            TH["title_satisfaction"],
            TH["sheet_satisfaction"],
            (TH["item"], TH["value"]),
            (
                (TH["rated"], satisfaction.rated),
                (TH["mean_rating"], _cell(satisfaction.mean_rating)),
                (TH["satisfied"], satisfaction.satisfied),
                (TH["satisfied_pct"], satisfaction.satisfied_pct),
                (TH["target_pct"], satisfaction.target_pct),
                (TH["target_met"], verdict),
            ),
        ),
        Table(
            TH["title_knowledge"],
            TH["sheet_knowledge"],
            (TH["month"], TH["entry_id"], TH["entry_title"], TH["times_asked"]),
            tuple(
                (thai_month(u.month), u.entry_id, u.title or u.entry_id, u.count)
                for u in report.knowledge_usage
            ),
        ),
        *corruption,  # its own section, never mixed into the figures above
    ]


TRACK_FIELDS = ("received", "finished", "in_progress", "rejected")


def _corruption_table(stats: CorruptionStats) -> Table:
    def cells(figures: TrackFigures) -> tuple[Cell, ...]:
        return tuple(getattr(figures, name) for name in TRACK_FIELDS)

    rows = [(thai_month(month), *cells(figures)) for month, figures in stats.by_month]
    rows.append((TH["total"], *cells(stats.totals)))
    return Table(
        TH["title_corruption"],
        TH["sheet_corruption"],
        (TH["month_received"], *(TH[name] for name in TRACK_FIELDS)),
        tuple(rows),
    )


def _group_table(
    report: StatsReport, attribute: str, header: str, label: Callable[[str], str]
) -> Table:
    groups: Sequence[Group] = getattr(report, attribute)
    rows = [(label(g.key), *_figure_cells(g.figures)) for g in groups]
    rows.append((TH["total"], *_figure_cells(report.totals)))
    return Table(
        TH[f"title_{attribute}"],
        TH[f"sheet_{attribute}"],
        (TH[header], *(TH[name] for name in FIGURE_FIELDS)),
        tuple(rows),
    )


def _figure_cells(figures: Figures) -> tuple[Cell, ...]:
    return tuple(_cell(getattr(figures, name)) for name in FIGURE_FIELDS)


def _cell(value: int | float | None) -> Cell:
    return NO_VALUE if value is None else value


def render_csv(report: StatsReport, office: str = "") -> str:
    """Sections one after another: title, header, rows, a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables(report, office):
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows(table.rows)
        writer.writerow([])
    return out.getvalue()


def render_xlsx(report: StatsReport, office: str = "") -> bytes:
    """One sheet per table: the title in row 1, the headers in row 2, then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables(report, office):
        sheet = workbook.create_sheet(table.sheet)
        sheet.append([table.title])
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append(list(row))
        for cell in (*sheet[1], *sheet[2]):
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_json(report: StatsReport) -> str:
    satisfaction = report.satisfaction
    document = {
        "period": {
            "kind": report.period.kind.value,
            "first": report.period.first.isoformat(),
            "last": report.period.last.isoformat(),
        },
        "as_of": report.as_of.isoformat(),
        "totals": _figures_json(report.totals),
        "by_category": [
            {"category": g.key, "label": category_label(g.key), **_figures_json(g.figures)}
            for g in report.by_category
        ],
        "by_month": [{"month": g.key, **_figures_json(g.figures)} for g in report.by_month],
        "by_channel": [{"channel": g.key, **_figures_json(g.figures)} for g in report.by_channel],
        "satisfaction": {
            "rated": satisfaction.rated,
            "mean_rating": satisfaction.mean_rating,
            "rated_4_or_5": satisfaction.satisfied,
            "rated_4_or_5_pct": satisfaction.satisfied_pct,
            "target_pct": satisfaction.target_pct,
            "target_met": satisfaction.target_met,
        },
        "knowledge_usage": [
            {"month": u.month, "entry": u.entry_id, "title": u.title, "count": u.count}
            for u in report.knowledge_usage
        ],
        "corruption": _corruption_json(report.corruption),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _corruption_json(stats: CorruptionStats | None) -> dict[str, object] | None:
    if stats is None:
        return None

    def figures(f: TrackFigures) -> dict[str, int]:
        return {name: getattr(f, name) for name in TRACK_FIELDS}

    return {
        "totals": figures(stats.totals),
        "by_month": [{"month": month, **figures(f)} for month, f in stats.by_month],
    }


def _figures_json(figures: Figures) -> dict[str, int | float | None]:
    return {name: getattr(figures, name) for name in FIGURE_FIELDS}
