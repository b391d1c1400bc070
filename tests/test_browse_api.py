"""GET /resources/, /actors/, /genres/: search, filters, sort and pages, as the newest front ends call them."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from nassav.library.browse import tag_id
from nassav.library.images import picture_version
from tests.helpers import make_resource

API = "/nassav/api"


async def paged(response: Any, status: int = 200) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    assert set(body) == {"code", "message", "data", "pagination"}, body
    assert body["code"] == status
    return dict(body)


async def browse(api: Any, **params: Any) -> dict[str, Any]:
    return await paged(await api.get(f"{API}/resources/", params={k: str(v) for k, v in params.items()}))


def cover_version(root: Path, avid: str) -> int:
    stat = (root / avid / f"{avid}.jpg").stat()
    return picture_version(stat.st_ino, stat.st_mtime_ns, stat.st_size)


def avids(body: dict[str, Any]) -> list[str]:
    return [item["avid"] for item in body["data"]]


@pytest.fixture
def shelf(library_root: Path) -> Path:
    """Five resources with different actors, genres, sources, dates and times; two with a video."""
    rows = [
        ("ABP-001", "Jable", "2021-05-01", ["蒼井そら"], ["剧情"], 100, True),
        ("SSIS-469", "MissAV", "2022-06-01", ["三上悠亜", "Ａｌｉｃｅ"], ["剧情", "偶像"], 300, False),
        ("IPX-100", "Jable", "", ["alice"], ["偶像"], 200, True),
        ("MIDV-007", "Memo", "2020-01-01", [], [], None, False),
        ("FC2-PPV-1234567", "MissAV", "2023-01-01", ["三上悠亜"], ["素人"], 400, False),
    ]
    for avid, source, date, actors, genres, added, video in rows:
        fields = {"source": source, "release_date": date, "actors": actors, "genres": genres, "title": f"{avid} 的标题"}
        if added is not None:
            fields.update(added_at=added, updated_at=added + 5)
        make_resource(library_root, avid, video=b"\x00" * 16 if video else None, **fields)
    os.utime(library_root / "ABP-001" / "ABP-001.mp4", (1_000, 1_000))
    os.utime(library_root / "IPX-100" / "IPX-100.mp4", (2_000, 2_000))
    os.utime(library_root / "MIDV-007" / "MIDV-007.json", (50, 50))  # says nothing: added when written
    return library_root


async def test_a_page_has_the_summaries_and_the_pagination(api: Any, shelf: Path) -> None:
    body = await browse(api, page=1, page_size=2)
    assert body["pagination"] == {"total": 5, "page": 1, "page_size": 2, "pages": 3}
    assert avids(body) == ["ABP-001", "FC2-PPV-1234567"]
    first = body["data"][0]
    assert first == {
        "avid": "ABP-001", "title": "ABP-001 的标题", "original_title": "ABP-001 的标题",
        "source_title": "ABP-001 的标题", "source": "Jable", "release_date": "2021-05-01", "has_video": True,
        "actors": ["蒼井そら"], "genres": ["剧情"], "added_at": 100, "updated_at": 105,
        "metadata_create_time": 100, "metadata_update_time": 105, "video_create_time": 1_000,
        "thumbnail_url": f"{API}/resource/cover?avid=ABP-001&size=medium&v={cover_version(shelf, 'ABP-001')}",
        "watched": False, "is_favorite": False,
    }  # fmt: skip
    last = await browse(api, page=3, page_size=2)
    assert avids(last) == ["SSIS-469"]
    beyond = await browse(api, page=9, page_size=2)
    assert beyond["data"] == []
    assert beyond["pagination"]["total"] == 5


async def test_without_parameters_the_contract_list_is_unchanged(api: Any, shelf: Path) -> None:
    body = await (await api.get(f"{API}/resource/list")).json()
    assert set(body) == {"code", "message", "data"}
    assert [set(item) for item in body["data"]] == [{"avid", "title", "source", "release_date", "has_video"}] * 5


ALL = ["ABP-001", "FC2-PPV-1234567", "IPX-100", "MIDV-007", "SSIS-469"]


def ordered(*indexes: int) -> list[str]:
    return [ALL[index] for index in indexes]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "ssis469"}, ["SSIS-469"]),
        ({"search": "ＳＳＩＳ"}, ["SSIS-469"]),  # full width
        ({"search": "的标题"}, ALL),
        ({"search": "ALICE"}, ["IPX-100", "SSIS-469"]),  # an actor, case and width folded
        ({"status": "downloaded"}, ["ABP-001", "IPX-100"]),
        ({"status": "pending"}, ["FC2-PPV-1234567", "MIDV-007", "SSIS-469"]),
        ({"source": "missav,memo"}, ["FC2-PPV-1234567", "MIDV-007", "SSIS-469"]),
        ({"actor": "三上悠亜"}, ["FC2-PPV-1234567", "SSIS-469"]),
        ({"actor": str(tag_id("三上悠亜"))}, ["FC2-PPV-1234567", "SSIS-469"]),
        ({"genre": "偶像", "status": "downloaded"}, ["IPX-100"]),
        ({"sort_by": "added", "order": "desc"}, ordered(1, 4, 2, 0, 3)),
        ({"sort_by": "metadata_create_time", "order": "asc"}, ordered(3, 0, 2, 4, 1)),
        ({"sort_by": "release_date", "order": "desc"}, ordered(1, 4, 0, 3, 2)),
        ({"sort_by": "video_create_time", "order": "desc"}, ordered(2, 0, 1, 3, 4)),
        ({"sort_by": "source", "order": "asc"}, ordered(0, 2, 3, 1, 4)),
        ({"order": "desc"}, ordered(4, 3, 2, 1, 0)),
    ],
)  # fmt: skip
async def test_search_filters_and_sort(api: Any, shelf: Path, params: dict[str, str], expected: list[str]) -> None:
    assert avids(await browse(api, page_size=50, **params)) == expected


async def test_unknown_parameters_are_ignored(api: Any, shelf: Path) -> None:
    body = await browse(api, page_size=50, v=3, _=12345, translated="yes")
    assert body["pagination"]["total"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"status": "deleted"}, "status"),
        ({"sort_by": "title; DROP TABLE"}, "sort_by"),
        ({"order": "sideways"}, "order"),
        ({"watched": "perhaps"}, "watched"),
        ({"search": "x" * 500}, "search"),
    ],
)
async def test_hostile_values_are_400_with_the_field(api: Any, shelf: Path, params: dict[str, str], field: str) -> None:
    response = await api.get(f"{API}/resources/", params=params)
    body = await response.json()
    assert response.status == 400, body
    assert field in body["data"], body


async def test_a_new_resource_shows_in_the_next_page(api: Any, shelf: Path) -> None:
    assert (await browse(api, search="NEW"))["data"] == []
    make_resource(shelf, "NEW-001")
    assert avids(await browse(api, search="NEW")) == ["NEW-001"]


async def test_marks_are_kept_returned_and_filtered(api: Any, shelf: Path, settings: Any) -> None:
    response = await api.patch(f"{API}/resource/ssis469/status", json={"is_favorite": True})
    body = await response.json()
    assert response.status == 200, body
    assert body["data"] == {"avid": "SSIS-469", "watched": False, "is_favorite": True}
    await api.patch(f"{API}/resource/ABP-001/status", json={"watched": True})
    assert avids(await browse(api, is_favorite="true")) == ["SSIS-469"]
    assert avids(await browse(api, watched="true")) == ["ABP-001"]
    assert len((await browse(api, watched="false", page_size=50))["data"]) == 4
    metadata = await (await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"})).json()
    assert metadata["data"]["is_favorite"] is True
    assert metadata["data"]["watched"] is False
    # only what is given changes
    await api.patch(f"{API}/resource/SSIS-469/status", json={"watched": True})
    item = (await browse(api, search="SSIS-469"))["data"][0]
    assert (item["watched"], item["is_favorite"]) == (True, True)


async def test_marking_asks_for_something_about_a_resource_that_exists(api: Any, shelf: Path) -> None:
    empty = await api.patch(f"{API}/resource/SSIS-469/status", json={})
    assert empty.status == 400
    wrong = await api.patch(f"{API}/resource/SSIS-469/status", json={"watched": "maybe"})
    assert wrong.status == 400
    assert "watched" in (await wrong.json())["data"]
    missing = await api.patch(f"{API}/resource/NONE-001/status", json={"watched": True})
    assert missing.status == 404
    bad = await api.patch(f"{API}/resource/..%2Fetc/status", json={"watched": True})
    assert bad.status in (400, 404)


async def test_actors_with_stable_ids_and_counts(api: Any, shelf: Path) -> None:
    body = await paged(await api.get(f"{API}/actors/"))
    names = [(item["name"], item["resource_count"]) for item in body["data"]]
    assert names[0] == ("三上悠亜", 2)
    assert set(names[1:]) == {("alice", 1), ("Ａｌｉｃｅ", 1), ("蒼井そら", 1)}
    assert body["pagination"] == {"total": 4, "page": 1, "page_size": 20, "pages": 1}
    mikami = body["data"][0]["id"]
    assert mikami == tag_id("三上悠亜")
    one = await paged(await api.get(f"{API}/actors/", params={"id": str(mikami), "page_size": "1"}))
    assert [item["name"] for item in one["data"]] == ["三上悠亜"]
    found = await paged(await api.get(f"{API}/actors/", params={"search": "ALICE", "order_by": "name"}))
    assert [item["name"] for item in found["data"]] == ["alice", "Ａｌｉｃｅ"]
    assert (await paged(await api.get(f"{API}/actors/", params={"search": ""})))["pagination"]["total"] == 4


async def test_genres_by_name_and_paged(api: Any, shelf: Path) -> None:
    body = await paged(await api.get(f"{API}/genres/", params={"order_by": "name", "order": "asc", "page_size": "2"}))
    assert body["pagination"] == {"total": 3, "page": 1, "page_size": 2, "pages": 2}
    by_count = await paged(await api.get(f"{API}/genres/", params={"order_by": "count"}))
    assert [(item["name"], item["resource_count"]) for item in by_count["data"]][:2] == [("偶像", 2), ("剧情", 2)]
    bad = await api.get(f"{API}/genres/", params={"id": "-5"})
    assert bad.status == 400
    assert "id" in (await bad.json())["data"]


async def test_preferences_are_kept(api: Any, serve_app: Any, settings: Any) -> None:
    from nassav.app import create_app

    first = await (await api.get(f"{API}/setting")).json()
    assert first["data"]["display_title"] in ("original_title", "source_title", "translated_title")
    saved = await api.put(f"{API}/setting", json={"enable_avatar": "true", "display_title": "original_title"})
    assert saved.status == 200
    again = await serve_app(create_app(settings))  # a second server on the same database: a restart
    data = (await (await again.get(f"{API}/setting")).json())["data"]
    assert data["enable_avatar"] == "true"
    assert data["display_title"] == "original_title"
    for hostile in ({"bad key!": 1}, {"x": {"nested": 1}}, {"x": "y" * 2000}, ["list"]):
        response = await api.put(f"{API}/setting", json=hostile)
        assert response.status == 400, hostile


async def test_a_replaced_cover_gets_a_new_thumbnail_url(api: Any, shelf: Path) -> None:
    """The URL of a page's thumbnail names the cover's version: browsers keep it for good, and a cover
    replaced by hand (or by a refresh) shows under a new URL."""
    first = (await browse(api, search="ABP-001"))["data"][0]["thumbnail_url"]
    cover = shelf / "ABP-001" / "ABP-001.jpg"
    replacement = cover.with_name(".new.jpg")
    replacement.write_bytes(cover.read_bytes() + b"\x00")
    os.replace(replacement, cover)
    second = (await browse(api, search="ABP-001"))["data"][0]["thumbnail_url"]
    assert second != first
    assert second.endswith(f"&v={cover_version(shelf, 'ABP-001')}")
    stale = await api.get(first.replace("&size=medium", ""))  # the original cover under the old version
    assert stale.status == 200
    assert stale.headers["Cache-Control"] == "no-cache"
    current = await api.get(second.replace("&size=medium", ""))
    assert "immutable" in current.headers["Cache-Control"]


async def test_two_marks_at_once_are_both_kept(api: Any, shelf: Path, serve_app: Any, settings: Any) -> None:
    from nassav.app import create_app

    for round_ in range(10):
        avid = ["ABP-001", "IPX-100", "SSIS-469", "MIDV-007", "FC2-PPV-1234567"][round_ % 5]
        value = round_ < 5
        await asyncio.gather(
            api.patch(f"{API}/resource/{avid}/status", json={"watched": value}),
            api.patch(f"{API}/resource/{avid}/status", json={"is_favorite": value}),
        )
        item = (await browse(api, search=avid))["data"][0]
        assert (item["watched"], item["is_favorite"]) == (value, value), round_
    again = await serve_app(create_app(settings))  # and so in the database
    marked = (await browse(again, watched="true", is_favorite="true", page_size=50))["data"]
    assert marked == []  # the second five rounds cleared what the first five set


async def test_hostile_preferences_are_refused(api: Any) -> None:
    for raw in (b'{"display_title": NaN}', b'{"display_title": 1e999}', b'{"display_title": "\\ud800"}'):
        response = await api.put(f"{API}/setting", data=raw, headers={"Content-Type": "application/json"})
        assert response.status == 400, raw
    data = (await (await api.get(f"{API}/setting")).json())["data"]
    assert data["display_title"] == "source_title"
    for start in range(0, 120, 50):
        response = await api.put(f"{API}/setting", json={f"key{n}": n for n in range(start, start + 50)})
    assert response.status == 400  # no more than a hundred, however they are sent
