"""Intranasal and intravenous oxytocin kinetics, brain exposure and OXTR occupancy with tolerance.

Builds on the structure recommended in shared/reference/MODELS.md §5: a nasal depot that feeds the
plasma (systemic route) and, separately, a nose-to-brain route into the CSF, because plasma and CSF
oxytocin are uncoupled after intranasal dosing (Striepens et al. 2013, r < 0.10). Systemic
disposition is one compartment with the IV half-life and clearance of finding PK-04. Receptor
tolerance follows an internalisation–recycling cycle (claim K4, finding CL-06).
"""

from oxysim.model.declaration import Assignment, Hypothesis, Module, Parameter, Process, State, Variant

STRIEPENS_2013 = "Striepens et al. 2013 Sci Rep 3:3440 (finding PK-01)"
PK04 = "PK-04: IV oxytocin half-life 3.2 min (2.0-5.7), clearance 1.5 L/min (secondary summary)"
KOU_2022 = "Kou et al. 2022 Psychol Med 52:1959 (finding CL-06)"
TOLERANCE_FIT = (" Not identifiable from CL-06 (`oxysim fit receptor_tolerance`, 2026-11-27; record, not adopted: "
                 "oxysim/evidence/fits/receptor_tolerance.yaml).")
FIT_AMYGDALA = ("Fitted 2026-11-28 by `oxysim fit amygdala_exposure` (pyPESTO; CD-01, CD-05, PK-01 with the claims on "
                "central exposure as constraints, oxysim.fitting.claim_constraints); record: "
                "oxysim/evidence/fits/amygdala_exposure.yaml")
FIT_PK = ("`oxysim fit oxytocin_pk` (2026-11-27, pyPESTO, profile likelihood; PK-01, PK-02, PK-04) kept this value: "
          "record, not adopted: oxysim/evidence/fits/oxytocin_pk.yaml")

