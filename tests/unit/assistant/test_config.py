"""Configuration: TOML -> typed settings, defaults, clear errors, secrets from env."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from assistant.config import (
    Config,
    ConfigError,
    find_home,
    load_config,
    source_checkout,
    user_data_dir,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assistant.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env or {})
    return str(info.value)


def test_defaults_without_a_file():
    config = load_config(None, env={"ASSISTANT_HOME": "/srv/smajob"})
    # Relative data paths are placed in the data directory (here $ASSISTANT_HOME).
    assert config.database.url == "sqlite:////srv/smajob/data/assistant.db"
    assert Config().database.url == "sqlite:///data/assistant.db"
    assert config.inbox.mode == "smtp"
    assert config.inbox.max_message_bytes == 26_214_400
    assert config.inbox.pdf_time_limit_seconds == 10
    assert (config.inbox.smtp.host, config.inbox.smtp.port) == ("127.0.0.1", 2525)
    assert config.inbox.imap.port == 993 and config.inbox.imap.ssl is True
    assert config.inbox.imap.processed_folder == "Processed"
    assert (config.inbox.imap.poll_seconds, config.inbox.imap.idle_seconds) == (60, 600)
    assert (config.outbox.mode, config.outbox.directory) == ("directory",
                                                             "/srv/smajob/data/outbox")
    assert config.outbox.max_attempts == 300
    assert (config.outbox.smtp.port, config.outbox.smtp.starttls) == (25, False)
    assert config.jobcenter.economy_group == "okonomi@kommune.example"
    assert config.jobcenter.pool_hours_per_week == 100
    assert config.jobcenter.max_hours_per_week == 10
    assert config.jobcenter.max_employment_months == 12
    assert config.jobcenter.language == "da"
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.logging.level == "INFO"


def test_example_file_holds_exactly_the_defaults():
    assert load_config(EXAMPLE, env={}) == load_config(None, env={})


def _keys(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += _keys(annotation, (*prefix, name))
        else:
            keys.append((*prefix, name))
    return keys


def documented_keys(text: str) -> set[tuple[str, ...]]:
    """Keys with a comment in their paragraph (after the section header, no blank line)."""
    section: tuple[str, ...] = ()
    documented, commented = set(), False
    for line in text.splitlines():
        stripped = line.strip()
        if header := re.match(r"^\[([\w.]+)\]", stripped):
            section, commented = tuple(header.group(1).split(".")), False
        elif not stripped:
            commented = False
        elif stripped.startswith("#"):
            commented = True
        elif (key := re.match(r"^(\w+)\s*=", stripped)) and (commented or "#" in stripped):
            documented.add((*section, key.group(1)))
    return documented


def test_example_file_documents_every_key_with_a_comment():
    assert set(_keys(Config)) - documented_keys(EXAMPLE.read_text(encoding="utf-8")) == set()
    # The check itself: an uncommented key is noticed.
    assert documented_keys("[a]\n# doc\nx = 1\n\ny = 2\n") == {("a", "x")}


def test_file_values_are_typed(tmp_path):
    path = write(tmp_path, '[inbox.smtp]\nport = 2626\n[jobcenter]\npool_hours_per_week = 60\n'
                           '[logging]\nlevel = "debug"\n')
    config = load_config(path, env={})
    assert config.inbox.smtp.port == 2626
    assert config.inbox.smtp.host == "127.0.0.1"  # untouched keys keep their defaults
    assert config.jobcenter.pool_hours_per_week == 60
    assert config.logging.level == "DEBUG"


def test_config_file_from_the_environment(tmp_path):
    path = write(tmp_path, '[outbox]\nmode = "smtp"\n')
    assert load_config(None, env={"ASSISTANT_CONFIG": str(path)}).outbox.mode == "smtp"
    # --config wins over the environment.
    other = tmp_path / "other.toml"
    other.write_text('[outbox]\ndirectory = "x"\n')
    config = load_config(other, env={"ASSISTANT_CONFIG": str(path)})
    assert (config.outbox.mode, config.outbox.directory) == ("directory", str(tmp_path / "x"))


def test_settings_are_frozen():
    config = load_config(None, env={})
    with pytest.raises(ValidationError):
        config.inbox.smtp.port = 1  # type: ignore[misc]


def test_wrong_type_names_file_section_and_key(tmp_path):
    path = write(tmp_path, '[inbox.smtp]\nport = "abc"\n')
    message = error_of(path)
    assert message.startswith(
        f"config error in {path}: [inbox.smtp] port: Input should be a valid integer")
    # TOML is typed: a quoted number is a mistake too, not silently converted.
    assert "[inbox.smtp] port" in error_of(write(tmp_path, '[inbox.smtp]\nport = "25"\n'))


def test_out_of_range_and_choices(tmp_path):
    assert "[outbox.smtp] port: Input should be less than or equal to 65535" in error_of(
        write(tmp_path, "[outbox.smtp]\nport = 70000\n"))
    message = error_of(write(tmp_path, '[inbox]\nmode = "pop3"\n'))
    assert "[inbox] mode: Input should be 'smtp' or 'imap'" in message
    assert "'pop3'" in message
    message = error_of(write(tmp_path, '[jobcenter]\neconomy_group = "okonomi"\n'))
    assert "[jobcenter] economy_group" in message and "e-mail address" in message
    assert "[jobcenter] pool_hours_per_week" in error_of(
        write(tmp_path, "[jobcenter]\npool_hours_per_week = 0\n"))


def test_unknown_key_and_section_are_named(tmp_path):
    message = error_of(write(tmp_path, "[inbox.smtp]\nprot = 25\n"))
    assert ("[inbox.smtp] prot: unknown key (known: host, port, max_connections, "
            "max_connections_per_ip, command_timeout_seconds)") in message
    message = error_of(write(tmp_path, "[inbx]\nmode = 1\n"))
    assert "inbx: unknown section" in message and "inbox" in message


def test_bad_toml_gives_the_line(tmp_path):
    path = write(tmp_path, '[inbox]\nmode = "smtp"\nmax_message_bytes = \n')
    message = error_of(path)
    assert message.startswith(f"config error in {path}: not valid TOML")
    assert "line 3" in message


def test_missing_file(tmp_path):
    message = error_of(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in message and "does not exist" in message
    assert "nope.toml" in error_of(None, env={"ASSISTANT_CONFIG": str(tmp_path / "nope.toml")})


def test_bad_database_url(tmp_path):
    assert "[database] url: Value error, not a database URL" in error_of(
        write(tmp_path, '[database]\nurl = "not a url"\n'))


def test_secrets_from_the_environment_override_the_file(tmp_path):
    path = write(tmp_path, '[inbox.imap]\npassword = "from-file"\n'
                           '[outbox.smtp]\npassword = "from-file"\n')
    env = {
        "ASSISTANT_DATABASE_URL": "postgresql+psycopg://app@db.example:5432/assistant",
        "ASSISTANT_IMAP_PASSWORD": "imap-secret",
        "ASSISTANT_SMTP_PASSWORD": "smtp-secret",
        "ASSISTANT_TELEGRAM_TOKEN": "123:abc",
    }
    config = load_config(path, env=env)
    assert config.database.url == "postgresql+psycopg://app@db.example:5432/assistant"
    assert config.inbox.imap.password == "imap-secret"
    assert config.outbox.smtp.password == "smtp-secret"
    assert config.telegram.token == "123:abc"
    # Also without a file; an empty variable counts as unset.
    assert load_config(None, env={"ASSISTANT_IMAP_PASSWORD": "x"}).inbox.imap.password == "x"
    assert load_config(path, env={"ASSISTANT_IMAP_PASSWORD": ""}).inbox.imap.password == (
        "from-file")


def test_secrets_stay_out_of_reprs_and_errors(tmp_path):
    config = load_config(None, env={"ASSISTANT_IMAP_PASSWORD": "hunter2",
                                    "ASSISTANT_TELEGRAM_TOKEN": "123:abc"})
    assert "hunter2" not in repr(config) and "123:abc" not in repr(config)
    message = error_of(write(tmp_path, "[inbox.imap]\npassword = 12345678\n"))
    assert "[inbox.imap] password: Input should be a valid string" in message
    assert "12345678" not in message


def test_data_paths_are_in_the_data_directory_never_the_current_one(tmp_path, monkeypatch):
    path = write(tmp_path, '[database]\nurl = "sqlite:///db/a.db"\n[outbox]\ndirectory = "out"\n')
    monkeypatch.chdir("/")
    config = load_config(path, env={})
    assert config.database.url == f"sqlite:///{tmp_path}/db/a.db"
    assert config.outbox.directory == str(tmp_path / "out")
    # $ASSISTANT_HOME is said on purpose, so it wins over the config file's directory.
    home = load_config(path, env={"ASSISTANT_HOME": str(tmp_path / "home")})
    assert home.database.url == f"sqlite:///{tmp_path}/home/db/a.db"
    # Absolute paths, in-memory SQLite and PostgreSQL are left as they are.
    absolute = write(tmp_path, '[database]\nurl = "sqlite:////var/a.db"\n[outbox]\n'
                     'directory = "/var/out"\n')
    config = load_config(absolute, env={})
    assert (config.database.url, config.outbox.directory) == ("sqlite:////var/a.db", "/var/out")
    memory = write(tmp_path, '[database]\nurl = "sqlite://"\n')
    assert load_config(memory, env={}).database.url == "sqlite://"
    pg = write(tmp_path, '[database]\nurl = "postgresql+psycopg://u:pw@db:5432/x"\n')
    assert load_config(pg, env={}).database.url == "postgresql+psycopg://u:pw@db:5432/x"


def test_the_data_directory_rule(tmp_path):
    checkout = Path(__file__).resolve().parents[3]
    assert source_checkout() == checkout
    assert find_home(None, {}) == (checkout, "the source checkout the assistant runs from")
    assert find_home(tmp_path / "a.toml", {})[0] == tmp_path
    assert find_home(None, {"ASSISTANT_HOME": str(tmp_path)})[0] == tmp_path
    assert user_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "smajob-assistant"


def test_readers_default_to_the_cores_this_process_may_run_on():
    inbox = load_config(None, env={}).inbox
    assert inbox.workers == 0
    assert inbox.reader_count() == len(os.sched_getaffinity(0))


def test_readers_follow_the_cpu_affinity_a_container_or_taskset_sets():
    script = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
              "from assistant.config import load_config; "
              "print(load_config(None, env={}).inbox.reader_count())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=EXAMPLE.parent)
    assert done.stdout.strip() == "1"


def test_readers_set_in_the_file_are_used_and_a_negative_count_is_refused(tmp_path):
    assert load_config(write(tmp_path, "[inbox]\nworkers = 3\n"), env={}) \
        .inbox.reader_count() == 3
    assert "workers" in error_of(write(tmp_path, "[inbox]\nworkers = -1\n"))
