"""乡镇（街道）综合行政执法工作站 — the township enforcement workstation."""

__version__ = "0.1.0"
APP_NAME = "workstation"
APP_DISPLAY_NAME = "综合行政执法工作站"
