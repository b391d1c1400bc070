"""Files over HTTP: the validators and caching policy of pictures, 304 Not Modified, and the envelope
for a range a video cannot satisfy (aiohttp's FileResponse does the rest of Range)."""

from __future__ import annotations

import email.utils
import functools

from aiohttp import hdrs, web

from nassav.handlers.envelope import fail

# A URL with ?v= names one version of a picture (clients put the cover's mtime there): it never
# changes, so browsers need not ask again. Without it, they keep the picture but revalidate it.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@functools.lru_cache(maxsize=4096)
def picture_headers(content_type: str, mtime: float, etag: str, versioned: bool) -> dict[str, str]:
    """A picture's headers, worked out once per version (a page of covers is asked for again and
    again; formatting a date each time is not free). Callers copy them, never change them."""
    return {
        "Content-Type": content_type,
        "ETag": f'"{etag}"',
        "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
        "Cache-Control": IMMUTABLE if versioned else REVALIDATE,
    }


@functools.lru_cache(maxsize=4096)
def not_modified_headers(mtime: float, etag: str, versioned: bool) -> dict[str, str]:
    headers = dict(picture_headers("", mtime, etag, versioned))
    del headers["Content-Type"]  # a 304 describes no body
    return headers


def is_fresh(request: web.Request, etag: str, mtime: float) -> bool:
    """Whether the client's copy is current (RFC 9110 13.1.2-13.1.3): If-None-Match decides alone when
    present (weak comparison, a list, ``*``); else If-Modified-Since, to the second Last-Modified has."""
    headers = request.headers
    if hdrs.IF_NONE_MATCH in headers:
        tags = request.if_none_match or ()
        return any(tag.value in (etag, "*") for tag in tags)  # weak comparison: W/ or not, same value
    if hdrs.IF_MODIFIED_SINCE not in headers:
        return False
    since = request.if_modified_since  # None when unparseable: then it is ignored
    return since is not None and int(mtime) <= since.timestamp()


def unsatisfiable_range(request: web.Request, size: int, mtime: float) -> bool:
    """Whether FileResponse would answer 416 to this request for a file of ``size`` bytes: a Range it
    cannot parse, or one that starts past the end (it ignores Range after a stale If-Range date)."""
    if hdrs.RANGE not in request.headers:
        return False
    if_range = request.if_range
    if if_range is not None and mtime > if_range.timestamp():
        return False  # the whole file goes out
    try:
        wanted = request.http_range
    except ValueError:
        return True
    start, stop = wanted.start, wanted.stop
    if start is None or (start < 0 and stop is None):  # a suffix: the last bytes, however few there are
        return False
    return bool(start >= size)


def range_not_satisfiable(size: int) -> web.Response:
    response = fail(416, "请求的范围无效或超出文件大小")
    response.headers[hdrs.CONTENT_RANGE] = f"bytes */{size}"
    return response