PARAMETERS = (
    Parameter("ot_clearance", 1.5, "L/min", "Systemic clearance of oxytocin",
              source=f"{PK04}; {FIT_PK} (optimum 1.47, 95 % profile interval 1.16-1.81)"),
    Parameter("ot_iv_half_life", 3.2, "min", "Plasma elimination half-life after an IV bolus",
              source=f"{PK04}; {FIT_PK} (optimum 3.63, 95 % profile interval 2.52-5.25)"),
    Parameter(
        "ot_nasal_half_life", 33.0, "min",
        "Half-life of oxytocin in the nasal depot (absorption, nose-to-brain transport and "
        "mucociliary clearance together)",
        assumption="Calibrated so that plasma oxytocin peaks near 15 min and is within 25 % of its "
        "peak rise by 90 min after 24 IU (PK-01, PK-02); tests/test_pk.py checks both. " + FIT_PK +
        " (optimum 16.4 min, 95 % profile interval 5.2-35.5: it brings PK-02's group mean at 90 min into its band "
        "but moves the amygdala dose optimum of CD-01 from 24 to 12 IU).",
    ),
    Parameter(
        "ot_fraction_systemic", 0.07, "dimensionless",
        "Fraction of an intranasal dose absorbed into the plasma",
        assumption="Order of magnitude from PK-03 (65-100 ug nasal gave peaks of 36-85 pg/mL over "
        "<10 pg/mL basal, old RIA): 0.07 reproduces a ~50 pg/mL peak for 80 ug.",
    ),
    Parameter(
        "ot_fraction_brain", 5e-5, "dimensionless",
        "Fraction of an intranasal dose reaching the CSF along olfactory/trigeminal routes",
        source="PK-11: 'very little reaches CSF', ~0.005 % quoted (Leng & Ludwig 2016 Biol "
        "Psychiatry 79:243; the figure is from memory there, verify)",
    ),
    Parameter(
        "ot_transit_time", 61.7, "min",
        "Mean transit time of the nose-to-brain route",
        source=FIT_AMYGDALA + ": 95 % profile interval 6.4-115 min. Was 25 min (assumption: CSF not raised at 15 "
        "min, near its maximum by 75 min, "
        "PK-01); PK-01 alone leaves it unidentifiable (flat profile over 5-120 min, `oxysim fit oxytocin_pk`)",
    ),
    Parameter(
        "ot_csf_half_life", 20.1, "min",
        "Half-life of exogenous oxytocin in the CSF",
        source=FIT_AMYGDALA + ": 95 % profile interval 8.7-38 min. Was 25 min (assumption: central effects lasting "
        "~80-100 min after 24 IU)",
    ),
    Parameter("csf_volume", 0.15, "L", "CSF volume of an adult",
              source="Standard physiology: adult CSF volume ~150 mL (Sakka et al. 2011 Eur Ann "
              "Otorhinolaryngol Head Neck Dis 128:309)"),
    Parameter("ot_plasma_basal", 4.0, "pg/mL", "Endogenous plasma oxytocin",
              source="PK-03: basal plasma oxytocin <10 pg/mL (RIA); mid-range value"),
    Parameter(
        "ot_brain_basal", 0.00001, "ug/L",
        "Endogenous oxytocin acting on central receptors, in CSF-equivalent concentration",
        assumption="Sets a small tonic receptor occupancy (~5 % of the maximum) so that endogenous "
        "release under stress (claim E4) has a central effect.",
    ),
    Parameter(
        "ot_stress_release", 1.0, "dimensionless",
        "Relative rise of central endogenous oxytocin during an acute stressor (claim E4)",
        assumption="Endogenous OT release doubles during an acute stressor (Neumann 2000, rodent "
        "microdialysis shows a several-fold rise; human magnitude unknown).",
    ),
    Parameter(
        "oxtr_ec50", 0.00106, "ug/L",
        "Apparent potency of CSF oxytocin at central OXTR (CSF-equivalent concentration)",
        source=FIT_AMYGDALA + ": only an upper 95 % limit, 0.0032 (not identifiable below, flat to the bound "
        "0.0005). Was 0.002 (assumption: 24 IU near-maximal, 12 IU smaller, CD-01). Not the "
        "in-vitro Kd (~1 nM, Gimpl & Fahrenholz 2001 Physiol Rev 81:629): CSF is a proxy for the unmeasured "
        "concentration at the receptors",
    ),
    Parameter(
        "avpr1a_ec50", 0.01, "ug/L",
        "Apparent potency of CSF oxytocin at vasopressin V1a receptors",
        assumption="Oxytocin binds V1a receptors with ~5-fold lower affinity than OXTR "
        "(Manning et al. 2012 Prog Brain Res 170:473, order of magnitude): 5 x the default oxtr_ec50, on the same "
        "CSF-proxy scale. It does not follow oxtr_ec50's patient-level variability or the OXTR genotype effects, "
        "which concern OXTR only; a refit of oxtr_ec50's default must move it too.",
    ),
    Parameter(
        "oxtr_internalisation_rate", 8.0, "1/h",
        "Rate at which occupied OXTR are marked for endocytosis (beta-arrestin recruitment) at full occupancy",
        assumption="Calibrated to CL-06 (Kou 2022): daily 24 IU abolishes the amygdala effect within "
        "5 days, every-other-day dosing keeps it." + TOLERANCE_FIT,
    ),
    Parameter(
        "oxtr_internalisation_hill", 4.0, "dimensionless",
        "Steepness of internalisation in receptor occupancy",
        assumption="OXTR internalise at agonist concentrations well above their Kd (Conti et al. "
        "2009 Mol Endocrinol 23:1213, from memory), so tonic endogenous occupancy causes little.",
    ),
    Parameter(
        "oxtr_endocytosis_delay", 1.5, "h",
        "Mean time from arrestin recruitment to loss of the receptor from the membrane",
        assumption="Marked receptors keep signalling until they are endocytosed, so tolerance shows "
        "at the next dose rather than inside the 45-70 min window of the first (K1, CL-06).",
    ),
    Parameter(
        "oxtr_processing_time", 16.0, "h",
        "Mean time internalised OXTR spend before entering the recycling pool",
        assumption="With oxtr_recycling_time gives a delayed recovery of ~1-2 days, the recovery "
        "time constant CL-06 implies (24 h interval -> tolerance, 48 h -> none)." + TOLERANCE_FIT,
    ),
    Parameter(
        "oxtr_recycling_time", 8.0, "h",
        "Mean time for recycling OXTR to return to the membrane",
        assumption="See oxtr_processing_time; the two steps make recovery sigmoidal, not exponential." + TOLERANCE_FIT,
    ),
)

STATES = (
    State("ot_nasal", "ug", 0.0, "Oxytocin in the nasal depot", scale=1.0),
    State("ot_central", "ug", 0.0, "Exogenous oxytocin in the plasma compartment", scale=1e-3),
    State("ot_transit", "ug", 0.0, "Oxytocin in transit along the nose-to-brain route", scale=1e-5),
    State("ot_csf", "ug/L", 0.0, "Exogenous oxytocin concentration in the CSF", scale=1e-4),
    State("oxtr_surface", "dimensionless", 1.0, "Fraction of OXTR on the membrane", upper=1.0),
    State("oxtr_marked", "dimensionless", 0.0, "Fraction of OXTR marked for endocytosis, still signalling", upper=1.0),
    State("oxtr_internalised", "dimensionless", 0.0, "Fraction of OXTR internalised", upper=1.0),
    State("oxtr_recycling", "dimensionless", 0.0, "Fraction of OXTR recycling to the membrane", upper=1.0),
)

