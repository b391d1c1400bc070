"""What every download engine shares: the job it is given, the progress records it yields, and the
splitting of raw output into lines.

Engines are pure: ``argv(job)`` builds a command line, ``parser()`` turns output chunks into
``Progress`` records. Running the process and judging the result is the runner's business
(downloads/runner.py), recording progress the supervisor's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol

Outcome = Literal["done", "failed"]


@dataclass(frozen=True, kw_only=True)
class Job:
    url: str  # the media (or master) playlist
    headers: Mapping[str, str] = field(default_factory=dict)
    work_dir: Path  # everything the engine writes goes here
    name: str  # the output's base name: the AVID
    threads: int = 8
    retries: int = 3
    ffmpeg: str = "ffmpeg"
    duration_s: float | None = None  # the playlist's total, for engines that report time, not segments
    proxy: str = field(default="", repr=False)  # [http] proxy: streams go the way pages go

    @property
    def output(self) -> Path:
        return self.work_dir / f"{self.name}.mp4"


@dataclass(kw_only=True)
class ProgressCounters:
    """The progress an engine may report and a task shows, declared once (MeTube's whitelist of
    fields): the task, its database row and its OpenAPI schema all take these fields from here.
    (Not frozen: the task, which is mutable, inherits them.)"""

    done_segments: int | None = None
    total_segments: int | None = None
    downloaded_bytes: int | None = None
    total_bytes: int | None = None
    speed_bps: float | None = field(default=None, metadata={"description": "字节/秒"})
    eta_s: float | None = field(default=None, metadata={"description": "预计剩余秒数"})


@dataclass(kw_only=True)
class Progress(ProgressCounters):
    """One record of an engine's output."""

    percent: float | None = None  # the task keeps its own, which never goes back within an attempt
    outcome: Outcome | None = None  # the engine's own final word, when it has one
    message: str = ""


class Parser(Protocol):
    def feed(self, chunk: bytes) -> list[Progress]: ...


class Engine(Protocol):
    NAME: ClassVar[str]
    # What the engine can do, so that the runner never asks which engine it has:
    UNWRAPS_DISGUISED_SEGMENTS: ClassVar[bool]  # segments behind a fake image header (sources hide them so)
    WANTS_MEDIA_PLAYLIST: ClassVar[bool]  # given the chosen variant's playlist: it cannot pick one from a master

    def argv(self, job: Job) -> list[str]: ...

    def parser(self, job: Job) -> Parser: ...


class ChunkLines:
    """Split raw output into lines on ``\\r`` as well as ``\\n``, keeping a partial last line for the
    next chunk (progress bars redraw with ``\\r`` only, which ``readline()`` would buffer forever)."""

    MAX_TAIL = 64 * 1024

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> list[str]:
        parts = re.split(rb"[\r\n]", self._tail + chunk)
        self._tail = parts.pop()[-self.MAX_TAIL :]
        return [part.decode("utf-8", errors="replace").strip() for part in parts if part.strip()]


class LineParser:
    """A parser for engines whose every progress record is one line: ``parse_line`` reads a line."""

    def __init__(self, parse_line: Callable[[str], Progress | None]) -> None:
        self._lines = ChunkLines()
        self._parse_line = parse_line

    def feed(self, chunk: bytes) -> list[Progress]:
        return [record for line in self._lines.feed(chunk) if (record := self._parse_line(line)) is not None]


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def size_to_bytes(number: str, unit: str) -> int:
    """``"320.00", "MB"`` -> bytes (binary units, as the tools print them)."""
    return int(float(number) * _UNITS[unit.upper().rstrip("IB").rstrip("B")])


def clock_to_seconds(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
