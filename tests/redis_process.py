"""A throw-away redis-server that a test can kill and start again on the same port."""

from __future__ import annotations

import signal
import subprocess
import threading
from pathlib import Path


class RedisProcess:
    def __init__(self, exe: str, port: int, workdir: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._argv = [
            exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)
        ]  # fmt: skip
        self._proc: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None

    def start(self) -> None:
        """Start it and return once it accepts connections (it says so in its log: no polling)."""
        proc = subprocess.Popen(self._argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            proc.stdout.close()
            raise RuntimeError(f"redis-server exited with {proc.wait()} before it was ready")
        # Keep reading its log so that a full pipe never blocks the server.
        self._drain = threading.Thread(target=proc.stdout.read, daemon=True)
        self._drain.start()
        self._proc = proc

    def kill(self) -> None:
        """Gone at once, as in a crash: clients learn it from their next call."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, signum: int) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.send_signal(signum)
        proc.wait(timeout=10)
        if self._drain is not None:
            self._drain.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
