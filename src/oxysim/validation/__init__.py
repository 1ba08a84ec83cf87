"""Validation against published findings: each calibration finding as an executable experiment.

``run_validation()`` runs the registry (:mod:`oxysim.validation.registry`): pharmacokinetics
(:mod:`~oxysim.validation.pk`), the HPA axis (:mod:`~oxysim.validation.hpa`), neural responses
(:mod:`~oxysim.validation.neural`) and clinical outcomes (:mod:`~oxysim.validation.clinical`). Findings
or parts of findings the model cannot speak to are listed with a reason in ``NOT_RUNNABLE``.
"""

from oxysim.validation.experiment import Arm, Experiment, NotRunnable, Target
from oxysim.validation.registry import EXPERIMENTS, NOT_RUNNABLE, finding_ids, select
from oxysim.validation.runner import Result, run_validation

__all__ = [
    "EXPERIMENTS",
    "NOT_RUNNABLE",
    "Arm",
    "Experiment",
    "NotRunnable",
    "Result",
    "Target",
    "finding_ids",
    "run_validation",
    "select",
]
