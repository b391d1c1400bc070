"""Playing a video from the library: the whole file, ranges (what a browser's player seeks with), the
answers when there is nothing to play, and the play URL the web front end asks for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from nassav.app import create_app
from tests.conftest import MakeSettings, ServeApp
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"
VIDEO = f"{API}/resource/video"
CONTENT = os.urandom(300_000)  # sent with sendfile: more than one socket buffer
SIZE = len(CONTENT)


@pytest.fixture
def video_avid(library_root: Path) -> str:
    make_resource(library_root, "SSIS-469", video=CONTENT)
    return "SSIS-469"


async def test_the_whole_video(api: Any, video_avid: str) -> None:
    response = await api.get(VIDEO, params={"avid": "ssis469"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert int(response.headers["Content-Length"]) == SIZE
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert await response.read() == CONTENT


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=0-0", 0, 0),
        (f"bytes={SIZE - 100}-", SIZE - 100, SIZE - 1),  # open-ended: to the end
        ("bytes=-50", SIZE - 50, SIZE - 1),  # suffix: the last 50 bytes
        (f"bytes=1000-{SIZE * 2}", 1000, SIZE - 1),  # past the end: cut at the end
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),  # a suffix longer than the file: all of it
    ],
)
async def test_a_range_gets_206_with_those_bytes(api: Any, video_avid: str, header: str, first: int, last: int) -> None:
    response = await api.get(VIDEO, params={"avid": video_avid}, headers={"Range": header})
    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response.headers["Content-Type"] == "video/mp4"
    assert await response.read() == CONTENT[first : last + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=abc", "bytes=5-1"])
async def test_an_unsatisfiable_range_is_416(api: Any, video_avid: str, header: str) -> None:
    response = await api.get(VIDEO, params={"avid": video_avid}, headers={"Range": header})
    body = await read_envelope(response, 416)
    assert body["data"] is None
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"


async def test_a_stale_if_range_gets_the_whole_video(api: Any, video_avid: str) -> None:
    headers = {"Range": f"bytes={SIZE}-", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"}
    response = await api.get(VIDEO, params={"avid": video_avid}, headers=headers)
    assert response.status == 200
    assert await response.read() == CONTENT


async def test_a_current_copy_is_304(api: Any, video_avid: str) -> None:
    first = await api.get(VIDEO, params={"avid": video_avid})
    await first.read()
    again = await api.get(VIDEO, params={"avid": video_avid}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""


async def test_no_video_is_404(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    body = await read_envelope(await api.get(VIDEO, params={"avid": "SSIS-469"}), 404)
    assert body == {"code": 404, "message": "视频 SSIS-469 不存在", "data": None}
    body = await read_envelope(await api.get(VIDEO, params={"avid": "ABP-001"}), 404)  # no resource at all
    assert body["message"] == "视频 ABP-001 不存在"


async def test_an_empty_file_or_a_folder_is_no_video(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", video=b"")
    await read_envelope(await api.get(VIDEO, params={"avid": "SSIS-469"}), 404)
    (make_resource(library_root, "SSIS-470") / "SSIS-470.mp4").mkdir()
    await read_envelope(await api.get(VIDEO, params={"avid": "SSIS-470"}), 404)


async def test_a_video_linked_in_from_another_disk_plays(api: Any, library_root: Path, tmp_path: Path) -> None:
    """The owner may keep videos elsewhere and link them in (a client cannot place a link)."""
    elsewhere = tmp_path / "other-disk" / "SSIS-469.mp4"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(CONTENT)
    (make_resource(library_root, "SSIS-469") / "SSIS-469.mp4").symlink_to(elsewhere)
    response = await api.get(VIDEO, params={"avid": "SSIS-469"}, headers={"Range": "bytes=0-99"})
    assert response.status == 206
    assert await response.read() == CONTENT[:100]


@pytest.mark.parametrize("avid", ["../../etc/passwd", "SSIS-469/../../x", "", "a" * 100])
async def test_a_hostile_avid_is_400_naming_the_field(api: Any, video_avid: str, avid: str) -> None:
    for path in (VIDEO, f"{API}/downloads/abspath"):
        body = await read_envelope(await api.get(path, params={"avid": avid}), 400)
        assert list(body["data"]) == ["avid"]


async def test_a_missing_avid_is_400(api: Any) -> None:
    body = await read_envelope(await api.get(VIDEO), 400)
    assert list(body["data"]) == ["avid"]


# --- GET /downloads/abspath: where the browser can play it -----------------------------------------


async def test_abspath_is_the_play_url(api: Any, video_avid: str) -> None:
    body = await read_envelope(await api.get(f"{API}/downloads/abspath", params={"avid": "ssis469", "v": "1"}), 200)
    assert body["data"] == {"abspath": f"{VIDEO}?avid=SSIS-469"}
    played = await api.get(body["data"]["abspath"])
    assert await played.read() == CONTENT


async def test_abspath_without_a_video_is_404(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469")
    body = await read_envelope(await api.get(f"{API}/downloads/abspath", params={"avid": "SSIS-469"}), 404)
    assert body == {"code": 404, "message": "视频 SSIS-469 不存在", "data": None}


async def test_abspath_never_echoes_the_api_key(
    serve_app: ServeApp, make_settings: MakeSettings, library_root: Path
) -> None:
    api = await serve_app(create_app(make_settings(server={"api_key": "s3cret-key"})))
    make_resource(library_root, "SSIS-469", video=CONTENT)
    await read_envelope(await api.get(f"{API}/downloads/abspath", params={"avid": "SSIS-469"}), 401)
    response = await api.get(f"{API}/downloads/abspath", params={"avid": "SSIS-469", "apikey": "s3cret-key"})
    body = await read_envelope(response, 200)
    assert body["data"] == {"abspath": f"{VIDEO}?avid=SSIS-469"}
    assert (await api.get(VIDEO, params={"avid": "SSIS-469"})).status == 401  # the video needs the key too
