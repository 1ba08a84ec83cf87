"""GABA tone and GABA-A inhibition, with oxytocin and benzodiazepine actions.

No published GABA terminal model exists (MODELS.md §4.4, a gap), so GABA tone is a first-order
turnover variable (Jusko indirect response, MODELS.md §8): oxytocin raises GABA release from
interneurons (claims G1, G2) and lowers its reuptake (G3). Benzodiazepines do not change GABA
levels; they potentiate GABA-A currents, which scales the inhibition (MODELS.md §4.1).
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

PARAMETERS = (
    Parameter("gaba_turnover_half_life", 10.0, "min", "Half-life of GABA tone after a perturbation",
              assumption="Minutes-scale GABA transmitter turnover; no published human value (MODELS.md §4.4)."),
    Parameter("gaba_capacity", 1.0, "dimensionless", "GABA synthesis/release capacity (1 = healthy; claim P3)",
              assumption="Subtype profiles lower it for disorders with reduced cortical GABA."),
    Parameter("ot_gaba_release", 0.3, "dimensionless", "Fractional rise of GABA release at full OXTR signalling",
              source="Claims G1/G2 (Huber 2005 Science 308:245, NT-01; Lonstein 2014): magnitude assumed"),
    Parameter("ot_gaba_reuptake_inhibition", 0.15, "dimensionless",
              "Fractional inhibition of GABA reuptake at full OXTR signalling",
              source="Claim G3 (Sabihi 2021): magnitude assumed"),
)

STATES = (State("gaba_tone", "dimensionless", "gaba_capacity", "Synaptic GABA tone (1 = healthy)"),)

ASSIGNMENTS = (
    Assignment("gaba_inhibition", "gaba_tone * (1 + bzd_potentiation)", "dimensionless",
               "GABA-A mediated inhibition: GABA tone times benzodiazepine potentiation",
               claims=("P3", "K11")),
)

PROCESSES = (
    Process("gaba_release", "log(2) / gaba_turnover_half_life * gaba_capacity * (1 + ot_gaba_release * ot_signal)",
            {"gaba_tone": 1}, "GABA release by interneurons, raised by oxytocin", claims=("G1", "G2", "N6")),
    Process("gaba_reuptake", "log(2) / gaba_turnover_half_life * (1 - ot_gaba_reuptake_inhibition * ot_signal) * gaba_tone",
            {"gaba_tone": -1}, "GABA reuptake (GAT), lowered by oxytocin", claims=("G3",)),
)

MODULE = Module(
    name="gaba",
    description=__doc__.strip().splitlines()[0],
    builds_on="Indirect-response turnover (Dayneka, Garg & Jusko 1993) for GABA tone; GABA-A "
    "potentiation by benzodiazepines (Destexhe 1994 receptor, Visser 2003 efficacy; MODELS.md §4).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
