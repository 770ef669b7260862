#!/usr/bin/env python3
"""Start-up time: process start to main window shown, against a bare PySide6 window.

    .venv/bin/python bench/startup.py [--runs N] [--platform offscreen|xcb]

Both are measured the same way, in the same run: the wall time from spawning the
interpreter to the child printing that its window has been shown (a zero-delay
timer after show(), i.e. after the first event-loop pass). The workstation opens
a data directory prepared beforehand (migrated, demo office seeded), as a user's
second and later starts do. Goal: ratio <= 2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 800)
window.setWindowTitle("bare")
window.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""


def time_to_shown(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("shown"):
            elapsed = time.perf_counter() - start
            break
    else:
        _, err = proc.communicate()
        raise SystemExit(f"{argv} never showed its window:\n{err}")
    proc.communicate(timeout=60)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": args.platform}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data = Path(tmp) / "data"
        subprocess.run(
            [sys.executable, "-m", "workstation", "demo", "seed", "--data-dir", str(data)],
            check=True,
            capture_output=True,
            env=env,
        )
        app_cmd = [sys.executable, "-m", "workstation", "--data-dir", str(data), "--exit-when-shown"]
        bare_cmd = [sys.executable, "-c", BARE]
        # one warm-up of each so both read from the page cache
        time_to_shown(bare_cmd, env)
        time_to_shown(app_cmd, env)
        bare: list[float] = []
        app: list[float] = []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            bare.append(time_to_shown(bare_cmd, env))
            app.append(time_to_shown(app_cmd, env))
    bare_median = statistics.median(bare)
    app_median = statistics.median(app)
    ratio = app_median / bare_median
    print(f"platform           {args.platform}, {args.runs} runs each (median, min-max)")
    print(f"bare PySide6 window {bare_median:.3f} s  ({min(bare):.3f}-{max(bare):.3f})")
    print(f"workstation window  {app_median:.3f} s  ({min(app):.3f}-{max(app):.3f})")
    print(f"ratio               {ratio:.2f}  (goal <= 2.00: {'met' if ratio <= 2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
