"""Download engines (one module each) and the choice between them.

``auto`` takes N_m3u8DL-RE when it is installed, else yt-dlp (always there: a Python dependency).
The choice is made for each download, so installing N_m3u8DL-RE needs no restart.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from nassav.config import DownloadSettings
from nassav.downloads.engines.base import Engine
from nassav.downloads.engines.ffmpeg import Ffmpeg
from nassav.downloads.engines.n_m3u8dl_re import NM3u8DLRE
from nassav.downloads.engines.yt_dlp import YtDlp
from nassav.errors import EngineUnavailable

N_M3U8DL_RE_NAMES = ("N_m3u8DL-RE", "n-m3u8dl-re")


def choose_engine(settings: DownloadSettings) -> Engine:
    wanted = settings.engine
    if wanted in ("auto", "n_m3u8dl_re"):
        binary = _executable(settings.n_m3u8dl_re_path, N_M3U8DL_RE_NAMES)
        if binary is not None:
            return NM3u8DLRE(binary)
        if wanted == "n_m3u8dl_re":
            where = settings.n_m3u8dl_re_path or "PATH"
            raise EngineUnavailable(
                f"N_m3u8DL-RE is not installed (looked in {where}): install it or set [download] n_m3u8dl_re_path"
            )
        wanted = "yt_dlp"
    if wanted == "yt_dlp":
        if importlib.util.find_spec("yt_dlp") is None:
            raise EngineUnavailable("yt-dlp is not installed: pip install yt-dlp, or set [download] engine")
        return YtDlp()
    return Ffmpeg()


def find_ffmpeg(settings: DownloadSettings) -> str:
    """``[download] ffmpeg_path``, else ffmpeg on PATH, else the one bundled by imageio-ffmpeg."""
    found = _executable(settings.ffmpeg_path, ("ffmpeg",))
    if found is not None:
        return found
    if settings.ffmpeg_path:
        raise EngineUnavailable(f"[download] ffmpeg_path {settings.ffmpeg_path} is not an executable file")
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise EngineUnavailable(f"ffmpeg is not installed: {exc}") from None


def find_ffprobe(ffmpeg: str) -> str | None:
    """ffprobe beside ffmpeg or on PATH; None when only ffmpeg exists (imageio-ffmpeg bundles no ffprobe)."""
    sibling = Path(ffmpeg).with_name("ffprobe")
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("ffprobe")


def _executable(configured: str, names: tuple[str, ...]) -> str | None:
    if configured:
        path = Path(configured).expanduser()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else shutil.which(configured)
    return next((found for name in names if (found := shutil.which(name))), None)
