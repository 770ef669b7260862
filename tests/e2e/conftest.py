from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """A real X server for the real window. CI installs Xvfb; a missing one fails loudly."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.fail("Xvfb is not installed: run scripts/setup.sh test")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [exe, "-displayfd", str(write_fd), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.fail("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
