"""`siang kb check` and `siang kb search`, as an office's staff use them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from bot import cli
from tests.support.helpers import KNOWLEDGE_FIXTURE


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["kb", *args], input=stdin)
    return result.exit_code, result.output


def test_check_says_a_valid_folder_is_valid() -> None:
    code, output = run("check", str(KNOWLEDGE_FIXTURE))
    assert code == 0
    assert output.strip() == "ถูกต้อง: อบต.ทดสอบ 3 เรื่อง"


def test_check_lists_each_problem_and_fails(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(KNOWLEDGE_FIXTURE, folder)
    path = folder / "entries" / "eservice.garbage-bin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("form_url: https://", "form_url: "))
    code, output = run("check", str(folder))
    assert code == 1
    assert "entries/eservice.garbage-bin.yaml:12: 'form_url' ต้องเป็นลิงก์" in output
    assert "พบปัญหา 1 จุด" in output


def test_check_without_a_folder_checks_the_shipped_sample() -> None:
    code, output = run("check")
    assert code == 0 and "ข้อมูลตัวอย่าง" in output


def test_search_writes_one_json_line_per_question() -> None:
    code, output = run(
        "search",
        "--folder",
        str(KNOWLEDGE_FIXTURE),
        stdin="ขอถังขยะหน่อยค่ะ\n\nสร้างบ้านต้องขออนุญาตไหม\n",
    )
    assert code == 0
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 3
    assert lines[0]["results"][0]["id"] == "eservice.garbage-bin"
    assert lines[1] == {"results": []}
    assert lines[2]["results"][0]["id"] == "manual.building-permit"
    scores = [r["score"] for r in lines[2]["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5


def test_invalid_content_stops_the_chat_at_start_with_the_problems(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(KNOWLEDGE_FIXTURE, folder)
    (folder / "office.yaml").write_text("name: [\n", encoding="utf-8")
    env = {
        "SIANG_INSTANCE_DIR": str(tmp_path / "instance"),
        "SIANG_KNOWLEDGE_DIR": str(folder),
        "DATABASE_URL": "",
    }
    result = CliRunner().invoke(cli.main, ["chat"], input="สวัสดี\n", env=env)
    assert result.exit_code == 2
    assert "office.yaml:2: รูปแบบ YAML ผิด" in result.output
    assert "the office content is invalid" in result.output
