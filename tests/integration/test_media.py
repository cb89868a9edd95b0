"""Citizens' photos: downloaded from LINE and Telegram over real HTTP, checked, kept as files."""

from __future__ import annotations

import io
import logging
import os
import stat
import traceback
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

import bot.media
from bot.jobs import Jobs
from bot.services import Services, build_media
from bot.settings import ConfigError, load_settings
from bot.ticket_desk import SqlTicketDesk
from complaints.desk import NewTicket
from complaints.photos import PhotoProblem, PhotoRejected, StoredPhoto
from tests.support.fake_platform import FakePlatform, Fault
from tests.support.helpers import FakeClock

# a LINE message id is digits; a Telegram file_id is an opaque string
MEDIA_IDS = {"line": "587129300123", "telegram": "AgACAgUAAxkBAAIBZ2Zf"}
CHANNELS = list(MEDIA_IDS)


def picture(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format=image_format)
    return out.getvalue()


def noisy_png(min_bytes: int) -> bytes:
    """A real PNG that does not compress below `min_bytes`."""
    side = int((min_bytes / 3) ** 0.5) + 8
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.parametrize(
    ("channel", "image_format", "content_type", "extension"),
    [
        ("line", "JPEG", "image/jpeg", ".jpg"),
        ("line", "PNG", "image/png", ".png"),
        ("telegram", "JPEG", "image/jpeg", ".jpg"),
        ("telegram", "PNG", "image/png", ".png"),
        ("telegram", "WEBP", "image/webp", ".webp"),
    ],
)
def test_a_photo_is_stored_privately_and_readable(
    services: Services,
    platform: FakePlatform,
    channel: str,
    image_format: str,
    content_type: str,
    extension: str,
) -> None:
    data = picture(image_format)
    platform.media[MEDIA_IDS[channel]] = (data, content_type)

    photo = services.media.inbox(channel).receive(MEDIA_IDS[channel])

    assert (photo.content_type, photo.size_bytes) == (content_type, len(data))
    assert photo.key.endswith(extension) and MEDIA_IDS[channel] not in photo.key
    path = services.media.path_for(photo.key)
    assert path.read_bytes() == data
    with Image.open(path) as image:
        assert image.format == image_format and image.size == (64, 48)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.parent == services.settings.instance_dir / "media" / "photos"
    assert files_in(path.parent) == [photo.key]  # no temporary file left beside it


def test_each_photo_gets_its_own_random_key(services: Services, platform: FakePlatform) -> None:
    platform.media[MEDIA_IDS["line"]] = (picture("JPEG"), "image/jpeg")
    inbox = services.media.inbox("line")
    assert inbox.receive(MEDIA_IDS["line"]).key != inbox.receive(MEDIA_IDS["line"]).key


