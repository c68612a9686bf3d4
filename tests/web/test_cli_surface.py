"""The command line shows Jejak's commands only (not Flask's run/shell/routes or --app/--debug), and its lists
have a header row."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import jejak_cli


def test_help_lists_jejaks_commands_without_flasks_own(tmp_path: Path) -> None:
    shown = jejak_cli("--help", env={"JEJAK_VAR_DIR": str(tmp_path)})

    assert shown.returncode == 0, shown.stderr
    commands = {line.split()[0] for line in shown.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"serve", "token", "account", "demo", "employees", "mail"} <= commands
    assert not {"run", "shell", "routes"} & commands
    assert "--debug" not in shown.stdout and "--app" not in shown.stdout and "--env-file" not in shown.stdout


def test_token_and_account_lists_start_with_a_header_row(tmp_path: Path) -> None:
    env = {"JEJAK_VAR_DIR": str(tmp_path)}
    assert jejak_cli("init", env=env).returncode == 0
    assert jejak_cli("token", "issue", "--role", "auditor", "--name", "Inspektorat", env=env).returncode == 0

    tokens = jejak_cli("token", "list", env=env).stdout.splitlines()
    accounts = jejak_cli("account", "list", env=env).stdout.splitlines()

    assert tokens[0].split() == ["grant", "id", "role", "state", "name"]
    assert tokens[1].split()[1:] == ["auditor", "active", "Inspektorat"]
    assert accounts[0].split() == ["username", "role", "state", "name"]
