"""Credentials go through the real keyring code paths: a Secret Service, or a clear refusal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SNIPPET = """
from workstation.credentials.keyring_store import KeyringCredentialStore
store = KeyringCredentialStore("workstation-test")
print("backend", store.backend_name())
store.set("officer-35012100101", "refresh-token-值")
print("read", store.get("officer-35012100101"))
store.delete("officer-35012100101")
print("after-delete", store.get("officer-35012100101"))
store.delete("officer-35012100101")
print("double-delete-ok")
"""


def test_tokens_round_trip_through_a_real_secret_service(tmp_path: Path) -> None:
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run scripts/setup.sh test")
    script = tmp_path / "probe.py"
    script.write_text(SNIPPET, "utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    shell = (
        'eval "$(printf ci-pass | gnome-keyring-daemon --unlock --components=secrets)"; '
        f'"{sys.executable}" "{script}"'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("backend keyring.backends.SecretService")
    assert "read refresh-token-值" in lines
    assert "after-delete None" in lines
    assert "double-delete-ok" in lines


def test_without_a_keyring_the_user_is_told_and_nothing_is_stored_in_plaintext(tmp_path: Path) -> None:
    code = (
        "from workstation.credentials.keyring_store import KeyringCredentialStore, KeyringUnavailable\n"
        "try:\n"
        "    KeyringCredentialStore('workstation-test').set('a', 'secret')\n"
        "except KeyringUnavailable as exc:\n"
        "    print(exc.message)\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "系统密钥环不可用" in result.stdout
    assert not any("secret" in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