def test_line_content_is_fetched_with_the_channel_token(
    services: Services, platform: FakePlatform
) -> None:
    platform.media[MEDIA_IDS["line"]] = (picture("JPEG"), "image/jpeg")
    services.media.inbox("line").receive(MEDIA_IDS["line"])
    [call] = platform.requests_to(f"/v2/bot/message/{MEDIA_IDS['line']}/content")
    assert call.method == "GET"
    assert call.headers["Authorization"] == f"Bearer {platform.line_token}"


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "data",
    [
        "ไฟทางดับหน้าวัด ไม่ใช่รูปภาพ".encode() * 20,  # a text file renamed .jpg
        b"\x89PNG\r\n\x1a\n" + b"not really a png" * 40,  # right magic bytes, broken inside
        b"GIF89a" + b"\x00" * 200,  # an image, but not one we accept
        b"\xff\xd8",  # shorter than any header
    ],
    ids=["text", "broken-png", "gif", "tiny"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(
    services: Services, platform: FakePlatform, channel: str, data: bytes
) -> None:
    platform.media[MEDIA_IDS[channel]] = (data, "image/jpeg")
    with pytest.raises(PhotoRejected) as rejected:
        services.media.inbox(channel).receive(MEDIA_IDS[channel])
    assert rejected.value.problem is PhotoProblem.NOT_AN_IMAGE
    assert files_in(services.settings.photo_dir) == []


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("size_announced", [True, False], ids=["announced", "unannounced"])
def test_a_photo_over_the_limit_is_too_large_and_leaves_nothing_behind(
    services: Services, platform: FakePlatform, channel: str, size_announced: bool
) -> None:
    limit = 50_000
    media = build_media(replace(services.settings, max_photo_bytes=limit))
    data = noisy_png(limit * 3)
    platform.media[MEDIA_IDS[channel]] = (data, "image/png")
    platform.hide_media_size = not size_announced  # then only counting the bytes can tell

    with pytest.raises(PhotoRejected) as rejected:
        media.inbox(channel).receive(MEDIA_IDS[channel])

    assert rejected.value.problem is PhotoProblem.TOO_LARGE
    assert files_in(media.folder) == []  # not even a partial temporary file


def test_a_photo_exactly_at_the_limit_is_accepted(
    services: Services, platform: FakePlatform
) -> None:
    data = picture("PNG")
    media = build_media(replace(services.settings, max_photo_bytes=len(data)))
    platform.media[MEDIA_IDS["telegram"]] = (data, "image/png")
    platform.hide_media_size = True
    assert media.inbox("telegram").receive(MEDIA_IDS["telegram"]).size_bytes == len(data)


@pytest.mark.parametrize(
    ("channel", "fault_path", "fault"),
    [
        ("line", "", None),  # unknown id: 404
        ("line", "/content", Fault(status=410)),  # expired content
        ("line", "/content", Fault(status=500)),
        ("line", "/content", Fault(status=200, delay=1.5)),  # longer than the 1 s timeout
        ("telegram", "", None),  # unknown file_id: 400 from getFile
        ("telegram", "getFile", Fault(status=500)),
        ("telegram", "getFile", Fault(status=200, delay=1.5)),
        ("telegram", "/photos/" + MEDIA_IDS["telegram"], Fault(status=404)),
        ("telegram", "/photos/" + MEDIA_IDS["telegram"], Fault(status=502)),
        ("telegram", "/photos/" + MEDIA_IDS["telegram"], Fault(status=200, delay=1.5)),
    ],
    ids=[
        "line-404",
        "line-410",
        "line-500",
        "line-timeout",
        "telegram-unknown",
        "telegram-getfile-500",
        "telegram-getfile-timeout",
        "telegram-file-404",
        "telegram-file-502",
        "telegram-file-timeout",
    ],
)
def test_a_platform_that_will_not_give_the_photo_makes_it_unavailable(
    services: Services,
    platform: FakePlatform,
    caplog: pytest.LogCaptureFixture,
    channel: str,
    fault_path: str,
    fault: Fault | None,
) -> None:
    if fault is not None:
        platform.media[MEDIA_IDS[channel]] = (picture("JPEG"), "image/jpeg")
        platform.fail(fault_path, fault)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PhotoRejected) as rejected:
        services.media.inbox(channel).receive(MEDIA_IDS[channel])

    assert rejected.value.problem is PhotoProblem.UNAVAILABLE
    assert files_in(services.settings.photo_dir) == []
    # neither the log nor a printed traceback (no chained request error) names the URL
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "photo rejected" in logged
    printed = "".join(traceback.format_exception(rejected.value))
    for secret in (MEDIA_IDS[channel], platform.telegram_token, platform.line_token):
        assert secret not in logged
        assert secret not in printed


def test_a_connection_refused_is_unavailable(services: Services, platform: FakePlatform) -> None:
    unreachable = replace(
        services.settings,
        line_data_api_endpoint="http://127.0.0.1:9",
        telegram_api_endpoint="http://127.0.0.1:9",
    )
    media = build_media(unreachable)
    for channel in CHANNELS:
        with pytest.raises(PhotoRejected) as rejected:
            media.inbox(channel).receive(MEDIA_IDS[channel])
        assert rejected.value.problem is PhotoProblem.UNAVAILABLE


def test_the_dev_chat_has_no_photos(services: Services) -> None:
    with pytest.raises(PhotoRejected) as rejected:
        services.media.inbox("dev").receive("anything")
    assert rejected.value.problem is PhotoProblem.UNAVAILABLE


def test_a_disabled_channel_has_no_photos(services: Services, platform: FakePlatform) -> None:
    platform.media[MEDIA_IDS["telegram"]] = (picture("JPEG"), "image/jpeg")
    media = build_media(replace(services.settings, telegram_bot_token=None))
    with pytest.raises(PhotoRejected) as rejected:
        media.inbox("telegram").receive(MEDIA_IDS["telegram"])
    assert rejected.value.problem is PhotoProblem.UNAVAILABLE
    assert platform.calls == []


