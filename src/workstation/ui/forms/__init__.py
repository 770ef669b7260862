"""Forms compiled from ui/*.ui by scripts/build_forms.py (generated; never edited by hand)."""
