"""Content validation: every problem names its file, line and fix; nothing half-valid loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.content import Kind
from knowledge.loader import ContentError, load_content
from knowledge.store import SAMPLE_CONTENT

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
REQUIRED_SAMPLE_IDS = {
    "eservice.general-request",
    "eservice.garbage-collection",
    "eservice.garbage-bin",
    "eservice.tree-trimming",
    "eservice.tax-payment",
    "eservice.welfare-registration",
    "manual.building-permit",
    "manual.commercial-registration",
    "manual.elderly-allowance",
    "manual.disability-allowance",
    "manual.land-building-tax",
    "manual.signboard-tax",
    "manual.health-hazard-business-permit",
    "manual.food-premises-permit",
    "manual.official-information-request",
    "manual.water-supply-connection",
    "info.office-hours-contact",
    "info.complaint-channels",
    "info.no-gift-policy",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(FIXTURE, copy)
    return copy


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        load_content(folder)
    return [str(p) for p in error.value.problems]


def test_the_sample_content_is_valid_marked_sample_and_has_every_required_entry() -> None:
    content = load_content(SAMPLE_CONTENT)
    assert content.office.sample
    assert {e.id for e in content.entries} >= REQUIRED_SAMPLE_IDS
    assert all(e.sample for e in content.entries)


def test_a_valid_folder_loads_typed_entries(folder: Path) -> None:
    content = load_content(folder)
    permit = content.entry("manual.building-permit")
    assert permit is not None and permit.kind is Kind.MANUAL
    assert [d.copies for d in permit.documents] == [1, 1]
    assert permit.steps[0].unit == "กองช่าง"
    assert content.office.sla_days == 15


def test_a_missing_field_is_named_with_its_file_and_line(folder: Path) -> None:
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("time: ภายใน 7 วันทำการ\n", ""))
    assert problems_of(folder) == [
        "entries/eservice.garbage-bin.yaml:1: ขาดช่อง 'time': เพิ่ม time: ..."
    ]


def test_a_misspelt_field_gets_a_suggestion(folder: Path) -> None:
    path = folder / "entries" / "info.no-gift-policy.yaml"
    text = path.read_text(encoding="utf-8").replace("summary:", "sumary:")
    path.write_text(text, encoding="utf-8")
    found = problems_of(folder)
    assert any("ไม่รู้จักช่อง 'sumary' หมายถึง 'summary'" in p for p in found)
    assert any(p.startswith("entries/info.no-gift-policy.yaml:5:") for p in found)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "copies: 1\n    issued_by: กรมที่ดิน",
            "copies: หนึ่ง\n    issued_by: กรมที่ดิน",
            "'copies' ต้องเป็นตัวเลขจำนวนเต็ม",
        ),
        (
            "manual_url: https://test-sao.example/manual/building",
            "manual_url: www.example",
            "https://",
        ),
        ("title: ขออนุญาตก่อสร้างอาคาร", "title: " + "ก" * 81, "ย่อให้ไม่เกิน 80"),
        ("id: manual.building-permit", "id: manual.Building Permit", "id ต้องเป็น manual."),
        ("kind: manual", "kind: manuals", "'kind' ต้องเป็น eservice, manual หรือ info"),
        ("steps:\n", "steps: []\nold_steps:\n", "'steps' ต้องมีอย่างน้อย 1 รายการ"),
    ],
)
def test_wrong_values_are_explained(folder: Path, old: str, new: str, expected: str) -> None:
    path = folder / "entries" / "manual.building-permit.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert any(expected in p for p in problems_of(folder))


def test_broken_yaml_points_at_the_line(folder: Path) -> None:
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text("id: eservice.garbage-bin\nkind: [eservice\ntitle: x\n", encoding="utf-8")
    [problem] = problems_of(folder)
    assert problem.startswith("entries/eservice.garbage-bin.yaml:3: รูปแบบ YAML ผิด")


def test_a_file_named_unlike_its_id_is_refused(folder: Path) -> None:
    (folder / "entries" / "eservice.garbage-bin.yaml").rename(
        folder / "entries" / "eservice.bin.yaml"
    )
    assert any("เปลี่ยนชื่อไฟล์เป็น eservice.garbage-bin.yaml" in p for p in problems_of(folder))


def test_a_phone_number_written_as_a_number_is_asked_to_be_quoted(folder: Path) -> None:
    path = folder / "office.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("0-5300-0000", "053000000"))
    assert problems_of(folder) == [
        "office.yaml:3: 'phone' ต้องเป็นข้อความ: ครอบด้วยเครื่องหมายคำพูด \"...\""
    ]


def test_a_missing_office_file_is_reported(folder: Path) -> None:
    (folder / "office.yaml").unlink()
    assert problems_of(folder)[0].startswith("office.yaml:1: ไม่พบไฟล์ office.yaml")


def test_every_problem_in_every_file_is_reported_at_once(folder: Path) -> None:
    for name in ("eservice.garbage-bin.yaml", "info.no-gift-policy.yaml"):
        path = folder / "entries" / name
        path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", "\ntitel:"))
    assert len(problems_of(folder)) == 4  # each: an unknown field and the missing title


def test_numbers_are_read_as_yaml_reads_them_and_range_checked(folder: Path) -> None:
    path = folder / "entries" / "manual.building-permit.yaml"
    text = path.read_text(encoding="utf-8").replace("copies: 1\n", "copies: 1:30\n", 1)
    path.write_text(text, encoding="utf-8")
    assert any("'copies' ต้องอยู่ระหว่าง 1 ถึง 20" in p for p in problems_of(folder))


def test_a_folder_named_like_an_entry_is_reported_not_read(folder: Path) -> None:
    (folder / "entries" / "eservice.odd.yaml").mkdir()
    assert problems_of(folder) == ["entries/eservice.odd.yaml:1: ไม่ใช่ไฟล์: ลบหรือเปลี่ยนชื่อ"]


def test_an_empty_file_and_an_empty_value_say_they_are_empty(folder: Path) -> None:
    (folder / "entries" / "eservice.empty.yaml").write_text("", encoding="utf-8")
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ขอรับถังขยะ", "title:"))
    found = problems_of(folder)
    assert "entries/eservice.empty.yaml:1: ไฟล์ว่าง: ใส่ข้อมูลในรูป ชื่อช่อง: ค่า ทีละบรรทัด" in found
    assert "entries/eservice.garbage-bin.yaml:3: 'title' ว่างอยู่: ใส่ข้อความ" in found


def test_an_optional_list_may_be_left_empty(folder: Path) -> None:
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    text = path.read_text(encoding="utf-8").replace("attachments: [รูปถ่ายหน้าบ้าน]", "attachments:")
    path.write_text(text, encoding="utf-8")
    assert load_content(folder).entry("eservice.garbage-bin").attachments == ()


def test_a_duplicate_field_is_reported_once(folder: Path) -> None:
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "time: 3 วัน\n", encoding="utf-8")
    found = problems_of(folder)
    assert len([p for p in found if "ช่อง 'time' ซ้ำ" in p]) == 1


def test_a_long_title_needs_a_short_one_for_buttons(folder: Path) -> None:
    path = folder / "entries" / "manual.building-permit.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("short_title: ขออนุญาตก่อสร้าง\n", ""))
    assert problems_of(folder) == [
        "entries/manual.building-permit.yaml:3: "
        "ชื่อเรื่องยาวเกิน 20 ตัวอักษรสำหรับปุ่ม: เพิ่ม short_title: ชื่อสั้น"
    ]


def test_two_entries_may_not_share_a_button_label(folder: Path) -> None:
    path = folder / "entries" / "info.no-gift-policy.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "short_title: นโยบาย No Gift", "short_title: ขอรับถังขยะ"
    )
    path.write_text(text, encoding="utf-8")
    assert any("ชื่อบนปุ่ม 'ขอรับถังขยะ' ซ้ำกับ eservice.garbage-bin" in p for p in problems_of(folder))


def test_an_id_too_long_for_a_telegram_button_is_refused(folder: Path) -> None:
    long_id = "eservice." + "x" * 60
    source = folder / "entries" / "eservice.garbage-bin.yaml"
    text = source.read_text(encoding="utf-8").replace("eservice.garbage-bin", long_id)
    source.unlink()
    (folder / "entries" / f"{long_id}.yaml").write_text(text, encoding="utf-8")
    assert any("ย่อให้ไม่เกิน 60" in p for p in problems_of(folder))


def test_a_content_folder_of_two_entries_loads_and_searches(folder: Path) -> None:
    from knowledge.store import KnowledgeBase

    (folder / "entries" / "info.no-gift-policy.yaml").unlink()
    index = KnowledgeBase(folder).current().index
    assert index.search("ขอถังขยะ")[0].entry_id == "eservice.garbage-bin"
