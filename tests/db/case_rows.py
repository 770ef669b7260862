"""Synthetic cases written straight into the ``cases`` table (for list tests and bench/cases.py)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import uuid
from pathlib import Path

from workstation.persistence.case_list import search_text

SURNAMES = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董"
TITLES = (
    "占道经营",
    "违法建设",
    "餐饮油烟超标排放",
    "占用消防车通道",
    "露天焚烧秸秆",
    "施工扬尘",
    "乱倒建筑垃圾",
)
STAGES = ("clue", "filed", "investigating", "review", "notified", "decided", "served", "closed")


def insert_cases(db: Path, count: int, seed: int = 7) -> str:
    """Insert ``count`` cases for one agency; returns the agency id."""
    rnd = random.Random(seed)
    agency = str(uuid.uuid4())
    now = "2026-11-26 08:00:00"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO agencies (id, code, name, region_code, created_at, updated_at) "
            "VALUES (?, ?, '测试镇人民政府', '350121', ?, ?)",
            (agency, f"T{uuid.uuid4().hex[:10]}", now, now),
        )
        rows = []
        start = dt.date(2024, 1, 1)
        for n in range(count):
            opened = start + dt.timedelta(days=rnd.randrange(1000))
            stage = rnd.choice(STAGES)
            numbered = stage != "clue"
            deadline = (
                None if stage == "closed" else (opened + dt.timedelta(days=rnd.randrange(5, 120))).isoformat()
            )
            number = f"榕罚立字〔{opened.year}〕第{n + 1}号" if numbered else None
            title = rnd.choice(TITLES)
            party = rnd.choice(SURNAMES) + rnd.choice(SURNAMES) + "某"
            rows.append(
                (
                    str(uuid.uuid4()),
                    agency,
                    number,
                    "ordinary",
                    title,
                    "patrol",
                    stage,
                    opened.isoformat(),
                    party,
                    rnd.choice(SURNAMES) + "执法",
                    deadline,
                    rnd.choice((0, 0, 0, 1, 2)),
                    search_text(number, title, party),
                    now,
                    now,
                )
            )
        conn.executemany(
            "INSERT INTO cases (id, agency_id, case_number, kind, title, source, stage, opened_on, "
            "party_names, lead_officer_name, next_deadline, warning_level, search_text, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return agency
