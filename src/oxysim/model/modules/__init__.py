"""Mechanism modules of the oxysim model, in the order of the review's chain."""

from oxysim.model.modules import (
    circuit,
    exposures,
    gaba,
    hpa,
    learning,
    pk_drugs,
    pk_oxytocin,
    serotonin,
    social,
    symptoms,
)

ALL_MODULES = tuple(
    m.MODULE for m in (exposures, pk_oxytocin, pk_drugs, hpa, serotonin, gaba, circuit, learning, social, symptoms)
)
