"""Statute library (在线找法): import, full-text index and search behind the StatuteIndex port."""
