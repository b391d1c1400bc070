"""The library endpoints against the real server, on folders laid out as users leave them."""

from __future__ import annotations

import email.utils
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import JPEG_BYTES, PNG_BYTES, info_json, make_resource, read_envelope

API = "/nassav/api"


async def test_list_is_empty_on_a_new_library(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert body["data"] == []


async def test_list_shows_summaries_sorted(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-470", title="第二", source="MissAV", release_date="2024-02-02")
    make_resource(library_root, "ABP-001", title="第一", video=b"\x00" * 64)
    body = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert body["data"] == [
        {"avid": "ABP-001", "title": "第一", "source": "Jable", "release_date": "2024-01-01", "has_video": True},
        {"avid": "SSIS-470", "title": "第二", "source": "MissAV", "release_date": "2024-02-02", "has_video": False},
    ]


async def test_hand_added_and_hand_removed_folders_show_in_list(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    first = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert [item["avid"] for item in first["data"]] == ["SSIS-469"]

    make_resource(library_root, "PRED-388")  # copied in by hand while the server runs
    shutil.rmtree(library_root / "SSIS-469")  # and one removed by hand
    second = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert [item["avid"] for item in second["data"]] == ["PRED-388"]


async def test_hand_added_video_shows_in_list_and_downloads(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    await api.get(f"{API}/resource/list")
    (library_root / "SSIS-469" / "SSIS-469.mp4").write_bytes(b"\x00" * 1024)
    body = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert body["data"][0]["has_video"] is True
    downloads = await read_envelope(await api.get(f"{API}/downloads/list"), 200)
    assert downloads["data"] == ["SSIS-469"]


async def test_corrupt_and_foreign_entries_are_skipped(
    api: Any, library_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_resource(library_root, "SSIS-469")
    broken = library_root / "ABP-123"
    broken.mkdir()
    (broken / "ABP-123.json").write_text('{"avid": "ABP-123", "title": ', "utf-8")  # half a JSON
    not_object = library_root / "ABP-124"
    not_object.mkdir()
    (not_object / "ABP-124.json").write_text("[1, 2]", "utf-8")
    (library_root / "notes").mkdir()  # not an AVID: ignored
    (library_root / "README.txt").write_text("mine", "utf-8")
    with caplog.at_level(logging.WARNING, logger="nassav.library.files"):
        body = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert [item["avid"] for item in body["data"]] == ["SSIS-469"]
    assert "ABP-123.json" in caplog.text
    meta = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "ABP-123"}), 404)
    assert meta["message"] == "资源 ABP-123 的元数据不存在"


async def test_metadata_has_every_contract_field(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", video=b"\x00" * 2048)
    body = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    expected = info_json("SSIS-469")
    expected.update(file_size=2048, file_exists=True)
    # and what the newest front ends read: the title under their names, the owner's marks
    expected.update(original_title=expected["title"], source_title=expected["title"], watched=False, is_favorite=False)
    assert body["data"] == expected


async def test_metadata_normalizes_the_avid(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    body = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": " ssis469 "}), 200)
    assert body["data"]["avid"] == "SSIS-469"
    assert body["data"]["file_exists"] is False
    assert body["data"]["file_size"] is None


async def test_metadata_tolerates_old_files_missing_fields(api: Any, library_root: Path) -> None:
    folder = library_root / "SSIS-469"
    folder.mkdir(parents=True)
    (folder / "SSIS-469.json").write_text(json.dumps({"title": "旧", "actors": "甲, 乙"}), "utf-8")
    body = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    assert body["data"]["title"] == "旧"
    assert body["data"]["actors"] == ["甲", "乙"]
    assert body["data"]["genres"] == []
    assert body["data"]["studio"] == ""


async def test_metadata_missing_is_404(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 404)
    assert body == {"code": 404, "message": "资源 SSIS-469 的元数据不存在", "data": None}


async def test_metadata_without_avid_is_400(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/resource/metadata"), 400)
    assert "avid" in body["data"]


@pytest.mark.parametrize(("stored", "content_type"), [(JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")])
async def test_cover_is_served_with_its_real_type(
    api: Any, library_root: Path, stored: bytes, content_type: str
) -> None:
    folder = make_resource(library_root, "SSIS-469", cover=stored)
    response = await api.get(f"{API}/resource/cover", params={"avid": "ssis-469"})
    assert response.status == 200
    assert response.content_type == content_type
    assert await response.read() == stored
    modified = email.utils.parsedate_to_datetime(response.headers["Last-Modified"]).timestamp()
    assert modified == int((folder / "SSIS-469.jpg").stat().st_mtime)


async def test_cover_missing_is_404(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=None)
    body = await read_envelope(await api.get(f"{API}/resource/cover", params={"avid": "SSIS-469"}), 404)
    assert body == {"code": 404, "message": "封面 SSIS-469 不存在", "data": None}


async def test_cover_that_is_not_an_image_is_not_served(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=b"<html>Just a moment...</html>")
    body = await read_envelope(await api.get(f"{API}/resource/cover", params={"avid": "SSIS-469"}), 404)
    assert body["message"] == "封面 SSIS-469 不存在"


async def test_delete_resource_removes_the_folder(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", video=b"\x00" * 10)
    make_resource(library_root, "SSIS-470")
    await api.get(f"{API}/resource/list")
    body = await read_envelope(await api.delete(f"{API}/resource/ssis-469"), 200)
    assert body["data"] == {
        "avid": "SSIS-469",
        "deleted_files": ["SSIS-469.html", "SSIS-469.jpg", "SSIS-469.json", "SSIS-469.mp4"],
    }
    assert not (library_root / "SSIS-469").exists()
    assert (library_root / "SSIS-470").is_dir()
    listing = await read_envelope(await api.get(f"{API}/resource/list"), 200)
    assert [item["avid"] for item in listing["data"]] == ["SSIS-470"]


async def test_delete_missing_resource_is_404(api: Any) -> None:
    body = await read_envelope(await api.delete(f"{API}/resource/SSIS-469"), 404)
    assert body == {"code": 404, "message": "资源 SSIS-469 不存在", "data": None}


async def test_downloads_list_names_only_resources_with_video(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", video=b"\x00" * 10)
    make_resource(library_root, "SSIS-470")
    make_resource(library_root, "PRED-388", video=b"\x00" * 10)
    body = await read_envelope(await api.get(f"{API}/downloads/list"), 200)
    assert body["data"] == ["PRED-388", "SSIS-469"]


async def test_delete_video_keeps_metadata(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", video=b"\x00" * 1234)
    body = await read_envelope(await api.delete(f"{API}/downloads/SSIS-469"), 200)
    assert body["data"] == {"avid": "SSIS-469", "deleted_file": "SSIS-469.mp4", "file_size": 1234}
    assert not (library_root / "SSIS-469" / "SSIS-469.mp4").exists()
    assert (library_root / "SSIS-469" / "SSIS-469.json").is_file()
    meta = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    assert meta["data"]["file_exists"] is False
    assert (await read_envelope(await api.get(f"{API}/downloads/list"), 200))["data"] == []


async def test_delete_missing_video_is_404(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    body = await read_envelope(await api.delete(f"{API}/downloads/SSIS-469"), 404)
    assert body == {"code": 404, "message": "视频 SSIS-469 不存在", "data": None}
