"""The cryptography of the confidential corruption track, on PyNaCl (libsodium).

- A report (and each piece of evidence, and each later addition) is encrypted with a fresh
  random key (XSalsa20-Poly1305, `SecretBox`). That key is sealed (`SealedBox`: X25519 +
  XSalsa20-Poly1305) to the public key of every integrity officer allowed to read the case.
  Whoever holds only public keys — the bot — can write a report but never read it back.
- An officer's private key is stored encrypted with a key derived from their passphrase
  (Argon2id), so a copy of the database plus the server's secrets reads nothing.
- A receipt code is stored only as an Argon2id hash with the office's salt: a case can
  be found by its code, but a stolen table cannot be searched cheaply.

No home-made primitives: every operation is a libsodium construction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.pwhash import argon2id
from nacl.secret import SecretBox
from nacl.utils import random

KEY_BYTES = SecretBox.KEY_SIZE
SALT_BYTES = argon2id.SALTBYTES
# Unlocking a private key is rare and interactive: make guessing a passphrase expensive.
PASSPHRASE_COST = (argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE)
# Receipt lookups happen on every follow-up: cheaper, the code has 53 bits of entropy.
RECEIPT_COST = (argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE)
MIN_PASSPHRASE_CHARS = 12


class WrongPassphrase(Exception):
    """The passphrase does not unlock this officer's key."""


class NotReadable(Exception):
    """This key cannot open this report (not sealed to it, or the data was altered)."""


@dataclass(frozen=True)
class LockedKey:
    """An officer's key pair as stored: the public key in clear, the private key encrypted
    under a key derived from their passphrase."""

    public_key: bytes
    encrypted_private_key: bytes
    salt: bytes
    opslimit: int
    memlimit: int


@dataclass(frozen=True)
class Sealed:
    """Encrypted content and its data key, sealed to each reader (reader id → sealed key)."""

    ciphertext: bytes
    sealed_keys: dict[str, bytes]


def new_officer_key(passphrase: str, cost: tuple[int, int] = PASSPHRASE_COST) -> LockedKey:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise ValueError(f"a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")
    private = PrivateKey.generate()
    salt = random(SALT_BYTES)
    box = SecretBox(_passphrase_key(passphrase, salt, *cost))
    return LockedKey(
        public_key=bytes(private.public_key),
        encrypted_private_key=bytes(box.encrypt(bytes(private))),
        salt=salt,
        opslimit=cost[0],
        memlimit=cost[1],
    )


def unlock(locked: LockedKey, passphrase: str) -> PrivateKey:
    key = _passphrase_key(passphrase, locked.salt, locked.opslimit, locked.memlimit)
    try:
        return PrivateKey(SecretBox(key).decrypt(locked.encrypted_private_key))
    except CryptoError:
        raise WrongPassphrase("the passphrase does not unlock this key") from None


def seal(plaintext: bytes, readers: dict[str, bytes]) -> Sealed:
    """Encrypt under a fresh key and seal that key to each reader's public key."""
    if not readers:
        raise ValueError("nobody could read this: at least one reader is needed")
    data_key = random(KEY_BYTES)
    ciphertext = bytes(SecretBox(data_key).encrypt(plaintext))
    return Sealed(ciphertext, {rid: seal_key(data_key, pk) for rid, pk in readers.items()})


def seal_key(data_key: bytes, public_key: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public_key)).encrypt(data_key))


def open_key(sealed_key: bytes, private_key: PrivateKey) -> bytes:
    try:
        return bytes(SealedBox(private_key).decrypt(sealed_key))
    except CryptoError:
        raise NotReadable("this key was not sealed to this reader") from None


def open_with_key(ciphertext: bytes, data_key: bytes) -> bytes:
    try:
        return bytes(SecretBox(data_key).decrypt(ciphertext))
    except CryptoError:
        raise NotReadable("the content does not match its key") from None


def encrypt_with_key(plaintext: bytes, data_key: bytes) -> bytes:
    """More content for a case already keyed (an addition, a piece of evidence)."""
    return bytes(SecretBox(data_key).encrypt(plaintext))


def new_receipt_digits() -> str:
    """16 random decimal digits (about 53 bits), from the OS's CSPRNG."""
    return "".join(secrets.choice("0123456789") for _ in range(16))


def receipt_hash(digits: str, office_salt: bytes, cost: tuple[int, int] = RECEIPT_COST) -> bytes:
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        raise ValueError("a receipt code is 16 digits")
    return bytes(argon2id.kdf(32, digits.encode(), office_salt, opslimit=cost[0], memlimit=cost[1]))


def new_office_salt() -> bytes:
    return random(SALT_BYTES)


def _passphrase_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        argon2id.kdf(KEY_BYTES, passphrase.encode(), salt, opslimit=opslimit, memlimit=memlimit)
    )
