"""Inputs that regimens switch: cues, aversive stimuli, therapy sessions, stressors, social context.

These are the piecewise-constant forcings of the model (SBML parameters changed by events). Each is
0 (absent) or 1 (present); the regimen module decides when (see :mod:`oxysim.regimen`).
"""

from oxysim.model.declaration import Input, Module

INPUTS = (
    Input("threat_cue", "dimensionless", "A feared or conditioned cue is present (CS, feared situation, fearful faces)"),
    Input("unconditioned_stimulus", "dimensionless", "An aversive unconditioned stimulus is delivered (fear acquisition)"),
    Input("therapy_session", "dimensionless", "A CBT / exposure session is running (therapy context)"),
    Input("stressor", "dimensionless", "A laboratory stressor is running (Trier Social Stress Test)"),
    Input("social_support", "dimensionless", "A supportive other is present"),
    Input("social_context", "dimensionless", "A social task is running (faces, conversation)"),
    Input("in_treatment", "dimensionless", "The patient is in a treatment arm, placebo included (expectancy)"),
)

MODULE = Module(
    name="exposures",
    description=__doc__.strip().splitlines()[0],
    builds_on="Exposure therapy as CS-alone trials in a therapy context (MODELS.md §7.4); TSST as a "
    "stress input to the HPA drive (MODELS.md §1.1 'u(t)').",
    inputs=INPUTS,
)
