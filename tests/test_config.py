"""Configuration: wrong values stop start-up with one clear line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.shared.config import ConfigError, is_secret, load_settings

TOKEN = "123456789:AAHsecretpartofthetoken"  # made up, of the right shape

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("THERAPIST_IDS", " 1001, 1002 ")
    settings = load_settings()
    assert settings.therapist_ids == frozenset({1001, 1002})
    assert settings.database_url == "sqlite+aiosqlite:///aftercare.db"
    assert settings.practice_timezone == "UTC"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.token is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("THERAPIST_IDS", "abc", "THERAPIST_IDS must be comma-separated"),
        ("PRACTICE_TIMEZONE", "Mars/Olympus", "PRACTICE_TIMEZONE unknown time zone"),
        ("PRACTICE_TIMEZONE", "EST", "PRACTICE_TIMEZONE 'EST' is an old zone name"),
        ("PRACTICE_TIMEZONE", "EST5EDT", "PRACTICE_TIMEZONE 'EST5EDT' is an old zone name"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "TELEGRAM_API_BASE_URL must be"),
    ],
)
def test_a_wrong_value_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_start_up_with_a_wrong_value_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "THERAPIST_IDS": "abc",
        "TELEGRAM_BOT_TOKEN": "1:x",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: THERAPIST_IDS must be comma-separated numeric Telegram user ids, "
        "got 'abc'"
    ]
    assert "Traceback" not in result.stderr


# Plain words for what pydantic refuses, and no secret repeated.


def test_a_pasted_fragment_of_a_token_is_named_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(telegram_bot_token="garbage-part-of-it")
    assert "does not look like a bot token" in str(refused.value)
    assert "garbage" not in str(refused.value)


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("digest_time", "25:00", "DIGEST_TIME must be a time of day like 08:00, not '25:00'"),
        ("invite_ttl_days", "-3", "INVITE_TTL_DAYS must be at least 1, not '-3'"),
        ("invite_ttl_days", "soon", "INVITE_TTL_DAYS must be a whole number, not 'soon'"),
    ],
)
def test_a_refused_value_is_said_in_plain_words(setting: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(telegram_bot_token=TOKEN, **{setting: value})
    assert str(refused.value) == f"Configuration error: {words}"
    assert "Input should be" not in str(refused.value)


def test_a_refused_secret_is_never_repeated() -> None:
    secret = "x" * 300
    with pytest.raises(ConfigError) as refused:
        load_settings(
            telegram_bot_token=TOKEN, webhook_url="https://example.org/hook", webhook_secret=secret
        )
    assert secret not in str(refused.value)
    assert "WEBHOOK_SECRET" in str(refused.value)


def test_secrets_are_known_by_their_type_not_their_name() -> None:
    # Every setting typed SecretStr, and the database URL (it may carry a password); a
    # setting whose name merely contains a word such as TOKEN is not hidden for that.
    assert is_secret("TELEGRAM_BOT_TOKEN") and is_secret("WEBHOOK_SECRET")
    assert is_secret("DATABASE_URL")
    assert not is_secret("DIGEST_TIME") and not is_secret("NO_SUCH_SETTING")
    with pytest.raises(ConfigError) as refused:
        load_settings(database_url="postgresql+asyncpg://u:hunter2@db/x", invite_ttl_days="x")
    assert "INVITE_TTL_DAYS must be a whole number, not 'x'" in str(refused.value)
