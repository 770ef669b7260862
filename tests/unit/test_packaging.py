"""The package list, the PySide6 pin and the shipped data stay what the app needs."""

from __future__ import annotations

import tomllib
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_every_package_is_listed_for_installation() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts) for init in (ROOT / "src").rglob("__init__.py")
    }
    found |= {"workstation.migrations", "workstation.migrations.versions", "workstation.resources"}
    assert found == listed


def test_pyside6_is_pinned_exactly_to_6_11_3() -> None:
    deps = _pyproject()["project"]["dependencies"]
    assert "PySide6==6.11.3" in deps
    assert metadata.version("PySide6") == "6.11.3"
    assert metadata.version("PySide6-Essentials") == "6.11.3"


def test_migrations_and_resources_ship_inside_the_package() -> None:
    versions = resources.files("workstation.migrations").joinpath("versions")
    assert any(p.name.endswith(".py") and p.name[0].isdigit() for p in versions.iterdir())
    assert resources.files("workstation.resources").joinpath("demo/demo_office.json").is_file()
    assert resources.files("workstation.resources").joinpath("icons/workbench.svg").is_file()


def test_no_law_text_is_shipped() -> None:
    shipped = list((ROOT / "resources").rglob("*.md")) + list((ROOT / "src").rglob("*.md"))
    assert shipped == []
