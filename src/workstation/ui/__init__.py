"""The Qt layer: the only package that imports PySide6. Widgets hold no business rules."""
