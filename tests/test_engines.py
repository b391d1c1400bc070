"""Engines: argv builders and progress parsers, on output shaped like (or captured from) the real tools."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

from nassav.downloads.engines.base import ChunkLines, Job, size_to_bytes
from nassav.downloads.engines.ffmpeg import Ffmpeg
from nassav.downloads.engines.n_m3u8dl_re import NM3u8DLRE
from nassav.downloads.engines.n_m3u8dl_re import parse_line as parse_re_line
from nassav.downloads.engines.yt_dlp import YtDlp

JOB = Job(
    url="https://cdn.example/abc/playlist.m3u8",
    headers={"Referer": "https://missav.ai/"},
    work_dir=Path("/data/tmp/t1"),
    name="SSIS-469",
    threads=16,
    retries=5,
    ffmpeg="/usr/bin/ffmpeg",
    duration_s=100.0,
)


def test_chunk_lines_split_on_cr_and_lf_keeping_the_tail() -> None:
    lines = ChunkLines()
    assert lines.feed(b"one\r") == ["one"]
    assert lines.feed(b"tw") == []
    assert lines.feed(b"o\rthree\nfo") == ["two", "three"]
    assert lines.feed(b"ur\r\n") == ["four"]


def test_chunk_lines_bound_a_line_without_end() -> None:
    lines = ChunkLines()
    lines.feed(b"x" * (ChunkLines.MAX_TAIL * 3))
    assert lines.feed(b"\n") == ["x" * ChunkLines.MAX_TAIL]


def test_n_m3u8dl_re_argv_is_unattended() -> None:
    argv = NM3u8DLRE("/opt/bin/N_m3u8DL-RE").argv(JOB)
    assert argv[:2] == ["/opt/bin/N_m3u8DL-RE", JOB.url]
    pairs = dict(itertools.pairwise(argv[2:]))
    assert pairs["--save-dir"] == "/data/tmp/t1"
    assert pairs["--save-name"] == "SSIS-469"
    assert pairs["--tmp-dir"].startswith("/data/tmp/t1")
    assert pairs["--thread-count"] == "16"
    assert pairs["--download-retry-count"] == "5"
    assert pairs["--ffmpeg-binary-path"] == "/usr/bin/ffmpeg"
    assert pairs["-M"] == "format=mp4"
    assert pairs["-H"] == "Referer: https://missav.ai/"
    for flag in ("--auto-select", "--no-log", "--disable-update-check", "--no-ansi-color"):
        assert flag in argv


@pytest.mark.parametrize(
    ("line", "done", "total", "got", "size", "speed", "eta"),
    [
        (
            "Vid 1920x1080 | 6221 Kbps ━━━━━━━━━━━━━━━━━━━━ 32/64 50.00% 320.00MB/641.93MB 4.97MBps 00:02:09",
            32, 64, 320 * 1024**2, int(641.93 * 1024**2), 4.97 * 1024**2, 129,
        ),
        (
            "Vid Kbps ---- 764/1268 60.25% 505.17MB/846.18MB4.51MBps00:00:58",
            764, 1268, int(505.17 * 1024**2), int(846.18 * 1024**2), 4.51 * 1024**2, 58,
        ),
        ("Vid 1280x720 | 2000 Kbps ━━━━ 3/100 3.00% 1.50GB/50.00GB 512.00KBps 01:00:00", 3, 100,
         int(1.5 * 1024**3), 50 * 1024**3, 512 * 1024, 3600),
    ],
)  # fmt: skip
def test_n_m3u8dl_re_rows(line: str, done: int, total: int, got: int, size: int, speed: float, eta: int) -> None:
    record = parse_re_line(line)
    assert record is not None
    assert (record.done_segments, record.total_segments) == (done, total)
    assert record.percent == pytest.approx(100 * done / total)  # the segment count is the authority
    assert record.downloaded_bytes == got
    assert record.total_bytes == size
    assert record.speed_bps == pytest.approx(speed)
    assert record.eta_s == eta


def test_n_m3u8dl_re_final_records() -> None:
    done = parse_re_line("12:00:01.123 INFO : Done")
    assert done is not None
    assert done.outcome == "done"
    failed = parse_re_line("12:00:01.123 ERROR: Failed")
    assert failed is not None
    assert failed.outcome == "failed"
    assert parse_re_line("12:00:00.000 INFO : N_m3u8DL-RE (Beta version) 20230628") is None


def test_n_m3u8dl_re_parser_on_redrawn_chunks() -> None:
    parser = NM3u8DLRE("x").parser(JOB)
    records = parser.feed(b"Vid Kbps ---- 1/4 25.00% 1.00MB/4.00MB 1.00MBps 00:00:03\rVid Kbps ---- 2/4 50.0")
    records += parser.feed(b"0% 2.00MB/4.00MB 1.00MBps 00:00:02\r12:00:00.000 INFO : Done\n")
    assert [r.percent for r in records[:2]] == [25.0, 50.0]
    assert records[-1].outcome == "done"


def test_yt_dlp_argv() -> None:
    argv = YtDlp().argv(JOB)
    assert argv[:3] == [sys.executable, "-m", "yt_dlp"]
    assert argv[-2:] == ["--", JOB.url]
    assert argv[argv.index("--concurrent-fragments") + 1] == "16"
    assert argv[argv.index("--add-header") + 1] == "Referer:https://missav.ai/"
    assert argv[argv.index("--ffmpeg-location") + 1] == "/usr/bin/ffmpeg"
    assert argv[argv.index("-o") + 1] == "/data/tmp/t1/SSIS-469.mp4"
    assert "--newline" in argv
    assert argv[argv.index("--progress-delta") + 1] == "0.5"
    assert "--abort-on-unavailable-fragments" in argv


def test_yt_dlp_parser_on_its_real_output() -> None:
    # Captured from yt-dlp 2026.10.26 with the progress template of the argv above.
    parser = YtDlp().parser(JOB)
    records = parser.feed(
        b"[hlsnative] Total fragments: 32\n"
        b'NASSAV-PROGRESS {"status": "downloading", "downloaded_bytes": 1215984, "total_bytes_estimate": 1247728.0, '
        b'"speed": 3920620.3724224465, "fragment_index": 31, "fragment_count": 32}\n'
        b'NASSAV-PROGRESS {"status": "finished", "downloaded_bytes": 1215984, "total_bytes": 1215984, '
        b'"speed": 5085.7}\n'
        b"ERROR: [download] Got error: HTTP Error 404: File not found. Giving up after 1 retries\n"
    )
    assert records[0].percent == pytest.approx(100 * 31 / 32)
    assert (records[0].done_segments, records[0].total_segments) == (31, 32)
    assert records[0].total_bytes == 1247728
    assert records[1].percent == 100.0
    assert records[2].outcome == "failed"
    assert "HTTP Error 404" in records[2].message


def test_ffmpeg_argv_puts_reconnect_and_headers_before_the_input() -> None:
    argv = Ffmpeg().argv(JOB)
    source = argv.index("-i")
    assert argv[source + 1] == JOB.url
    assert argv.index("-reconnect") < source
    assert argv[argv.index("-headers") + 1] == "Referer: https://missav.ai/\r\n"
    assert argv[argv.index("-progress") + 1] == "pipe:1"
    assert argv[-1] == "/data/tmp/t1/SSIS-469.mp4"


def test_ffmpeg_parser_percent_from_playlist_duration() -> None:
    parser = Ffmpeg().parser(JOB)
    records = parser.feed(b"frame=100\nout_time_us=25000000\ntotal_size=1048576\nspeed=5.0x\nprogress=continue\n")
    records += parser.feed(b"out_time_us=N/A\nprogress=continue\nout_time_us=100000000\nprogress=end\n")
    assert records[0].percent == 25.0
    assert records[0].downloaded_bytes == 1048576
    assert records[0].eta_s == pytest.approx(15.0)
    assert records[1].percent is None
    assert records[2].outcome == "done"
    assert records[2].percent == 100.0


def test_size_units() -> None:
    assert size_to_bytes("1.5", "KB") == 1536
    assert size_to_bytes("2", "B") == 2
    assert size_to_bytes("1", "GiB") == 1024**3
