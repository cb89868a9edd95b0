"""`DraftVault` on libsodium: a corruption report being written is kept in the conversation
state as an opaque token, so a copy of the database alone shows nothing of it.

The key is derived from SIANG_SECRET_KEY with BLAKE2b (personalised for this one use), and
the draft is a JSON document in a `SecretBox` (XSalsa20-Poly1305): altered or foreign
tokens are refused. The server's secret reads a draft; that is why drafts are erased at
submit, cancel and timeout, and why the filed report is sealed to the officers instead.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.secret import SecretBox

PERSON = b"siang-draft"


def vault_key(secret_key: str) -> bytes:
    """The vault's 32-byte key: BLAKE2b of the server secret, personalised for drafts."""
    return bytes(
        blake2b(
            secret_key.encode(),
            digest_size=SecretBox.KEY_SIZE,
            person=PERSON,
            encoder=RawEncoder,
        )
    )


class SecretBoxDraftVault:
    def __init__(self, secret_key: str) -> None:
        self._box = SecretBox(vault_key(secret_key))

    def lock(self, draft: dict[str, Any]) -> str:
        plaintext = json.dumps(draft, ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(bytes(self._box.encrypt(plaintext))).decode("ascii")

    def unlock(self, token: str) -> dict[str, Any] | None:
        try:
            box = base64.urlsafe_b64decode(token.encode("ascii"))
            draft = json.loads(self._box.decrypt(box))
        except (CryptoError, ValueError, binascii.Error, UnicodeError):
            return None
        return draft if isinstance(draft, dict) else None
