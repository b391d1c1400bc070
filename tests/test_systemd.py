"""systemd/nassav.service: the directives the README promises, and a clean systemd-analyze verify."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "systemd" / "nassav.service"
INSTALLED_EXEC = "/opt/nassav/.venv/bin/nassav"


def read_unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    return parser


def test_unit_runs_unprivileged_and_hardened() -> None:
    service = read_unit()["Service"]
    assert service["ExecStart"] == f"{INSTALLED_EXEC} serve"
    assert service["User"] not in ("", "root")
    assert service["WorkingDirectory"]
    assert service["Restart"] == "on-failure"
    assert service["KillMode"] == "mixed"
    assert int(service["TimeoutStopSec"]) > 0
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    assert service["PrivateTmp"] == "yes"


def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is not installed (.ci/run installs the systemd package)")
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart exists: point it at this checkout's real console script.
    nassav = Path(sys.executable).with_name("nassav")
    assert nassav.is_file(), "install the project first (pip install -e .)"
    unit = tmp_path / "nassav.service"
    unit.write_text(UNIT.read_text("utf-8").replace(INSTALLED_EXEC, str(nassav)), "utf-8")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "nassav.service" not in result.stderr, result.stderr  # no warnings about our unit
