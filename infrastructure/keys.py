"""Generate an AES key for encrypting event payloads at rest (`python -m infrastructure.keys`)."""

from __future__ import annotations

from eventsourcing.cipher import AESCipher


def new_cipher_key() -> str:
    """A new base64 AES-256 key in the form the eventsourcing cipher expects."""
    return AESCipher.create_key(32)


if __name__ == "__main__":
    print(new_cipher_key())
