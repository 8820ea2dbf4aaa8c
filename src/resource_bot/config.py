"""Settings from the environment, read and validated once.

Every problem is reported with the variable's name and what to put there, so
that a deploy that is missing something says so in one line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from resource_bot.db import default_sqlite_url, normalize_url
from resource_bot.paths import data_dir

_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
DEFAULT_TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
#: How to make a STATE_SECRET, for the error messages that ask for one.
MAKE_STATE_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'
#: A shorter key could be guessed; token_hex(32) gives 64 characters.
MIN_STATE_SECRET = 32


class ConfigError(Exception):
    """A setting is missing or malformed; the message says how to fix it."""


def state_home(env: Mapping[str, str]) -> Path:
    """Where the embedded SQLite database lives when DATABASE_URL is not set."""
    if env.get("RESOURCE_BOT_HOME"):
        return Path(env["RESOURCE_BOT_HOME"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "resource-bot"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    telegram_bot_token: str | None = None
    telegram_base_url: str = DEFAULT_TELEGRAM_BASE_URL
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8080
    admin_chat_ids: frozenset[int] = field(default_factory=frozenset)
    bot_username: str | None = None
    #: Key for hashing chat ids. Required in production (see :meth:`state_secret_for`); for a
    #: local SQLite trial a random key is kept in the database when it is unset.
    state_secret: str | None = None
    #: The SMS door (channels/sms): the Twilio account's auth token, which signs every request...
    twilio_auth_token: str | None = None
    #: ...and the public https:// address of this server, from which the signed URLs are built.
    public_url: str | None = None
    #: Group commit on Telegram (resource_bot.group_commit): how long, in milliseconds, the first
    #: update's writes wait for others to share their commit, and how many share one at most.
    group_commit_ms: int = 0
    group_commit_max: int = 64

    @property
    def database_is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def state_secret_for(self, *, webhook: bool) -> str | None:
        """STATE_SECRET, or None where a key kept in the database will do.

        A key kept beside the hashes it makes lets anyone with a copy of the database test
        whether a known Telegram id used the bot, so production keeps it out of the
        database: a webhook, or any server database (PostgreSQL), needs STATE_SECRET.
        Only the local SQLite database with polling may do without.
        """
        if self.state_secret or not (webhook or not self.database_is_sqlite):
            return self.state_secret
        where = "a webhook" if webhook else "a PostgreSQL database"
        raise ConfigError(
            f"STATE_SECRET is not set, and the bot needs it to run with {where}: it is the key that "
            f"hides chat ids, and it must not live in the database. Make one with: {MAKE_STATE_SECRET} "
            "then export STATE_SECRET=<it> for every bot process (keep it; a new one starts every chat afresh)."
        )

    def require_token(self) -> str:
        token = self.telegram_bot_token
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (/newbot), "
                "then export TELEGRAM_BOT_TOKEN=<the token it gives you>. "
                "To try the bot without Telegram, run: resource-bot chat"
            )
        if not _TOKEN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 30+ letters). "
                "Copy it again from @BotFather (/token). To try the bot without Telegram, run: resource-bot chat"
            )
        return token


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number; set it to a port like 8080.") from None


def _bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int, what: str) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r}: set it to {what}, a whole number from {low} to {high}.")
    return value


def _admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"ADMIN_CHAT_IDS has {part!r}, which is not a chat id; list numbers separated by commas."
            ) from None
    return frozenset(ids)


#: What a DATABASE_URL looks like, for the error that says it is not one.
_URL_EXAMPLE = "postgresql://user:password@host:5432/dbname or sqlite:////path/to/bot.sqlite3"


def _database_url(raw: str) -> str:
    """The URL normalized, or a ConfigError that says what one looks like (never echoing a password)."""
    url = normalize_url(raw.strip())
    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL is not a database address; it should look like {_URL_EXAMPLE}. "
            "Fix it, or unset it to use the embedded SQLite file."
        ) from None
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            f'DATABASE_URL is a "{backend}" address; the bot works with PostgreSQL or SQLite, like {_URL_EXAMPLE}.'
        )
    return url


def load_settings(env: Mapping[str, str] | None = None, *, data: Path | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    url = _database_url(env["DATABASE_URL"]) if env.get("DATABASE_URL") else default_sqlite_url(state_home(env))
    chosen_data = data or (Path(env["RESOURCE_BOT_DATA"]) if env.get("RESOURCE_BOT_DATA") else data_dir())
    if not chosen_data.is_dir():
        raise ConfigError(f"The data folder {chosen_data} does not exist; point --data or RESOURCE_BOT_DATA at it.")
    webhook_url = env.get("WEBHOOK_URL") or None
    if webhook_url and not webhook_url.startswith("https://") and not webhook_url.startswith("http://127."):
        raise ConfigError(f"WEBHOOK_URL={webhook_url!r} must start with https:// (Telegram only calls HTTPS).")
    state_secret = env.get("STATE_SECRET") or None
    if state_secret is not None and len(state_secret) < MIN_STATE_SECRET:
        raise ConfigError(
            f"STATE_SECRET is {len(state_secret)} characters; it needs at least {MIN_STATE_SECRET} so that "
            f"it cannot be guessed. Make one with: {MAKE_STATE_SECRET}"
        )
    return Settings(
        database_url=url,
        data_dir=chosen_data,
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_base_url=env.get("TELEGRAM_BASE_URL") or DEFAULT_TELEGRAM_BASE_URL,
        webhook_url=webhook_url,
        webhook_secret=env.get("WEBHOOK_SECRET") or None,
        port=_int(env, "PORT", 8080),
        admin_chat_ids=_admin_ids(env.get("ADMIN_CHAT_IDS", "")),
        bot_username=(env.get("BOT_USERNAME") or "").lstrip("@") or None,
        state_secret=state_secret,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        public_url=(env.get("PUBLIC_URL") or "").strip() or None,
        group_commit_ms=_bounded(env, "GROUP_COMMIT_MS", 0, 0, 10_000, "milliseconds to gather writes"),
        group_commit_max=_bounded(env, "GROUP_COMMIT_MAX", 64, 1, 10_000, "the most updates per commit"),
    )
