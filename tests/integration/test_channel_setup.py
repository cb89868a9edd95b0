"""`siang line setup` and `siang telegram setup` against the fake LINE and Telegram APIs."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageFont

from bot import richmenu
from bot.cli import main
from bot.services import build_services
from bot.settings import Settings
from bot.setup_channels import (
    RICH_MENU_NAME,
    SetupError,
    rich_menu_entries,
    setup_line,
    setup_telegram,
)
from handlers import texts_th as th
from tests.support.fake_platform import FakePlatform, Fault
from tests.support.helpers import LINE_SECRET, SECRET_KEY, TELEGRAM_SECRET, make_settings
from tests.support.nlu import shared_understander

PUBLIC_URL = "https://siang.example.go.th"


@pytest.fixture
def settings(tmp_path: Path, platform: FakePlatform) -> Settings:
    return make_settings(tmp_path, "sqlite:///" + str(tmp_path / "x.db"), platform.url)


def run_line(settings: Settings) -> list[str]:
    return list(setup_line(settings, PUBLIC_URL))


def siang_menus(platform: FakePlatform) -> dict[str, dict]:
    return {k: v for k, v in platform.rich_menus.items() if v.get("name") == RICH_MENU_NAME}


def registry_payloads(settings: Settings) -> list[str]:
    """The main menu of the bot as it runs, which the rich menu must match."""
    services = build_services(settings, understander=shared_understander())
    menu = services.registry.menu
    services.db.dispose()
    assert menu is not None
    return [e.payload for e in menu.entries]


# ---- LINE -------------------------------------------------------------------------------


def test_line_setup_registers_the_webhook_endpoint(
    settings: Settings, platform: FakePlatform
) -> None:
    lines = run_line(settings)

    assert platform.webhook_endpoint == f"{PUBLIC_URL}/webhook/line"
    assert platform.requests_to("/v2/bot/channel/webhook/endpoint")[0].method == "PUT"
    assert any(f"{PUBLIC_URL}/webhook/line" in line for line in lines)


def test_rich_menu_has_one_postback_area_per_main_menu_entry(
    settings: Settings, platform: FakePlatform
) -> None:
    run_line(settings)

    [menu] = siang_menus(platform).values()
    assert menu["size"] == {"width": 2500, "height": 843}
    assert menu["chatBarText"] == th.LABEL_MENU
    actions = [area["action"] for area in menu["areas"]]
    assert all(a["type"] == "postback" for a in actions)
    assert [a["data"] for a in actions] == ["cmd:menu", *registry_payloads(settings)]
    labels = [e.label for e in rich_menu_entries(settings)]
    assert [a["displayText"] for a in actions] == labels
    assert th.LABEL_CONTACT in labels and th.LABEL_PRIVACY in labels


def test_rich_menu_areas_are_the_drawn_tiles(settings: Settings, platform: FakePlatform) -> None:
    run_line(settings)

    [(menu_id, menu)] = siang_menus(platform).items()
    bounds = [area["bounds"] for area in menu["areas"]]
    tiles = richmenu.tile_bounds(len(bounds))
    assert bounds == [{"x": t.x, "y": t.y, "width": t.width, "height": t.height} for t in tiles]
    image = Image.open(io.BytesIO(platform.rich_menu_images[menu_id])).convert("RGB")
    background = Image.new("RGB", (1, 1), richmenu.BACKGROUND).getpixel((0, 0))
    for b in bounds:
        assert b["x"] + b["width"] <= 2500 and b["y"] + b["height"] <= 843
        centre = (b["x"] + b["width"] // 2, b["y"] + b["height"] // 2)
        assert image.getpixel(centre) != background  # a tile is drawn where the tap lands
    total = sum(b["width"] * b["height"] for b in bounds)
    assert total == 2500 * (843 - richmenu.HEADER_HEIGHT)  # no gaps, no overlaps


def test_rich_menu_image_is_a_2500x843_png_uploaded_as_png(
    settings: Settings, platform: FakePlatform
) -> None:
    run_line(settings)

    [menu_id] = siang_menus(platform)
    [upload] = platform.requests_to(f"/v2/bot/richmenu/{menu_id}/content")
    assert upload.headers["Content-Type"] == "image/png"
    data = platform.rich_menu_images[menu_id]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) < 1_000_000
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert (image.format, image.size) == ("PNG", (2500, 843))


def test_rich_menu_renders_without_raqm_too(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hosts without libfribidi have no raqm: the basic layout path must still work."""
    monkeypatch.setattr(richmenu, "thai_layout_engine", lambda: ImageFont.Layout.BASIC)
    richmenu._font.cache_clear()
    try:
        data = richmenu.render_rich_menu(rich_menu_entries(settings), "องค์การบริหารส่วนตำบลบ้านปี่")
    finally:
        richmenu._font.cache_clear()

    assert Image.open(io.BytesIO(data)).size == (2500, 843)
    assert richmenu._mark_offsets("ที่") == {2: (0.0, -richmenu._RAISE_EM)}  # tone above ี
    assert richmenu._mark_offsets("ต่อ") == {}  # already right


