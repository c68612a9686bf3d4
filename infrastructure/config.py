"""Settings from the environment, translated into the eventsourcing library's own settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from domain.access import ROLES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VAR_DIR = ROOT / "var"


class ConfigurationError(ValueError):
    """The environment names an unsupported or malformed setting."""


@dataclass(frozen=True)
class Settings:
    """Everything Jejak reads from the environment."""

    database_url: str
    secret_key: str
    var_dir: Path
    catch_up_in_request: bool = True
    cipher_key: str | None = None
    seal_key_file: Path | None = None
    seal_public_key: str | None = None  # hex; the trusted key seals are verified against
    seal_export_file: Path | None = None  # the append-only second place every seal is written to
    seal_every_events: int = 1000
    seal_every_minutes: float = 60.0
    max_body_bytes: int = 1024 * 1024
    secure_cookies: bool = False
    token_lifetime: timedelta | None = timedelta(days=90)  # for tokens issued without an expiry; None: never
    ready_max_lag_seconds: float = 60.0  # /api/ready turns 503 when a projection's oldest unprocessed event is older
    read_wait_seconds: float = 5.0  # how long a read asking for Jejak-Min-Position waits for the read models
    metrics_token: str | None = None  # bearer token for /metrics; without it only local, unproxied callers
    log_format: str = "json"
    password_time_cost: int = 3  # argon2id; tests lower these through overrides, never the environment
    password_memory_kib: int = 65536
    extra_es_env: dict[str, str] = field(default_factory=dict)
    oidc_issuer: str | None = None  # single sign-on (OpenID Connect); off while unset
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_nip_claim: str = "nip"  # the claim that links a first-time subject to the employee with that NIP
    oidc_role_claim: str | None = None  # role claims are not trusted unless this and oidc_role_map are set
    oidc_role_map: dict[str, str] = field(default_factory=dict)  # claim value -> Jejak role
    oidc_leeway_seconds: int = 60  # clock difference allowed when checking an ID token's times

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read JEJAK_* variables (with defaults for the embedded SQLite set-up)."""
        env = os.environ if env is None else env
        var_dir = Path(env.get("JEJAK_VAR_DIR", str(DEFAULT_VAR_DIR)))
        values: dict[str, object] = {
            "database_url": env.get("JEJAK_DATABASE_URL") or f"sqlite:///{var_dir / 'jejak.db'}",
            "secret_key": env.get("JEJAK_SECRET_KEY") or _secret_key(var_dir),
            "var_dir": var_dir,
            "catch_up_in_request": env.get("JEJAK_CATCH_UP_IN_REQUEST", "1").lower() not in ("0", "false", "no"),
            "cipher_key": env.get("JEJAK_CIPHER_KEY") or _key_file(env.get("JEJAK_CIPHER_KEY_FILE"), var_dir),
            "seal_key_file": Path(env.get("JEJAK_SEAL_KEY_FILE") or var_dir / "seal.key"),
            "seal_public_key": _public_key(env),
            "seal_export_file": Path(env.get("JEJAK_SEAL_EXPORT_FILE") or var_dir / "seals.jsonl"),
            "seal_every_events": _positive(env.get("JEJAK_SEAL_EVERY_EVENTS", "1000"), "JEJAK_SEAL_EVERY_EVENTS"),
            "seal_every_minutes": _positive(env.get("JEJAK_SEAL_EVERY_MINUTES", "60"), "JEJAK_SEAL_EVERY_MINUTES"),
            "secure_cookies": env.get("JEJAK_SECURE_COOKIES", "0").lower() in ("1", "true", "yes"),
            "token_lifetime": _days(env.get("JEJAK_TOKEN_LIFETIME_DAYS", "90"), "JEJAK_TOKEN_LIFETIME_DAYS"),
            "ready_max_lag_seconds": _seconds(env.get("JEJAK_READY_MAX_LAG_SECONDS", "60"), "JEJAK_READY_MAX_LAG_SECONDS"),
            "read_wait_seconds": _seconds(env.get("JEJAK_READ_WAIT_SECONDS", "5"), "JEJAK_READ_WAIT_SECONDS"),
            "metrics_token": env.get("JEJAK_METRICS_TOKEN") or None,
            "log_format": env.get("JEJAK_LOG_FORMAT", "json").lower(),
            "oidc_issuer": (env.get("JEJAK_OIDC_ISSUER") or "").rstrip("/") or None,
            "oidc_client_id": env.get("JEJAK_OIDC_CLIENT_ID") or None,
            "oidc_client_secret": env.get("JEJAK_OIDC_CLIENT_SECRET") or None,
            "oidc_nip_claim": env.get("JEJAK_OIDC_NIP_CLAIM") or "nip",
            "oidc_role_claim": env.get("JEJAK_OIDC_ROLE_CLAIM") or None,
            "oidc_role_map": _role_map(env.get("JEJAK_OIDC_ROLE_MAP", "")),
            "oidc_leeway_seconds": _positive(env.get("JEJAK_OIDC_LEEWAY_SECONDS", "60"), "JEJAK_OIDC_LEEWAY_SECONDS"),
        }
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.database()  # fail early on a malformed URL
        return settings

    def database(self) -> Database:
        """The parsed database URL."""
        return Database.parse(self.database_url)

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's settings (PERSISTENCE_MODULE and friends) for this database."""
        db = self.database()
        env: dict[str, str] = {}
        if db.kind == "sqlite":
            # the factories make Jejak's recorders (the hash chain; see sqlite_store and postgres_store)
            env.update(PERSISTENCE_MODULE="infrastructure.sqlite_store:JejakSQLiteFactory", SQLITE_DBNAME=db.path,
                       SQLITE_LOCK_TIMEOUT="30")
        else:
            env.update(
                PERSISTENCE_MODULE="infrastructure.postgres_store:JejakPostgresFactory",
                POSTGRES_DBNAME=db.name,
                POSTGRES_HOST=db.host,
                POSTGRES_PORT=str(db.port),
                POSTGRES_USER=db.user,
                POSTGRES_PASSWORD=db.password,
                POSTGRES_LOCK_TIMEOUT="10",
                POSTGRES_POOL_SIZE="5",
                POSTGRES_MAX_OVERFLOW="10",
            )
            if db.schema:
                env["POSTGRES_SCHEMA"] = db.schema
        if self.cipher_key:
            env.update(CIPHER_TOPIC="infrastructure.cipher:FastAESCipher", CIPHER_KEY=self.cipher_key)
        env.update(self.extra_es_env)
        return env


