"""The log, and an access log every request can afford.

Every request writes an access-log line, and the stock way (a LogRecord, a Formatter, a write to
stderr, which is a pipe to the journal and can block) cost the small answers half their speed. Here a
request only appends a tuple of raw values to a list; every ``FLUSH_EVERY_S`` the event loop hands the
whole list to the log thread, which formats the lines (the API key masked) and writes them in one go,
together with the process's other records in the order they were handed over.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import re
import sys
import threading
import time
from logging.handlers import QueueHandler
from typing import TextIO

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from yarl import URL

from nassav.handlers.security import API_KEY_QUERY

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_FORMAT = '%s "%s %s" %d %d %.1fms'
FLUSH_EVERY_S = 0.05  # an access line reaches the log at most this much later

# created (s), remote, method, target as sent, status, body bytes, elapsed (s)
Access = tuple[float, str | None, str, str, int, int, float]


@functools.lru_cache(maxsize=1024)  # clients repeat their URLs (a UI polls, a grid pages)
def masked_target(target: str) -> str:
    """A request's target (path and query, as the client sent it) as the log shows it: the API key
    masked however the client spelled it (%61pikey=), anything odd (quotes, spaces, non-ASCII)
    percent-encoded so that no line can be forged or broken. Most targets have none of that and are
    shown as they are, without parsing them."""
    if _NEEDS_A_LOOK.search(target) is None:
        return target
    url = URL(target)  # parsed as a client would: escapes read, what needs one given one
    if API_KEY_QUERY in url.query:
        url = url.update_query({API_KEY_QUERY: "***"})
    return str(url)


# The key's name, an escape, a quote, a backslash, or anything but printable ASCII (a space included).
_NEEDS_A_LOOK = re.compile(rf'{API_KEY_QUERY}|[%"\\]|[^\x21-\x7e]')


class LogWriter:
    """The one thread that formats and writes the log to a stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._formatter = _Formatter(LOG_FORMAT)
        self._items: queue.SimpleQueue[logging.LogRecord | list[Access] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="nassav-log", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def stream(self) -> TextIO:
        return self._stream

    def put(self, item: logging.LogRecord | list[Access]) -> None:
        self._items.put(item)

    put_nowait = put  # what QueueHandler calls

    def stop(self) -> None:
        """Write out everything handed over so far, then end the thread."""
        self._items.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            item: logging.LogRecord | list[Access] | None = self._items.get()
            lines: list[str] = []
            while item is not None:  # take what has gathered, write it in one go
                lines.extend(self._lines(item))
                try:
                    item = self._items.get_nowait()
                except queue.Empty:
                    break
            if lines:
                self._write("\n".join(lines) + "\n")
            if item is None:
                return

    def _write(self, text: str) -> None:
        """A log that cannot be written (a closed pipe, a full disk) loses those lines, not the thread:
        the queue behind it would grow without end."""
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            pass  # nowhere left to say so

    def _lines(self, item: logging.LogRecord | list[Access]) -> list[str]:
        try:
            if isinstance(item, logging.LogRecord):
                return [self._formatter.format(item)]
            return self._access_lines(item)
        except Exception as exc:  # a record whose arguments do not format: say so, keep going
            return [f"(a log record could not be formatted: {type(exc).__name__}: {exc})"]

    def _access_lines(self, batch: list[Access]) -> list[str]:
        # Thousands of lines a second, each costing the event loop its share of the GIL: one
        # comprehension with everything it calls bound locally.
        stamp, mask = self._formatter.stamp, masked_target
        return [
            f'{stamp(created)} INFO aiohttp.access: {remote} "{method} {mask(target)}" '
            f"{status:d} {length:d} {elapsed_s * 1000:.1f}ms"
            for created, remote, method, target, status, length, elapsed_s in batch
        ]


class _Formatter(logging.Formatter):
    """The stock format, its date and time worked out once per second instead of once per line."""

    _second: tuple[int, str] = (-1, "")

    def stamp(self, created: float) -> str:
        second, text = self._second
        if int(created) != second:
            second = int(created)
            text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = (second, text)
        return f"{text},{int((created - second) * 1000):03d}"

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return self.stamp(record.created)


class _AccessLines:
    """Access lines gathered on the event loop, handed to the writer as one list per flush."""

    def __init__(self, writer: LogWriter) -> None:
        self._writer = writer
        self._pending: list[Access] = []

    def add(self, access: Access) -> None:
        self._pending.append(access)
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_later(FLUSH_EVERY_S, self.flush)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            self._writer.put(pending)


_access_lines: _AccessLines | None = None  # set while configure_logging's writer runs


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log, minus the API key a client may have put in the query string. It runs on
    the event loop after every request: it keeps raw values and nothing more."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time_s: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        access = (time.time(), request.remote, request.method, request.raw_path, response.status,
                  response.body_length, time_s)  # fmt: skip
        if _access_lines is not None:
            _access_lines.add(access)
        else:  # no writer thread (an app served by tests or embedded): an ordinary record
            args = (request.remote, request.method, masked_target(request.raw_path), response.status,
                    response.body_length, time_s * 1000)  # fmt: skip
            self.logger.info(ACCESS_FORMAT, *args)


def configure_logging(level: str, stream: TextIO = sys.stderr) -> LogWriter:
    """Send the process's log through the writer thread; stop it with ``stop_logging``."""
    global _access_lines
    writer = LogWriter(stream)
    writer.start()
    root = logging.getLogger()
    root.setLevel(level.upper())
    # QueueHandler renders a record's message before handing it over: what is logged is what it said then.
    root.addHandler(QueueHandler(writer))  # type: ignore[arg-type]
    _access_lines = _AccessLines(writer)
    return writer


def stop_logging(writer: LogWriter) -> None:
    """Write out every line gathered so far, then log straight to the stream: whatever is logged while
    the interpreter winds down still arrives. The direct handler comes first, so that no record falls
    into the queue after the writer has stopped reading it."""
    global _access_lines
    root = logging.getLogger()
    direct = logging.StreamHandler(writer.stream)
    direct.setFormatter(_Formatter(LOG_FORMAT))
    root.addHandler(direct)
    for handler in [h for h in root.handlers if isinstance(h, QueueHandler)]:
        root.removeHandler(handler)
    if _access_lines is not None:
        _access_lines.flush()
        _access_lines = None
    writer.stop()
