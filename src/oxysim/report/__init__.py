"""Reports of a simulation: tidy tables, per-patient summaries and trajectory figures, written atomically."""

from oxysim.report.figures import administration_days, plot_trajectories
from oxysim.report.tables import atomic_path, patient_summary, tidy_table, write_table_atomic

__all__ = [
    "administration_days",
    "atomic_path",
    "patient_summary",
    "plot_trajectories",
    "tidy_table",
    "write_table_atomic",
]