def test_discard_deletes_only_the_photos_named(services: Services, platform: FakePlatform) -> None:
    platform.media[MEDIA_IDS["line"]] = (picture("JPEG"), "image/jpeg")
    inbox = services.media.inbox("line")
    cancelled, kept = inbox.receive(MEDIA_IDS["line"]), inbox.receive(MEDIA_IDS["line"])
    outside = services.settings.instance_dir / "secret_key"
    outside.write_text("do not touch")

    inbox.discard([cancelled.key, cancelled.key, "../secret_key", "missing.jpg"])

    assert not services.media.path_for(cancelled.key).exists()
    assert services.media.path_for(kept.key).exists()
    assert outside.exists()


@pytest.mark.parametrize("key", ["../secret_key", "/etc/passwd", "a.jpg", "", "x" * 32 + ".gif"])
def test_a_key_can_never_name_another_file(services: Services, key: str) -> None:
    with pytest.raises(ValueError, match="not a photo key"):
        services.media.path_for(key)


def attach(services: Services, photo: StoredPhoto, clock: FakeClock) -> None:
    """File a ticket (a TicketRow) that owns the photo."""
    new = NewTicket(category="road", description="ถนนเป็นหลุม", photos=(photo,))
    with services.db.transaction() as session:
        SqlTicketDesk(session, services.db.dialect, "owner-ref").open(new, clock.now(), sla_days=15)


def age(path: Path, clock: FakeClock, **delta: float) -> None:
    # file times are wall-clock times; the test clock is not, so set them from it
    moment = (clock.now() - timedelta(**delta)).timestamp()
    os.utime(path, (moment, moment))


def test_the_hourly_sweep_deletes_old_photos_no_ticket_took(
    services: Services,
    platform: FakePlatform,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.media, "SWEEP_BATCH", 2)  # several batches of known-key queries
    platform.media[MEDIA_IDS["line"]] = (picture("JPEG"), "image/jpeg")
    inbox = services.media.inbox("line")
    attached = [inbox.receive(MEDIA_IDS["line"]) for _ in range(3)]
    abandoned = [inbox.receive(MEDIA_IDS["line"]) for _ in range(3)]
    recent = inbox.receive(MEDIA_IDS["line"])
    for photo in attached:
        attach(services, photo, clock)
    for photo in (*attached, *abandoned):
        age(services.media.path_for(photo.key), clock, days=2)
    age(services.media.path_for(recent.key), clock, hours=2)  # its intake may still be open
    crashed = services.settings.photo_dir / ".incoming-crashed.part"
    crashed.write_bytes(b"half a photo")
    age(crashed, clock, days=2)
    jobs = Jobs(services)

    jobs.sweep()

    remaining = set(files_in(services.settings.photo_dir))
    assert remaining == {p.key for p in (*attached, recent)}

    straggler = inbox.receive(MEDIA_IDS["line"])
    age(services.media.path_for(straggler.key), clock, days=2)
    clock.advance(minutes=59)
    jobs.sweep()
    assert services.media.path_for(straggler.key).exists()  # at most once an hour
    clock.advance(minutes=1)
    jobs.sweep()
    assert not services.media.path_for(straggler.key).exists()
    assert all(services.media.path_for(p.key).exists() for p in attached)


def test_the_sweep_without_any_photo_folder_does_nothing(services: Services) -> None:
    Jobs(services).sweep()
    assert not services.settings.photo_dir.exists()


def test_the_folder_and_the_limit_come_from_the_settings(tmp_path: Path) -> None:
    env = {
        "SIANG_ENV": "test",
        "SIANG_INSTANCE_DIR": str(tmp_path / "i"),
        "SIANG_SECRET_KEY": "k" * 32,
    }
    default = load_settings(env, dotenv_path=tmp_path / "no.env")
    assert default.photo_dir == tmp_path / "i" / "media" / "photos"
    assert default.max_photo_bytes == 10_000_000
    custom = load_settings(
        {**env, "SIANG_MEDIA_DIR": str(tmp_path / "photos"), "SIANG_MAX_PHOTO_BYTES": "2000000"},
        dotenv_path=tmp_path / "no.env",
    )
    media = build_media(custom)
    assert (media.folder, media.max_bytes) == (tmp_path / "photos", 2_000_000)
    with pytest.raises(ConfigError, match="SIANG_MAX_PHOTO_BYTES"):
        load_settings({**env, "SIANG_MAX_PHOTO_BYTES": "0"}, dotenv_path=tmp_path / "no.env")
