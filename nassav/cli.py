"""Command line: ``nassav serve [--config PATH] [--host H] [--port P]``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import queue
import signal
import sys
import time
from collections.abc import Sequence
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path

from aiohttp import web

from nassav import __version__
from nassav.app import create_app
from nassav.config import Settings, load_settings
from nassav.errors import ConfigError, StartupError
from nassav.handlers.security import AccessLogger, warn_if_exposed

log = logging.getLogger("nassav")

SHUTDOWN_DRAIN_S = 10.0  # well inside systemd's TimeoutStopSec
MAX_HEADER_BYTES = 32 * 1024
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_BATCH_S = 0.05  # a line reaches the log at most this much later


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
    listener = configure_logging(settings.server.log_level)
    try:
        return serve(settings)
    finally:
        stop_logging(listener)


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


def configure_logging(level: str) -> QueueListener:
    """Log records go through a queue to a thread of their own, which formats and writes them: a
    request pays for handing its access-log record over, not for formatting it or for a write to
    stderr (a pipe to the journal, which can block). Stop it with ``stop_logging``."""
    # The format shows neither; gathering them costs every record on the loop.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    root = logging.getLogger()
    root.setLevel(level.upper())
    root.addHandler(_RecordHandOver(records))
    listener = _LogThread(records, _BatchedStderr())
    listener.start()
    return listener


def stop_logging(listener: QueueListener) -> None:
    """Write out every record queued so far, then log straight to stderr: whatever is logged while
    the interpreter winds down still arrives."""
    listener.stop()  # returns once the thread has taken everything queued before it
    for handler in listener.handlers:
        handler.flush()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _RecordHandOver)]:
        root.removeHandler(handler)
    direct = logging.StreamHandler(sys.stderr)
    direct.setFormatter(_Formatter(LOG_FORMAT))
    root.addHandler(direct)


class _RecordHandOver(QueueHandler):
    """Puts records on the queue as they are. The stock ``prepare`` formats the message in the
    calling thread (the event loop) and drops the args; here both wait for the log thread.
    Arguments are therefore rendered a moment later: log immutable values, not objects that change."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class _LogThread(QueueListener):
    """Takes records in batches. The thread shares the GIL with the event loop, so a wake-up and a
    write per record would cost the loop about what formatting there did; once the queue is empty it
    writes what it has, then lets the next records gather for a moment."""

    def dequeue(self, block: bool) -> logging.LogRecord:
        try:
            return self.queue.get_nowait()  # type: ignore[no-any-return]
        except queue.Empty:
            for handler in self.handlers:
                handler.flush()
            time.sleep(LOG_BATCH_S)
            return self.queue.get(block)  # type: ignore[no-any-return]


class _BatchedStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Formats each record as it comes; ``flush`` writes them to stderr in one go."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(_Formatter(LOG_FORMAT))
        self._lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record))
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._lines:
                text, self._lines = "\n".join(self._lines) + "\n", []
                self.stream.write(text)
            self.stream.flush()


class _Formatter(logging.Formatter):
    """The stock format, its date and time worked out once per second instead of once per record."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second, stamp = self._second
        if int(record.created) != second:
            second = int(record.created)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = (second, stamp)
        return f"{stamp},{int(record.msecs):03d}"


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