ASSIGNMENTS = (
    Assignment("ot_volume", "ot_clearance * ot_iv_half_life / log(2)", "L",
               "Plasma volume of distribution implied by PK-04's clearance and half-life"),
    Assignment("ot_plasma_exogenous", "ot_central / ot_volume", "pg/mL", "Plasma oxytocin from dosing"),
    Assignment("ot_plasma", "ot_plasma_basal + ot_plasma_exogenous", "pg/mL",
               "Plasma oxytocin concentration (endogenous + exogenous)", claims=("K1",)),
    Assignment("ot_csf_pg", "ot_csf", "pg/mL", "Exogenous CSF oxytocin in the units of PK-01"),
    Assignment("ot_brain", "ot_csf + ot_brain_basal * (1 + ot_stress_release * stressor)", "ug/L",
               "Central oxytocin acting on receptors: exogenous CSF plus endogenous release, which "
               "rises under acute stress", claims=("E4", "K1")),
    Assignment("oxtr_occupancy", "ot_brain / (ot_brain + oxtr_ec50)", "dimensionless",
               "Fractional occupancy of membrane OXTR"),
    Assignment("ot_signal", "(oxtr_surface + oxtr_marked) * oxtr_occupancy", "dimensionless",
               "Oxytocin receptor signalling: occupancy of the receptors still on the membrane",
               claims=("K4",)),
    Assignment("avpr1a_occupancy", "ot_brain / (ot_brain + avpr1a_ec50)", "dimensionless",
               "Occupancy of vasopressin V1a receptors by oxytocin at high central concentrations"),
)

PROCESSES = (
    Process("ot_nasal_loss", "log(2) / ot_nasal_half_life * ot_nasal",
            {"ot_nasal": -1, "ot_central": "ot_fraction_systemic",
             "ot_transit": "ot_fraction_brain"},
            "First-order loss from the nasal depot; fractions go to plasma and to the nose-to-brain "
            "route, the rest is swallowed or cleared", claims=("K1",), source=STRIEPENS_2013),
    Process("ot_plasma_elimination", "log(2) / ot_iv_half_life * ot_central", {"ot_central": -1},
            "Systemic elimination (PK-04)", source=PK04),
    Process("ot_transit_to_csf", "ot_transit / ot_transit_time", {"ot_transit": -1, "ot_csf": "1 / csf_volume"},
            "Nose-to-brain transport into the CSF, separate from the plasma", claims=("K1",),
            source=STRIEPENS_2013),
    Process("ot_csf_elimination", "log(2) / ot_csf_half_life * ot_csf", {"ot_csf": -1},
            "Clearance of exogenous oxytocin from the CSF"),
    Process("oxtr_marking", "oxtr_internalisation_rate * oxtr_occupancy**oxtr_internalisation_hill * oxtr_surface",
            {"oxtr_surface": -1, "oxtr_marked": 1},
            "Agonist-induced marking of OXTR for endocytosis", claims=("K4",), source=KOU_2022),
    Process("oxtr_endocytosis", "oxtr_marked / oxtr_endocytosis_delay", {"oxtr_marked": -1, "oxtr_internalised": 1},
            "Endocytosis of marked OXTR", claims=("K4",)),
    Process("oxtr_processing", "oxtr_internalised / oxtr_processing_time",
            {"oxtr_internalised": -1, "oxtr_recycling": 1}, "Endosomal processing of OXTR",
            claims=("K4",)),
    Process("oxtr_recycling_to_membrane", "oxtr_recycling / oxtr_recycling_time",
            {"oxtr_recycling": -1, "oxtr_surface": 1}, "OXTR return to the membrane (recovery)",
            claims=("K4",)),
)

DOSE_RESPONSE = Hypothesis(
    "dose_response",
    "Shape of the oxytocin dose-response on amygdala reactivity (claim K2; CD-01 inverted U).",
    claims=("K2",),
    variants=(
        Variant("inverted_u", "High central oxytocin also activates V1a receptors, which excite "
                "central-amygdala output (Huber et al. 2005, NT-01), so 48 IU is less effective "
                "than 24 IU (Spengler et al. 2017, CD-01).",
                evidence="CD-01; NT-01"),
        Variant("monotonic", "No V1a cross-activation: the amygdala effect saturates with dose.",
                parameters={"v1a_amygdala_weight": 0.0}, evidence="Gorka 2015; Labuschagne 2010"),
    ),
    default="inverted_u",
)

MODULE = Module(
    name="pk_oxytocin",
    description=__doc__.strip().splitlines()[0],
    builds_on="MODELS.md §5: nasal depot + systemic disposition (PK-04) + nose-to-brain/CSF route "
    "fitted to Striepens 2013 anchors; OXTR internalisation/recycling for tolerance (Kou 2022).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
    hypotheses=(DOSE_RESPONSE,),
)
