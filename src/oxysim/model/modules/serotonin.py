"""Serotonin: release, SERT reuptake, autoreceptor feedback and its slow desensitisation.

A reduced form of the Best/Nijhout/Reed terminal model (MODELS.md §2): extracellular 5-HT with the
published SERT Michaelis-Menten reuptake and first-order removal; release under autoreceptor
feedback; SSRI blockade as 1 - SERT occupancy (MODELS.md §3.2). The 5-HT1A autoreceptor
desensitises over days to weeks (indirect-response form, MODELS.md §8), which delays SSRI benefit.
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

BEST = "Best, Nijhout & Reed 2010 TBMM 7:34; Best et al. 2020 BMC Neurosci 21:40 (Mena escitalopram code, MODELS.md §2.1 [V])"

PARAMETERS = (
    Parameter("sert_vmax", 250.0, "umol/L/h", "Maximal SERT reuptake rate", source=BEST),
    Parameter("sert_km", 0.060, "umol/L", "SERT Michaelis constant", source=BEST),
    Parameter("serotonin_removal_rate", 40.0, "1/h", "Non-SERT removal of extracellular 5-HT", source=BEST),
    Parameter("serotonin_basal", 0.060, "umol/L", "Basal extracellular 5-HT", source=BEST),
    Parameter("autoreceptor_gain", 1.4, "dimensionless",
              "Exponent of release inhibition by extracellular 5-HT at full autoreceptor sensitivity",
              assumption="Calibrated so that acute escitalopram (74 % SERT occupancy) raises 5-HT ~2-fold: raphe 5-HT1A feedback "
              "cuts firing (Blier & de Montigny 1994 TIPS 15:220, from memory)."),
    Parameter("autoreceptor_desensitisation", 0.691, "dimensionless",
              "Exponent of autoreceptor down-regulation by sustained 5-HT elevation",
              source="Calibrated 2026-11-28 by scripts/calibrate_treatment.py (record: oxysim/evidence/calibrations/"
              "treatment.yaml) for the balance of CL-11 (SSRI pre-post g 2.09) and CL-17 (SSRI/placebo response risk "
              "ratio 1.65) in virtual SAD trials of escitalopram 10 mg/day, 1000 patients per arm: g 1.88, RR 1.79 "
              "(session 11, patients on their periodic daily cycle; 0.611 before). "
              "Sustained 2-fold 5-HT then lowers autoreceptor sensitivity to 0.65. 0.734 when solved on 400 patients "
              "per arm, whose sample read the risk ratio low. Was 1.0, an assumption (sensitivity halved; Blier & de "
              "Montigny 1994, 5-HT1A desensitise over ~2 weeks of SSRI, from memory), which gave RR 2.12."),
    Parameter("autoreceptor_adaptation_half_life", 7.0, "day", "Half-life of autoreceptor adaptation",
              source="MODELS.md §8: SSRI slow adaptive variable with kout ~ ln2 per 1-3 weeks (design); CL-14 onset ~2-6 weeks"),
    Parameter("ot_serotonin_release", 0.3, "dimensionless", "Fractional rise of 5-HT release at full OXTR signalling",
              source="Claim S1 (Yoon & Kim 2020; Mottolese 2014 PET, NT-02): magnitude assumed"),
    Parameter("ot_sert_inhibition", 0.2, "dimensionless", "Fractional SERT inhibition at full OXTR signalling",
              source="Claim S2 (Uvnas-Moberg 1999): magnitude assumed"),
    Parameter("serotonin_signalling", 1.0, "dimensionless",
              "Postsynaptic 5-HT signalling efficacy (1 = healthy; lower in patients, claim P1)",
              assumption="Monoamine imbalance (P1) enters as reduced postsynaptic efficacy so that it "
              "does not shift the presynaptic steady state; subtype profiles set it."),
)

ASSIGNMENTS = (
    Assignment("serotonin_release_basal",
               "sert_vmax * serotonin_basal / (sert_km + serotonin_basal) + serotonin_removal_rate * serotonin_basal",
               "umol/L/h", "Release that balances reuptake and removal at basal 5-HT"),
    Assignment("sert_available", "(1 - sert_occupancy) * (1 - ot_sert_inhibition * ot_signal)", "dimensionless",
               "Fraction of SERT capacity not blocked by escitalopram or inhibited by oxytocin", claims=("S2",)),
    Assignment("serotonin_tone", "serotonin_ext / serotonin_basal", "dimensionless",
               "Extracellular 5-HT relative to basal"),
    Assignment("serotonin_effect", "log(serotonin_signalling * serotonin_tone)", "dimensionless",
               "Log postsynaptic serotonergic signal (0 in a healthy person at rest)", claims=("P1",)),
)

STATES = (
    State("serotonin_ext", "umol/L", "serotonin_basal", "Extracellular serotonin", scale=0.01),
    State("autoreceptor_sensitivity", "dimensionless", 1.0, "5-HT1A autoreceptor sensitivity (1 = naive)"),
)

PROCESSES = (
    Process("serotonin_release",
            "serotonin_release_basal * (1 + ot_serotonin_release * ot_signal) * serotonin_tone**(-autoreceptor_gain * autoreceptor_sensitivity)",
            {"serotonin_ext": 1}, "Release under autoreceptor feedback, raised by oxytocin",
            claims=("S1", "S3"), source=BEST),
    Process("serotonin_reuptake", "sert_vmax * sert_available * serotonin_ext / (sert_km + serotonin_ext)",
            {"serotonin_ext": -1}, "SERT reuptake, blocked by SSRIs", claims=("S2", "S3", "K9"), source=BEST),
    Process("serotonin_removal", "serotonin_removal_rate * serotonin_ext", {"serotonin_ext": -1},
            "Other removal (uptake-2, diffusion)", source=BEST),
    Process("autoreceptor_adaptation",
            "log(2) / autoreceptor_adaptation_half_life * (serotonin_tone**(-autoreceptor_desensitisation) - autoreceptor_sensitivity)",
            {"autoreceptor_sensitivity": 1},
            "Slow desensitisation of autoreceptors under sustained 5-HT (the SSRI delay)", claims=("S3", "K9")),
)

MODULE = Module(
    name="serotonin",
    description=__doc__.strip().splitlines()[0],
    builds_on="Best/Nijhout/Reed serotonin terminal model, reduced (MODELS.md §2.1); SSRI block as "
    "1 - SERT occupancy (§3.2); autoreceptor adaptation as an indirect response (§8).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
