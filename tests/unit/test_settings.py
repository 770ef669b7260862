from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.domain.errors import InvalidInput
from workstation.settings import SETTINGS_VERSION, Settings, SettingsStore


def test_missing_file_gives_documented_defaults(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "settings.json").load()
    assert settings == Settings()
    assert settings.province_code == "35"
    assert settings.certificate_warning_days == 60


def test_save_then_load_round_trips_and_records_version(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings(central_server_url="https://central.example.gov.cn", sync_interval_minutes=30))
    raw = json.loads((tmp_path / "settings.json").read_text("utf-8"))
    assert raw["version"] == SETTINGS_VERSION
    loaded = store.load()
    assert loaded.central_server_url == "https://central.example.gov.cn"
    assert loaded.sync_interval_minutes == 30
    assert not list(tmp_path.glob(".settings-*")), "temporary file left behind"


def test_version_1_file_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "server_url": "http://127.0.0.1:8080"}), "utf-8")
    assert SettingsStore(path).load().central_server_url == "http://127.0.0.1:8080"


def test_invalid_and_unknown_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {"version": SETTINGS_VERSION, "sync_interval_minutes": -5, "province_code": "44", "bogus": 1}
        ),
        "utf-8",
    )
    loaded = SettingsStore(path).load()
    assert loaded.sync_interval_minutes == Settings().sync_interval_minutes
    assert loaded.province_code == "44"


def test_corrupt_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json", "utf-8")
    assert SettingsStore(path).load() == Settings()


def test_saving_an_invalid_value_is_refused_in_chinese(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    with pytest.raises(InvalidInput, match="设置项 central_server_url 的值无效"):
        store.save(Settings(central_server_url="ftp://x"))
    assert not (tmp_path / "settings.json").exists()