@dataclass(frozen=True)
class Database:
    """A database location: an SQLite file or a PostgreSQL server (with optional schema)."""

    kind: str
    path: str = ""
    host: str = ""
    port: int = 5432
    name: str = ""
    user: str = ""
    password: str = ""
    schema: str = ""

    @classmethod
    def parse(cls, url: str) -> Database:
        """Parse ``sqlite:///path`` or ``postgresql://user:pw@host:port/db?schema=name``."""
        if url.startswith("sqlite:///"):
            path = url[len("sqlite:///") :]
            if not path or path == ":memory:":
                raise ConfigurationError("JEJAK_DATABASE_URL must name an SQLite file, not memory")
            return cls(kind="sqlite", path=str(Path(path).resolve()))
        parts = urlsplit(url)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            query = parse_qs(parts.query)
            return cls(
                kind="postgres",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                name=unquote(parts.path.lstrip("/")) or "postgres",
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                schema=(query.get("schema") or [""])[0],
            )
        raise ConfigurationError(f"JEJAK_DATABASE_URL must start with sqlite:/// or postgresql://, not {url[:20]!r}")

    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy (psycopg 3 driver for PostgreSQL)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.name}"


def _public_key(env: Mapping[str, str]) -> str | None:
    """The trusted seal public key (64 hex characters) from JEJAK_SEAL_PUBLIC_KEY or the file JEJAK_SEAL_PUBLIC_KEY_FILE."""
    value = env.get("JEJAK_SEAL_PUBLIC_KEY", "").strip()
    if not value and env.get("JEJAK_SEAL_PUBLIC_KEY_FILE"):
        path = Path(env["JEJAK_SEAL_PUBLIC_KEY_FILE"])
        if not path.exists():
            raise ConfigurationError(f"JEJAK_SEAL_PUBLIC_KEY_FILE {path} does not exist")
        value = path.read_text().strip()
    if value and (len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value)):
        raise ConfigurationError("the trusted seal public key must be 64 hex characters")
    return value.lower() or None


def _positive(value: str, name: str) -> int:
    """A whole number of at least 1."""
    if not value.strip().isdigit() or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _days(value: str, name: str) -> timedelta | None:
    """A whole number of days (0: no limit)."""
    if not value.strip().isdigit():
        raise ConfigurationError(f"{name} must be a whole number of days (0: no limit), not {value!r}")
    return timedelta(days=int(value)) if int(value) else None


def _seconds(value: str, name: str) -> float:
    """A positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {value!r}") from None
    if seconds <= 0:
        raise ConfigurationError(f"{name} must be positive")
    return seconds


def _secret_key(var_dir: Path) -> str:
    """A per-installation secret kept under var/ (generated once) when JEJAK_SECRET_KEY is not set."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _key_file(given: str | None, var_dir: Path) -> str | None:
    """The payload cipher key from its file (JEJAK_CIPHER_KEY_FILE, default var/cipher_key), if present."""
    path = Path(given) if given else var_dir / "cipher_key"
    if given and not path.exists():
        raise ConfigurationError(f"JEJAK_CIPHER_KEY_FILE {path} does not exist")
    if not path.exists():
        return None
    return path.read_text().strip() or None


def _role_map(value: str) -> dict[str, str]:
    """``group=role,group=role``: which values of the role claim mean which Jejak role."""
    mapped: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        claim, _, role = pair.partition("=")
        if not claim.strip() or role.strip() not in ROLES:
            raise ConfigurationError(f"JEJAK_OIDC_ROLE_MAP: {pair!r} is not claim=role with a role of {', '.join(ROLES)}")
        mapped[claim.strip()] = role.strip()
    return mapped