def test_new_rich_menu_becomes_the_default(settings: Settings, platform: FakePlatform) -> None:
    run_line(settings)

    [menu_id] = siang_menus(platform)
    assert platform.default_rich_menu == menu_id


def test_running_setup_again_leaves_exactly_one_siang_menu(
    settings: Settings, platform: FakePlatform
) -> None:
    platform.rich_menus["richmenu-campaign"] = {"name": "songkran-campaign", "areas": []}

    for _ in range(3):
        run_line(settings)

    menus = siang_menus(platform)
    assert len(menus) == 1
    assert platform.default_rich_menu in menus
    assert platform.default_rich_menu in platform.rich_menu_images
    assert "richmenu-campaign" in platform.rich_menus  # not ours: left alone


def test_old_menu_is_deleted_only_after_the_new_one_is_the_default(
    settings: Settings, platform: FakePlatform
) -> None:
    run_line(settings)
    platform.calls.clear()

    run_line(settings)

    order = [(c.method, c.path.split("/")[-1]) for c in platform.calls]
    default_at = next(i for i, c in enumerate(platform.calls) if "/user/all/richmenu/" in c.path)
    delete_at = next(i for i, c in enumerate(platform.calls) if c.method == "DELETE")
    assert default_at < delete_at, order


def test_line_api_error_is_one_clear_setup_error(
    settings: Settings, platform: FakePlatform
) -> None:
    platform.fail("/v2/bot/richmenu", Fault(status=400, body={"message": "bad"}))

    with pytest.raises(SetupError) as caught:
        run_line(settings)

    message = str(caught.value)
    assert "\n" not in message
    assert "create the rich menu" in message and "400" in message and "bad" in message
    assert platform.default_rich_menu is None


def test_line_error_details_are_in_the_message(settings: Settings, platform: FakePlatform) -> None:
    body = {
        "message": "The request body has 1 error(s)",
        "details": [{"message": "must be specified", "property": "areas[0].action.data"}],
    }
    platform.fail("/v2/bot/richmenu", Fault(status=400, body=body))

    with pytest.raises(SetupError, match=r"areas\[0\]\.action\.data: must be specified"):
        run_line(settings)


def test_a_stalled_line_api_times_out(settings: Settings, platform: FakePlatform) -> None:
    platform.fail("/v2/bot/richmenu/list", Fault(status=200, delay=4))

    started = time.monotonic()
    with pytest.raises(SetupError, match="could not reach LINE to list the rich menus"):
        run_line(settings)

    assert time.monotonic() - started < 3  # settings.http_timeout_seconds is 1 here


def test_wrong_line_token_says_so(tmp_path: Path, platform: FakePlatform) -> None:
    settings = make_settings(
        tmp_path,
        "sqlite:///" + str(tmp_path / "x.db"),
        platform.url,
        LINE_CHANNEL_ACCESS_TOKEN="wrong",
    )

    with pytest.raises(SetupError, match=r"HTTP 401\): Authentication failed"):
        run_line(settings)


# ---- Telegram ---------------------------------------------------------------------------


def test_telegram_webhook_gets_the_secret_token_and_url(
    settings: Settings, platform: FakePlatform
) -> None:
    lines = list(setup_telegram(settings, PUBLIC_URL))

    assert platform.telegram_webhook == {
        "url": f"{PUBLIC_URL}/webhook/telegram",
        "secret_token": TELEGRAM_SECRET,
        "allowed_updates": ["message", "callback_query", "my_chat_member"],
    }
    assert len(lines) == 2


