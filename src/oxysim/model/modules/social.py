"""Social attention, therapeutic alliance, avoidance and attachment.

No published mechanistic model exists (MODELS.md §9, a gap). Following its suggested form, oxytocin
signalling is a gain on attention to social cues (C4-C6), reduced by amygdala vigilance. Attention
in sessions builds the therapeutic alliance (K6); avoidance, driven by the amygdala and reduced by
serotonin (K7), lowers engagement in exposure. Chronic dosing lowers attachment avoidance (C7).
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

GAP = "MODELS.md §9: no published model; phenomenological gain, magnitude assumed"

PARAMETERS = (
    Parameter("social_attention_time_constant", 5.0, "min", "Relaxation time of social attention", assumption=GAP),
    Parameter("ot_attention_gain", 0.3, "dimensionless", "Fractional rise of attention to the eyes at full OXTR signalling",
              source="Claim C4 (Guastella 2008; Petrovic 2008; Ellenbogen 2018): " + GAP),
    Parameter("ot_social_context_gain", 1.0, "dimensionless", "Extra attention gain inside a social task (context dependence)",
              source="Claims C5, C6 (Ellenbogen 2018; Voncken 2021): " + GAP),
    Parameter("attention_vigilance_weight", 1.5, "dimensionless", "Loss of social attention per unit of amygdala activity above healthy rest",
              source="Claim P4 (vigilance; gaze avoidance in social anxiety): " + GAP),
    Parameter("alliance_build_rate", 0.5, "1/h", "Rate at which a session moves the alliance towards its target", assumption=GAP),
    Parameter("alliance_half", 0.5, "dimensionless", "Social attention at half-maximal alliance target", assumption=GAP),
    Parameter("alliance_decay_half_life", 30.0, "day", "Half-life of the alliance without sessions", assumption=GAP),
    Parameter("everyday_engagement", 0.3, "dimensionless", "Engagement with feared cues met outside therapy", assumption=GAP),
    Parameter("alliance_initial", 0.3, "dimensionless", "Alliance at the first session", assumption=GAP),
    Parameter("ot_alliance_gain", 0.5, "dimensionless", "Fractional rise of the alliance target at full OXTR signalling",
              source="Claim K6 (Zilcha-Mano 2020): " + GAP),
    Parameter("avoidance_half", 0.5, "dimensionless", "Amygdala activity at half-maximal avoidance", assumption=GAP),
    Parameter("serotonin_avoidance_weight", 1.0, "dimensionless", "Reduction of avoidance per log unit of 5-HT signal",
              source="Claim K7 (5-HT route lowers avoidance; Springer 2018): " + GAP),
    Parameter("attachment_avoidance_initial", 1.0, "dimensionless", "Attachment avoidance at t = 0 (1 = typical patient)", assumption=GAP),
    Parameter("ot_attachment_effect", 0.5, "dimensionless", "Fractional fall of the attachment-avoidance target at full OXTR signalling",
              source="Claim C7 (Wright 2023: 4 weeks of dosing lowers attachment avoidance): " + GAP),
    Parameter("attachment_half_life", 14.0, "day", "Half-life of attachment-avoidance change",
              assumption="Weeks scale so that 4 weeks of dosing, not a single dose, changes it (C7)."),
)

STATES = (
    State("social_attention", "dimensionless", 1.0, "Attention to the eye region / social cues (1 = typical)"),
    State("therapeutic_alliance", "dimensionless", "alliance_initial", "Therapeutic alliance and trust (0-1)", upper=1.0),
    State("attachment_avoidance", "dimensionless", "attachment_avoidance_initial", "Attachment avoidance (1 = typical patient)"),
)

ASSIGNMENTS = (
    Assignment("social_attention_target",
               "(1 + ot_attention_gain * ot_signal * (1 + ot_social_context_gain * social_context))"
               " * exp(-attention_vigilance_weight * (amygdala - amygdala_reference))",
               "dimensionless", "Attention to social cues the patient settles to", claims=("C4", "C5", "C6", "P4")),
    Assignment("alliance_target",
               "social_attention * (1 + ot_alliance_gain * ot_signal) / (social_attention * (1 + ot_alliance_gain * ot_signal) + alliance_half)",
               "dimensionless", "Alliance a session builds towards", claims=("K6",)),
    Assignment("avoidance_drive", "amygdala * exp(-serotonin_avoidance_weight * serotonin_effect)", "dimensionless",
               "Amygdala activity as it drives avoidance, damped by serotonin", claims=("K7",)),
    Assignment("avoidance", "avoidance_drive / (avoidance_drive + avoidance_half)", "dimensionless",
               "Behavioural avoidance (0-1)", claims=("K7",)),
    Assignment("exposure_engagement",
               "(therapy_session * therapeutic_alliance + (1 - therapy_session) * everyday_engagement) * (1 - avoidance)",
               "dimensionless", "Engagement with an exposure: alliance in therapy, less when avoidant", claims=("K6", "K7")),
)

PROCESSES = (
    Process("social_attention_relaxation", "(social_attention_target - social_attention) / social_attention_time_constant",
            {"social_attention": 1}, "Attention settles to its target", claims=("C4", "C5", "C6")),
    Process("alliance_building", "alliance_build_rate * therapy_session * (alliance_target - therapeutic_alliance)",
            {"therapeutic_alliance": 1}, "Sessions move the alliance towards its target", claims=("K6",)),
    Process("alliance_decay", "log(2) / alliance_decay_half_life * therapeutic_alliance", {"therapeutic_alliance": -1},
            "The alliance fades without sessions"),
    Process("attachment_change",
            "log(2) / attachment_half_life * (attachment_avoidance_initial * (1 - ot_attachment_effect * ot_signal) - attachment_avoidance)",
            {"attachment_avoidance": 1}, "Attachment avoidance tracks chronic oxytocin signalling over weeks", claims=("C7",)),
)

MODULE = Module(
    name="social",
    description=__doc__.strip().splitlines()[0],
    builds_on="MODELS.md §9 suggested gain form (attention_gain = 1 + g * Occ_OXTR); review claims C4-C7, K6, K7.",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
