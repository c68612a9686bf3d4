"""Checkpoints (seals): the chain head signed with an Ed25519 key kept outside the database."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Column, Engine, Integer, LargeBinary, MetaData, String, Table, select, text

from infrastructure.database import UTCDateTime

metadata = MetaData()
seals = Table(
    "ledger_seals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("position", Integer, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("sealed_at", UTCDateTime(), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", LargeBinary, nullable=False),
)
DOMAIN_TAG = b"jejak-ledger-seal-v1"


class SealKeyMissing(RuntimeError):
    """No signing key is configured (JEJAK_SEAL_KEY_FILE)."""


@dataclass(frozen=True)
class Seal:
    """A signed checkpoint of the chain head."""

    id: int
    position: int
    digest: bytes
    sealed_at: datetime
    public_key: str
    signature: bytes


def sealed_message(position: int, digest: bytes, sealed_at: datetime) -> bytes:
    """The bytes a seal's signature covers."""
    return DOMAIN_TAG + struct.pack(">Q", position) + digest + sealed_at.astimezone(UTC).isoformat().encode()


def generate_key(path: Path) -> str:
    """Write a new Ed25519 private key (PEM, mode 0600) and return its public key in hex."""
    if path.exists():
        raise FileExistsError(f"{path} exists; refusing to overwrite a seal key")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return public_hex(key.public_key())


def load_key(path: Path | None) -> Ed25519PrivateKey:
    """The signing key from its file."""
    if path is None or not path.exists():
        raise SealKeyMissing("set JEJAK_SEAL_KEY_FILE to a key made by `jejak ledger keygen`")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SealKeyMissing(f"{path} is not an Ed25519 private key")
    return key


def public_hex(key: Ed25519PublicKey) -> str:
    """A public key as 64 hex characters."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_from_hex(value: str) -> Ed25519PublicKey:
    """A public key from hex."""
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))


def signature_valid(seal: Seal, trusted: Ed25519PublicKey) -> bool:
    """True when the seal was signed by the trusted key over its own position, digest and time."""
    try:
        trusted.verify(seal.signature, sealed_message(seal.position, seal.digest, seal.sealed_at))
    except InvalidSignature:
        return False
    return True


class SealStore:
    """Reads and writes seals, next to the chain in the same database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def create_table(self) -> None:
        """Create the seal table if missing."""
        metadata.create_all(self.engine)

    def head(self) -> tuple[int, bytes] | None:
        """The last chain position and digest."""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT position, digest FROM ledger_chain ORDER BY position DESC LIMIT 1")).first()
        return (int(row[0]), bytes(row[1])) if row else None

    def seal(self, key: Ed25519PrivateKey) -> Seal:
        """Sign the current chain head and store the checkpoint."""
        head = self.head()
        if head is None:
            raise ValueError("the ledger is empty; nothing to seal")
        position, digest = head
        sealed_at = datetime.now(UTC)
        signature = key.sign(sealed_message(position, digest, sealed_at))
        with self.engine.begin() as conn:
            result = conn.execute(seals.insert().values(
                position=position, digest=digest, sealed_at=sealed_at, public_key=public_hex(key.public_key()),
                signature=signature))
            seal_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return Seal(seal_id, position, digest, sealed_at, public_hex(key.public_key()), signature)

    def all(self) -> list[Seal]:
        """Every seal, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(seals).order_by(seals.c.id)).all()
        return [Seal(r.id, r.position, bytes(r.digest), r.sealed_at, r.public_key, bytes(r.signature)) for r in rows]
