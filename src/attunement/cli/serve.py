"""The web app: serve."""

from __future__ import annotations

import click

from attunement.cli.context import AppContext

pass_app = click.make_pass_decorator(AppContext)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; loopback only, unless --allow-remote.",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in your browser.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow listening on a non-loopback address. Not recommended: the local "
    "app has no accounts (the team server will).",
)
@pass_app
def serve(app: AppContext, host: str, port: int, open_browser: bool, allow_remote: bool) -> None:
    """Open your journal in the browser: Today, Write, Journal, Check in, Prompts.

    Listens on this computer only (127.0.0.1) unless told otherwise.
    """
    import threading
    import webbrowser

    import uvicorn

    from attunement.errors import InvalidInput
    from attunement.paths import ensure_data_dir
    from attunement.web import Settings, create_app
    from attunement.web.security import safe_http_protocol

    if host not in LOOPBACK and not allow_remote:
        raise InvalidInput(
            f"{host} is not this computer's loopback address; the local app "
            "has no accounts, so add --allow-remote only if you understand "
            "that anyone who can reach it can read your journal.",
            field="host",
        )
    if host not in LOOPBACK:
        click.echo(
            click.style(
                f"Warning: listening on {host}: anyone who can reach this "
                "address can read and change your journal.",
                fg="red",
            ),
            err=True,
        )
    from attunement.storage import vault

    data_dir = ensure_data_dir(app.data_dir)
    # An encrypted journal opens on the unlock page, unless a passphrase was given for
    # scripts (--passphrase-file or ATTUNE_PASSPHRASE).
    passphrase = app.given_passphrase() if vault.is_encrypted(data_dir) else None
    settings = Settings(data_dir=data_dir, host=host, port=port, passphrase=passphrase)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host == 'localhost' else shown_host}:{port}/"
    click.echo(f"Attunement is open at {url} (Ctrl+C to stop).")
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        http=safe_http_protocol(),
    )


@click.command()
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="The port `attune serve` listens on.",
)
def lock(port: int) -> None:
    """Lock the running web app's encrypted journal now (its key is dropped from memory)."""
    import json
    import urllib.error
    import urllib.request

    from attunement.errors import StorageError

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/lock", method="POST", headers={"host": f"127.0.0.1:{port}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            locked = json.load(response)["locked"]
    except (urllib.error.URLError, OSError) as exc:
        raise StorageError(
            f"No Attunement web app answered on port {port}; is `attune serve` running there?"
        ) from exc
    click.echo("Locked." if locked else "The journal there is not encrypted, so it cannot lock.")


COMMANDS = [serve, lock]
