"""Read a content folder into `Content`, or say precisely what is wrong with it.

Every problem names the file, the line and what to fix, in Thai, because the person fixing
it is the office's staff. A folder with any problem is not loaded at all: the bot never
serves half of a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.content import Content, Document, Entry, Fact, Fee, Kind, Office, Step

OFFICE_FILE = "office.yaml"
ENTRIES_DIR = "entries"
_ID = re.compile(r"^(eservice|manual|info)\.[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
BUTTON_LABEL = 20  # LINE's limit for a quick-reply label


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


def load_content(folder: Path) -> Content:
    """The folder's content, or `ContentError` listing every problem found."""
    problems: list[Problem] = []
    office = _load_office(folder, problems)
    entries = _load_entries(folder, problems)
    if problems or office is None:
        raise ContentError(problems)
    return Content(office, tuple(sorted(entries, key=lambda e: e.id)))


def content_files(folder: Path) -> list[Path]:
    """Every file whose change means the content must be read again."""
    return [folder / OFFICE_FILE, *sorted((folder / ENTRIES_DIR).glob("*.yaml"))]


# --- reading one file -------------------------------------------------------------------


class _File:
    """A parsed YAML file with its node tree, so that every check can name a line."""

    def __init__(self, path: Path, folder: Path, problems: list[Problem]) -> None:
        self.name = str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)
        self.problems = problems

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.name, line, message))


def _parse(path: Path, file: _File) -> yaml.MappingNode | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        file.problem(None, "ไฟล์ไม่ใช่ UTF-8: บันทึกไฟล์ใหม่เป็น UTF-8")
        return None
    except OSError as error:
        file.problem(None, f"เปิดไฟล์ไม่ได้ ({error.strerror}): ตรวจว่าเป็นไฟล์ที่อ่านได้")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        file.problems.append(
            Problem(file.name, line, f"รูปแบบ YAML ผิด ({exc.problem}): ตรวจการเว้นวรรคและเครื่องหมาย :")
        )
        return None
    if node is None:
        file.problem(None, "ไฟล์ว่าง: ใส่ข้อมูลในรูป ชื่อช่อง: ค่า ทีละบรรทัด")
        return None
    if not isinstance(node, yaml.MappingNode):
        file.problem(node, "เนื้อหาไฟล์ต้องอยู่ในรูป ชื่อช่อง: ค่า ทีละบรรทัด")
        return None
    return node


def _fields(node: yaml.MappingNode, file: _File) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            file.problem(key, "ชื่อช่องต้องเป็นข้อความ")
            continue
        if key.value in fields:
            file.problem(key, f"ช่อง '{key.value}' ซ้ำ: ลบอันใดอันหนึ่ง")
        fields[key.value] = (key, value)
    return fields


# --- value checks -----------------------------------------------------------------------

Check = Callable[[yaml.Node, _File, str], Any]


