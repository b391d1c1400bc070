"""What the client commands show: live progress bars while downloads run, the task table, and the
few ways of writing sizes, speeds and times they share (rich draws; this module only decides what)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from nassav.client.api import Client, Resource, Submitted, TaskState

POLL_S = 0.5  # the server publishes progress at most twice a second


def size(n_bytes: int | None) -> str:
    return decimal(n_bytes) if n_bytes is not None else ""


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def detail(task: TaskState) -> str:
    """What a task's status does not say: how fast and how long for a running one, why for a failed one."""
    if task.status == "running":
        parts = [f"{decimal(int(task.speed_bps))}/s" if task.speed_bps else "", _eta(task.eta_s)]
        return "  ".join(part for part in parts if part)
    if task.status == "failed":
        return task.error
    if task.status == "completed":
        return size(task.file_size)
    return ""


def _eta(eta_s: float | None) -> str:
    return f"ETA {duration(eta_s)}" if eta_s is not None else ""


def follow(client: Client, queued: Sequence[Submitted], console: Console) -> list[TaskState]:
    """Poll each queued task until it is over, a bar per task; the final states, in the order given."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        TaskProgressColumn(),
        TextColumn("{task.fields[status]}"),
        TextColumn("{task.fields[detail]}"),
    )
    with Progress(*columns, console=console) as bars:
        rows = {s.task_id: bars.add_task(s.avid, total=100, status="pending", detail="") for s in queued if s.task_id}
        states: dict[str, TaskState] = {}
        while True:
            for task_id, row in rows.items():
                if task_id not in states or not states[task_id].finished:
                    states[task_id] = client.task(task_id)
                    _show(bars, row, states[task_id])
            if all(state.finished for state in states.values()):
                return [states[task_id] for task_id in rows]
            time.sleep(POLL_S)


def _show(bars: Progress, row: TaskID, task: TaskState) -> None:
    bars.update(row, completed=task.percent, status=task.status, detail="" if task.status == "failed" else detail(task))


def tasks_table(tasks: Iterable[TaskState]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("ID", no_wrap=True)
    table.add_column("AVID", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("PERCENT", justify="right", no_wrap=True)
    table.add_column("DETAIL", overflow="fold")
    for task in tasks:
        # An error comes from an engine or a site: shown as it is, never read as markup ([/seg] ...).
        table.add_row(task.id, task.avid, task.status, f"{task.percent:.1f}%", Text(detail(task)))
    return table


def resource_lines(resources: Sequence[Resource]) -> list[str]:
    """The library as aligned plain lines, the title last and whole (easy to read, easy to grep)."""
    header = Resource("AVID", "TITLE", "SOURCE", "RELEASED", has_video=False)
    rows = [header, *resources]
    avid_w = max(len(r.avid) for r in rows)
    source_w = max(len(r.source) for r in rows)
    date_w = max(len(r.release_date) for r in rows)
    lines = []
    for r in rows:
        video = "VIDEO" if r is header else ("yes" if r.has_video else "-")
        cells = f"{r.avid:<{avid_w}}  {video:<5}  {r.source:<{source_w}}  {r.release_date:<{date_w}}  {r.title}"
        lines.append(cells.rstrip())
    return lines
