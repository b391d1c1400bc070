"""The queue as front ends show it: the download under way and the tasks waiting for their turn, in
the order they will run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nassav.downloads.tasks import Task


@dataclass(frozen=True)
class QueueStatus:
    active: tuple[Task, ...]  # running (one at a time, but a list for the clients)
    pending: tuple[Task, ...]  # first to run first

    @classmethod
    def of(cls, tasks: Iterable[Task]) -> QueueStatus:
        """From tasks in queue order (finished ones are left out)."""
        live = [task for task in tasks if task.live]
        return cls(
            active=tuple(task for task in live if task.status == "running"),
            pending=tuple(task for task in live if task.status == "pending"),
        )
