"""Command line: ``nassav serve [--config PATH] [--host H] [--port P]`` runs the server; the client
commands (add, download, list, tasks, cookie) talk to a running one (nassav/client)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from aiohttp import web

from nassav import __version__
from nassav.app import create_app
from nassav.client.commands import COMMANDS
from nassav.config import Settings, load_settings
from nassav.errors import ConfigError, StartupError
from nassav.handlers.access_log import AccessLogger, configure_logging, stop_logging
from nassav.handlers.security import exposed_key, known_key

log = logging.getLogger("nassav")

SHUTDOWN_DRAIN_S = 10.0  # well inside systemd's TimeoutStopSec
MAX_HEADER_BYTES = 32 * 1024
EXIT_STATUSES = (
    "Exit status of the client commands: 0 all done; 1 the server refused something or a download did "
    "not complete; 2 no server to talk to (not running, unreachable, a key it does not accept), a bad "
    "config or a bad command line."
)


@click.group(commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_STATUSES)
@click.version_option(__version__, prog_name="nassav", message="%(prog)s %(version)s")
def cli() -> None:
    """NASSAV: a self-hosted video library service, and a client of it."""


@cli.command("serve")
@click.option("--config", type=Path, help="config file (default: $NASSAV_CONFIG, else ./config.toml)")
@click.option("--host", help="address to bind (overrides [server] host)")
@click.option("--port", type=int, help="port to bind (overrides [server] port)")
def serve_command(config: Path | None, host: str | None, port: int | None) -> int:
    """Run the HTTP server."""
    try:
        settings = _settings_for(config, host, port)
    except ConfigError as exc:
        print(f"nassav: {exc}", file=sys.stderr)
        return 2
    writer = configure_logging(settings.server.log_level)
    try:
        return serve(settings)
    finally:
        stop_logging(writer)


@cli.command("api-key")
@click.option("--config", type=Path, help="config file (default: $NASSAV_CONFIG, else ./config.toml)")
def api_key_command(config: Path | None) -> int:
    """Print the server's API key: [server] api_key, else the one generated at the first start on
    the network."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        print(f"nassav: {exc}", file=sys.stderr)
        return 2
    key = known_key(settings.server.api_key, settings.paths.database)
    if not key:
        print("nassav: no API key: none is configured, and none was generated (a server on loopback needs none)",
              file=sys.stderr)  # fmt: skip
        return 1
    print(key)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status (2 for a usage error, as a usage error always was)."""
    try:
        status = cli.main(list(argv) if argv is not None else None, prog_name="nassav", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("nassav: interrupted", err=True)
        return 130
    return int(status or 0)


def _settings_for(config: Path | None, host: str | None, port: int | None) -> Settings:
    settings = load_settings(config)
    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port is not None:
        if not 0 <= port <= 65535:
            raise ConfigError(f"--port: must be between 0 and 65535, got {port}")
        overrides["port"] = port
    return _with_server(settings, **overrides)


def _with_server(settings: Settings, **changes: object) -> Settings:
    """``settings`` with some [server] keys changed for this run."""
    if not changes:
        return settings
    return settings.model_copy(update={"server": settings.server.model_copy(update=changes)})


def serve(settings: Settings) -> int:
    try:
        key = exposed_key(settings.server.host, settings.server.api_key, settings.paths.database)
        settings = _with_server(settings, api_key=key)
        asyncio.run(_serve(settings))
    except StartupError as exc:
        print(f"nassav: {exc}", file=sys.stderr)
        return 1
    return 0


async def _serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down in order. Unlike ``web.run_app``, this closes the
    resources already opened when a later one fails at start-up (the database thread would otherwise
    keep the process alive)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    host, port = settings.server.host, settings.server.port
    runner = web.AppRunner(
        create_app(settings),
        access_log_class=AccessLogger,
        shutdown_timeout=SHUTDOWN_DRAIN_S,
        max_line_size=MAX_HEADER_BYTES,  # browsers' cookies for the sites can be long
        max_field_size=MAX_HEADER_BYTES,
    )
    try:
        await runner.setup()  # the cleanup contexts open here
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:  # most often: the port is taken
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        log.info("NASSAV %s listening on http://%s:%d/nassav/ (the API under /nassav/api)", __version__, host, port)
        await stop.wait()
        log.info("stopping")
    finally:
        await runner.cleanup()
