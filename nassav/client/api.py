"""A running NASSAV server seen from a client: one method per API call, typed results, and the ways
a call can fail (no server to talk to, a key it does not accept, an error envelope).

The calls are blocking (the standard library's ``urllib``): a command makes a few calls in a row and
waits for each answer, so an event loop would buy nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from nassav.config import ServerSettings
from nassav.errors import NassavError

API_PREFIX = "/nassav/api"
API_KEY_HEADER = "X-Api-Key"  # what the server's key guard reads (nassav/handlers/security.py)
TIMEOUT_S = 30.0
ADD_TIMEOUT_S = 600.0  # an add tries every source in turn, each within [http] timeout_seconds and retries
PAGE_SIZE = 200
# A server bound to every interface is reached on the loopback of the same family.
ANY_ADDRESS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


class ClientError(NassavError):
    """A call did not give what was asked for; ``message`` is one line for the user."""


class Unreachable(ClientError):
    """No NASSAV server answered: none listening, the host unreachable, no answer in time, or
    something else answering."""


class Unauthorized(ClientError):
    """The server wants an API key, or another one."""


class Refused(ClientError):
    """The server answered with an error envelope: its ``code``, ``message`` and ``data``."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message, data=data)
        self.code = code


# --- typed results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    avid: str
    title: str
    source: str
    created: bool  # False: the resource was already in the library


@dataclass(frozen=True)
class Submitted:
    avid: str
    task_id: str | None  # None: the video is already downloaded
    file_size: int | None


@dataclass(frozen=True)
class TaskState:
    id: str
    avid: str
    status: str
    percent: float
    speed_bps: float | None
    eta_s: float | None
    error: str
    file_size: int | None

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskState:
        return cls(
            id=str(data["id"]),
            avid=str(data["avid"]),
            status=str(data["status"]),
            percent=float(data.get("percent") or 0.0),
            speed_bps=data.get("speed_bps"),
            eta_s=data.get("eta_s"),
            error=str(data.get("error") or ""),
            file_size=data.get("file_size"),
        )


@dataclass(frozen=True)
class Resource:
    avid: str
    title: str
    source: str
    release_date: str
    has_video: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        return cls(
            avid=str(data["avid"]),
            title=str(data.get("title") or ""),
            source=str(data.get("source") or ""),
            release_date=str(data.get("release_date") or ""),
            has_video=bool(data.get("has_video")),
        )


@dataclass(frozen=True)
class Answer:
    """An envelope that said yes (2xx)."""

    code: int
    message: str
    data: Any
    pagination: Mapping[str, Any] | None = None


# --- where the server is ---------------------------------------------------------------------------


def base_url_for(server: ServerSettings) -> str:
    """The address a client on this machine reaches a server configured with ``server`` at."""
    host = ANY_ADDRESS.get(server.host, server.host)
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{server.port}"


