"""Thai search over the entries, and the live knowledge base that follows edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.loader import ContentError
from knowledge.search import SearchIndex
from knowledge.store import KnowledgeBase

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return KnowledgeBase(FIXTURE).current().index


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("ขอถังขยะหน่อยค่ะ", "eservice.garbage-bin"),
        ("ถังขยะหายต้องทำไง", "eservice.garbage-bin"),
        ("ถังขะยะ", "eservice.garbage-bin"),  # a typo: trigrams still find it
        ("จะสร้างบ้านใหม่ ต้องขออนุญาตที่ไหน", "manual.building-permit"),
        ("ต่อเติมครัวหลังบ้าน ต้องยื่นอะไรบ้างคะ", "manual.building-permit"),
        ("เอากระเช้าไปให้เจ้าหน้าที่ได้มั้ย", "info.no-gift-policy"),
        ("NO GIFT คืออะไร", "info.no-gift-policy"),
    ],
)
def test_questions_find_their_entry_first(index: SearchIndex, question: str, entry_id: str) -> None:
    assert index.search(question)[0].entry_id == entry_id


def test_results_are_ranked_best_first_with_scores(index: SearchIndex) -> None:
    hits = index.search("ขออนุญาตสร้างบ้าน ต้องใช้ถังขยะไหม")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.entry_id for h in hits} >= {"manual.building-permit", "eservice.garbage-bin"}


@pytest.mark.parametrize("question", ["", "   ", "ครับ", "😀😀", "'; DROP TABLE x; --"])
def test_nothing_to_search_for_finds_nothing(index: SearchIndex, question: str) -> None:
    assert index.search(question) == []


def copy_of_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE, folder)
    return folder


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_edit_is_served_after_the_next_check_without_a_restart(tmp_path: Path) -> None:
    folder = copy_of_fixture(tmp_path)
    clock = Ticker()
    kb = KnowledgeBase(folder, check_every_seconds=2, monotonic=clock)
    assert kb.current().content.entry("eservice.garbage-bin").time == "ภายใน 7 วันทำการ"
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("7 วันทำการ", "3 วันทำการ"))
    assert kb.current().content.entry("eservice.garbage-bin").time == "ภายใน 7 วันทำการ"
    clock.now = 2.5
    assert kb.current().content.entry("eservice.garbage-bin").time == "ภายใน 3 วันทำการ"


def test_a_broken_edit_keeps_the_last_good_content_and_is_reported_once(tmp_path: Path) -> None:
    folder = copy_of_fixture(tmp_path)
    clock = Ticker()
    reported: list[int] = []
    kb = KnowledgeBase(
        folder, monotonic=clock, on_problems=lambda problems: reported.append(len(problems))
    )
    before = kb.current()
    (folder / "entries" / "eservice.garbage-bin.yaml").write_text("id: [broken\n")
    for clock.now in (5.0, 10.0):
        assert kb.current() is before
    assert reported == [1]


def test_a_new_entry_file_is_picked_up(tmp_path: Path) -> None:
    folder = copy_of_fixture(tmp_path)
    clock = Ticker()
    kb = KnowledgeBase(folder, monotonic=clock)
    source = (folder / "entries" / "eservice.garbage-bin.yaml").read_text(encoding="utf-8")
    (folder / "entries" / "eservice.garbage-truck.yaml").write_text(
        source.replace("eservice.garbage-bin", "eservice.garbage-truck").replace(
            "title: ขอรับถังขยะ", "title: ขอรถเก็บขยะ"
        )
    )
    clock.now = 3.0
    assert kb.current().content.entry("eservice.garbage-truck") is not None


def test_invalid_content_at_start_is_an_error(tmp_path: Path) -> None:
    folder = copy_of_fixture(tmp_path)
    (folder / "office.yaml").unlink()
    with pytest.raises(ContentError):
        KnowledgeBase(folder).current()
