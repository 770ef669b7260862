from __future__ import annotations

import logging
from pathlib import Path

from workstation.logs import mask_personal_data, setup_logging


def test_resident_id_phone_and_credit_code_are_masked() -> None:
    text = mask_personal_data("当事人 11010519491231002X 电话 13812345678 代码 91350100M000100Y43")
    assert "11010519491231002X" not in text
    assert "13812345678" not in text
    assert "91350100M000100Y43" not in text
    assert "110105********002X" in text
    assert "138****5678" in text


def test_ordinary_numbers_are_left_alone() -> None:
    assert mask_personal_data("案号 2026 第 12 号，罚款 5000 元") == "案号 2026 第 12 号，罚款 5000 元"


def test_log_file_and_tail_never_hold_personal_data(tmp_path: Path) -> None:
    setup = setup_logging(tmp_path / "logs" / "workstation.log")
    try:
        logging.getLogger("workstation.test").info("registered party %s", "11010519491231002X")
    finally:
        setup.close()
    written = (tmp_path / "logs" / "workstation.log").read_text("utf-8")
    assert "registered party" in written
    assert "11010519491231002X" not in written
    assert "11010519491231002X" not in setup.tail.text()


def test_unwritable_log_location_does_not_stop_logging(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    setup = setup_logging(blocker / "logs" / "workstation.log")
    try:
        assert setup.file_handler is None
        logging.getLogger("workstation.test").warning("still logged")
        assert "still logged" in setup.tail.text()
    finally:
        setup.close()
