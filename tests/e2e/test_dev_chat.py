"""`siang chat` (scripted, a real process) and the /dev/chat page reach greeting, menu, fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask

from bot.app import create_app
from bot.settings import load_settings
from tests.support.helpers import clean_environ

SIANG = Path(sys.executable).with_name("siang")


def run_chat(lines: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = clean_environ() | {"SIANG_INSTANCE_DIR": str(tmp_path / "instance")}
    return subprocess.run(
        [str(SIANG), "chat", "--user", "tester"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


GARBAGE_BIN_TITLE = "ขอรับถังขยะ"


def test_scripted_terminal_chat_reaches_greeting_menu_and_fallback(tmp_path: Path) -> None:
    result = run_chat(["สวัสดีค่ะ", "เมนู", "6", "ขอถังขยะต้องทำยังไงคะ", "ฝนจะตกไหมคะ"], tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "คุณ> สวัสดีค่ะ" in out
    assert "ยินดีต้อนรับสู่ อบต.ตัวอย่าง" in out
    assert "เมนูหลักค่ะ" in out
    assert "[1] ร้องเรียน/แจ้งปัญหา" in out
    assert "[3] แจ้งเบาะแสการทุจริต" in out
    assert "[5] บริการ/สอบถาม" in out
    assert "[6] ช่วยเหลือ" in out
    assert "วิธีใช้งาน" in out  # "6" pressed the sixth button
    assert GARBAGE_BIN_TITLE in out  # answered from the shipped sample catalogue
    assert "ฉันยังไม่เข้าใจข้อความนี้" in out
    assert "Traceback" not in result.stderr
    assert (tmp_path / "instance" / "siang.db").exists()  # the embedded default


def test_scripted_chat_keeps_state_between_runs(tmp_path: Path) -> None:
    run_chat(["สวัสดี"], tmp_path)
    result = run_chat(["ขอบคุณค่ะ"], tmp_path)
    assert "ยินดีค่ะ" in result.stdout


def test_dev_chat_page_is_served(app: Flask) -> None:
    page = app.test_client().get("/dev/chat")
    assert page.status_code == 200
    assert "ทดลองแชต" in page.get_data(as_text=True)


def test_dev_chat_page_brings_its_own_thai_font(app: Flask) -> None:
    font = app.test_client().get("/dev/chat/sarabun.ttf")
    assert font.status_code == 200
    assert font.mimetype == "font/ttf"
    assert font.data[:4] == b"\x00\x01\x00\x00"  # a TrueType file


def test_dev_chat_api_greeting_menu_and_fallback(app: Flask) -> None:
    client = app.test_client()

    def say(**body: str) -> list[dict]:
        response = client.post("/dev/chat/messages", json={"user": "web-1", **body})
        assert response.status_code == 200
        return response.get_json()["replies"]

    assert "ยินดีต้อนรับ" in say(text="สวัสดี")[0]["text"]
    menu = say(postback="cmd:menu")[0]
    assert [q["payload"] for q in menu["quick_replies"]][:6] == [
        "cmd:complain",
        "cmd:tickets",
        "cmd:corruption",
        "cmd:corruption_follow",
        "cmd:services",
        "cmd:help",
    ]
    [card] = say(postback="kb:eservice.garbage-bin")[0]["cards"]
    assert card["buttons"][0]["url"] == "https://test-sao.example/forms/garbage-bin"
    assert say(text="อิอิ")[0]["text"].startswith("ขออภัยค่ะ")


def test_dev_chat_rejects_bad_input_clearly(app: Flask) -> None:
    client = app.test_client()
    assert client.post("/dev/chat/messages", data="x").status_code == 400
    assert client.post("/dev/chat/messages", json={"text": 5}).status_code == 400


def test_dev_chat_is_absent_in_production(tmp_path: Path, database_url: str) -> None:
    settings = load_settings(
        {
            "SIANG_ENV": "production",
            "DATABASE_URL": database_url,
            "SIANG_SECRET_KEY": "x" * 32,
            "SIANG_INSTANCE_DIR": str(tmp_path),
        },
        dotenv_path=tmp_path / "none",
    )
    app = create_app(settings)
    assert app.test_client().get("/dev/chat").status_code == 404


def test_a_complaint_can_be_filed_and_followed_in_the_terminal_chat(tmp_path: Path) -> None:
    result = run_chat(
        [
            "ร้องเรียน",
            "ไฟถนนในซอยดับทั้งซอยมาสามคืนแล้วค่ะ มืดมาก",
            "แสงสว่าง",
            "ซอยประชาร่วมใจ 5",
            "ไม่มีรูป",
            "ไม่ต้องติดต่อ",
            "ยืนยัน",
            "เรื่องของฉัน",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "📍 ส่งตำแหน่ง" not in out  # no location button where none can be sent
    assert "รับเรื่องเรียบร้อยแล้วค่ะ" in out
    assert out.count("GC-2570-") >= 2 or out.count("GC-25") >= 2  # receipt, then the list
    assert "Traceback" not in result.stderr
