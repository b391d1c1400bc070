"""The one error tree. Services raise these; the guard every handler runs in (handlers/guard.py) maps them to HTTP.

``expected`` errors are the client's or the upstream's doing and are logged without a trace;
anything else is a bug and is logged with one.
"""

from __future__ import annotations

from typing import Any


class NassavError(Exception):
    expected = True

    def __init__(self, message: str, *, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class ConfigError(NassavError):
    """A config value is missing, malformed or out of range; the message names the key in one line."""


class StartupError(NassavError):
    """A resource the service needs (database, Redis, library folder, port) could not be opened; the
    message says which and why."""


class BadRequest(NassavError):
    """The request is malformed: bad JSON, a failed field validation, a bad AVID."""


class InvalidAvid(BadRequest):
    pass


class UnknownSource(BadRequest):
    def __init__(self, name: str, available: tuple[str, ...]) -> None:
        super().__init__(f"源 {printable_excerpt(name)} 不存在", data={"available_sources": list(available)})


class Unauthorized(NassavError):
    pass


class NotFound(NassavError):
    pass


class UnreadableImage(NotFound):
    """A stored image Pillow cannot decode (corrupt, truncated, not an image) or will not decode (too
    many pixels: a decompression bomb). For a client, there is no usable picture."""


class Conflict(NassavError):
    pass


class UpstreamError(NassavError):
    """A source or mirror could not be reached or answered with an error."""


class TransientUpstreamError(UpstreamError):
    """Worth another try: the network failed or the server erred (5xx)."""


class NotOnSource(UpstreamError):
    """The source answered, and it does not have this video."""


class Blocked(UpstreamError):
    """A Cloudflare challenge stood in the way; a cf_clearance cookie or a proxy fixes it."""


class ExtractFailed(UpstreamError):
    """The page came, but what we look for is not where it used to be: the layout changed."""


class DownloadFailed(NassavError):
    """A download attempt ended without a verified video; the message says why. ``retryable`` says
    whether another attempt may help; the supervisor alone decides whether to make one."""

    retryable: bool = True

    def __init__(self, message: str, *, retryable: bool | None = None, data: Any = None) -> None:
        super().__init__(message, data=data)
        if retryable is not None:
            self.retryable = retryable


class FinalFailure(DownloadFailed):
    """A failure another attempt cannot fix (a stream the engine cannot read, no stream URL)."""

    retryable = False


class EngineUnavailable(FinalFailure):
    """The configured engine (or ffmpeg, which all of them need) is not installed."""


class LockTimeout(FinalFailure):
    """The global download lock could not be had within lock_wait_seconds."""


class Cancelled(NassavError):
    """The task was cancelled by a client (or the service is shutting down)."""


def printable_excerpt(text: str, limit: int = 40) -> str:
    """Client text echoed in a message: control characters escaped, length bounded."""
    shown = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
