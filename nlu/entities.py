"""Entities in citizens' messages: ticket and receipt codes, phone numbers, national ids, dates.

Matching runs on a working copy of the raw text in which Thai and full-width digits are ASCII
and invisible characters are gone. Every character keeps its index in the caller's text, so
each entity's `start`/`end` slice the text that was passed in.

When readings overlap the stronger kind wins (ticket > receipt > national id > phone > date),
then the longer span, so a long digit run is never split into smaller entities.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class EntityKind(StrEnum):
    TICKET_CODE = "ticket_code"
    RECEIPT_CODE = "receipt_code"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    DATE = "date"


_PERSONAL_KINDS = frozenset({EntityKind.PHONE, EntityKind.NATIONAL_ID})


@dataclass(frozen=True, repr=False)
class Entity:
    kind: EntityKind
    value: str
    start: int
    end: int

    @property
    def personal(self) -> bool:
        return self.kind in _PERSONAL_KINDS

    def masked(self) -> str:
        if self.kind is EntityKind.NATIONAL_ID:
            return _mask_national_id(self.value)
        if self.kind is EntityKind.PHONE:
            return _mask_phone(self.value)
        return self.value

    def __repr__(self) -> str:
        # masked(): logging an entity must never write out a citizen's phone number or id.
        return (
            f"Entity(kind={self.kind.value!r}, value={self.masked()!r}, "
            f"start={self.start}, end={self.end})"
        )

    def to_dict(self) -> dict[str, object]:
        return {"type": self.kind.value, "value": self.value, "start": self.start, "end": self.end}


def _mask_national_id(value: str) -> str:
    if len(value) != 13:
        return "x" * len(value)
    return f"{value[0]}-{value[1:5]}-xxxxx-xx-{value[12]}"


def _mask_phone(value: str) -> str:
    if len(value) not in (9, 10):
        return "x" * len(value)
    kept = value[:2] + "x" * (len(value) - 5) + value[-3:]
    head = 3 if len(value) == 10 else 2
    return f"{kept[:head]}-{kept[head : head + 3]}-{kept[head + 3 :]}"


def is_valid_national_id(digits: str) -> bool:
    """13 digits whose last one is the Thai national id check digit."""
    digits = digits.translate(_CHARACTER_MAP)
    if not re.fullmatch(r"[0-9]{13}", digits):
        return False
    weighted = sum(int(digit) * (13 - index) for index, digit in enumerate(digits[:12]))
    return (11 - weighted % 11) % 10 == int(digits[12])


def extract_entities(text: str, today: date) -> tuple[Entity, ...]:
    """All entities in `text`, sorted by start and non-overlapping; dates resolved on `today`."""
    return _extract(text, _plain_date(today))


def redact_personal(text: str, replacement: str) -> str:
    """`text` with every phone and national ID number replaced (PDPA erasure)."""
    personal = [e for e in _extract(text, today=None) if e.personal]
    for entity in reversed(personal):
        text = text[: entity.start] + replacement + text[entity.end :]
    return text


def ticket_codes(text: str) -> tuple[str, ...]:
    return _values_of(EntityKind.TICKET_CODE, text)


def receipt_codes(text: str) -> tuple[str, ...]:
    return _values_of(EntityKind.RECEIPT_CODE, text)


def _values_of(kind: EntityKind, text: str) -> tuple[str, ...]:
    return tuple(entity.value for entity in _extract(text, today=None) if entity.kind is kind)


def _plain_date(day: date) -> date:
    # A datetime is a date too, but its arithmetic and isoformat() would carry the time along.
    return date(day.year, day.month, day.day)


# --- The working text ------------------------------------------------------------------------

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _build_character_map() -> dict[int, str]:
    mapping = {0x0E50 + value: str(value) for value in range(10)}  # Thai digits ๐-๙
    mapping.update({code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})  # full width
    mapping.update({ord(space): " " for space in "\u00a0\u2002\u2003\u2009\u202f\u3000"})
    mapping.update({ord(dash): "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212"})
    return mapping


_CHARACTER_MAP = _build_character_map()


class _Identity:
    def __getitem__(self, index: int) -> int:
        return index


@dataclass(frozen=True)
class _WorkingText:
    text: str
    origin: Sequence[int] | _Identity  # origin[i] is the index in the caller's text of text[i]

    @classmethod
    def of(cls, raw: str) -> _WorkingText:
        if not _INVISIBLE.intersection(raw):  # the usual case: offsets map one to one
            return cls(raw.translate(_CHARACTER_MAP), _Identity())
        kept = [(index, char) for index, char in enumerate(raw) if char not in _INVISIBLE]
        text = "".join(char for _, char in kept).translate(_CHARACTER_MAP)
        return cls(text, tuple(index for index, _ in kept))

    def span_in_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class _Candidate:
    rank: int  # lower wins an overlap
    start: int
    end: int
    kind: EntityKind | None  # None: an ambiguous phrase that only keeps weaker readings out
    value: str


_RANK = {
    EntityKind.TICKET_CODE: 0,
    EntityKind.RECEIPT_CODE: 1,
    EntityKind.NATIONAL_ID: 2,
    EntityKind.PHONE: 3,
    EntityKind.DATE: 4,
}


def _candidate(
    kind: EntityKind, match: re.Match[str], value: str, end: int | None = None
) -> _Candidate:
    return _Candidate(_RANK[kind], match.start(), match.end() if end is None else end, kind, value)


def _ambiguous_date(match: re.Match[str]) -> _Candidate:
    return _Candidate(_RANK[EntityKind.DATE], match.start(), match.end(), None, "")


def _extract(raw: str, today: date | None) -> tuple[Entity, ...]:
    work = _WorkingText.of(raw)
    candidates = list(_code_candidates(work.text))
    if today is not None:
        candidates.extend(_date_candidates(work.text, today))
    entities = []
    for chosen in _without_overlaps(candidates):
        if chosen.kind is not None:
            start, end = work.span_in_raw(chosen.start, chosen.end)
            entities.append(Entity(chosen.kind, chosen.value, start, end))
    return tuple(sorted(entities, key=lambda entity: entity.start))


def _without_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.rank, c.start - c.end, c.start)):
        if not any(candidate.start < other.end and other.start < candidate.end for other in chosen):
            chosen.append(candidate)
    return chosen


# --- Codes, phone numbers and national ids ---------------------------------------------------

# A number is not glued to other digits, directly or through a dash, dot or slash.
_NUMBER_START = r"(?<![0-9])(?<![0-9][\-./])"
_NUMBER_END = r"(?![0-9])(?![\-./][0-9])"

_TICKET = re.compile(
    r"(?<![a-z0-9])(?:gc|จีซี)[\s\-._/#:]{0,3}(?P<year>[0-9]{4})[\s\-._/]{0,3}"
    rf"(?P<sequence>[0-9]{{1,7}}){_NUMBER_END}",
    re.IGNORECASE | re.ASCII,
)
_TICKET_YEARS = range(2550, 2651)

_RECEIPT = re.compile(rf"{_NUMBER_START}[0-9]{{4}}(?:[ \-]?[0-9]{{4}}){{3}}{_NUMBER_END}")

_NATIONAL_ID = re.compile(
    rf"{_NUMBER_START}[0-9][ \-]?[0-9]{{4}}[ \-]?[0-9]{{5}}[ \-]?[0-9]{{2}}[ \-]?[0-9]"
    rf"{_NUMBER_END}"
)

# The digits after the leading 0: mobile 6/8/9 + 8 digits, landline 2-7 + 7 digits, in the
# groupings people write (081-234-5678, 08-1234-5678, 02-123-4567, 053-123456, 053-123-456).
_S = r"[ .\-]?"  # at most one separator between digit groups
_MOBILE_BODY = rf"[689](?:[0-9]{_S}[0-9]{{3}}|{_S}[0-9]{{4}}){_S}[0-9]{{4}}"
_LANDLINE_BODY = rf"[2-7](?:{_S}[0-9]{{3}}{_S}[0-9]{{4}}|[0-9]{_S}[0-9]{{3}}{_S}[0-9]{{3}})"
_PHONE = re.compile(
    rf"(?:(?<!\+){_NUMBER_START}\+?66[ \-]?(?:\(0\)\s?)?|{_NUMBER_START}0)"
    rf"(?P<body>{_MOBILE_BODY}|{_LANDLINE_BODY}){_NUMBER_END}"
)


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _code_candidates(text: str) -> Iterator[_Candidate]:
    yield from _ticket_candidates(text)
    for match in _RECEIPT.finditer(text):
        yield _candidate(EntityKind.RECEIPT_CODE, match, _digits(match.group()))
    for match in _NATIONAL_ID.finditer(text):
        digits = _digits(match.group())
        if is_valid_national_id(digits):
            yield _candidate(EntityKind.NATIONAL_ID, match, digits)
    for match in _PHONE.finditer(text):
        yield _candidate(EntityKind.PHONE, match, "0" + _digits(match.group("body")))


def _ticket_candidates(text: str) -> Iterator[_Candidate]:
    for match in _TICKET.finditer(text):
        year = int(match.group("year"))
        if year in _TICKET_YEARS:
            sequence = str(int(match.group("sequence"))).zfill(5)
            yield _candidate(EntityKind.TICKET_CODE, match, f"GC-{year}-{sequence}")


# --- Dates -----------------------------------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so that no word hides a longer one."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_DAYS_FROM_TODAY = {
    "วันนี้": 0,
    "เมื่อวาน": -1,
    "เมื่อวานนี้": -1,
    "วานนี้": -1,
    "เมื่อคืน": -1,
    "เมื่อคืนนี้": -1,
    "เมื่อวานซืน": -2,
    "วานซืน": -2,
    "พรุ่งนี้": 1,
    "มะรืน": 2,
    "มะรืนนี้": 2,
}
_RELATIVE_DAY = re.compile(_alternation(_DAYS_FROM_TODAY))

_AGO = r"(?:ก่อน|ที่แล้ว|ที่ผ่านมา)"
_UNIT_DAYS = {"วัน": 1, "อาทิตย์": 7, "สัปดาห์": 7}
_MONTH_UNIT = "เดือน"

_THAI_UNITS = ("", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")


def _thai_number_words() -> dict[str, int]:
    """Thai spelled numbers 1-99: สาม, สิบ, สิบเอ็ด, ยี่สิบ, ยี่สิบเอ็ด, สามสิบห้า ..."""
    words: dict[str, int] = {}
    for number in range(1, 100):
        tens, units = divmod(number, 10)
        tens_word = {0: "", 1: "สิบ", 2: "ยี่สิบ"}.get(tens, _THAI_UNITS[tens] + "สิบ")
        words[tens_word + _THAI_UNITS[units]] = number
        if tens and units == 1:
            words[tens_word + "เอ็ด"] = number
    return words


_THAI_NUMBERS = _thai_number_words()
# Runs of these are read whole; a run that is no single number (สองสาม "two or three", หลาย
# "several") is ambiguous and blocks the shorter readings inside it.
_NUMBER_PIECES = (*_THAI_UNITS[1:], "สิบ", "ยี่", "เอ็ด", "หลาย", "ไม่กี่", "กี่")

_WORDS_RUN_START = "".join(f"(?<!{re.escape(piece)})" for piece in _NUMBER_PIECES)
_NUMBER_WORDS = rf"{_WORDS_RUN_START}(?:{_alternation(_NUMBER_PIECES)})+"
_COUNTED_AGO = re.compile(
    rf"(?:เมื่อ\s*)?(?:{_NUMBER_START}(?P<digits>[0-9]{{1,3}})|(?P<words>{_NUMBER_WORDS}))"
    rf"\s*(?P<unit>วัน|อาทิตย์|สัปดาห์|{_MONTH_UNIT})\s*{_AGO}"
)
# อาทิตย์ alone is "week", วันอาทิตย์ is Sunday; a number before the unit belongs to _COUNTED_AGO.
_ONE_UNIT_AGO = re.compile(
    rf"(?:เมื่อ\s*)?(?<!วัน)(?<!วัน\s)(?<![0-9])(?<![0-9]\s)(?P<unit>อาทิตย์|สัปดาห์|{_MONTH_UNIT})"
    rf"\s*{_AGO}"
)

_WEEKDAYS = {
    "จันทร์": 0,
    "อังคาร": 1,
    "พุธ": 2,
    "พฤหัส": 3,
    "พฤหัสบดี": 3,
    "ศุกร์": 4,
    "เสาร์": 5,
    "อาทิตย์": 6,
}
_PAST_WEEKDAY = re.compile(
    rf"(?P<since>เมื่อ\s*)?(?P<day_word>วัน\s*)?(?P<weekday>{_alternation(_WEEKDAYS)})"
    r"(?:\s*(?P<ago>ที่แล้ว|ที่ผ่านมา))?"
)
_SUNDAY = 6

_FULL_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
_SPOKEN_MONTHS = (
    "มกรา",
    "กุมภา",
    "มีนา",
    "เมษา",
    "พฤษภา",
    "มิถุนา",
    "กรกฎา",
    "สิงหา",
    "กันยา",
    "ตุลา",
    "พฤศจิกา",
    "ธันวา",
)
_MONTH_ABBREVIATIONS = (
    ("ม", "ค"),
    ("ก", "พ"),
    ("มี", "ค"),
    ("เม", "ย"),
    ("พ", "ค"),
    ("มิ", "ย"),
    ("ก", "ค"),
    ("ส", "ค"),
    ("ก", "ย"),
    ("ต", "ค"),
    ("พ", "ย"),
    ("ธ", "ค"),
)
_COMMON_MISSPELLINGS = {7: ("กรกฏาคม", "กรกฏา")}
_THAI_LETTER = "[ก-๛]"


def _month_pattern(month: int) -> str:
    first, second = _MONTH_ABBREVIATIONS[month - 1]
    # Undotted, the abbreviation must end the word: "5 มีคน" is "5 people", not 5 March.
    abbreviation = rf"{first}\.?\s?{second}(?:\.|(?!{_THAI_LETTER}))"
    names = (
        _FULL_MONTHS[month - 1],
        _SPOKEN_MONTHS[month - 1],
        *_COMMON_MISSPELLINGS.get(month, ()),
    )
    return rf"(?P<m{month}>{_alternation(names)}|{abbreviation})"


_MONTH_NAME = "|".join(_month_pattern(month) for month in range(1, 13))
_DATE_PREFIX = r"(?:(?:เมื่อ\s*)?วันที่\s*)?"
_NOT_A_TIME = r"(?!\s*(?:โมง|นาฬิกา|ทุ่ม|น\.|:))"
_DAY_MONTH_NAME_YEAR = re.compile(
    rf"{_DATE_PREFIX}{_NUMBER_START}(?P<day>[0-9]{{1,2}})\s*(?:{_MONTH_NAME})"
    rf"(?:\s*(?:(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)\s*)?(?P<year>[0-9]{{4}}|[0-9]{{2}})"
    rf"{_NUMBER_END}{_NOT_A_TIME})?"
)
_DAY_MONTH_YEAR = re.compile(
    rf"{_DATE_PREFIX}{_NUMBER_START}(?P<day>[0-9]{{1,2}})(?P<separator>[/.\-])"
    rf"(?P<month>[0-9]{{1,2}})(?P=separator)(?P<year>[0-9]{{4}}|[0-9]{{2}}){_NUMBER_END}"
)
# Only with a slash: "14.30" is a time and "1-2" a range far more often than a date.
_DAY_SLASH_MONTH = re.compile(
    rf"{_DATE_PREFIX}{_NUMBER_START}(?P<day>[0-9]{{1,2}})/(?P<month>[0-9]{{1,2}}){_NUMBER_END}"
)
# Thai house numbers are written like dates: บ้านเลขที่ 12/3 หมู่ 4.
_ADDRESS_BEFORE = re.compile(r"(?:เลขที่|บ้าน|ที่อยู่|ซอย|ซ\.|หมู่|ม\.)\s*$")
_ADDRESS_AFTER = re.compile(r"\s*(?:หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.)")

_BUDDHIST_ERA_OFFSET = 543
_FIRST_BUDDHIST_YEAR = 2400
_PLAUSIBLE_YEARS = range(1900, 2201)
_YEARS_TO_FIND_29_FEBRUARY = 8


def _date_candidates(text: str, today: date) -> Iterator[_Candidate]:
    finders: tuple[Callable[[str, date], Iterator[_Candidate]], ...] = (
        _relative_day_candidates,
        _counted_ago_candidates,
        _one_unit_ago_candidates,
        _past_weekday_candidates,
        _month_name_date_candidates,
        _numeric_date_candidates,
    )
    for finder in finders:
        yield from finder(text, today)


def _date_candidate(
    match: re.Match[str], day: date | None, end: int | None = None
) -> Iterator[_Candidate]:
    if day is not None:
        yield _candidate(EntityKind.DATE, match, day.isoformat(), end)


def _relative_day_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _RELATIVE_DAY.finditer(text):
        yield from _date_candidate(match, _days_before(today, -_DAYS_FROM_TODAY[match.group()]))


def _counted_ago_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _COUNTED_AGO.finditer(text):
        count = _count_of(match)
        if count is None:
            yield _ambiguous_date(match)
        else:
            yield from _date_candidate(match, _units_before(today, match.group("unit"), count))


def _count_of(match: re.Match[str]) -> int | None:
    count = int(match["digits"]) if match["digits"] else _THAI_NUMBERS.get(match["words"])
    return count if count else None


def _one_unit_ago_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _ONE_UNIT_AGO.finditer(text):
        yield from _date_candidate(match, _units_before(today, match.group("unit"), 1))


def _past_weekday_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _PAST_WEEKDAY.finditer(text):
        weekday = _WEEKDAYS[match.group("weekday")]
        said_past = match.group("since") or match.group("ago")
        # อาทิตย์ without วัน is "week", which _ONE_UNIT_AGO reads.
        names_a_day = weekday != _SUNDAY or match.group("day_word")
        if said_past and names_a_day:
            days_back = (today.weekday() - weekday) % 7 or 7
            yield from _date_candidate(match, _days_before(today, days_back))


def _month_name_date_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _DAY_MONTH_NAME_YEAR.finditer(text):
        day = int(match.group("day"))
        month = next(number for number in range(1, 13) if match.group(f"m{number}"))
        year = _year_of(match.group("year"), match.group("era")) if match.group("year") else None
        if year is not None:
            yield from _date_candidate(match, _valid_date(year, month, day))
        else:
            # No year, or an implausible number after the month ("3 ธ.ค. 1500 บาท"): the date
            # stops at the month.
            end = match.end(f"m{month}")
            yield from _date_candidate(match, _latest_date_until(today, month, day), end)


def _numeric_date_candidates(text: str, today: date) -> Iterator[_Candidate]:
    for match in _DAY_MONTH_YEAR.finditer(text):
        year = _year_of(match.group("year"), era=None)
        if year is not None:
            day = _valid_date(year, int(match.group("month")), int(match.group("day")))
            yield from _date_candidate(match, day)
    for match in _DAY_SLASH_MONTH.finditer(text):
        if not _is_in_an_address(text, match):
            day = _latest_date_until(today, int(match.group("month")), int(match.group("day")))
            yield from _date_candidate(match, day)


def _is_in_an_address(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 12) : match.start()]
    return bool(_ADDRESS_BEFORE.search(before) or _ADDRESS_AFTER.match(text, match.end()))


def _year_of(digits: str, era: str | None) -> int | None:
    """The Common Era year: 2-digit years are Buddhist Era unless marked ค.ศ., and so are 4-digit
    years from 2400 on."""
    number = int(digits)
    if len(digits) == 2:
        said_common_era = era is not None and era.startswith("ค")
        return 2000 + number if said_common_era else 2500 + number - _BUDDHIST_ERA_OFFSET
    year = number - _BUDDHIST_ERA_OFFSET if number >= _FIRST_BUDDHIST_YEAR else number
    return year if year in _PLAUSIBLE_YEARS else None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_date_until(today: date, month: int, day: int) -> date | None:
    """The most recent day/month not after today (29 February may be years back)."""
    for year in range(today.year, today.year - _YEARS_TO_FIND_29_FEBRUARY - 1, -1):
        candidate = _valid_date(year, month, day) if year >= 1 else None
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _days_before(today: date, days: int) -> date | None:
    try:
        return today - timedelta(days=days)
    except OverflowError:
        return None


def _units_before(today: date, unit: str, count: int) -> date | None:
    if unit == _MONTH_UNIT:
        return _months_before(today, count)
    return _days_before(today, _UNIT_DAYS[unit] * count)


def _months_before(today: date, count: int) -> date | None:
    """The same day `count` months back, or that month's last day if it is shorter."""
    year, month_index = divmod(today.year * 12 + today.month - 1 - count, 12)
    if year < 1:
        return None
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(today.day, last_day))
