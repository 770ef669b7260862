"""A classroom township: officers with known passwords, reference data, holidays, two tasks.

Running it again changes nothing (items equal to the stored ones are left alone, tasks have
fixed ids), so a classroom can re-seed before every lesson.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

from workstation_central.schemas import OfficerIn, ReferenceIn, TaskIn
from workstation_central.service import CentralService

CLASSROOM_TOWNSHIP = "330106001"
CLASSROOM_TOWNSHIP_NAME = "示范镇"
CLASSROOM_PASSWORD = "classroom-2026"
_OFFICERS = (
    ("zhangsan", "张三", "33010620260001"),
    ("lisi", "李四", "33010620260002"),
    ("wangwu", "王五", "33010620260003"),
)
_TASK_NAMESPACE = uuid.UUID("6f1e6d52-3c53-4c1e-9d0b-6a1d7c2e5b10")


@dataclass(frozen=True, slots=True)
class SeededOfficer:
    username: str
    name: str
    password: str
    certificate_number: str


@dataclass(frozen=True, slots=True)
class SeededTownship:
    """What :func:`seed` created: the township, its officers (with passwords), its task ids."""

    code: str
    name: str
    officers: tuple[SeededOfficer, ...]
    task_ids: tuple[str, ...]
    evidence_sha256: str


def seeded_officers(code: str) -> tuple[SeededOfficer, ...]:
    """The officers :func:`seed` makes for township ``code`` (usernames suffixed off the default)."""
    suffix = "" if code == CLASSROOM_TOWNSHIP else f"-{code}"
    return tuple(
        SeededOfficer(f"{username}{suffix}", name, CLASSROOM_PASSWORD, f"{cert[:-4]}{code[-2:]}{cert[-2:]}")
        for username, name, cert in _OFFICERS
    )


def _statutes() -> list[tuple[str, dict[str, Any]]]:
    """No statute packs: law text is not shipped. A classroom loads real packs (the format of
    docs/STATUTES.md) through ``PUT /v1/admin/reference/statutes/{id}``."""
    return []


def _benchmarks() -> list[tuple[str, dict[str, Any]]]:
    """The workstation's sample 裁量基准 (all marked 示例), as one benchmark pack."""
    text = (
        resources.files("workstation.resources")
        .joinpath("discretion/sample_benchmarks.json")
        .read_text("utf-8")
    )
    return [("benchmarks:示例", json.loads(text))]


def _holidays() -> dict[str, Any]:
    """The complete 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知): a workstation takes
    a year only when it lists every holiday of 《全国年节及纪念日放假办法》第二条, and the year
    replaces its own table whole. Equal to the 2026 entry of resources/calendar/holidays.json."""
    return {
        "year": 2026,
        "source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        "holidays": [
            {"name": "元旦", "first": "2026-01-01", "last": "2026-01-03"},
            {"name": "春节", "first": "2026-02-15", "last": "2026-02-23"},
            {"name": "清明节", "first": "2026-04-04", "last": "2026-04-06"},
            {"name": "劳动节", "first": "2026-05-01", "last": "2026-05-05"},
            {"name": "端午节", "first": "2026-06-19", "last": "2026-06-21"},
            {"name": "中秋节", "first": "2026-09-25", "last": "2026-09-27"},
            {"name": "国庆节", "first": "2026-10-01", "last": "2026-10-07"},
        ],
        "workdays": [
            {"date": "2026-01-04", "name": "元旦"},
            {"date": "2026-02-14", "name": "春节"},
            {"date": "2026-02-28", "name": "春节"},
            {"date": "2026-05-09", "name": "劳动节"},
            {"date": "2026-09-20", "name": "国庆节"},
            {"date": "2026-10-10", "name": "国庆节"},
        ],
    }


def seed(service: CentralService, code: str = CLASSROOM_TOWNSHIP, name: str | None = None) -> SeededTownship:
    """Create (or leave as it is) the classroom township ``code`` and its data."""
    township_name = name or (CLASSROOM_TOWNSHIP_NAME if code == CLASSROOM_TOWNSHIP else f"教学乡镇{code}")
    service.put_township(code, township_name)
    officers = seeded_officers(code)
    for officer in officers:
        service.put_officer(
            officer.username,
            OfficerIn(name=officer.name, township_code=code, password=officer.password),
            only_if_changed=True,
        )
        service.put_reference(
            "officers",
            f"officer:{officer.username}",
            ReferenceIn(
                township_code=code,
                payload={
                    "username": officer.username,
                    "name": officer.name,
                    "certificates": [
                        {
                            "number": officer.certificate_number,
                            "valid_from": "2025-01-01",
                            "valid_until": "2030-12-31",
                        }
                    ],
                },
            ),
            only_if_changed=True,
        )
    for item_id, payload in _statutes():
        service.put_reference("statutes", item_id, ReferenceIn(payload=payload), only_if_changed=True)
    for item_id, payload in _benchmarks():
        service.put_reference("benchmarks", item_id, ReferenceIn(payload=payload), only_if_changed=True)
    service.put_reference("holidays", "holidays:2026", ReferenceIn(payload=_holidays()), only_if_changed=True)
    evidence = service.put_file(
        f"非现场监测抓拍记录：{township_name}人民路 12 号门前占道经营，2026-11-20 09:14。".encode(),
        "抓拍记录.txt",
        "text/plain; charset=utf-8",
        code,
    )
    tasks = (
        TaskIn(
            township_code=code,
            kind="clue",
            title="人民路 12 号门前占道经营",
            description="非现场监测发现店外摆摊占用人行道，请核查处理。",
            location=f"{township_name}人民路 12 号",
            source="非现场监测",
            evidence_sha256=[evidence],
        ),
        TaskIn(
            township_code=code,
            kind="task",
            title="集镇区域违规户外广告专项检查",
            description="上级推送的专项检查任务，请在期限内完成并反馈。",
            location=f"{township_name}集镇区域",
            deadline=dt.date(2026, 12, 31),
            source="县综合行政执法局",
        ),
    )
    task_ids = []
    for index, task in enumerate(tasks, start=1):
        task_id = str(uuid.uuid5(_TASK_NAMESPACE, f"{code}/{index}"))
        service.create_task(task, task_id=task_id)
        task_ids.append(task_id)
    return SeededTownship(code, township_name, officers, tuple(task_ids), evidence)
