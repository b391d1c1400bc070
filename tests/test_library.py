"""The library on disk: atomic writes and an index that notices hand edits without re-reading all."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from nassav.errors import InvalidAvid
from nassav.library.files import Library, atomic_write, encode_info
from nassav.library.model import ResourceInfo
from tests.helpers import make_resource

OLD_NS = 1_600_000_000 * 10**9  # a moment well outside the racy window


def settle(*paths: Path) -> None:
    """Give folders an old mtime, as a library that has not been touched for a while has."""
    for path in paths:
        if path.is_dir():  # a folder: what is in it too (the index looks at the cover's mtime as well)
            for item in path.iterdir():
                os.utime(item, ns=(OLD_NS, OLD_NS))
        os.utime(path, ns=(OLD_NS, OLD_NS))


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old", "utf-8")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old", "utf-8")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


async def test_saved_info_round_trips_and_keeps_unknown_keys(tmp_path: Path) -> None:
    library = Library(tmp_path)
    info = ResourceInfo(avid="SSIS-469", title="标题", actors=("甲",), scraped=True, extra={"rating": 4})
    async with library.writing(info.avid):
        await library.save(info.avid, {"json": encode_info(info)})
    stored = json.loads((tmp_path / "SSIS-469" / "SSIS-469.json").read_text("utf-8"))
    assert stored["scraped"] is True
    assert stored["title"] == "标题"
    assert library.read_info("SSIS-469") == info
    assert [entry.avid for entry in library.entries()] == ["SSIS-469"]


def test_unchanged_folders_are_served_from_the_index(tmp_path: Path) -> None:
    folder = make_resource(tmp_path, "SSIS-469", title="before")
    json_path = folder / "SSIS-469.json"
    settle(folder, json_path, tmp_path)
    library = Library(tmp_path, sweep_interval_s=0)
    assert library.entries()[0].title == "before"
    # Same inode, same size, old mtimes put back: nothing says the file changed, so it is not re-read.
    json_path.write_text(json_path.read_text("utf-8").replace("before", "after!"), "utf-8")
    settle(folder, json_path)
    assert library.entries()[0].title == "before"


def test_sweep_notices_a_file_edited_in_place(tmp_path: Path) -> None:
    folder = make_resource(tmp_path, "SSIS-469", title="before")
    json_path = folder / "SSIS-469.json"
    settle(folder, json_path, tmp_path)
    library = Library(tmp_path, sweep_interval_s=0)
    assert library.entries()[0].title == "before"
    json_path.write_text(json_path.read_text("utf-8").replace("before", "edited by hand"), "utf-8")
    os.utime(json_path, ns=(OLD_NS + 10**9, OLD_NS + 10**9))  # the folder's mtime does not change
    assert library.entries()[0].title == "edited by hand"


def test_a_video_growing_in_place_shows_and_an_emptied_one_goes(tmp_path: Path) -> None:
    folder = make_resource(tmp_path, "SSIS-469")
    video = folder / "SSIS-469.mp4"
    video.write_bytes(b"")
    settle(folder, video, tmp_path)
    library = Library(tmp_path, sweep_interval_s=0)
    assert library.entries()[0].has_video is False
    with video.open("ab") as fh:  # a copy over SMB: the file exists first, its bytes arrive later
        fh.write(b"\x00" * 100_000)
    settle(video)
    assert library.entries()[0].has_video is True
    video.write_bytes(b"")
    settle(video)
    assert library.entries()[0].has_video is False


def test_unreadable_entries_are_skipped(tmp_path: Path) -> None:
    folder = make_resource(tmp_path, "SSIS-469")
    (folder / "SSIS-469.mp4").symlink_to("SSIS-469.mp4")  # a loop: stat fails with ELOOP
    make_resource(tmp_path, "SSIS-470")
    library = Library(tmp_path)
    assert [(e.avid, e.has_video) for e in library.entries()] == [("SSIS-469", False), ("SSIS-470", False)]
    assert library.video_size("SSIS-469") is None


def test_sweep_notices_a_video_dropped_into_an_old_folder(tmp_path: Path) -> None:
    folder = make_resource(tmp_path, "SSIS-469")
    settle(folder, tmp_path)
    library = Library(tmp_path, sweep_interval_s=0)
    assert library.entries()[0].has_video is False
    (folder / "SSIS-469.mp4").write_bytes(b"\x00" * 100)
    os.utime(folder, ns=(OLD_NS + 10**9, OLD_NS + 10**9))  # a later, but still old, mtime
    assert library.entries()[0].has_video is True


def test_racy_folder_is_rechecked_until_it_settles(tmp_path: Path) -> None:
    library = Library(tmp_path, sweep_interval_s=3600)
    folder = make_resource(tmp_path, "SSIS-469")  # just created: inside the racy window
    assert library.entries()[0].title == "SSIS-469 标题"
    (folder / "SSIS-469.json").write_text(json.dumps({"title": "new"}), "utf-8")
    assert library.entries()[0].title == "new"


def test_folder_names_are_checked_again_before_use(tmp_path: Path) -> None:
    library = Library(tmp_path)
    with pytest.raises(InvalidAvid):
        library.folder("../etc")
    with pytest.raises(InvalidAvid):
        library.file("ssis-469", "json")  # not canonical: callers must normalize first


def test_settled_folders_leave_nothing_to_walk_on_later_refreshes(tmp_path: Path) -> None:
    """A first start finds every folder new (inside the racy window); once they settle, what is left
    to recheck on every request must be small again, not a table sized for the whole library."""
    folders = [make_resource(tmp_path, f"SSIS-{number:03d}") for number in range(1, 501)]
    library = Library(tmp_path, sweep_interval_s=3600)
    assert len(library.entries()) == 500
    settle(*folders, tmp_path)
    assert len(library.entries()) == 500  # each rechecked once more, now settled
    left = library._index._unsettled  # what every refresh walks
    assert not left
    assert sys.getsizeof(left) <= sys.getsizeof({})
