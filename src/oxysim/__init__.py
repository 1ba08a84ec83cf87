"""oxysim: an in-silico laboratory for oxytocin in anxiety disorders (research use only)."""

__version__ = "0.1.0"

RESEARCH_USE_NOTICE = (
    "Research use only: oxysim output describes virtual patients of a mechanistic model. It is not "
    "dosing advice for any person."
)


def __getattr__(name: str):
    """``oxysim.simulate`` without importing the model stack on ``import oxysim``."""
    if name == "simulate":
        from oxysim.simulation import simulate

        return simulate
    raise AttributeError(f"module 'oxysim' has no attribute {name!r}")
