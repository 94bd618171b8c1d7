"""The team server: `attune server init`, `serve`, `login`, `logout`."""

from __future__ import annotations

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, hint, json_option, ok, printable
from attunement.server.config import DEFAULT_PORT

pass_app = click.make_pass_decorator(AppContext)

database_option = click.option(
    "--database",
    metavar="URL",
    help="postgresql://user@host/name (recommended), or sqlite:///path; default "
    "$ATTUNE_SERVER_DATABASE, else an embedded SQLite file in the data folder.",
)
url_option = click.option(
    "--url",
    "public_url",
    metavar="URL",
    help="The address people use to reach the server, as in links it prints "
    f"(default $ATTUNE_SERVER_URL, else http://127.0.0.1:{DEFAULT_PORT}).",
)


@click.group()
def server() -> None:
    """Run a team server for a training programme, or sign in to one.

    On the server: `attune server init`, then `attune server serve` (see docs/server.md).
    On your own computer: `attune server login URL`, then `attune share ...`.
    """


def _config(app: AppContext, database: str | None, public_url: str | None, proxies=None):
    from attunement.server import config

    return config.load(
        database=database, data_dir=app.data_dir, public_url=public_url, trusted_proxies=proxies
    )


@server.command()
@database_option
@url_option
@click.option("--email", required=True, help="The first admin's e-mail address.")
@click.option("--name", required=True, help="The first admin's name.")
@click.option(
    "--organisation",
    "org",
    default="Attunement",
    show_default=True,
    help="The programme's name, shown on every page.",
)
@json_option
@pass_app
def init(app: AppContext, database, public_url, email, name, org, as_json) -> None:
    """Create the server's database and its first admin, and print a one-time link
    for that admin to choose a password."""
    from attunement.server import accounts, db

    config = _config(app, database, public_url)
    engine = db.open_engine(config.database_url)
    db.ensure_schema(engine)
    link = accounts.initialise(engine, config, email, name, org)
    engine.dispose()
    if as_json:
        emit_json({"sign_in_link": link})
        return
    ok("The team server is ready.")
    click.echo(
        f"Open this link once to choose the admin's password (it expires in "
        f"{config.invitation_days} days):\n\n  {link}\n"
    )
    hint(f"Then run `{_serve_command(config.public_url)}` and sign in.")


def _serve_command(public_url: str) -> str:
    """`attune server serve`, with the address and port the printed link names when it
    is this computer at another port than the default."""
    from urllib.parse import urlsplit

    parts = urlsplit(public_url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not local or parts.port in (None, DEFAULT_PORT):
        return "attune server serve"
    return f"attune server serve --url {public_url} --port {parts.port}"


@server.command("admin-link")
@database_option
@url_option
@click.argument("email")
@click.option("--name", help="For a new admin account: their name.")
@click.option(
    "--turn-off-second-factor",
    "factor_off",
    is_flag=True,
    help="Also turn off the admin's second factor (a lost phone and no recovery codes).",
)
@json_option
@pass_app
def admin_link(app: AppContext, database, public_url, email, name, factor_off, as_json) -> None:
    """Print a new one-time link for an admin to choose a password: the way back for a
    lost first link or a locked-out admin. Run it on the server's own machine (it opens
    the database). A new address makes a new admin account (give --name). Using the link
    signs the account out everywhere; the command is recorded in the activity log."""
    from attunement.server import accounts, db

    config = _config(app, database, public_url)
    engine = db.open_engine(config.database_url)
    db.ensure_schema(engine)
    try:
        made = accounts.admin_link(
            engine, config, email, name=name, turn_off_second_factor=factor_off
        )
    finally:
        engine.dispose()
    if as_json:
        emit_json(
            {
                "sign_in_link": made.link,
                "email": made.email,
                "new_account": made.made,
                "second_factor_off": made.second_factor_off,
            }
        )
        return
    if made.made:
        ok(f"No account had the address {made.email}: a new admin account was made for it.")
    if made.second_factor_off:
        ok(f"The second factor of {made.email} is off; they can set up a new one after.")
    click.echo(
        f"Open this link once to choose the password of {made.email} (it expires in "
        f"{config.invitation_days} days):\n\n  {made.link}\n"
    )


@server.command()
@database_option
@url_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--trusted-proxy",
    "proxies",
    metavar="ADDRESSES",
    help="Comma-separated addresses of the reverse proxy whose X-Forwarded-* headers are "
    "believed (default $ATTUNE_SERVER_TRUSTED_PROXIES; none).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (they share nothing but the database).",
)
@pass_app
def serve(app: AppContext, database, public_url, host, port, proxies, workers) -> None:
    """Serve the team server (migrating its database first, if needed)."""
    import os

    import uvicorn

    from attunement.server import config as config_module
    from attunement.server import db

    _port_free(host, port)
    config = _config(app, database, public_url, proxies)
    engine = db.open_engine(config.database_url)
    db.ensure_schema(engine)  # once here, before any worker starts
    engine.dispose()
    os.environ[config_module.ENV_DATABASE] = config.database_url
    os.environ[config_module.ENV_PUBLIC_URL] = config.public_url
    os.environ[config_module.ENV_TRUSTED_PROXIES] = ",".join(config.trusted_proxies)
    os.environ[config_module.ENV_KEY_FILE] = config.key_file
    os.environ["ATTUNE_SERVER_DATA_DIR"] = str(app.data_dir)
    click.echo(
        f"Attunement team server on http://{host}:{port} (public address "
        f"{config.public_url}); press Ctrl+C to stop."
    )
    uvicorn.run(
        "attunement.server.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,  # the app applies forwarded headers from trusted proxies only
        server_header=False,
        log_level="warning",
    )