def normalized_base_url(url: str) -> str:
    """``http://nas:8000``, with or without a trailing slash or the API's own prefix. A user and
    password in it are dropped: NASSAV takes an API key, not those, and every message shows the URL."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    parts = urllib.parse.urlsplit(url)
    url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    for suffix in (API_PREFIX, "/nassav"):
        url = url.removesuffix(suffix)
    return url


# --- the calls -------------------------------------------------------------------------------------


class Client:
    def __init__(self, base_url: str, api_key: str = "", *, timeout_s: float = TIMEOUT_S) -> None:
        self.base_url = normalized_base_url(base_url)
        self._api_key = api_key
        self._timeout_s = timeout_s
        # The server is on the NAS, not behind the http_proxy a shell may have set for the Internet.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __repr__(self) -> str:  # never the key
        return f"Client({self.base_url!r})"

    def add(self, avid: str, source: str = "any") -> Added:
        try:
            answer = self._call("POST", "/resource", body={"avid": avid, "source": source}, timeout_s=ADD_TIMEOUT_S)
        except Refused as exc:
            if exc.code == 409 and isinstance(exc.data, Mapping):  # 资源已存在, with the summary
                return _added(exc.data, created=False)
            raise
        return _added(answer.data, created=True)

    def submit(self, avid: str) -> Submitted:
        try:
            data = self._call("POST", "/downloads", body={"avid": avid}).data
        except Refused as exc:
            if exc.code == 409 and isinstance(exc.data, Mapping):  # 视频已下载 (a live task: data is null)
                data = exc.data
            else:
                raise
        return Submitted(str(data["avid"]), data.get("task_id"), data.get("file_size"))

    def task(self, task_id: str) -> TaskState:
        return TaskState.from_json(self._call("GET", f"/downloads/tasks/{urllib.parse.quote(task_id)}").data)

    def tasks(self) -> list[TaskState]:
        return [TaskState.from_json(item) for item in self._call("GET", "/downloads/tasks").data]

    def set_cookie(self, source: str, cookie: str) -> str:
        """Store a source's cookie; the source's name as the server took it."""
        return str(self._call("POST", "/source/cookie", body={"source": source, "cookie": cookie}).data["source"])

    def resources(self, *, downloaded: bool = False, search: str = "") -> Iterator[Resource]:
        """The library, page after page, as ``GET /resources/`` lists it."""
        query = {"status": "downloaded" if downloaded else "all", "page_size": str(PAGE_SIZE)}
        if search:
            query["search"] = search
        page = 1
        while True:
            answer = self._call("GET", "/resources/", query={**query, "page": str(page)})
            yield from (Resource.from_json(item) for item in answer.data)
            pages = int((answer.pagination or {}).get("pages") or 0)
            if page >= pages or not answer.data:
                return
            page += 1

    # --- one round trip ---

    def _call(
        self, method: str, path: str, *, body: Any = None, query: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> Answer:  # fmt: skip
        url = f"{self.base_url}{API_PREFIX}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(url, method=method, headers={"Accept": "application/json"})
        if self._api_key:
            request.add_header(API_KEY_HEADER, self._api_key)
        if body is not None:
            request.data = json.dumps(body, ensure_ascii=False).encode()
            request.add_header("Content-Type", "application/json")
        status, raw = self._exchange(request, timeout_s or self._timeout_s)
        return self._answer(status, raw)

    def _exchange(self, request: urllib.request.Request, timeout_s: float) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:  # an answer all the same: the envelope says why
            with exc:
                return exc.code, exc.read()
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason) from None
        except TimeoutError:
            raise Unreachable(f"the NASSAV server at {self.base_url} did not answer within {timeout_s:g} s") from None
        except (OSError, HTTPException) as exc:  # the connection broke in the middle of an answer
            raise Unreachable(f"lost the connection to the NASSAV server at {self.base_url}: {exc}") from None

    def _unreachable(self, reason: object) -> Unreachable:
        if isinstance(reason, ConnectionRefusedError):
            return Unreachable(f"no NASSAV server at {self.base_url} (is it running?)")
        if isinstance(reason, TimeoutError):
            return Unreachable(f"the NASSAV server at {self.base_url} did not answer in time")
        text = getattr(reason, "strerror", None) or str(reason)
        return Unreachable(f"cannot reach {self.base_url}: {text}")

    def _answer(self, status: int, raw: bytes) -> Answer:
        try:
            body = json.loads(raw)
            code, message, data = int(body["code"]), str(body["message"]), body["data"]
        except (ValueError, TypeError, KeyError):
            raise Unreachable(f"{self.base_url} answered HTTP {status}, not as a NASSAV server") from None
        if code == 401:
            raise Unauthorized(message)
        if not 200 <= code < 300:
            raise Refused(code, message, data)
        return Answer(code, message, data, body.get("pagination"))


def _added(data: Mapping[str, Any], *, created: bool) -> Added:
    return Added(str(data["avid"]), str(data.get("title") or ""), str(data.get("source") or ""), created)
