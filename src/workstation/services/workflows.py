"""The workflow definitions shipped in resources/workflows/, loaded once per process."""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workstation.domain.cases import CaseKind
    from workstation.domain.workflow import WorkflowDefinition


@functools.cache
def bundled_workflows() -> dict[CaseKind, WorkflowDefinition]:
    from workstation.domain.workflow import load_workflows

    folder = resources.files("workstation.resources").joinpath("workflows")
    texts = {item.name: item.read_text("utf-8") for item in folder.iterdir() if item.name.endswith(".json")}
    return load_workflows(dict(sorted(texts.items())))
