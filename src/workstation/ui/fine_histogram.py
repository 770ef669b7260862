"""同案同罚: the fines of the office's past cases of one item as a histogram, the proposal marked."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

#: Bars in the histogram at most.
MAX_BINS = 12


def bins_for(fines: Sequence[Decimal], bins: int = MAX_BINS) -> list[tuple[float, float, int]]:
    """Equal-width bins (left, right, count) covering ``fines``; one bin when all are equal."""
    if not fines:
        return []
    low, high = float(min(fines)), float(max(fines))
    if low == high:
        return [(low - 0.5, high + 0.5, len(fines))]
    count = max(1, min(bins, len(set(fines))))
    width = (high - low) / count
    out = [[low + i * width, low + (i + 1) * width, 0] for i in range(count)]
    for fine in fines:
        index = min(int((float(fine) - low) / width), count - 1)
        out[index][2] = int(out[index][2]) + 1
    return [(float(a), float(b), int(c)) for a, b, c in out]


class FineHistogram(QWidget):
    """A histogram of fines with the tier range shaded and the proposed fine as a red line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "罚款金额（元）")
        self.plot.setLabel("left", "案件数")
        self.plot.showGrid(x=False, y=True, alpha=0.3)
        layout.addWidget(self.plot)
        self.bars: list[tuple[float, float, int]] = []
        self.proposal: float | None = None
        self.tier_range: tuple[float, float] | None = None

    def show_fines(
        self,
        fines: Sequence[Decimal],
        proposal: Decimal | None = None,
        tier_range: tuple[Decimal, Decimal] | None = None,
    ) -> None:
        plot = self.plot
        plot.clear()
        self.bars = bins_for(fines)
        self.proposal = float(proposal) if proposal is not None else None
        self.tier_range = (float(tier_range[0]), float(tier_range[1])) if tier_range else None
        if self.tier_range is not None:
            region = pg.LinearRegionItem(self.tier_range, movable=False, brush=(34, 197, 94, 40))
            region.setZValue(-10)
            plot.addItem(region)
        if self.bars:
            plot.addItem(
                pg.BarGraphItem(
                    x0=[b[0] for b in self.bars],
                    x1=[b[1] for b in self.bars],
                    height=[b[2] for b in self.bars],
                    brush="#93c5fd",
                    pen="#1f5fa8",
                )
            )
        if self.proposal is not None:
            plot.addItem(pg.InfiniteLine(self.proposal, angle=90, pen=pg.mkPen("#b91c1c", width=2)))
        plot.enableAutoRange()


__all__ = ["FineHistogram", "bins_for"]
