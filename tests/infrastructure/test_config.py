"""Configuration: JEJAK_* variables become the eventsourcing library's own settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrastructure.config import ConfigurationError, Settings


def test_the_default_database_is_an_sqlite_file_under_var(tmp_path: Path) -> None:
    settings = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)})
    env = settings.eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "infrastructure.sqlite_store:JejakSQLiteFactory"  # the library's, subclassed
    assert env["SQLITE_DBNAME"] == str(tmp_path / "jejak.db")


def test_a_postgresql_url_selects_postgresql_for_the_event_store(tmp_path: Path) -> None:
    url = "postgresql://jejak:s%40cret@db.example:6543/hr?schema=ledger"
    env = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_DATABASE_URL": url}).eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "infrastructure.postgres_store:JejakPostgresFactory"  # the library's, subclassed
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "hr")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_SCHEMA"]) == ("jejak", "s@cret", "ledger")


def test_the_read_models_use_the_same_postgresql_database(tmp_path: Path) -> None:
    url = "postgresql://jejak@db.example:6543/hr"
    db = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_DATABASE_URL": url}).database()
    assert db.sqlalchemy_url() == "postgresql+psycopg://jejak@db.example:6543/hr"


def test_an_unsupported_database_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="sqlite:/// or postgresql://"):
        Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_DATABASE_URL": "mysql://x"})


def test_a_secret_key_is_generated_once_and_kept_outside_the_repository(tmp_path: Path) -> None:
    first = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
