"""Payload encryption at rest: AES-GCM through `cryptography`, in the stored format of the library's AESCipher.

``eventsourcing.cipher.AESCipher`` (PyCryptodome) builds a new GCM object for every event: 137 µs to decrypt
one on the benchmark machine, which capped an encrypted rebuild at about 7,000 events/s. ``AESGCM`` is made
once per key and takes a few microseconds. The bytes are the same (12-byte nonce | 16-byte tag |
ciphertext, no associated data), so ledgers written with either class read with the other.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

NONCE, TAG = 12, 16


class FastAESCipher(AESCipher):
    """AESCipher's key setting and byte format, with ``cryptography``'s AES-GCM doing the work."""

    def __init__(self, environment: Environment):
        super().__init__(environment)
        self._aead = AESGCM(self.key)

    def encrypt(self, plaintext: bytes) -> bytes:
        """nonce | tag | ciphertext, with a fresh random 96-bit nonce."""
        nonce = self.random_bytes(NONCE)
        sealed = self._aead.encrypt(nonce, plaintext, None)  # ciphertext | tag
        return nonce + sealed[-TAG:] + sealed[:-TAG]

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext; a ValueError if the bytes were damaged or encrypted with another key."""
        if len(ciphertext) < NONCE + TAG:
            raise ValueError("Damaged cipher text: too short for a nonce and a tag")
        nonce, tag, body = ciphertext[:NONCE], ciphertext[NONCE:NONCE + TAG], ciphertext[NONCE + TAG:]
        try:
            return self._aead.decrypt(nonce, body + tag, None)
        except InvalidTag:
            raise ValueError("Cipher text is damaged: MAC check failed") from None

    def __getstate__(self) -> dict[str, Any]:
        # the AESGCM object does not pickle; a bulk replay hands the cipher to its worker processes
        return {"key": self.key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.key = state["key"]
        self._aead = AESGCM(self.key)
