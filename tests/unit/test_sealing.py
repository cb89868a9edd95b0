"""The libsodium constructions of the corruption track, and the draft vault, at the lowest
Argon2 cost (the constructions are the same at any cost)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nacl.public import PrivateKey

from bot.draft_vault import SecretBoxDraftVault, vault_key
from bot.integrity_desk import COSTS
from bot.settings import ConfigError, load_settings
from complaints import sealing
from complaints.corruption import ReceiptCode, ReportContent

FAST = COSTS["min"][0]
PASSPHRASE = "ช้างสามเชือกเดินข้ามสะพาน"


def officer(passphrase: str = PASSPHRASE) -> sealing.LockedKey:
    return sealing.new_officer_key(passphrase, FAST)


def test_a_report_sealed_to_an_officer_opens_with_their_passphrase_only() -> None:
    locked = officer()
    content = ReportContent(what="เรียกรับเงินค่าใบอนุญาต", who="นาย ก", name="สมหญิง")

    sealed = sealing.seal(content.to_bytes(), {"1": locked.public_key})
    private = sealing.unlock(locked, PASSPHRASE)
    data_key = sealing.open_key(sealed.sealed_keys["1"], private)

    assert ReportContent.from_bytes(sealing.open_with_key(sealed.ciphertext, data_key)) == content
    assert content.to_bytes() not in sealed.ciphertext
    with pytest.raises(sealing.WrongPassphrase):
        sealing.unlock(locked, PASSPHRASE + "x")


def test_the_private_key_is_stored_only_encrypted_and_needs_a_long_passphrase() -> None:
    locked = officer()
    private = sealing.unlock(locked, PASSPHRASE)

    assert bytes(private) not in locked.encrypted_private_key
    assert bytes(private.public_key) == locked.public_key
    assert (locked.opslimit, locked.memlimit) == FAST
    with pytest.raises(ValueError, match="12"):
        sealing.new_officer_key("short", FAST)


def test_sealed_to_one_officer_is_not_readable_by_another() -> None:
    first, second = officer(), officer("another long passphrase")
    sealed = sealing.seal(b"secret", {"first": first.public_key})
    outsider = sealing.unlock(second, "another long passphrase")

    with pytest.raises(sealing.NotReadable):
        sealing.open_key(sealed.sealed_keys["first"], outsider)
    with pytest.raises(sealing.NotReadable):
        sealing.open_key(sealed.sealed_keys["first"], PrivateKey.generate())


def test_each_reader_gets_the_same_data_key_and_each_seal_a_fresh_one() -> None:
    keys = {name: PrivateKey.generate() for name in ("a", "b")}
    readers = {name: bytes(k.public_key) for name, k in keys.items()}

    one, two = sealing.seal(b"x", readers), sealing.seal(b"x", readers)

    opened = {sealing.open_key(one.sealed_keys[n], keys[n]) for n in keys}
    assert len(opened) == 1
    assert opened != {sealing.open_key(two.sealed_keys["a"], keys["a"])}
    assert one.ciphertext != two.ciphertext
    with pytest.raises(ValueError, match="reader"):
        sealing.seal(b"x", {})


def test_tampering_is_detected() -> None:
    reader = PrivateKey.generate()
    sealed = sealing.seal(b"what was reported", {"r": bytes(reader.public_key)})
    data_key = sealing.open_key(sealed.sealed_keys["r"], reader)

    flipped = bytearray(sealed.ciphertext)
    flipped[-1] ^= 1
    with pytest.raises(sealing.NotReadable):
        sealing.open_with_key(bytes(flipped), data_key)
    bad_key = bytearray(sealed.sealed_keys["r"])
    bad_key[-1] ^= 1
    with pytest.raises(sealing.NotReadable):
        sealing.open_key(bytes(bad_key), reader)
    more = sealing.encrypt_with_key(b"an addition", data_key)
    assert sealing.open_with_key(more, data_key) == b"an addition"


def test_receipt_hash_is_deterministic_per_salt_and_differs_across_salts() -> None:
    digits = sealing.new_receipt_digits()
    salt, other_salt = sealing.new_office_salt(), sealing.new_office_salt()
    cost = COSTS["min"][1]

    first = sealing.receipt_hash(digits, salt, cost)

    assert first == sealing.receipt_hash(digits, salt, cost)
    assert len(first) == 32 and digits.encode() not in first
    assert first != sealing.receipt_hash(digits, other_salt, cost)
    other_digits = "0" * 16 if digits != "0" * 16 else "1" * 16
    assert first != sealing.receipt_hash(other_digits, salt, cost)
    for bad in ("123", "12345678901234ab", "๑" * 16):
        with pytest.raises(ValueError):
            sealing.receipt_hash(bad, salt, cost)


def test_receipt_digits_are_random_and_the_code_never_shows_itself() -> None:
    codes = {sealing.new_receipt_digits() for _ in range(50)}
    assert len(codes) == 50 and all(len(c) == 16 and c.isdigit() for c in codes)
    code = ReceiptCode("1234567890123456")
    assert "1234" not in repr(code) and code.grouped() == "1234 5678 9012 3456"
    assert ReceiptCode.parse("1234-5678 9012.3456") == code
    assert ReceiptCode.parse("1234 5678") is None


def test_the_draft_vault_round_trips_and_refuses_what_it_did_not_write() -> None:
    vault = SecretBoxDraftVault("server-secret-key-0123456789")
    draft = {"what": "เรียกรับสินบน", "evidence": ["k1"], "step": 3}

    token = vault.lock(draft)

    assert vault.unlock(token) == draft
    assert "เรียกรับ" not in token and "evidence" not in token
    assert vault.lock(draft) != token  # a fresh nonce each time
    assert SecretBoxDraftVault("another-secret-key-0123456789").unlock(token) is None
    altered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (altered, "", "not base64 at all!", "AAAA"):
        assert vault.unlock(bad) is None
    assert vault.unlock(vault.lock({"x": 1})) == {"x": 1}
    assert len(vault_key("server-secret-key-0123456789")) == 32


def test_the_lowest_argon2_cost_is_for_tests_only(tmp_path: Path) -> None:
    base = {"SIANG_INSTANCE_DIR": str(tmp_path), "SIANG_SECRET_KEY": "k" * 32}
    no_env = tmp_path / "no.env"

    assert load_settings({**base}, dotenv_path=no_env).argon2_cost == "moderate"
    test_env = {**base, "SIANG_ENV": "test", "SIANG_ARGON2_COST": "min"}
    assert load_settings(test_env, dotenv_path=no_env).argon2_cost == "min"
    with pytest.raises(ConfigError, match="tests only"):
        load_settings({**base, "SIANG_ARGON2_COST": "min"}, dotenv_path=no_env)
    with pytest.raises(ConfigError, match="SIANG_ARGON2_COST"):
        load_settings({**base, "SIANG_ARGON2_COST": "weak"}, dotenv_path=no_env)
