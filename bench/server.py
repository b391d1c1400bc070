"""A NASSAV server under test, as a process of its own started the way ``nassav serve`` starts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, free_port, get_json, python, stop, wait_until


class Nassav:
    def __init__(self, workdir: Path, *, threads: int = 8) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/nassav/api"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.toml").write_text(
            f'[server]\nport = {self.port}\nlog_level = "warning"\n[download]\nthreads = {threads}\n', "utf-8"
        )
        self.proc: subprocess.Popen[str] | None = None
        self.start_to_first_answer_s = 0.0

    def start(self) -> None:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [python(), "-m", "nassav", "serve"], cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(self.workdir)},
        )  # fmt: skip
        answered = lambda: get_json(f"{self.base}/source/list", timeout_s=2)["code"] == 200  # noqa: E731
        wait_until(answered, timeout_s=120, interval_s=0.01)
        self.start_to_first_answer_s = time.perf_counter() - started

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)  # type: ignore[arg-type]
            self.proc = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

