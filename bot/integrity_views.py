"""The corruption track as integrity officers read it in `siang integrity`: Thai text.

Officers' words live here, not in handlers/texts_th.py (what citizens read)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import THAI_TIME
from bot.integrity_office import (
    AuditEntry,
    AuditVerdict,
    CaseDetail,
    CaseEntry,
    CaseSummary,
    KeygenResult,
    UpdateResult,
)
from bot.ticket_views import display_width
from complaints.thai_calendar import thai_date
from handlers.notices import status_label

TH: dict[str, str] = {
    "readable": "อ่านได้",
    "not_readable": "อ่านไม่ได้",
    "overdue": "⚠ เกินกำหนด",
    "none": "ไม่มีเรื่อง",
    "shown": "{count} เรื่อง",
    "case": "เรื่องร้องเรียนการทุจริต เลขที่ {id}",
    "status": "สถานะ",
    "received": "รับเรื่อง",
    "due": "กำหนดดำเนินการ",
    "extended_to": "ขยายเวลาถึง",
    "elapsed": "ผ่านมาแล้ว",
    "days": "{days} วัน",
    "what": "เรื่องที่แจ้ง",
    "who": "ผู้ถูกกล่าวหา",
    "when": "เมื่อใด",
    "where": "ที่ใด",
    "how_known": "ทราบได้อย่างไร",
    "reporter": "ผู้แจ้ง",
    "anonymous": "ไม่ประสงค์ออกนาม",
    "contact": "ช่องทางติดต่อ",
    "notify": "แจ้งความคืบหน้าทางแชต",
    "no_notify": "ไม่ขอรับแจ้ง",
    "readers": "ผู้มีสิทธิ์อ่าน",
    "excluded": "ผู้ถูกกันออก (ส่วนได้เสีย)",
    "additions": "ข้อมูลเพิ่มเติมจากผู้แจ้ง",
    "addition_unreadable": "[ส่งมาก่อนคุณได้รับสิทธิ์ อ่านไม่ได้]",
    "evidence": "หลักฐาน",
    "evidence_line": "#{id} {type} ({date})",
    "evidence_hint": (
        "ส่งออกด้วย: siang integrity evidence <เลขที่หลักฐาน> --officer <ชื่อ> --output <ไฟล์>"
    ),
    "timeline": "ลำดับเหตุการณ์",
    "reporter_actor": "ผู้แจ้ง",
    "public_note": "แจ้งผู้ถือรหัส: {note}",
    "internal_note": "บันทึกภายใน (เข้ารหัส): {note}",
    "expected": "กำหนดใหม่: {date}",
    "updated": "เรื่องเลขที่ {id}: {status} (กำหนด {date})",
    "notified": "แจ้งผู้แจ้งทางแชตแล้วว่ามีความคืบหน้า (ไม่มีรายละเอียดในข้อความ)",
    "not_notified": "ไม่ได้แจ้งทางแชต (ผู้แจ้งไม่ได้ขอรับแจ้ง หรือไม่มีสิ่งที่ต้องแจ้ง)",
    "keygen": "สร้างกุญแจของ {name} แล้ว",
    "keygen_first": "ช่องทางแจ้งเรื่องทุจริตเปิดรับแล้ว: เรื่องใหม่จะเข้ารหัสถึงเจ้าหน้าที่ที่มีกุญแจ",
    "keygen_resealed": "{helper} มอบสิทธิ์อ่านเรื่องเดิมให้แล้ว {count} เรื่อง",
    "keygen_unreadable": (
        "เรื่องเดิม {count} เรื่องที่ {name} อ่านไม่ได้ (ไม่มีผู้ช่วยมอบสิทธิ์ ผู้ช่วยอ่านไม่ได้"
        " หรือเรื่องนั้นกัน {name} ออก); เรื่องที่รับหลังจากนี้อ่านได้ทั้งหมด"
    ),
    "keygen_passphrase": "จำวลีรหัสผ่านไว้ให้ดี: ไม่มีใครกู้คืนได้ ถ้าลืม ต้องให้เจ้าหน้าที่คนอื่นช่วยสร้างกุญแจใหม่",
    "excluded_done": "กัน {other} ออกจากเรื่องเลขที่ {id} แล้ว: ลบกุญแจของ {other} ในเรื่องนี้ทั้งหมด",
    "exported": "ส่งออกหลักฐาน #{id} ({type}) ไปที่ {path} แล้ว: เก็บรักษาและลบเมื่อใช้เสร็จ",
    "audit_empty": "ยังไม่มีประวัติการใช้งาน",
    "verified": "ตรวจสอบแล้ว: ประวัติ {rows} รายการครบถ้วน ไม่ถูกแก้ไข (ค่าท้ายสุด {head})",
    "broken": (
        "พบการแก้ไขหรือลบประวัติ: รายการลำดับที่ {id} ไม่ต่อเนื่องกับรายการก่อนหน้า (ตรวจผ่าน {rows} รายการแรก)"
    ),
}

COLUMNS = ("เลขที่", "สถานะ", "รับเรื่อง", "กำหนด", "วัน", "สิทธิ์อ่าน", "")
AUDIT_COLUMNS = ("ลำดับ", "เวลา", "เจ้าหน้าที่", "การกระทำ", "เรื่อง", "รายละเอียด")
KINDS = {"status": "สถานะ", "explanation": "ชี้แจงความล่าช้า", "note": "บันทึก"}
ACTIONS = {
    "keygen": "สร้างกุญแจ",
    "reseal": "มอบสิทธิ์อ่านเรื่องเดิม",
    "unlock_failed": "วลีรหัสผ่านผิด",
    "list": "ดูรายการ",
    "read": "อ่านเรื่อง",
    "denied": "พยายามเข้าถึงโดยไม่มีสิทธิ์",
    "update": "ปรับสถานะ/บันทึก",
    "exclude": "กันออกจากเรื่อง",
    "export_evidence": "ส่งออกหลักฐาน",
}


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _columns(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]


def _moment(at: datetime) -> str:
    local = at.astimezone(THAI_TIME)
    return f"{thai_date(local.date())} {local:%H:%M}"


def table(cases: list[CaseSummary], today: date) -> str:
    if not cases:
        return TH["none"]
    rows = [
        (
            f"#{c.report_id}",
            status_label(c.status),
            thai_date(c.received_on),
            thai_date(c.expected_on()),
            str(c.days_elapsed(today)),
            TH["readable"] if c.readable else TH["not_readable"],
            TH["overdue"] if c.overdue(today) else "",
        )
        for c in cases
    ]
    lines = _columns(COLUMNS, rows)
    lines.append(TH["shown"].format(count=len(cases)))
    return "\n".join(lines)


def detail(case: CaseDetail, today: date) -> str:
    c, content = case.summary, case.content
    due = thai_date(c.due_on)
    if c.overdue(today):
        due = f"{due}  {TH['overdue']}"
    fields = [
        (TH["status"], status_label(c.status)),
        (TH["received"], thai_date(c.received_on)),
        (TH["due"], due),
    ]
    if c.extended_to:
        fields.append((TH["extended_to"], thai_date(c.extended_to)))
    fields += [
        (TH["elapsed"], TH["days"].format(days=c.days_elapsed(today))),
        (TH["what"], content.what),
        (TH["who"], content.who or "-"),
        (TH["when"], content.when or "-"),
        (TH["where"], content.where or "-"),
        (TH["how_known"], content.how_known or "-"),
        (TH["reporter"], content.name or TH["anonymous"]),
        (TH["contact"], content.contact or "-"),
        (TH["notify"], case.notify_channel or TH["no_notify"]),
        (TH["readers"], ", ".join(case.readers) or "-"),
        (TH["excluded"], ", ".join(case.excluded) or "-"),
    ]
    lines = [TH["case"].format(id=c.report_id), *(f"{k}: {v}" for k, v in fields)]
    if case.additions:
        lines.append(f"{TH['additions']}:")
        for addition in case.additions:
            body = addition.text if addition.text is not None else TH["addition_unreadable"]
            lines.append(f"  {thai_date(addition.at.astimezone(THAI_TIME).date())}  {body}")
    if case.evidence:
        lines.append(f"{TH['evidence']}:")
        for item in case.evidence:
            line = TH["evidence_line"].format(
                id=item.id,
                type=item.content_type,
                date=thai_date(item.at.astimezone(THAI_TIME).date()),
            )
            lines.append(f"  {line}" + ("" if item.readable else f"  {TH['not_readable']}"))
        lines.append(f"  {TH['evidence_hint']}")
    lines.append(f"{TH['timeline']}:")
    lines.extend(line for entry in case.timeline for line in _entry_lines(entry))
    return "\n".join(lines)


def _entry_lines(entry: CaseEntry) -> list[str]:
    kind = KINDS.get(entry.kind.value, entry.kind.value)
    # what the reporter did is stored to the day only
    when = _moment(entry.at) if entry.actor else thai_date(entry.at.astimezone(THAI_TIME).date())
    actor = entry.actor or TH["reporter_actor"]
    lines = [f"  {when}  {kind}: {status_label(entry.status)}  ({actor})"]
    if entry.public_note:
        lines.append("      " + TH["public_note"].format(note=entry.public_note))
    if entry.internal_note:
        lines.append("      " + TH["internal_note"].format(note=entry.internal_note))
    if entry.expected_on:
        lines.append("      " + TH["expected"].format(date=thai_date(entry.expected_on)))
    return lines


def keygen_lines(result: KeygenResult) -> str:
    lines = [TH["keygen"].format(name=result.name)]
    if result.first:
        lines.append(TH["keygen_first"])
    if result.helper:
        lines.append(TH["keygen_resealed"].format(helper=result.helper, count=result.resealed))
    if result.unreadable:
        lines.append(TH["keygen_unreadable"].format(count=result.unreadable, name=result.name))
    lines.append(TH["keygen_passphrase"])
    return "\n".join(lines)


def update_lines(result: UpdateResult) -> str:
    c = result.summary
    head = TH["updated"].format(
        id=c.report_id, status=status_label(c.status), date=thai_date(c.expected_on())
    )
    return "\n".join([head, TH["notified"] if result.notified else TH["not_notified"]])


def audit_table(entries: list[AuditEntry]) -> str:
    if not entries:
        return TH["audit_empty"]
    rows = [
        (
            str(e.id),
            _moment(e.at),
            e.officer_name,
            ACTIONS.get(e.action, e.action),
            f"#{e.report_id}" if e.report_id is not None else "-",
            e.detail,
        )
        for e in entries
    ]
    return "\n".join(_columns(AUDIT_COLUMNS, rows))


def verify_line(verdict: AuditVerdict) -> str:
    if verdict.ok:
        return TH["verified"].format(rows=verdict.rows, head=verdict.head[:16])
    return TH["broken"].format(id=verdict.broken_at, rows=verdict.rows)
