"""Revision files: ``YYYY_MM_DD_NNNN_<slug>.py``; released revisions are never edited."""
