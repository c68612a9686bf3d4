"""Checkpoints (seals): the chain head signed with an Ed25519 key kept outside the database."""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Column, Engine, Integer, LargeBinary, MetaData, String, Table, select, text

from application.ledger import written_position
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
log = logging.getLogger(__name__)


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


def trusted_key(public_key: str | None, key_file: Path | None) -> Ed25519PublicKey | None:
    """The public key seals must verify against, from configuration only (JEJAK_SEAL_PUBLIC_KEY[_FILE], else the
    public half of the signing key file): never a key stored in the database next to the seals."""
    if public_key:
        return public_from_hex(public_key)
    if key_file is not None and key_file.exists():
        return load_key(key_file).public_key()
    return None


def seal_record(seal: Seal) -> dict[str, object]:
    """A seal as plain JSON values (as exported and kept elsewhere)."""
    return {"id": seal.id, "position": seal.position, "digest": seal.digest.hex(), "sealed_at": seal.sealed_at.isoformat(),
            "public_key": seal.public_key, "signature": seal.signature.hex()}


def seal_from_record(record: dict[str, Any]) -> Seal:
    """A seal from its exported JSON values."""
    return Seal(int(record["id"]), int(record["position"]), bytes.fromhex(record["digest"]),
                datetime.fromisoformat(record["sealed_at"]), str(record["public_key"]),
                bytes.fromhex(record["signature"]))


class SealExport:
    """The second, append-only place seals go: one JSON line per seal in a file given by configuration (make it
    append-only for the web process's user, e.g. `chattr +a`, or put it on another machine's mount)."""

    def __init__(self, path: Path | None):
        self.path = path

    def append(self, seal: Seal) -> None:
        """Append one seal (opened in append mode, flushed and synced before the seal counts as made)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps(seal_record(seal)) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def read(self) -> tuple[list[Seal], list[str]]:
        """Every exported seal, and a problem for each line that is not one."""
        if self.path is None or not self.path.exists():
            return [], []
        seals, problems = [], []
        for number, line in enumerate(self.path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                seals.append(seal_from_record(json.loads(line)))
            except (ValueError, KeyError, TypeError) as e:
                problems.append(f"{self.path} line {number} is not a seal: {e}")
        return seals, problems


class SealStore:
    """Reads and writes seals, next to the chain in the same database, and exports each one."""

    def __init__(self, engine: Engine, export: SealExport | None = None):
        self.engine = engine
        self.export = export or SealExport(None)

    def create_table(self) -> None:
        """Create the seal table if missing."""
        metadata.create_all(self.engine)

    def head(self) -> tuple[int, bytes] | None:
        """The last chain position and digest."""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT position, digest FROM ledger_chain ORDER BY position DESC LIMIT 1")).first()
        return (int(row[0]), bytes(row[1])) if row else None

    def digest_at(self, position: int) -> bytes | None:
        """The chain digest recorded at a position."""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT digest FROM ledger_chain WHERE position = :p"), {"p": position}).first()
        return bytes(row[0]) if row else None

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
        made = Seal(seal_id, position, digest, sealed_at, public_hex(key.public_key()), signature)
        self.export.append(made)
        return made

    def last(self) -> Seal | None:
        """The latest seal, if any."""
        with self.engine.connect() as conn:
            r = conn.execute(select(seals).order_by(seals.c.id.desc()).limit(1)).first()
        return Seal(r.id, r.position, bytes(r.digest), r.sealed_at, r.public_key, bytes(r.signature)) if r else None

    def all(self) -> list[Seal]:
        """Every seal, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(seals).order_by(seals.c.id)).all()
        return [Seal(r.id, r.position, bytes(r.digest), r.sealed_at, r.public_key, bytes(r.signature)) for r in rows]


class AutoSealer:
    """Seals the chain head after every ``every_events`` new events or ``every_minutes`` since the last seal, when a
    signing key is configured (a failure is logged: the write it follows is already durable)."""

    def __init__(self, store: SealStore, key_file: Path | None, every_events: int, every_minutes: float):
        self.store = store
        self.key_file = key_file
        self.every_events = every_events
        self.every_minutes = every_minutes
        self._lock = threading.Lock()
        # the earliest position and time the next seal can be due, from the last seal read: until then a command
        # need not read the head and the last seal (a seal made elsewhere only makes the next one due later)
        self._not_before: tuple[int, datetime] | None = None

    def __call__(self) -> None:
        """Seal if due (after a command was recorded)."""
        if self.key_file is None or self._not_due_yet() or not self.key_file.exists():  # no stat per command
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.seal_if_due()
        except Exception:  # noqa: BLE001 - sealing later is fine; a command must not fail for it
            log.exception("automatic seal failed; `jejak ledger seal` makes one by hand")
        finally:
            self._lock.release()

    def seal_if_due(self, now: datetime | None = None) -> Seal | None:
        """Seal when enough events or time passed since the last seal; return the new seal, if any."""
        head = self.store.head()
        if head is None:
            return None
        last = self.store.last()
        now = now or datetime.now(UTC)
        due = last is None or head[0] - last.position >= self.every_events or (
            head[0] > last.position and now - last.sealed_at >= timedelta(minutes=self.every_minutes))
        if not due:
            if last is not None:
                self._not_before = self._next_due(last)
            return None
        made = self.store.seal(load_key(self.key_file))
        self._not_before = self._next_due(made)
        return made

    def _next_due(self, seal: Seal) -> tuple[int, datetime]:
        """The earliest position and time a seal can be due after this one."""
        return seal.position + self.every_events, seal.sealed_at + timedelta(minutes=self.every_minutes)

    def _not_due_yet(self) -> bool:
        """True when the write just made cannot have made a seal due (by the last seal this process read)."""
        if self._not_before is None:
            return False
        position, moment = self._not_before
        written = written_position()
        return 0 < written < position and datetime.now(UTC) < moment
