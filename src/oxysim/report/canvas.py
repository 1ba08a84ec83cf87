"""Figures without a display: an Agg-canvas figure and its PNG bytes stamped with the research-use notice."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oxysim import RESEARCH_USE_NOTICE, __version__


def new_figure(size: tuple[float, float]) -> Figure:
    """A figure on an Agg canvas (no display and no global pyplot state)."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes, with the research-use notice printed on it and in its metadata."""
    fig.text(0.5, -0.01, RESEARCH_USE_NOTICE, ha="center", va="top", fontsize=7, style="italic", wrap=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                metadata={"Description": RESEARCH_USE_NOTICE, "Software": f"oxysim {__version__}"})
    return buffer.getvalue()
