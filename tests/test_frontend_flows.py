"""The NASSAV Vue front end's own calls, replayed against the real server on the fake web: what it
sends (paths, parameters, bodies, as its code builds them) and what it reads of the answers. Each
test is one of its pages."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image

from nassav.app import create_app
from tests.helpers import make_resource

API = "/nassav/api"
WS = "/nassav/ws/tasks/"


@pytest.fixture
async def client(serve_app: Any, make_settings: Any, fakeweb: Any) -> Any:
    return await serve_app(create_app(make_settings(**fakeweb.config())))


def real_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 540), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


async def call(client: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """As its axios wrapper: success is a 2xx ``code``; it reads code, message, data, pagination."""
    response = await client.request(method, f"{API}{path}", **kwargs)
    body = await response.json()
    assert response.status == body["code"], body
    assert 200 <= body["code"] < 300, body
    return dict(body)


async def test_the_add_page(client: Any, library_root: Path) -> None:
    sources = (await call(client, "GET", "/source/list"))["data"]
    assert all(isinstance(name, str) for name in sources)
    lower = sources[sources.index("Jable")].lower()  # its options are the lower-cased names
    one = await call(client, "POST", "/resource", json={"avid": "SSIS-469", "source": lower})
    assert one["code"] == 201
    many = await call(
        client, "POST", "/resources/batch",
        json={"actions": [{"action": "add", "avid": "PRED-388", "source": "any"},
                          {"action": "add", "avid": "SSIS-469", "source": "any"}]},
    )  # fmt: skip
    codes = [(item["action"], item["avid"], item["code"]) for item in many["data"]["results"]]
    assert codes == [("add", "PRED-388", 201), ("add", "SSIS-469", 409)]  # added; already there (>= 400: shown)


async def test_the_resources_page(client: Any, library_root: Path) -> None:
    for index, avid in enumerate(("ABP-001", "IPX-100", "SSIS-469")):
        video = b"\x00" * 8 if index == 1 else None
        make_resource(library_root, avid, video=video, cover=real_jpeg(), added_at=100 + index)
    settings = (await call(client, "GET", "/setting"))["data"]
    assert settings["enable_avatar"] in ("true", "false")  # a string, compared with 'true'
    params = {"sort_by": "metadata_create_time", "order": "desc", "page": "1", "page_size": "18"}
    body = await call(client, "GET", "/resources/", params=params)
    assert body["pagination"]["total"] == 3
    assert body["pagination"]["pages"] == 1
    assert [item["avid"] for item in body["data"]] == ["SSIS-469", "IPX-100", "ABP-001"]
    for item in body["data"]:
        assert isinstance(item["original_title"], str)
        assert isinstance(item["source_title"], str)
        assert isinstance(item["has_video"], bool)
        assert all(isinstance(genre, str) for genre in item["genres"])
        cover = await client.get(item["thumbnail_url"])  # used as <img src> as it is
        assert cover.status == 200
        assert cover.content_type == "image/jpeg"
    for extra, expected in (({"status": "downloaded"}, ["IPX-100"]), ({"watched": "true"}, [])):
        page = await call(client, "GET", "/resources/", params={**params, **extra})
        assert [item["avid"] for item in page["data"]] == expected
    # its detail pages send a search the backend it was written for ignored; here it filters
    found = await call(client, "GET", "/resources/", params={**params, "search": "ipx"})
    assert [item["avid"] for item in found["data"]] == ["IPX-100"]


async def test_the_actor_and_genre_pages(client: Any, library_root: Path) -> None:
    make_resource(library_root, "ABP-001", actors=["三上悠亜", "甲"], genres=["剧情"])
    make_resource(library_root, "IPX-100", actors=["三上悠亜"], genres=["剧情", "偶像"])
    async with aiohttp.ClientSession() as session:  # these two use fetch() and want code === 200 exactly
        url = client.make_url(f"{API}/actors/?page=1&page_size=15&order_by=count&order=desc")
        async with session.get(url) as response:
            actors = await response.json()
    assert actors["code"] == 200
    assert actors["pagination"]["total"] == 2
    top = actors["data"][0]
    assert (top["name"], top["resource_count"]) == ("三上悠亜", 2)
    assert isinstance(top["id"], int)
    header = await call(client, "GET", "/actors/", params={"id": str(top["id"]), "page": "1", "page_size": "1"})
    assert header["data"][0]["name"] == "三上悠亜"
    clicked = await call(client, "GET", "/actors/", params={"search": "三上悠亜", "page_size": "1"})
    assert clicked["data"][0]["id"] == top["id"]
    params = {"sort_by": "avid", "order": "asc", "page": "1", "page_size": "18", "actor": str(top["id"])}
    assert len((await call(client, "GET", "/resources/", params=params))["data"]) == 2
    genres = await call(client, "GET", "/genres/", params={"page": "1", "page_size": "18", "order_by": "name"})
    genre = next(item for item in genres["data"] if item["name"] == "偶像")
    page = await call(client, "GET", "/resources/", params={"page": "1", "page_size": "18", "genre": str(genre["id"])})
    assert [item["avid"] for item in page["data"]] == ["IPX-100"]


async def test_the_detail_page_from_add_to_delete(client: Any, fakeweb: Any, library_root: Path) -> None:
    await call(client, "POST", "/resource", json={"avid": "SSIS-469", "source": "jable"})
    async with client.ws_connect(WS) as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "queue_status"
        detail = (await call(client, "GET", "/resource/metadata", params={"avid": "SSIS-469"}))["data"]
        assert (detail["watched"], detail["is_favorite"], detail["file_exists"]) == (False, False, False)
        assert isinstance(detail["duration"], str)
        await call(client, "PATCH", "/resource/SSIS-469/status", json={"is_favorite": True})
        await call(client, "PATCH", "/resource/SSIS-469/status", json={"watched": True})
        options = {"refresh_m3u8": True, "refresh_metadata": True, "retranslate": False}
        await call(client, "POST", "/resource/refresh/SSIS-469", json=options)
        submitted = await call(client, "POST", "/downloads/SSIS-469")  # no body
        assert submitted["code"] == 202
        kinds = []
        async with asyncio.timeout(60):
            async for message in ws:
                frame = json.loads(message.data)
                kinds.append(frame["type"])
                if frame["type"] == "task_completed":
                    assert frame["data"]["avid"] == "SSIS-469"
                    break
        assert "task_started" in kinds
    detail = (await call(client, "GET", "/resource/metadata", params={"avid": "SSIS-469"}))["data"]
    assert (detail["watched"], detail["is_favorite"], detail["file_exists"]) == (True, True, True)
    abspath = (await call(client, "GET", "/downloads/abspath", params={"avid": "SSIS-469"}))["data"]["abspath"]
    video = await client.get(abspath, headers={"Range": "bytes=0-99"})
    assert video.status == 206
    assert len(await video.read()) == 100
    already = await client.post(f"{API}/downloads/SSIS-469")
    assert (await already.json())["code"] == 409  # it shows "已下载"
    await call(client, "DELETE", "/downloads/SSIS-469")
    await call(client, "DELETE", "/resource/SSIS-469")
    assert not (library_root / "SSIS-469").exists()


async def test_the_downloads_page_and_batches(client: Any, library_root: Path) -> None:
    await call(client, "POST", "/resource", json={"avid": "SSIS-469", "source": "jable"})
    queue = (await call(client, "GET", "/tasks/queue/status"))["data"]
    assert set(queue) >= {"active_tasks", "pending_tasks", "active_count", "pending_count", "total_count"}
    body = await call(client, "POST", "/downloads/batch_submit", json={"avids": ["SSIS-469", "NONE-404"]})
    assert [item["code"] for item in body["data"]["results"]] == [202, 404]
    refreshed = await call(
        client, "POST", "/resources/batch", json={"actions": [{"action": "refresh", "avid": "SSIS-469"}]}
    )
    assert refreshed["data"]["results"][0]["code"] == 200
    deleted = await call(
        client, "POST", "/resources/batch", json={"actions": [{"action": "delete-all", "avid": "SSIS-469"}]}
    )
    assert deleted["data"]["results"][0]["code"] == 200


async def test_the_settings_page(client: Any, fakeweb: Any) -> None:
    await call(client, "PUT", "/setting", json={"enable_avatar": "true", "display_title": "source_title"})
    assert (await call(client, "GET", "/setting"))["data"]["enable_avatar"] == "true"
    assert (await call(client, "GET", "/source/cookie"))["data"] == []
    secret = "cf_clearance=very-secret-value"
    await call(client, "POST", "/source/cookie", json={"source": "MissAV", "cookie": secret})
    listed = await client.get(f"{API}/source/cookie")
    text = await listed.text()
    assert secret not in text
    assert "very-secret-value" not in text
    rows = json.loads(text)["data"]
    assert [row["source"].lower() for row in rows] == ["missav"]  # it lower-cases to match its list
    assert isinstance(rows[0]["mtime"], str)
    await call(client, "DELETE", "/source/cookie", params={"source": "MissAV"})
    assert (await call(client, "GET", "/source/cookie"))["data"] == []
