"""A NASSAV server under test, as a process of its own started the way ``nassav serve`` starts.

It runs with the shipped defaults: the repository's config.toml, copied as it is. Only what a
benchmark must choose differs: the port (``--port``) and, when asked, the download connections
(``NASSAV_DOWNLOAD_THREADS``). The paths in config.toml are relative, so the library, the database
and the downloads' work dirs land in the benchmark's own folder. Logging stays as users have it
(``info``, the access log on); stderr goes to ``nassav.log`` in that folder, as a service's goes to
the journal, and is read back to check that the access log was on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, free_port, get_json, python, stop, wait_until
from nassav.config import DownloadSettings

DEFAULT_THREADS: int = DownloadSettings().threads

SHIPPED_CONFIG = ROOT / "config.toml"
LOG_TAIL_BYTES = 64 * 1024


class Nassav:
    def __init__(self, workdir: Path, *, threads: int = DEFAULT_THREADS) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/nassav/api"
        workdir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED_CONFIG, workdir / "config.toml")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(workdir)}
        if threads != DEFAULT_THREADS:
            self.env["NASSAV_DOWNLOAD_THREADS"] = str(threads)
        self.log_path = workdir / "nassav.log"
        self.proc: subprocess.Popen[str] | None = None
        self.start_to_first_answer_s = 0.0

    def start(self) -> None:
        started = time.perf_counter()
        with self.log_path.open("a", encoding="utf-8") as log_file:
            self.proc = subprocess.Popen(
                [python(), "-m", "nassav", "serve", "--port", str(self.port)], cwd=self.workdir,
                stdout=subprocess.DEVNULL, stderr=log_file, env=self.env,
            )  # fmt: skip
        answered = lambda: get_json(f"{self.base}/source/list", timeout_s=2)["code"] == 200  # noqa: E731
        wait_until(answered, timeout_s=120, interval_s=0.01)
        self.start_to_first_answer_s = time.perf_counter() - started

    def settle(self) -> None:
        """Wait for the one-time work of a first start to end: the library's index kept beside the
        database for the next start (seconds of a thread's time with 50,000 resources), so that what
        is measured next is the service as it runs, not as it starts."""
        wait_until(lambda: (self.workdir / "nassav.index.json").exists(), timeout_s=120, interval_s=0.1)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)  # type: ignore[arg-type]
            self.proc = None

    def check_access_log(self) -> None:
        """The figures stand for the defaults only if the access log was on while they were taken."""
        with self.log_path.open("rb") as log_file:
            log_file.seek(max(0, self.log_path.stat().st_size - LOG_TAIL_BYTES))
            tail = log_file.read().decode("utf-8", "replace")
        if '"GET /nassav/api/' not in tail:
            raise RuntimeError(f"no access log lines in {self.log_path}: the server did not run with the defaults")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid
