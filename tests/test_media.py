"""Output checks with ffprobe, and with ffmpeg alone (a fresh machine has only imageio-ffmpeg's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from nassav.config import DownloadSettings
from nassav.downloads.engines import choose_engine, find_ffmpeg
from nassav.downloads.probe import probe
from nassav.errors import DownloadFailed, EngineUnavailable
from tests.fakeweb.hls import DURATION_S

BUNDLED_FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(scope="module")
def movie(hls_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("media") / "movie.mp4"
    playlist = hls_root / "plain" / "v1" / "index.m3u8"
    subprocess.run(
        [BUNDLED_FFMPEG, "-v", "error", "-nostdin", "-i", str(playlist), "-c", "copy", str(out)], check=True, timeout=60
    )
    return out


@pytest.mark.parametrize("ffprobe", [shutil.which("ffprobe"), None], ids=["ffprobe", "ffmpeg-only"])
async def test_probe(movie: Path, ffprobe: str | None) -> None:
    facts = await probe(movie, ffmpeg=BUNDLED_FFMPEG, ffprobe=ffprobe)
    assert facts.has_video
    assert abs(facts.duration_s - DURATION_S) < 1


@pytest.mark.parametrize("ffprobe", [shutil.which("ffprobe"), None], ids=["ffprobe", "ffmpeg-only"])
async def test_probe_rejects_what_is_not_a_video(tmp_path: Path, ffprobe: str | None) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"<html>Just a moment...</html>" * 100)
    with pytest.raises(DownloadFailed):
        await probe(fake, ffmpeg=BUNDLED_FFMPEG, ffprobe=ffprobe)


def test_ffmpeg_is_found_in_order(tmp_path: Path) -> None:
    assert find_ffmpeg(DownloadSettings(ffmpeg_path=BUNDLED_FFMPEG)) == BUNDLED_FFMPEG
    assert find_ffmpeg(DownloadSettings()) in (shutil.which("ffmpeg"), BUNDLED_FFMPEG)
    with pytest.raises(EngineUnavailable, match="not an executable file"):
        find_ffmpeg(DownloadSettings(ffmpeg_path=str(tmp_path / "nope")))


def test_engine_choice(tmp_path: Path) -> None:
    fake_re = tmp_path / "N_m3u8DL-RE"
    fake_re.write_text("#!/bin/sh\n", "utf-8")
    fake_re.chmod(0o755)
    assert choose_engine(DownloadSettings(engine="auto", n_m3u8dl_re_path=str(fake_re))).NAME == "n_m3u8dl_re"
    assert choose_engine(DownloadSettings(engine="auto", n_m3u8dl_re_path=str(tmp_path / "x"))).NAME == "yt_dlp"
    assert choose_engine(DownloadSettings(engine="ffmpeg")).NAME == "ffmpeg"
    with pytest.raises(EngineUnavailable, match="N_m3u8DL-RE is not installed"):
        choose_engine(DownloadSettings(engine="n_m3u8dl_re", n_m3u8dl_re_path=str(tmp_path / "x")))