def test_telegram_commands_have_thai_descriptions(
    settings: Settings, platform: FakePlatform
) -> None:
    list(setup_telegram(settings, PUBLIC_URL))

    [call] = platform.requests_to("/setMyCommands")
    commands = {c["command"]: c["description"] for c in call.json["commands"]}
    assert set(commands) == {"start", "menu", "help", "cancel"}
    assert commands["start"] == "เริ่มต้น/เมนูหลัก"
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in d) for d in commands.values())


def test_telegram_error_is_a_setup_error_with_its_description(
    settings: Settings, platform: FakePlatform
) -> None:
    platform.fail(
        "/setWebhook",
        Fault(
            status=400,
            body={"ok": False, "error_code": 400, "description": "Bad Request: bad webhook"},
        ),
    )

    with pytest.raises(SetupError, match=r"setWebhook \(HTTP 400\): Bad Request: bad webhook"):
        list(setup_telegram(settings, PUBLIC_URL))

    assert platform.requests_to("/setMyCommands") == []


# ---- the CLI, end to end ----------------------------------------------------------------


def cli_env(tmp_path: Path, platform: FakePlatform, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "SIANG_ENV": "production",
        "SIANG_INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db"),
        "SIANG_SECRET_KEY": SECRET_KEY,
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": platform.line_token,
        "LINE_API_ENDPOINT": platform.url,
        "LINE_DATA_API_ENDPOINT": None,
        "TELEGRAM_BOT_TOKEN": platform.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_ENDPOINT": platform.url,
        "SIANG_PUBLIC_URL": None,
        "SIANG_HTTP_TIMEOUT_SECONDS": "1",
    }
    env.update(extra)
    return env


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory is read
    return CliRunner()


def assert_one_line_failure(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("siang: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_cli_line_setup_end_to_end(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    result = runner.invoke(
        main, ["line", "setup", "--url", PUBLIC_URL + "/"], env=cli_env(tmp_path, platform)
    )

    assert result.exit_code == 0, result.output
    assert platform.webhook_endpoint == f"{PUBLIC_URL}/webhook/line"
    assert platform.default_rich_menu in siang_menus(platform)
    assert "default rich menu" in result.stdout


def test_cli_telegram_setup_uses_the_public_url_setting(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    env = cli_env(tmp_path, platform, SIANG_PUBLIC_URL=PUBLIC_URL)

    result = runner.invoke(main, ["telegram", "setup"], env=env)

    assert result.exit_code == 0, result.output
    assert platform.telegram_webhook is not None
    assert platform.telegram_webhook["url"] == f"{PUBLIC_URL}/webhook/telegram"


def test_cli_missing_line_secrets_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    env = cli_env(tmp_path, platform, LINE_CHANNEL_SECRET=None, LINE_CHANNEL_ACCESS_TOKEN=None)

    result = runner.invoke(main, ["line", "setup", "--url", PUBLIC_URL], env=env)

    assert_one_line_failure(result, "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN")
    assert platform.calls == []


def test_cli_refuses_a_plain_http_url(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    result = runner.invoke(
        main,
        ["line", "setup", "--url", "http://siang.example.go.th"],
        env=cli_env(tmp_path, platform),
    )

    assert_one_line_failure(result, "https://")
    assert platform.calls == []


def test_cli_line_api_error_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    platform.fail("/v2/bot/richmenu", Fault(status=400, body={"message": "bad"}))

    result = runner.invoke(
        main, ["line", "setup", "--url", PUBLIC_URL], env=cli_env(tmp_path, platform)
    )

    assert_one_line_failure(result, "400", "bad")
    assert "webhook endpoint set" in result.stdout  # the steps before the failure are shown


def test_cli_telegram_error_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, platform: FakePlatform
) -> None:
    env = cli_env(tmp_path, platform, TELEGRAM_BOT_TOKEN="999:WRONG")

    result = runner.invoke(main, ["telegram", "setup", "--url", PUBLIC_URL], env=env)

    assert_one_line_failure(result, "setWebhook", "Unauthorized")
    assert "999:WRONG" not in result.output  # the token never reaches the terminal
