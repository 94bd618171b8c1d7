"""The server's settings: one frozen object built from options and the environment.

``ATTUNE_SERVER_DATABASE`` (or ``--database``) names the database: a ``postgresql://``
URL for real use, or nothing for an embedded SQLite file in the data folder, so that one
command tries the whole server on a laptop. ``ATTUNE_SERVER_TRUSTED_PROXIES`` lists the
addresses whose ``X-Forwarded-For``/``X-Forwarded-Proto`` headers are believed (the
reverse proxy in front); every other client's forwarded headers are ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from attunement.errors import InvalidInput

ENV_DATABASE = "ATTUNE_SERVER_DATABASE"
ENV_TRUSTED_PROXIES = "ATTUNE_SERVER_TRUSTED_PROXIES"
ENV_PUBLIC_URL = "ATTUNE_SERVER_URL"
# Not 8765, where `attune serve` (the local journal) listens: both run on one laptop.
DEFAULT_PORT = 8766
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
ENV_KEY_FILE = "ATTUNE_SERVER_KEY_FILE"
KEY_NAME = "server.key"
SQLITE_NAME = "server.sqlite3"
ENV_SMTP = "ATTUNE_SERVER_SMTP_"  # HOST, PORT, USER, PASSWORD, FROM, STARTTLS, CAFILE


@dataclass(frozen=True)
class Smtp:
    """The mail server that reminders and comment notices go through (optional)."""

    host: str
    sender: str  # the From: address
    port: int = 587
    user: str = ""
    password: str = ""
    starttls: bool = True
    cafile: str = ""  # a CA bundle to trust, for a mail server with an internal CA


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    public_url: str = DEFAULT_URL
    trusted_proxies: tuple[str, ...] = ()
    # Sessions: a browser session ends after this long idle or this long in all; a token
    # made by `attune server login` lasts longer but can be revoked like any session.
    idle_minutes: int = 12 * 60
    session_days: int = 14
    token_days: int = 90
    # Sign-in: this many failures for one account (or many more from one address) within
    # the window makes the next tries wait, with Retry-After.
    signin_window_s: int = 15 * 60
    signin_failures_per_account: int = 5
    signin_failures_per_address: int = 30
    # Sign-ins begun with the identity provider from one address within the window (a
    # whole ward behind one address signs in at a shift change; a script cannot fill the
    # database with half-done sign-ins).
    provider_starts_per_address: int = 200
    invitation_days: int = 7
    max_body: int = 2 * 1_048_576
    # argon2id cost; tests lower the memory so that a hundred sign-ins stay quick.
    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    # The key that seals second-factor secrets and the identity provider's client secret
    # (``sealing``): a file kept apart from the database, so a dump alone reveals neither.
    # Empty: ``server.key`` beside an SQLite database; PostgreSQL needs it named.
    key_file: str = ""
    # A sign-in half done (a code to give, a trip to the identity provider) lasts this long.
    step_minutes: int = 10
    # Each worker deletes expired shares this often (0: only on pushes). Until then an
    # expired share is already refused and left out of every listing and sync.
    expiry_sweep_s: int = 60
    # Deadline reminders and "new comment" notices by mail; without it they are shown
    # on the home page only (they are shown there either way).
    smtp: Smtp | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def key_path(self) -> Path:
        from attunement.errors import StorageError

        if self.key_file:
            return Path(self.key_file)
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///")).parent / KEY_NAME
        raise StorageError(
            f"Name the server's key file with {ENV_KEY_FILE} (a path only the server's "
            "account can read, kept apart from the database and its backups)."
        )

    @property
    def secure_only(self) -> bool:
        """Whether the public address is https, so cookies are always marked Secure."""
        return self.public_url.startswith("https://")


def database_url(given: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for ``--database``/``ATTUNE_SERVER_DATABASE``, or the embedded
    SQLite file in the data folder."""
    url = given or os.environ.get(ENV_DATABASE) or ""
    if not url:
        return f"sqlite:///{data_dir / 'server' / SQLITE_NAME}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise InvalidInput(
        "The server's database must be a postgresql://user@host/name URL or a "
        "sqlite:///path URL; check --database or ATTUNE_SERVER_DATABASE.",
        field="database",
    )


def load(
    *,
    database: str | None,
    data_dir: Path,
    public_url: str | None = None,
    trusted_proxies: str | None = None,
) -> ServerConfig:
    url = (public_url or os.environ.get(ENV_PUBLIC_URL) or DEFAULT_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(
            f"The server's public address must start with http:// or https://, not {url!r}.",
            field="url",
        )
    proxies = (
        trusted_proxies if trusted_proxies is not None else os.environ.get(ENV_TRUSTED_PROXIES, "")
    )
    key_file = os.environ.get(ENV_KEY_FILE) or str(data_dir / "server" / KEY_NAME)
    return ServerConfig(
        key_file=key_file,
        database_url=database_url(database, data_dir),
        public_url=url,
        trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
        smtp=smtp_from(os.environ),
    )


def smtp_from(env: dict[str, str] | os._Environ[str]) -> Smtp | None:
    """The SMTP settings in ``ATTUNE_SERVER_SMTP_*``, or None when no host is given."""
    host = env.get(ENV_SMTP + "HOST", "").strip()
    if not host:
        return None
    sender = env.get(ENV_SMTP + "FROM", "").strip()
    if "@" not in sender:
        raise InvalidInput(
            f"Set {ENV_SMTP}FROM to the address reminders come from, like "
            f"attune@example.org ({ENV_SMTP}HOST is set, so mail is switched on).",
            field="smtp",
        )
    port_text = env.get(ENV_SMTP + "PORT", "").strip() or "587"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise InvalidInput(
            f"{ENV_SMTP}PORT must be a port number like 587, not {port_text!r}.", field="smtp"
        )
    starttls = env.get(ENV_SMTP + "STARTTLS", "yes").strip().lower()
    if starttls not in ("yes", "no", "true", "false", "1", "0", "on", "off"):
        raise InvalidInput(f"{ENV_SMTP}STARTTLS must be yes or no, not {starttls!r}.", field="smtp")
    return Smtp(
        host=host,
        sender=sender,
        port=int(port_text),
        user=env.get(ENV_SMTP + "USER", ""),
        password=env.get(ENV_SMTP + "PASSWORD", ""),
        starttls=starttls in ("yes", "true", "1", "on"),
        cafile=env.get(ENV_SMTP + "CAFILE", ""),
    )
