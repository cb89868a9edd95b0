"""`siang classify`: one message per line in, one JSON object per line out."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot import cli
from tests.support.nlu import shared_understander


def run(stdin: str, monkeypatch) -> list[dict]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("nlu.understand.Understander.load", shared_understander)
    result = CliRunner().invoke(cli.main, ["classify"], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_one_json_object_per_input_line_with_the_documented_keys(monkeypatch) -> None:
    records = run("ไฟทางดับหน้าบ้านค่ะ\nขอบคุณค่ะ\n\n", monkeypatch)
    assert len(records) == 3
    assert all(
        set(r) == {"intent", "confidence", "runner_up", "category", "entities"} for r in records
    )
    assert records[0]["intent"] == "complaint_general"
    assert records[0]["category"] == "แสงสว่าง"
    assert 0 < records[0]["confidence"] <= 1
    assert records[1]["intent"] == "thanks"


def test_entities_are_listed_with_type_value_and_span(monkeypatch) -> None:
    [record] = run("ติดตามเรื่อง GC-2570-00042 โทร 081-234-5678\n", monkeypatch)
    assert [(e["type"], e["value"]) for e in record["entities"]] == [
        ("ticket_code", "GC-2570-00042"),
        ("phone", "0812345678"),
    ]
    assert record["intent"] == "ticket_status"