def _port_free(host: str, port: int) -> None:
    """Refuse, in one sentence, a port something else already listens on (rather than
    the web server's own error after the start-up line)."""
    import errno
    import socket

    from attunement.errors import StorageError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return  # a host name that does not resolve: the web server says so itself
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return
            raise StorageError(
                f"Port {port} on {host} is already in use (perhaps by `attune serve` or "
                f"another team server); choose another with --port, e.g. --port {port + 1}."
            ) from None


@server.command()
@database_option
@url_option
@click.option(
    "--within",
    "within_days",
    default=3,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Remind of deadlines due within this many days (overdue ones always).",
)
@json_option
@pass_app
def remind(app: AppContext, database, public_url, within_days, as_json) -> None:
    """Send reminders by mail, once each, when ATTUNE_SERVER_SMTP_HOST is set: deadlines
    coming up or overdue (to trainees), items a deadline waits on (to supervisors), and
    "new comment" notices not yet sent. Run it daily from a timer or cron. Mail says only
    what happened and where to sign in, never what was written. Without SMTP the notices
    are on each member's home page anyway."""
    from attunement.server import db, notices

    config = _config(app, database, public_url)
    engine = db.open_engine(config.database_url)
    db.ensure_schema(engine)
    try:
        done = notices.remind(engine, config, within_days)
    finally:
        engine.dispose()
    if as_json:
        emit_json({**done, "smtp": config.smtp is not None})
        return
    ok(
        f"Deadlines: {done['due_soon']} coming up, {done['overdue']} overdue, "
        f"{done['signoff']} awaiting a supervisor's sign-off; {done['mailed']} mail"
        f"{'s' if done['mailed'] != 1 else ''} sent."
    )
    if config.smtp is None:
        hint(
            "No mail is sent: ATTUNE_SERVER_SMTP_HOST is not set. Members see their notices "
            "on their home page when they sign in."
        )


@server.command()
@click.argument("url")
@click.option("--email", help="Your e-mail address on the server (asked if not given).")
@pass_app
def login(app: AppContext, url: str, email: str | None) -> None:
    """Sign this computer in to a team server. The password is asked for and sent once
    (with the code from your authenticator app, if your account has a second factor);
    only a revocable token is kept, in the data folder."""
    import platform

    from attunement.errors import InvalidInput
    from attunement.server import client, team

    client.normal_url(url)
    email = email or click.prompt("E-mail address")
    password = click.prompt("Password", hide_input=True)
    label = f"attune on {platform.node() or 'a computer'}"[:120]
    try:
        made = team.sign_in(app.data_dir, url, email, password, label=label)
    except InvalidInput as exc:
        if exc.code != client.SECOND_FACTOR_NEEDED:
            raise
        # The account has a second factor: the password is sent again with the code.
        code = click.prompt("Code from your authenticator app (or a recovery code)")
        made = team.sign_in(app.data_dir, url, email, password, label=label, code=code)
    ok(
        f"Signed in to {made.url} as {made.email}; `attune share readers` lists whom you "
        "can share with."
    )


@server.command()
@pass_app
def logout(app: AppContext) -> None:
    """End this computer's session on the team server and forget its token."""
    from attunement.server import team

    if team.sign_out(app.data_dir):
        ok("Signed out; the token is deleted from this computer.")
    else:
        hint("This computer was not signed in to a team server.")


COMMANDS = [server]


@server.command()
@json_option
@pass_app
def sync(app: AppContext, as_json: bool) -> None:
    """Bring home what your supervisor said: comments, change requests and sign-offs on
    what you shared (shown with `attune show ID`), after sending any shares that waited
    for the server, and your deadlines that are overdue or due this week. Asks only for
    what changed since the last sync, and says what came home since then."""
    from attunement.server import syncing

    report = syncing.sync(app.journal, app.data_dir)
    if as_json:
        emit_json(report.to_dict())
        return
    deadlines = printable(report.deadline_line())
    for line in printable(report.summary()).splitlines():  # names and titles from the server
        if "changed since you shared it" in line:
            hint(line)
        elif deadlines and line == deadlines:
            click.echo(click.style(line, fg="yellow"))
        else:
            ok(line)
