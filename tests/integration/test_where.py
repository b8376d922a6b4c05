"""The data has one home: the same database whatever directory a command is typed in,
and `assistant where` says which one (through the real entry point)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import cli

ASSISTANT = [sys.executable, "-c", "from assistant.cli import main; main()"]
CHECKOUT = Path(__file__).resolve().parents[2]


def invoke(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([*ASSISTANT, *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env or {})},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_same_database_from_another_directory(tmp_path) -> None:
    home, elsewhere, third = tmp_path / "home", tmp_path / "elsewhere", tmp_path / "third"
    for folder in (home, elsewhere, third):
        folder.mkdir()
    config = home / "assistant.toml"
    config.write_text('[database]\nurl = "sqlite:///data/assistant.db"\n', encoding="utf-8")
    invoke("workplaces", "add", "--cvr", "65113015", "--name", "Albertslund Kommune",
           "--config", str(config), cwd=elsewhere)
    # --config before the command works too.
    listed = json.loads(invoke("--config", str(config), "workplaces", "list", "--json",
                               cwd=third))
    assert [w["cvr"] for w in listed] == ["65113015"]
    assert (home / "data" / "assistant.db").is_file()
    assert not (elsewhere / "data").exists() and not (third / "data").exists()


def test_assistant_home_without_a_config(tmp_path) -> None:
    data = tmp_path / "data-home"
    for cwd in (tmp_path, Path("/")):
        invoke("workplaces", "add", "--cvr", "65113015", "--name", "Albertslund Kommune",
               cwd=cwd, env={"ASSISTANT_HOME": str(data)})
    listed = json.loads(invoke("workplaces", "list", "--json", cwd=tmp_path,
                               env={"ASSISTANT_HOME": str(data)}))
    assert len(listed) == 1 and (data / "data" / "assistant.db").is_file()
    shown = invoke("where", cwd=tmp_path, env={"ASSISTANT_HOME": str(data)})
    assert shown.splitlines() == [
        "config file:    none: the built-in defaults (pass --config FILE or set "
        "ASSISTANT_CONFIG)",
        f"data directory: {data} ($ASSISTANT_HOME)",
        f"database:       sqlite:///{data}/data/assistant.db",
        f"outbox:         {data}/data/outbox",
    ]


def test_where_from_a_checkout_is_the_checkouts_data(tmp_path) -> None:
    """The README's commands, typed in the repository, keep data/ (and `ls data/outbox/`)
    in the checkout; typed anywhere else they still use the checkout's data."""
    shown = invoke("where", cwd=tmp_path)
    assert f"data directory: {CHECKOUT} (the source checkout the assistant runs from)" in shown
    assert f"database:       sqlite:///{CHECKOUT}/data/assistant.db" in shown
    assert f"outbox:         {CHECKOUT}/data/outbox" in shown


def test_where_hides_the_password(tmp_path, monkeypatch) -> None:
    config = tmp_path / "assistant.toml"
    config.write_text('[database]\nurl = "postgresql+psycopg://app:s3cret@db:5432/x"\n',
                      encoding="utf-8")
    for name in ("ASSISTANT_CONFIG", "ASSISTANT_DATABASE_URL", "ASSISTANT_HOME"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["--config", str(config), "where"])
    assert result.exit_code == 0, result.output
    assert f"config file:    {config}" in result.output
    assert "database:       postgresql+psycopg://app:***@db:5432/x" in result.output
    assert "s3cret" not in result.output
