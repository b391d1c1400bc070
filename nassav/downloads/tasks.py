"""A download task: what progress-polling clients see, and what the store keeps across restarts."""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from nassav.downloads.engines.base import Progress

Status = Literal["pending", "running", "completed", "failed", "cancelled"]
LIVE: tuple[Status, ...] = ("pending", "running")
# The only progress fields an engine may set (MeTube's whitelist idea): the rest is the supervisor's.
PROGRESS_FIELDS = ("done_segments", "total_segments", "downloaded_bytes", "total_bytes", "speed_bps", "eta_s")


@dataclass(kw_only=True)
class Task:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    avid: str
    status: Status = "pending"
    percent: float = 0.0
    done_segments: int | None = None
    total_segments: int | None = None
    downloaded_bytes: int | None = None
    total_bytes: int | None = None
    speed_bps: float | None = None
    eta_s: float | None = None
    engine: str = ""
    attempts: int = 0
    error: str = ""
    file_size: int | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def apply(self, progress: Progress) -> None:
        """Take an engine's progress record. The percentage never goes back within a run."""
        for name in PROGRESS_FIELDS:
            value = getattr(progress, name)
            if value is not None:
                setattr(self, name, value)
        if progress.percent is not None:
            self.percent = round(max(self.percent, min(progress.percent, 100.0)), 2)

    def reset_progress(self) -> None:
        self.percent = 0.0
        for name in PROGRESS_FIELDS:
            setattr(self, name, None)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Task:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in row.items() if key in names})


TASK_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Task))
