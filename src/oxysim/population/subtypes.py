"""Anxiety subtype profiles: which mechanisms are disturbed (FRAMEWORK.md Figure 1) and the primary scale.

Each profile is a set of parameter values that differ from the model's generic-patient defaults,
and, where a published population needs it, between-patient CVs that differ from the defaults (PD's
severity spread). The directions follow the review's pathogenesis claims (P1-P15); the mechanism
magnitudes are assumptions. ``vulnerability`` is calibrated per profile so that the typical untreated
patient has latent severity ~1 (the scale anchors are published population means: CL-19, Noda 2007,
van Uijen 2018); tests/test_subtypes.py checks this and the published baseline spreads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oxysim.errors import InputError
from oxysim.population.variability import DEFAULT_VARIABILITY, Variability, with_cvs


@dataclass(frozen=True)
class SubtypeProfile:
    """A subtype: its name, primary scale, parameter values and the claims behind them."""

    code: str
    name: str
    primary_scale: str
    parameters: dict[str, float] = field(default_factory=dict)
    rationale: str = ""
    variability: tuple[Variability, ...] = ()
    """Between-patient CVs of this subtype's population that differ from the defaults (with their sources)."""

    def population_variability(self) -> tuple[Variability, ...]:
        """The random effects this subtype's patients draw: the defaults with the profile's own CVs."""
        return with_cvs(DEFAULT_VARIABILITY, self.variability)


PD_SPREAD = (
    "calibrated 2026-11-28 by scripts/calibrate_vulnerability.py --spread: the CV that gives the virtual PD population "
    "(3000 patients with trial covariates, seed 3, rater error included) an observed PDSS SD of 4.72, the pooled "
    "within-sample SD of four treatment samples (203 patients): Noda et al. 2007 (BMC Psychiatry 7:70, Table 1, seen; "
    "group CBT, 95 outpatients, 12.18, SD 4.79 pooled over its four groups), Prosser et al. 2009 (BMC Psychiatry 9:25, "
    "outcome table, seen; paroxetine vs risperidone, 56 patients with panic attacks, 13.5 (4.42) and 12.38 (6.77), "
    "pooled SD 5.48), Eide et al. 2025 (BMC Psychiatry 25:107, abstract; 30 patients, SD 3.5 from the SE 0.64) and "
    "Madhusudhan et al. (abstract; 22 patients, 13.3 (3.6)). With the default CV 0.2 the SD is 2.9: the circuit "
    "saturates, so wider spreads of noradrenergic tone, GABA capacity, serotonin signalling or fear memory barely "
    "widen severity (docs/provenance.md, PD section), and Goddard et al. 2001 (Arch Gen Psychiatry 58:556, abstract "
    "seen) found cortical GABA unrelated to PD severity; the spread is therefore put on the part of severity the "
    "circuit does not carry (traits, adversity, agoraphobic avoidance). It skews the population (skewness 0.8-1.0)"
)

PROFILES: dict[str, SubtypeProfile] = {
    p.code: p
    for p in (
        SubtypeProfile(
            "healthy", "Healthy volunteer", "stai",
            {"amygdala_bias": 2.2, "vmpfc_bias": 3.2, "acc_bias": 2.0, "interpretation_bias": 0.5,
             "fear_memory_initial": 0.1, "trait_anxiety": 35.0, "attachment_avoidance_initial": 0.1,
             "vulnerability": 0.054},
            "No disturbed mechanism: lower amygdala and ACC tone, stronger vmPFC control, weak fear memory.",
        ),
        SubtypeProfile(
            "SAD", "Social anxiety disorder", "lsas",
            {"vmpfc_bias": 2.85, "interpretation_bias": 1.2, "fear_memory_initial": 0.6,
             "serotonin_signalling": 0.85, "trait_anxiety": 52.0, "vulnerability": 0.477},
            "P4 amygdala hyperactivity to social threat, P7/P8 weak vmPFC control (Guyer 2008), P1 "
            "reduced serotonergic signalling, P15 negative interpretation of social evaluation.",
        ),
        SubtypeProfile(
            "GAD", "Generalized anxiety disorder", "ham_a",
            {"hpa_drive": 1.3, "interpretation_bias": 1.4, "fear_memory_initial": 0.35,
             "gaba_capacity": 0.9, "trait_anxiety": 55.0, "vulnerability": 0.363, "placebo_strength": 0.52},
            "P10 HPA over-activation, P15 pervasive threat appraisal (worry), P3 lower GABA tone; "
            "diffuse rather than cue-bound fear. A larger placebo response than SAD and PD (CL-16, CL-18: "
            "placebo_strength from scripts/calibrate_subtype_placebo.py, record "
            "evidence/calibrations/subtype_placebo.yaml).",
        ),
        SubtypeProfile(
            "PD", "Panic disorder", "pdss",
            {"noradrenergic_tone": 1.3, "gaba_capacity": 0.8, "fear_memory_initial": 0.7,
             "interpretation_bias": 1.0, "trait_anxiety": 50.0, "vulnerability": 0.248, "placebo_strength": 0.9},
            "P2 brainstem noradrenergic over-activity (Lapierre 1996), P3 reduced GABA tone, strong "
            "interoceptive fear conditioning. Severity differs more between panic patients than the mechanism "
            "spreads carry, so vulnerability carries a wide spread (below). Its placebo strength keeps GAD's "
            "placebo g 0.64 above panic disorder's (CL-18; scripts/calibrate_subtype_placebo.py, record "
            "evidence/calibrations/subtype_placebo.yaml): a larger log-reduction than GAD's because the PDSS "
            "spread, which divides the g, is wider relative to its mean.",
            (Variability("vulnerability", 1.33, PD_SPREAD),),
        ),
        SubtypeProfile(
            "SP", "Specific phobia", "fsq",
            {"fear_memory_initial": 0.9, "interpretation_bias": 0.7, "trait_anxiety": 45.0,
             "vulnerability": 0.674},
            "A strong cue-bound fear memory (conditioning) with little generalised threat appraisal. Rated on the "
            "Fear of Spiders Questionnaire: spider phobia is the specific phobia of most exposure trials, and the "
            "only one with published patient and healthy means and SDs found (fsq_patient, fsq_healthy).",
        ),
    )
}

ALIASES = {"social": "SAD", "gad": "GAD", "pd": "PD", "panic": "PD", "phobia": "SP", "specific_phobia": "SP",
           "sad": "SAD", "sp": "SP", "healthy": "healthy", "control": "healthy"}


def get_profile(subtype: str) -> SubtypeProfile:
    """The profile for a subtype code or alias, or a message listing the known subtypes."""
    key = subtype if subtype in PROFILES else ALIASES.get(subtype.strip().lower())
    if key is None:
        known = ", ".join(f"{p.code} ({p.name})" for p in PROFILES.values())
        raise InputError(f"Unknown subtype {subtype!r}; choose one of: {known}.")
    return PROFILES[key]
