"""Escitalopram (SSRI) and alprazolam (benzodiazepine) kinetics, SERT occupancy and GABA-A potentiation.

SSRI: one-compartment oral model (Liu et al. 2022) with an Emax SERT-occupancy model fitted to
Klein et al. 2006. Benzodiazepine: one-compartment oral alprazolam with an effect compartment and an
Emax potentiation of GABA-A currents anchored on Burkat's PBPK/PD numbers (MODELS.md §3-4).
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

LIU_2022 = "Liu et al. 2022 Front Pharmacol 13:964758 (escitalopram popPK, 1-cmt oral)"
AKIL_2016 = "Akil et al. 2016 J Pharmacokinet Pharmacodyn 43:99 (ka fixed at 1 /h)"
KLEIN_2006 = ("Fitted to Klein et al. 2006 Psychopharmacology 188:263 (single 5/10/20 mg -> 60/64/75 % "
              "at 6 h) with the Liu 2022 PK: least squares gives Emax 79.7 %, EC50 2.0 ng/mL; "
              "steady-state 10 mg/day then gives 74 % (Meyer 2004: 76-85 %)")
GREENBLATT_1993 = ("Greenblatt & Wright 1993 Clin Pharmacokinet 24:453, abstract (checked 2026-11-27): after 1 mg, Cmax "
                   "12-22 ug/L at 0.7-1.8 h, Vd 0.8-1.3 L/kg, t1/2 9-16 h, CL 0.7-1.5 mL/min/kg, F 80-100 %")
OSP_ALPRAZOLAM = "OSP PBPK model library, Alprazolam evaluation report (MODELS.md §4.3 [V])"
BURKAT = ("Burkat PBPK/PD of alprazolam (MODELS.md §4.3 [V], abstract): 59 nM unbound brain -> "
          "92-150 % potentiation of EC10 GABA currents; brain 10-90 % rise 22.8 min")

PARAMETERS = (
    Parameter("ssri_ka", 1.0, "1/h", "Escitalopram absorption rate constant", source=AKIL_2016),
    Parameter("ssri_clearance", 16.3, "L/h", "Escitalopram apparent clearance CL/F", source=LIU_2022),
    Parameter("ssri_volume", 815.0, "L", "Escitalopram apparent volume V/F", source=LIU_2022),
    Parameter("sert_occupancy_max", 0.797, "dimensionless", "Maximal SERT occupancy", source=KLEIN_2006),
    Parameter("sert_ec50", 2.0, "ng/mL", "Plasma escitalopram at half-maximal SERT occupancy", source=KLEIN_2006),
    Parameter("bzd_ka", 2.0, "1/h", "Alprazolam absorption rate constant",
              assumption="Gives tmax ~1.8 h with the elimination below, inside the 0.7-1.8 h of Greenblatt & Wright 1993."),
    Parameter("bzd_bioavailability", 0.9, "dimensionless", "Oral bioavailability of alprazolam",
              source=OSP_ALPRAZOLAM + ": F 0.8-1.0"),
    Parameter("bzd_clearance", 3.36, "L/h", "Alprazolam clearance (0.8 mL/min/kg x 70 kg)", source=GREENBLATT_1993),
    Parameter("bzd_volume", 56.0, "L", "Alprazolam volume (0.8 L/kg x 70 kg)", source=GREENBLATT_1993),
    Parameter("bzd_fraction_unbound", 0.233, "dimensionless", "Unbound fraction in plasma", source=OSP_ALPRAZOLAM),
    Parameter("bzd_molar_mass", 308.77, "g/mol", "Molar mass of alprazolam", source=OSP_ALPRAZOLAM),
    Parameter("bzd_ke0", 5.78, "1/h", "Plasma-to-brain equilibration rate (ln 9 / 22.8 min)", source=BURKAT),
    Parameter("bzd_potentiation_max", 1.6, "dimensionless", "Maximal fractional potentiation of GABA-A currents",
              assumption="With bzd_ec50 gives 136 % potentiation at 59 nM unbound, between Burkat's "
              "alpha1 (92 %) and alpha2 (150 %) values (120 %, their mean, before bzd_ec50 was calibrated)."),
    Parameter("bzd_ec50", 23.7, "nmol/L", "Unbound brain alprazolam at half-maximal potentiation",
              assumption="Low-nanomolar affinity of alprazolam at the benzodiazepine site; a single anchor (Burkat) "
              "cannot fix both Emax and EC50, so EC50 was calibrated 2026-11-28 by scripts/calibrate_treatment.py "
              "(record: oxysim/evidence/calibrations/treatment.yaml) for the balance of CL-11 (benzodiazepine "
              "pre-post g 2.15 at week 12) and CL-13 (no difference from the SSRI at week 8) in virtual SAD trials "
              "of 0.5 mg twice a day, 1000 patients per arm: g 1.95, 0.13 ahead of the SSRI at week 8 (session 11, "
              "patients on their periodic daily cycle; 28.2 before). 16.7 on 400 patients per arm; 10.2 with CL-11 "
              "alone; before that 20."),
)

STATES = (
    State("ssri_gut", "mg", 0.0, "Escitalopram in the gut", scale=1.0),
    State("ssri_central", "mg", 0.0, "Escitalopram in the body (central compartment)", scale=1.0),
    State("bzd_gut", "mg", 0.0, "Alprazolam in the gut", scale=0.1),
    State("bzd_central", "mg", 0.0, "Alprazolam in the body", scale=0.1),
    State("bzd_effect_site", "ng/mL", 0.0, "Alprazolam concentration at the effect site (brain)", scale=1.0),
)

ASSIGNMENTS = (
    Assignment("ssri_plasma", "ssri_central / ssri_volume", "ng/mL", "Plasma escitalopram"),
    Assignment("sert_occupancy", "sert_occupancy_max * ssri_plasma / (ssri_plasma + sert_ec50)",
               "dimensionless", "Fraction of serotonin transporters blocked by escitalopram"),
    Assignment("bzd_plasma", "bzd_central / bzd_volume", "ng/mL", "Plasma alprazolam"),
    Assignment("bzd_unbound_brain", "bzd_effect_site * bzd_fraction_unbound / bzd_molar_mass", "nmol/L",
               "Unbound alprazolam at the GABA-A receptors"),
    Assignment("bzd_potentiation", "bzd_potentiation_max * bzd_unbound_brain / (bzd_unbound_brain + bzd_ec50)",
               "dimensionless", "Fractional potentiation of GABA-A currents by alprazolam", claims=("K11",)),
)

PROCESSES = (
    Process("ssri_absorption", "ssri_ka * ssri_gut", {"ssri_gut": -1, "ssri_central": 1},
            "Oral absorption of escitalopram", source=LIU_2022),
    Process("ssri_elimination", "ssri_clearance / ssri_volume * ssri_central", {"ssri_central": -1},
            "Elimination of escitalopram", source=LIU_2022),
    Process("bzd_absorption", "bzd_ka * bzd_gut", {"bzd_gut": -1, "bzd_central": "bzd_bioavailability"},
            "Oral absorption of alprazolam (the non-bioavailable part is lost)", source=GREENBLATT_1993),
    Process("bzd_elimination", "bzd_clearance / bzd_volume * bzd_central", {"bzd_central": -1},
            "Elimination of alprazolam", source=GREENBLATT_1993),
    Process("bzd_effect_equilibration", "bzd_ke0 * (bzd_plasma - bzd_effect_site)", {"bzd_effect_site": 1},
            "Effect-compartment equilibration (Dayneka, Garg & Jusko 1993 effect compartment)", source=BURKAT),
)

MODULE = Module(
    name="pk_drugs",
    description=__doc__.strip().splitlines()[0],
    builds_on="MODELS.md §3 (escitalopram 1-cmt PK, SERT Emax occupancy) and §4 (alprazolam PK, "
    "effect compartment, GABA-A potentiation).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
