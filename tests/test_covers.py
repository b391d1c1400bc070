"""Covers and their thumbnails against the real server: sizes, the files kept beside the library,
validators, 304s, and covers that are broken or hostile."""

from __future__ import annotations

import asyncio
import email.utils
import io
import logging
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from nassav.app import create_app
from nassav.config import Settings
from nassav.library.images import picture_version
from nassav.library.thumbnails import SIZES, render
from tests.conftest import ServeApp
from tests.helpers import JPEG_BYTES, make_resource, read_envelope

API = "/nassav/api"
COVER = f"{API}/resource/cover"
IMMUTABLE = "public, max-age=31536000, immutable"


def picture(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB", color: Any = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` and holds almost nothing: what a decompression bomb
    looks like before it is decoded (a real one would be a few kilobytes of zeros)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def decoded(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def thumbnail_files(settings: Settings, avid: str) -> list[Path]:
    folder = settings.paths.thumbnail_dir / avid
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(("size", "expected"), [("small", (200, 125)), ("medium", (600, 375)), ("large", (1200, 750))])
async def test_thumbnails_are_jpegs_of_the_sizes_width(
    api: Any, settings: Settings, library_root: Path, size: str, expected: tuple[int, int]
) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    response = await api.get(COVER, params={"avid": "ssis469", "size": size})
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    image = decoded(await response.read())
    assert (image.format, image.size) == ("JPEG", expected)
    kept = thumbnail_files(settings, "SSIS-469")
    assert len(kept) == 1
    assert kept[0].read_bytes() == await response.read()
    assert library_root not in kept[0].parents  # not in the folders a media server reads
    resource = sorted(p.name for p in (library_root / "SSIS-469").iterdir())
    assert resource == ["SSIS-469.html", "SSIS-469.jpg", "SSIS-469.json"]


async def test_a_small_cover_is_not_enlarged_and_transparency_turns_white(api: Any, library_root: Path) -> None:
    cover = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    cover.paste((0, 0, 255, 255), (0, 0, 150, 200))  # left half opaque blue, right half transparent
    out = io.BytesIO()
    cover.save(out, "PNG")
    make_resource(library_root, "SSIS-469", cover=out.getvalue())
    response = await api.get(COVER, params={"avid": "SSIS-469", "size": "large"})
    assert response.status == 200
    image = decoded(await response.read())
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (300, 200))
    red, green, blue = image.getpixel((250, 100))
    assert min(red, green, blue) > 240  # white, not black
    red, green, blue = image.getpixel((50, 100))
    assert blue > 200 > red


async def test_without_size_the_original_is_served_as_before(api: Any, library_root: Path) -> None:
    original = picture(1600, 1000)
    make_resource(library_root, "SSIS-469", cover=original)
    response = await api.get(COVER, params={"avid": "SSIS-469"})
    assert response.status == 200
    assert await response.read() == original


async def test_a_thumbnail_is_made_once_and_kept(
    serve_app: ServeApp, settings: Settings, library_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    api = await serve_app(create_app(settings))
    with caplog.at_level(logging.DEBUG, logger="nassav.library.thumbnails"):
        first = await api.get(COVER, params={"avid": "SSIS-469", "size": "medium"})
        body = await first.read()
        (kept,) = thumbnail_files(settings, "SSIS-469")
        made = kept.stat()
        again = await api.get(COVER, params={"avid": "SSIS-469", "size": "medium"})
        assert await again.read() == body
        # A restarted server finds it on disk.
        restarted = await serve_app(create_app(settings))
        third = await restarted.get(COVER, params={"avid": "SSIS-469", "size": "medium"})
        assert await third.read() == body
    assert third.headers["ETag"] == first.headers["ETag"]
    assert caplog.text.count("made thumbnail") == 1
    (still,) = thumbnail_files(settings, "SSIS-469")
    assert (still.stat().st_ino, still.stat().st_mtime_ns) == (made.st_ino, made.st_mtime_ns)


async def test_a_changed_cover_makes_a_new_thumbnail(api: Any, settings: Settings, library_root: Path) -> None:
    folder = make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    first = await api.get(COVER, params={"avid": "SSIS-469", "size": "small"})
    assert decoded(await first.read()).size == (200, 125)
    replacement = folder / "new.jpg"
    replacement.write_bytes(picture(800, 800, color=(0, 200, 0)))
    replacement.replace(folder / "SSIS-469.jpg")  # as a refresh writes it
    second = await api.get(COVER, params={"avid": "SSIS-469", "size": "small"})
    image = decoded(await second.read())
    assert image.size == (200, 200)
    assert image.getpixel((100, 100))[1] > 150  # the green one
    assert second.headers["ETag"] != first.headers["ETag"]
    assert len(thumbnail_files(settings, "SSIS-469")) == 1  # the old version is gone


async def test_sizes_of_one_cover_are_kept_side_by_side(api: Any, settings: Settings, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    for size in ("small", "medium", "small", "large"):
        assert (await api.get(COVER, params={"avid": "SSIS-469", "size": size})).status == 200
    assert [p.name.split("-")[0] for p in thumbnail_files(settings, "SSIS-469")] == ["large", "medium", "small"]


async def test_concurrent_requests_make_one_thumbnail(
    api: Any, settings: Settings, library_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(2400, 1500))
    with caplog.at_level(logging.DEBUG, logger="nassav.library.thumbnails"):
        responses = await asyncio.gather(
            *(api.get(COVER, params={"avid": "SSIS-469", "size": "medium"}) for _ in range(12))
        )
        bodies = {await response.read() for response in responses}
    assert [response.status for response in responses] == [200] * 12
    assert len(bodies) == 1
    assert caplog.text.count("made thumbnail") == 1
    assert len(thumbnail_files(settings, "SSIS-469")) == 1


@pytest.mark.parametrize(
    "cover",
    [
        JPEG_BYTES[:4] + b"\x00" * 500,  # a JPEG signature and nothing of a JPEG
        picture(1600, 1000)[:3000],  # a download cut short
        b"GIF89a" + os.urandom(200),
    ],
    ids=["garbage", "truncated", "random"],
)
async def test_a_cover_that_cannot_be_decoded_is_a_clear_404(
    api: Any, settings: Settings, library_root: Path, cover: bytes
) -> None:
    make_resource(library_root, "SSIS-469", cover=cover)
    body = await read_envelope(await api.get(COVER, params={"avid": "SSIS-469", "size": "small"}), 404)
    assert body == {"code": 404, "message": "封面 SSIS-469 已损坏，无法生成缩略图", "data": None}
    assert thumbnail_files(settings, "SSIS-469") == []


@pytest.mark.parametrize(
    ("width", "height"),
    [(6000, 5000), (10000, 10000), (30000, 30000), (2**31 - 1, 2**31 - 1)],
    ids=["over-our-limit", "over-pillows-warning", "over-pillows-error", "absurd"],
)
async def test_a_cover_with_too_many_pixels_is_refused_undecoded(
    api: Any, settings: Settings, library_root: Path, caplog: pytest.LogCaptureFixture, width: int, height: int
) -> None:
    make_resource(library_root, "SSIS-469", cover=png_header_only(width, height))
    with caplog.at_level(logging.WARNING, logger="nassav.library.thumbnails"):
        body = await read_envelope(await api.get(COVER, params={"avid": "SSIS-469", "size": "large"}), 404)
    assert body["message"] == "封面 SSIS-469 已损坏，无法生成缩略图"
    assert "pixels" in caplog.text  # refused for its size, before any decoding (which would fail otherwise)
    assert thumbnail_files(settings, "SSIS-469") == []


async def test_a_missing_cover_has_no_thumbnail(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=None)
    body = await read_envelope(await api.get(COVER, params={"avid": "SSIS-469", "size": "small"}), 404)
    assert body == {"code": 404, "message": "封面 SSIS-469 不存在", "data": None}


async def test_a_cover_that_is_no_image_has_no_thumbnail(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=b"<html>Just a moment...</html>")
    body = await read_envelope(await api.get(COVER, params={"avid": "SSIS-469", "size": "small"}), 404)
    assert body["message"] == "封面 SSIS-469 已损坏，无法生成缩略图"


@pytest.mark.parametrize("size", ["huge", "SMALL", "", "../../etc/passwd", "200"])
async def test_a_bad_size_is_400_naming_the_field(api: Any, library_root: Path, size: str) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    body = await read_envelope(await api.get(COVER, params={"avid": "SSIS-469", "size": size}), 400)
    assert list(body["data"]) == ["size"]
    assert "size" in body["message"]


async def test_a_bad_avid_with_a_size_is_400_naming_the_field(api: Any, settings: Settings) -> None:
    body = await read_envelope(await api.get(COVER, params={"avid": "../../etc", "size": "small"}), 400)
    assert list(body["data"]) == ["avid"]
    assert not settings.paths.thumbnail_dir.exists()


async def test_unknown_parameters_are_ignored(api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    response = await api.get(COVER, params={"avid": "SSIS-469", "size": "small", "v": "1700000000", "t": "x"})
    assert response.status == 200
    assert decoded(await response.read()).size == (200, 125)


async def test_deleting_a_resource_removes_its_thumbnails(api: Any, settings: Settings, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    make_resource(library_root, "SSIS-470", cover=picture(1600, 1000))
    for avid in ("SSIS-469", "SSIS-470"):
        assert (await api.get(COVER, params={"avid": avid, "size": "small"})).status == 200
    await read_envelope(await api.delete(f"{API}/resource/SSIS-469"), 200)
    assert not (settings.paths.thumbnail_dir / "SSIS-469").exists()
    assert len(thumbnail_files(settings, "SSIS-470")) == 1


# --- validators and conditional requests, for the original and for thumbnails -------------------------


@pytest.mark.parametrize("size", [None, "small"])
async def test_pictures_carry_validators_and_revalidate_unless_versioned(
    api: Any, library_root: Path, size: str | None
) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    params = {"avid": "SSIS-469"} | ({"size": size} if size else {})
    plain = await api.get(COVER, params=params)
    assert plain.status == 200
    etag = plain.headers["ETag"]
    assert etag[0] == etag[-1] == '"'  # strong: no W/
    assert len(etag) > 2
    assert email.utils.parsedate_to_datetime(plain.headers["Last-Modified"])
    assert plain.headers["Cache-Control"] == "no-cache"
    stat = (library_root / "SSIS-469" / "SSIS-469.jpg").stat()
    version = picture_version(stat.st_ino, stat.st_mtime_ns, stat.st_size)
    versioned = await api.get(COVER, params=params | {"v": str(version)})
    assert versioned.headers["Cache-Control"] == IMMUTABLE
    assert versioned.headers["ETag"] == etag
    # a URL naming another version (a page made before the cover was replaced) is never kept for good
    stale = await api.get(COVER, params=params | {"v": "1700000000"})
    assert stale.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("size", [None, "small"])
async def test_if_none_match_answers_304(api: Any, library_root: Path, size: str | None) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    params = {"avid": "SSIS-469"} | ({"size": size} if size else {})
    etag = (await api.get(COVER, params=params)).headers["ETag"]
    stat = (library_root / "SSIS-469" / "SSIS-469.jpg").stat()
    version = str(picture_version(stat.st_ino, stat.st_mtime_ns, stat.st_size))
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await api.get(COVER, params=params | {"v": version}, headers={"If-None-Match": header})
        assert response.status == 304, header
        assert await response.read() == b""
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == IMMUTABLE
    stale = await api.get(COVER, params=params, headers={"If-None-Match": '"other"'})
    assert stale.status == 200
    assert len(await stale.read()) > 0


@pytest.mark.parametrize("size", [None, "small"])
async def test_if_modified_since_answers_304(api: Any, library_root: Path, size: str | None) -> None:
    make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    params = {"avid": "SSIS-469"} | ({"size": size} if size else {})
    first = await api.get(COVER, params=params)
    modified = first.headers["Last-Modified"]
    same = await api.get(COVER, params=params, headers={"If-Modified-Since": modified})
    assert same.status == 304
    assert await same.read() == b""
    earlier = email.utils.formatdate(email.utils.parsedate_to_datetime(modified).timestamp() - 60, usegmt=True)
    older = await api.get(COVER, params=params, headers={"If-Modified-Since": earlier})
    assert older.status == 200
    # If-None-Match decides alone when present: a stale tag wins over a current date.
    both = await api.get(COVER, params=params, headers={"If-None-Match": '"old"', "If-Modified-Since": modified})
    assert both.status == 200
    garbage = await api.get(COVER, params=params, headers={"If-Modified-Since": "yesterday"})
    assert garbage.status == 200


async def test_a_replaced_cover_gets_a_new_etag(api: Any, library_root: Path) -> None:
    folder = make_resource(library_root, "SSIS-469", cover=picture(1600, 1000))
    etag = (await api.get(COVER, params={"avid": "SSIS-469"})).headers["ETag"]
    (folder / "new.jpg").write_bytes(picture(1600, 1000, color=(0, 0, 0)))
    (folder / "new.jpg").replace(folder / "SSIS-469.jpg")
    response = await api.get(COVER, params={"avid": "SSIS-469"}, headers={"If-None-Match": etag})
    assert response.status == 200
    assert response.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("L", "JPEG"), ("CMYK", "JPEG"), ("P", "GIF"), ("LA", "PNG"), ("I;16", "PNG"), ("RGBA", "WEBP")],
)
def test_every_kind_of_cover_becomes_an_rgb_jpeg(mode: str, fmt: str) -> None:
    source = Image.new(mode, (900, 600))
    out = io.BytesIO()
    source.save(out, fmt)
    image = decoded(render(out.getvalue(), SIZES["small"]))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (200, 133))


def test_a_rotated_photo_is_turned_upright() -> None:
    """A cover whose EXIF says "rotate 90°" is shown upright by browsers: its thumbnail is too."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    Image.new("RGB", (900, 600)).save(out, "JPEG", exif=exif)
    assert decoded(render(out.getvalue(), SIZES["small"])).size == (200, 300)
