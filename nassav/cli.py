"""Command line: ``nassav serve [--config PATH] [--host H] [--port P]``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from nassav import __version__
from nassav.app import create_app
from nassav.config import Settings, load_settings
from nassav.errors import ConfigError, StartupError
from nassav.handlers.access_log import AccessLogger, configure_logging, stop_logging
from nassav.handlers.security import warn_if_exposed

log = logging.getLogger("nassav")

SHUTDOWN_DRAIN_S = 10.0  # well inside systemd's TimeoutStopSec
MAX_HEADER_BYTES = 32 * 1024


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nassav", description="NASSAV: a self-hosted video library service")
    parser.add_argument("--version", action="version", version=f"nassav {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--config", type=Path, help="config file (default: $NASSAV_CONFIG, else ./config.toml)")
    serve.add_argument("--host", help="address to bind (overrides [server] host)")
    serve.add_argument("--port", type=int, help="port to bind (overrides [server] port)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings_for(args)
    except ConfigError as exc:
        print(f"nassav: {exc}", file=sys.stderr)
        return 2
    writer = configure_logging(settings.server.log_level)
    try:
        return serve(settings)
    finally:
        stop_logging(writer)


def _settings_for(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    overrides = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        if not 0 <= args.port <= 65535:
            raise ConfigError(f"--port: must be between 0 and 65535, got {args.port}")
        overrides["port"] = args.port
    if overrides:
        settings = settings.model_copy(update={"server": settings.server.model_copy(update=overrides)})
    return settings


def serve(settings: Settings) -> int:
    warn_if_exposed(settings.server.host, settings.server.api_key)
    try:
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
        log.info("NASSAV %s listening on http://%s:%d/nassav/api", __version__, host, port)
        await stop.wait()
        log.info("stopping")
    finally:
        await runner.cleanup()