def text(max_length: int = 2000, url: bool = False) -> Check:
    def check(node: yaml.Node, file: _File, name: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            file.problem(node, f"'{name}' ว่างอยู่: ใส่ข้อความ")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            file.problem(node, f"'{name}' ต้องเป็นข้อความ: ครอบด้วยเครื่องหมายคำพูด \"...\"")
            return None
        value = str(node.value).strip()
        if not value:
            file.problem(node, f"'{name}' ว่างอยู่: ใส่ข้อความ")
            return None
        if len(value) > max_length:
            file.problem(node, f"'{name}' ยาว {len(value)} ตัวอักษร: ย่อให้ไม่เกิน {max_length}")
        if url and not _URL.match(value):
            file.problem(node, f"'{name}' ต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// หรือ http://")
            return None
        return value

    return check


def integer(low: int, high: int) -> Check:
    def check(node: yaml.Node, file: _File, name: str) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            file.problem(node, f"'{name}' ต้องเป็นตัวเลขจำนวนเต็ม")
            return None
        value = yaml.safe_load(node.value)  # YAML's own reading: 0x10, 1_000, 1:30 …
        if not isinstance(value, int) or not low <= value <= high:
            file.problem(node, f"'{name}' ต้องอยู่ระหว่าง {low} ถึง {high}")
            return None
        return value

    return check


def flag(node: yaml.Node, file: _File, name: str) -> bool | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
        file.problem(node, f"'{name}' ต้องเป็น true หรือ false")
        return None
    return node.value.lower() in {"true", "yes", "on"}


def listing(item: Check, minimum: int = 0) -> Check:
    def check(node: yaml.Node, file: _File, name: str) -> tuple[Any, ...] | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL and minimum == 0:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            file.problem(node, f"'{name}' ต้องเป็นรายการ แต่ละบรรทัดขึ้นต้นด้วย - ")
            return None
        values = [item(child, file, name) for child in node.value]
        if len(values) < minimum:
            file.problem(node, f"'{name}' ต้องมีอย่างน้อย {minimum} รายการ")
        if any(v is None for v in values):
            return None
        return tuple(values)

    return check


def record(factory: Callable[..., Any], spec: dict[str, tuple[Check, bool]]) -> Check:
    def check(node: yaml.Node, file: _File, name: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            file.problem(node, f"แต่ละรายการใน '{name}' ต้องเป็น ชื่อช่อง: ค่า")
            return None
        values = _read_fields(node, spec, file)
        return None if values is None else factory(**values)

    return check


def _read_fields(
    node: yaml.MappingNode, spec: dict[str, tuple[Check, bool]], file: _File
) -> dict[str, Any] | None:
    fields = _fields(node, file)
    before = len(file.problems)
    values: dict[str, Any] = {}
    for name, (key, _) in fields.items():
        if name not in spec:
            close = difflib.get_close_matches(name, spec, n=1)
            hint = f" หมายถึง '{close[0]}' หรือเปล่า" if close else ""
            file.problem(key, f"ไม่รู้จักช่อง '{name}'{hint}: ช่องที่ใช้ได้ดูใน knowledge/SCHEMA.md")
    for name, (check, required) in spec.items():
        if name in fields:
            values[name] = check(fields[name][1], file, name)
        elif required:
            file.problem(node, f"ขาดช่อง '{name}': เพิ่ม {name}: ...")
    if len(file.problems) > before:
        return None
    return {k: v for k, v in values.items() if v is not None}


# --- the schema -------------------------------------------------------------------------

_STEP = record(
    Step, {"step": (text(300), True), "time": (text(80), True), "unit": (text(120), True)}
)
_DOCUMENT = record(
    Document,
    {"name": (text(200), True), "copies": (integer(1, 20), True), "issued_by": (text(120), True)},
)
_FEE = record(Fee, {"item": (text(200), True), "amount": (text(200), True)})
_FACT = record(Fact, {"label": (text(60), True), "value": (text(300), True)})

OFFICE_FIELDS: dict[str, tuple[Check, bool]] = {
    "name": (text(120), True),
    "address": (text(300), True),
    "phone": (text(60), True),
    "hours": (text(200), True),
    "sla_days": (integer(1, 90), True),
    "website": (text(300, url=True), False),
    "line_id": (text(60), False),
    "email": (text(120), False),
    "sample": (flag, False),
}
COMMON_FIELDS: dict[str, tuple[Check, bool]] = {
    "id": (text(60), True),  # "kb:" + id must fit Telegram's 64-byte button data
    "kind": (text(20), True),
    "title": (text(80), True),
    "short_title": (text(BUTTON_LABEL), False),
    "summary": (text(300), True),
    "aliases": (listing(text(80)), False),
    "questions": (listing(text(200), minimum=3), True),
    "sample": (flag, False),
}
KIND_FIELDS: dict[Kind, dict[str, tuple[Check, bool]]] = {
    Kind.ESERVICE: {
        "who": (text(500), True),
        "how": (text(800), True),
        "form_url": (text(500, url=True), True),
        "attachments": (listing(text(200)), False),
        "next_steps": (text(800), True),
        "time": (text(120), True),
        "fee": (text(200), False),
    },
    Kind.MANUAL: {
        "legal_basis": (listing(text(300), minimum=1), True),
        "criteria": (listing(text(800), minimum=1), True),
        "steps": (listing(_STEP, minimum=1), True),
        "total_time": (text(120), True),
        "documents": (listing(_DOCUMENT), True),
        "fees": (listing(_FEE), True),
        "where": (text(300), True),
        "when": (text(200), True),
        "complaints": (text(500), True),
        "form_url": (text(500, url=True), False),
        "manual_url": (text(500, url=True), False),
    },
    Kind.INFO: {
        "body": (text(1500), True),
        "facts": (listing(_FACT), False),
        "url": (text(500, url=True), False),
    },
}


def _load_office(folder: Path, problems: list[Problem]) -> Office | None:
    path = folder / OFFICE_FILE
    file = _File(path, folder, problems)
    if not path.is_file():
        problems.append(Problem(file.name, 1, "ไม่พบไฟล์ office.yaml: สร้างไฟล์ข้อมูลหน่วยงาน"))
        return None
    node = _parse(path, file)
    if node is None:
        return None
    values = _read_fields(node, OFFICE_FIELDS, file)
    return None if values is None else Office(**values)


def _load_entries(folder: Path, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in _entry_files(folder, problems):
        file = _File(path, folder, problems)
        node = _parse(path, file)
        if node is None:
            continue
        entry = _read_entry(node, path, file)
        if entry is None:
            continue
        if entry.id in seen:
            file.problem(node, f"id '{entry.id}' ซ้ำกับไฟล์ {seen[entry.id]}")
            continue
        if len(entry.title) > BUTTON_LABEL and not entry.short_title:
            file.problem(
                _value_node(node, "title"),
                f"ชื่อเรื่องยาวเกิน {BUTTON_LABEL} ตัวอักษรสำหรับปุ่ม: เพิ่ม short_title: ชื่อสั้น",
            )
            continue
        seen[entry.id] = file.name
        entries.append(entry)
    _check_labels_unique(entries, problems)
    if not entries and not problems:
        problems.append(Problem(ENTRIES_DIR, 1, "ยังไม่มีเรื่องใดเลย: เพิ่มไฟล์อย่างน้อย 1 เรื่อง"))
    return entries


def _value_node(node: yaml.MappingNode, name: str) -> yaml.Node | None:
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None
    )


def _check_labels_unique(entries: list[Entry], problems: list[Problem]) -> None:
    """Two buttons with the same label would leave a citizen guessing."""
    by_label: dict[str, str] = {}
    for entry in entries:
        other = by_label.setdefault(entry.label, entry.id)
        if other != entry.id:
            problems.append(
                Problem(
                    f"{ENTRIES_DIR}/{entry.id}.yaml",
                    1,
                    f"ชื่อบนปุ่ม '{entry.label}' ซ้ำกับ {other}: แก้ short_title ให้ต่างกัน",
                )
            )


def _entry_files(folder: Path, problems: list[Problem]) -> Iterator[Path]:
    directory = folder / ENTRIES_DIR
    if not directory.is_dir():
        problems.append(Problem(ENTRIES_DIR, 1, "ไม่พบโฟลเดอร์ entries: สร้างโฟลเดอร์นี้"))
        return
    stray = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == ".yml")
    for path in stray:
        problems.append(Problem(f"{ENTRIES_DIR}/{path.name}", 1, "ใช้นามสกุล .yaml (ไม่ใช่ .yml)"))
    for path in sorted(directory.glob("*.yaml")):
        if path.is_file():
            yield path
        else:
            problems.append(Problem(f"{ENTRIES_DIR}/{path.name}", 1, "ไม่ใช่ไฟล์: ลบหรือเปลี่ยนชื่อ"))


def _read_entry(node: yaml.MappingNode, path: Path, file: _File) -> Entry | None:
    kind_node = _value_node(node, "kind")
    kind_value = kind_node.value if isinstance(kind_node, yaml.ScalarNode) else None
    if kind_value not in {k.value for k in Kind}:
        file.problem(kind_node or node, "'kind' ต้องเป็น eservice, manual หรือ info")
        return None
    kind = Kind(kind_value)
    values = _read_fields(node, {**COMMON_FIELDS, **KIND_FIELDS[kind]}, file)
    if values is None:
        return None
    id_node = _value_node(node, "id")
    entry_id = values["id"]
    if not _ID.match(entry_id) or not entry_id.startswith(f"{kind.value}."):
        file.problem(id_node, f"id ต้องเป็น {kind.value}.ชื่อ ภาษาอังกฤษตัวเล็ก ตัวเลข และ - เท่านั้น")
        return None
    if path.stem != entry_id:
        file.problem(id_node, f"ชื่อไฟล์ต้องตรงกับ id: เปลี่ยนชื่อไฟล์เป็น {entry_id}.yaml")
        return None
    values["kind"] = kind
    return Entry(**values)
