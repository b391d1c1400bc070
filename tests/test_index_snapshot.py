"""The index kept across restarts: a start reads only the metadata that changed while NASSAV was
stopped, and a damaged snapshot is no snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nassav.app import create_app
from nassav.library import snapshot
from nassav.library.files import Library
from tests.helpers import make_resource

OLD_NS = 1_600_000_000 * 10**9
API = "/nassav/api"


def old_library(root: Path, count: int) -> list[str]:
    avids = [f"ABC-{index:03d}" for index in range(1, count + 1)]
    for avid in avids:
        folder = make_resource(root, avid, actors=["甲"], genres=["剧情"], added_at=100 + len(avid))
        for path in (*folder.iterdir(), folder):
            os.utime(path, ns=(OLD_NS, OLD_NS))
    return avids


def test_a_second_start_reads_only_what_changed(tmp_path: Path) -> None:
    root, index_file = tmp_path / "resource", tmp_path / "nassav.index.json"
    old_library(root, 20)
    first = Library(root)
    assert first.start(index_file) == 20
    snapshot.save(index_file, first.rows())
    # while stopped: one title edited, one video arrives, one resource removed
    edited = root / "ABC-003" / "ABC-003.json"
    edited.write_text(json.dumps({"title": "改过的标题", "source": "Jable"}), "utf-8")
    os.utime(edited, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    (root / "ABC-004" / "ABC-004.mp4").write_bytes(b"\x00" * 10)
    for path in (root / "ABC-004" / "ABC-004.mp4", root / "ABC-004"):
        os.utime(path, ns=(OLD_NS, OLD_NS))  # not just now: a folder that changed this second is read anyway
    for path in (root / "ABC-005").iterdir():
        path.unlink()
    (root / "ABC-005").rmdir()
    second = Library(root)
    assert second.start(index_file) == 2  # the edited one and the one with a new video
    by_avid = {entry.avid: entry for entry in second.entries()}
    assert len(by_avid) == 19
    assert by_avid["ABC-003"].title == "改过的标题"
    assert by_avid["ABC-004"].has_video
    assert by_avid["ABC-001"] == {entry.avid: entry for entry in first.entries()}["ABC-001"]


def test_a_damaged_or_foreign_snapshot_is_ignored(tmp_path: Path) -> None:
    root, index_file = tmp_path / "resource", tmp_path / "nassav.index.json"
    old_library(root, 3)
    for damaged in ('{"format": 1}\n[1, "ABC-001", 5]\n', '{"format": 99}\n', "not json", ""):
        index_file.write_text(damaged, "utf-8")
        library = Library(root)
        assert library.start(index_file) == 3, damaged
        assert [entry.avid for entry in library.entries()] == ["ABC-001", "ABC-002", "ABC-003"]


def test_a_row_that_lies_about_its_folder_is_not_used(tmp_path: Path) -> None:
    """The fingerprint guards every row: a snapshot saying other things of a folder is overruled."""
    root, index_file = tmp_path / "resource", tmp_path / "nassav.index.json"
    old_library(root, 1)
    library = Library(root)
    library.start(index_file)
    snapshot.save(index_file, library.rows())
    header, row = index_file.read_text("utf-8").splitlines()
    fields = json.loads(row)
    fields[0] += 1  # another fingerprint: the row was of another state of the folder
    fields[2] = "伪造的标题"
    index_file.write_text(f"{header}\n{json.dumps(fields)}\n", "utf-8")
    again = Library(root)
    assert again.start(index_file) == 1
    assert again.entries()[0].title == "ABC-001 标题"


async def test_the_server_keeps_its_index_across_a_restart(serve_app: Any, settings: Any) -> None:
    old_library(settings.paths.resource_dir, 5)
    first = await serve_app(create_app(settings))
    listed = await (await first.get(f"{API}/resource/list")).json()
    await first.close()  # a clean stop: the snapshot is written
    index_file = snapshot.snapshot_path(settings.paths.database)
    assert len(snapshot.load(index_file)) == 5
    second = await serve_app(create_app(settings))
    assert await (await second.get(f"{API}/resource/list")).json() == listed


async def test_a_large_listing_arrives_whole(serve_app: Any, settings: Any) -> None:
    """Above a megabyte the listing is sent a slice at a time; the client gets the same bytes."""
    root = settings.paths.resource_dir
    for index in range(7000):
        folder = root / f"LONG-{index:05d}"
        folder.mkdir(parents=True)
        info = {
            "title": f"一个相当长的标题，让列表超过一兆字节 {index}",
            "source": "Jable",
            "release_date": "2024-01-01",
        }
        (folder / f"LONG-{index:05d}.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
    api = await serve_app(create_app(settings))
    response = await api.get(f"{API}/resource/list")
    raw = await response.read()
    assert len(raw) > 1024 * 1024
    assert response.headers["Content-Length"] == str(len(raw))
    body = json.loads(raw)
    assert body["code"] == 200
    assert len(body["data"]) == 7000
    assert body["data"][6999]["title"].endswith("6999")


def test_a_folder_changed_just_before_the_stop_is_read_again(tmp_path: Path) -> None:
    """Its fingerprint may not show a change made within the same timestamp tick: not vouched for."""
    root, index_file = tmp_path / "resource", tmp_path / "nassav.index.json"
    old_library(root, 2)
    make_resource(root, "NEW-001")  # just now
    library = Library(root)
    library.start(index_file)
    snapshot.save(index_file, library.rows())
    assert set(snapshot.load(index_file)) == {"ABC-001", "ABC-002"}


async def test_metadata_with_impossible_numbers_is_still_listed(serve_app: Any, settings: Any) -> None:
    """1e999 reads as infinity: a time that cannot be is no time, not a failed listing."""
    folder = settings.paths.resource_dir / "BAD-001"
    folder.mkdir(parents=True)
    (folder / "BAD-001.json").write_text('{"title": "x", "added_at": 1e999, "updated_at": -1e999}', "utf-8")
    api = await serve_app(create_app(settings))
    for path in ("/resource/list", "/resources/?sort_by=added", "/resource/metadata?avid=BAD-001"):
        response = await api.get(f"{API}{path}")
        assert response.status == 200, path
    listed = (await (await api.get(f"{API}/resources/")).json())["data"][0]
    assert isinstance(listed["added_at"], int)  # when its metadata was written
