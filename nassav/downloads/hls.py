"""HLS playlists: choosing a variant, totalling a media playlist, and looking at a stream before
downloading it (its length, for progress and the final check; whether its segments are disguised)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from nassav.errors import UpstreamError
from nassav.http import HttpClient
from nassav.library.images import image_format

MAX_PLAYLIST_BYTES = 4 * 1024 * 1024
TS_SYNC = 0x47


@dataclass(frozen=True, kw_only=True)
class MediaPlaylist:
    url: str
    duration_s: float
    segments: tuple[str, ...]
    encrypted: bool


@dataclass(frozen=True, kw_only=True)
class StreamPlan:
    """What a look at the stream told: where its media playlist is, how long it is, what to expect."""

    media: MediaPlaylist
    disguise: str | None  # "PNG" when segments hide behind a fake PNG header, None when plain TS


def best_variant(master_text: str, master_url: str) -> str | None:
    """The URL of the highest-BANDWIDTH variant of a master playlist; None when it is a media one."""
    best: tuple[int, str] | None = None
    lines = [line.strip() for line in master_text.splitlines()]
    for index, line in enumerate(lines):
        if not line.startswith("#EXT-X-STREAM-INF"):
            continue
        found = re.search(r"[:,]BANDWIDTH=(\d+)", line)
        bandwidth = int(found.group(1)) if found else 0
        uri = next((candidate for candidate in lines[index + 1 :] if candidate and not candidate.startswith("#")), None)
        if uri is not None and (best is None or bandwidth > best[0]):
            best = (bandwidth, urljoin(master_url, uri))
    return best[1] if best else None


def parse_media_playlist(text: str, url: str) -> MediaPlaylist:
    if not text.lstrip().startswith("#EXTM3U"):
        raise UpstreamError(f"{url} is not an HLS playlist")
    duration_s = 0.0
    segments: list[str] = []
    encrypted = False
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("#EXTINF:"):
            try:
                duration_s += float(line[len("#EXTINF:") :].split(",", 1)[0] or 0)
            except ValueError:
                raise UpstreamError(f"{url} is not a valid HLS playlist: {line[:80]!r}") from None
        elif line.startswith("#EXT-X-KEY:") and "METHOD=NONE" not in line:
            encrypted = True
        elif line and not line.startswith("#"):
            segments.append(urljoin(url, line))
    if not segments:
        raise UpstreamError(f"{url} lists no segments")
    return MediaPlaylist(url=url, duration_s=duration_s, segments=tuple(segments), encrypted=encrypted)


async def inspect_stream(http: HttpClient, url: str, headers: Mapping[str, str]) -> StreamPlan:
    """Fetch the playlist (and its best variant), and peek at the first segment."""
    response = await http.get(url, headers=headers, max_bytes=MAX_PLAYLIST_BYTES)
    variant = best_variant(response.text, response.url)
    if variant is not None:
        response = await http.get(variant, headers=headers, max_bytes=MAX_PLAYLIST_BYTES)
    media = parse_media_playlist(response.text, response.url)
    disguise = None
    if not media.encrypted:  # encrypted bytes say nothing until decrypted
        ranged = {**headers, "Range": "bytes=0-4095"}  # origins that ignore Range are cut off after 4 KiB
        first = await http.get(media.segments[0], headers=ranged, max_bytes=4096, peek=True)
        disguise = disguise_of(first.content[:4096])
    return StreamPlan(media=media, disguise=disguise)


def disguise_of(head: bytes) -> str | None:
    """The image format a TS segment hides behind, or None when it starts as MPEG-TS should."""
    if head[:1] == bytes([TS_SYNC]):
        return None
    return image_format(head)
