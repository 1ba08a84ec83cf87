"""Amygdala, vmPFC, hippocampus and ACC population activity with top-down inhibition.

Each region is a firing-rate population with the sigmoid of the Vlachos et al. 2011 mean-field
basal-amygdala model, f(x) = 1 / (1 + exp(-1.2 (x - 2.8))), relaxing to f(input) within about a
minute (a BOLD-scale activity, not millisecond firing). The vmPFC inhibits the amygdala (P8), the
hippocampus supplies contextual regulation (P5, P9), GABA-A inhibition (P3, G1) and serotonin (S1)
damp the amygdala, and oxytocin acts on each node (N1-N7). Contested effects are hypotheses.
"""

from oxysim.model.declaration import Assignment, Hypothesis, Module, Parameter, Process, State, Variant

VLACHOS = "Vlachos, Herry, Luthi, Aertsen & Kumar 2011 PLoS Comput Biol 7:e1001104 (MODELS.md §6.1 [V])"


def _weight(name: str, value: float, description: str, reason: str) -> Parameter:
    return Parameter(name, value, "dimensionless", description, assumption=reason)


COUPLING = "Coupling strength of the reduced circuit, chosen so that healthy resting activities sit on the "\
    "steep part of the Vlachos sigmoid; recalibrated against fMRI effect sizes in issue 5."

PARAMETERS = (
    Parameter("sigmoid_slope", 1.2, "dimensionless", "Slope of the population activation function", source=VLACHOS),
    Parameter("sigmoid_threshold", 2.8, "dimensionless", "Threshold of the population activation function", source=VLACHOS),
    Parameter("circuit_time_constant", 1.0, "min", "Relaxation time of regional activity",
              assumption="BOLD-scale regional activity follows its input within about a minute; "
              "faster neural dynamics are quasi-steady at this scale."),
    _weight("amygdala_bias", 2.5, "Tonic input to the amygdala (higher in patients, claim P4)", COUPLING),
    _weight("vmpfc_bias", 3.0, "Tonic input to the vmPFC (lower in patients, claim P7)", COUPLING),
    _weight("hippocampus_bias", 2.8, "Tonic input to the hippocampus", COUPLING),
    _weight("acc_bias", 2.2, "Tonic input to the ACC (higher in patients, claim P6)", COUPLING),
    _weight("ambient_threat", 0.3, "Everyday threat encountered outside sessions", COUPLING),
    _weight("cue_threat_intensity", 0.4, "Threat carried by a presented cue relative to everyday threat units", COUPLING),
    _weight("interpretation_bias", 1.0, "Gain on perceived threat (pessimistic appraisal, claim P15; 1 = typical patient)", COUPLING),
    _weight("threat_weight", 1.5, "Weight of perceived threat on the amygdala", COUPLING),
    _weight("fear_expression_weight", 1.5, "Amplification of threat input by the expressed fear memory", COUPLING),
    _weight("vmpfc_amygdala_weight", 1.6, "Top-down vmPFC -> amygdala inhibition (claim P8)", COUPLING),
    _weight("hippocampus_amygdala_weight", 0.8, "Hippocampal contextual regulation of the amygdala (claims P5, P9)", COUPLING),
    _weight("gaba_amygdala_weight", 2.0, "Amygdala inhibition per log unit of GABA-A inhibition (claim P3)", COUPLING),
    _weight("serotonin_amygdala_weight", 0.5, "Amygdala inhibition per log unit of 5-HT signal", COUPLING),
    _weight("noradrenaline_amygdala_weight", 1.0, "Amygdala excitation by brainstem noradrenaline (claim P2)", COUPLING),
    _weight("acc_amygdala_weight", 0.5, "dACC threat appraisal feeding the amygdala", COUPLING),
    _weight("amygdala_vmpfc_weight", 1.0, "Amygdala suppression of the vmPFC", COUPLING),
    _weight("acc_vmpfc_weight", 0.5, "Cingulate support of vmPFC regulation (claim N4)", COUPLING),
    _weight("amygdala_acc_weight", 1.5, "Amygdala drive of the dACC", COUPLING),
    _weight("cortisol_hippocampus_weight", 1.0, "Hippocampal impairment per unit of chronic cortisol excess (claim P5)", COUPLING),
    _weight("noradrenergic_tone", 1.0, "Tonic locus-coeruleus noradrenaline (1 = healthy; claim P2)", COUPLING),
    _weight("noradrenaline_stress_gain", 1.0, "Relative noradrenaline rise during a stressor (claim P2)", COUPLING),
    Parameter("trait_anxiety", 45.0, "dimensionless", "Trait anxiety (STAI-T score)",
              source="STAI-T norms: ~35 in healthy adults, ~45-55 in anxiety patients (Spielberger 1983 manual, from memory)"),
    Parameter("trait_anxiety_reference", 45.0, "dimensionless", "Trait anxiety at which the OT amygdala effect equals its nominal size",
              assumption="Typical anxious patient's STAI-T, the reference for claim N3's trait scaling."),
    _weight("ot_amygdala_attenuation", 0.45, "Fractional reduction of threat input to the amygdala at full OXTR signalling (N1, N2)",
            "Calibrated to a medium effect of 24 IU on amygdala reactivity to fearful faces (Labuschagne 2010; Gorka 2015)."),
    _weight("ot_social_salience", 1.0, "Fractional rise of social threat input at full OXTR signalling (salience variant, K2)",
            "Salience hypothesis (Lieberz 2019; Xin 2020): symmetric in size to the attenuation."),
    _weight("v1a_amygdala_weight", 2.5, "CeM excitation by oxytocin acting at V1a receptors (inverted U, CD-01)",
            "Huber 2005 (NT-01): vasopressin receptors excite CeM output; calibrated so 48 IU < 24 IU (CD-01)."),
    _weight("ot_vmpfc_coupling", 0.5, "Fractional rise of vmPFC -> amygdala coupling at full OXTR signalling (N7)",
            "Claim N7 (Di Simplicio 2009); CL-06 resting FC increase; magnitude assumed."),
    _weight("ot_vmpfc_gain", 0.5, "vmPFC input from oxytocin (PFC GABAergic/cognitive control, N6)", COUPLING),
    _weight("ot_hippocampus_gain", 0.4, "Hippocampal input from oxytocin (N5)", COUPLING),
    _weight("ot_dacc_suppression", 0.8, "dACC input removed by oxytocin during fear acquisition (N1)", COUPLING),
    _weight("ot_cingulate_gain", 1.5, "Cingulate input added by oxytocin during regulation (N4)", COUPLING),
)

ASSIGNMENTS = (
    Assignment("threat_perceived", "ambient_threat * interpretation_bias + cue_threat_intensity * threat_cue", "dimensionless",
               "Threat the amygdala receives: everyday threat through the appraisal bias, plus cues",
               claims=("P15", "P12")),
    Assignment("ot_threat_gain", "1 - ot_amygdala_attenuation * ot_signal * trait_anxiety / trait_anxiety_reference",
               "dimensionless", "Oxytocin's gain on threat input to the amygdala", claims=("N1", "N2", "N3", "C3", "K2")),
    Assignment("noradrenergic_drive", "noradrenergic_tone * (1 + noradrenaline_stress_gain * stressor)", "dimensionless",
               "Brainstem noradrenaline reaching amygdala, hippocampus and frontal cortex", claims=("P2",)),
    Assignment("ot_cingulate_input",
               "ot_signal * (ot_cingulate_gain * (1 - unconditioned_stimulus) - ot_dacc_suppression * unconditioned_stimulus)",
               "dimensionless", "Oxytocin's input to the cingulate: down during fear acquisition, up otherwise",
               claims=("N1", "N4")),
    Assignment("vmpfc_amygdala_coupling", "vmpfc_amygdala_weight * (1 + ot_vmpfc_coupling * ot_signal)", "dimensionless",
               "Effective top-down vmPFC -> amygdala coupling", claims=("P8", "N7")),
    Assignment("amygdala_input",
               "amygdala_bias + threat_weight * threat_perceived * (1 + fear_expression_weight * fear_expression) * ot_threat_gain"
               " + noradrenaline_amygdala_weight * (noradrenergic_drive - 1) + v1a_amygdala_weight * avpr1a_occupancy"
               " + acc_amygdala_weight * acc"
               " - vmpfc_amygdala_coupling * vmpfc"
               " - hippocampus_amygdala_weight * hippocampus - gaba_amygdala_weight * log(gaba_inhibition)"
               " - serotonin_amygdala_weight * serotonin_effect",
               "dimensionless", "Net input to the amygdala", claims=("P4", "P8", "P9", "P3", "G1", "N7", "P2")),
    Assignment("vmpfc_input",
               "vmpfc_bias + ot_vmpfc_gain * ot_signal - amygdala_vmpfc_weight * amygdala + acc_vmpfc_weight * acc",
               "dimensionless", "Net input to the vmPFC", claims=("P7", "N6", "N4")),
    Assignment("hippocampus_input",
               "hippocampus_bias + ot_hippocampus_gain * ot_signal - cortisol_hippocampus_weight * (cortisol_load - 1)",
               "dimensionless", "Net input to the hippocampus", claims=("P5", "N5")),
    Assignment("acc_input", "acc_bias + amygdala_acc_weight * amygdala + ot_cingulate_input", "dimensionless",
               "Net input to the ACC", claims=("P6", "N1", "N4")),
)

STATES = tuple(
    State(region, "dimensionless", initial, f"{label} population activity (0-1)", upper=1.0)
    for region, initial, label in (
        ("amygdala", 0.3, "Amygdala"), ("vmpfc", 0.5, "vmPFC"), ("hippocampus", 0.5, "Hippocampus"), ("acc", 0.4, "ACC"),
    )
)

PROCESSES = tuple(
    Process(f"{region}_activity",
            f"(1 / (1 + exp(-sigmoid_slope * ({region}_input - sigmoid_threshold))) - {region}) / circuit_time_constant",
            {region: 1}, f"Relaxation of {region} activity to the Vlachos sigmoid of its input",
            claims=claims, source=VLACHOS)
    for region, claims in (
        ("amygdala", ("P4", "P8", "N2", "G1")), ("vmpfc", ("P7", "N6", "N7")),
        ("hippocampus", ("P5", "N5")), ("acc", ("P6", "N1", "N4")),
    )
)

SINGLE_DOSE_AMYGDALA = Hypothesis(
    "amygdala_single_dose",
    "Direction of a single oxytocin dose on amygdala responses to threat (claim K2).",
    claims=("K2", "N2"),
    variants=(
        Variant("attenuation", "Oxytocin reduces threat input to the amygdala, more in high trait anxiety "
                "(Kirsch 2005; Labuschagne 2010; Gorka 2015; Kou 2022).", evidence="CD-03; CD-10; CL-06"),
        Variant("salience", "Oxytocin raises the salience of social threat: amygdala responses to fearful "
                "faces increase (Lieberz 2019 in women; Xin 2020; Mizzi 2022).",
                assignments={"ot_threat_gain": "1 + ot_social_salience * ot_signal * social_context"},
                evidence="Lieberz 2019; K2"),
    ),
    default="attenuation",
)

CINGULATE = Hypothesis(
    "cingulate",
    "Oxytocin on cingulate activity: dACC down during fear acquisition (N1) vs cingulate up for regulation (N4).",
    claims=("N1", "N4"),
    variants=(
        Variant("context_dependent", "Down while an aversive stimulus is delivered (acquisition), up otherwise."),
        Variant("dacc_down", "Always down (Cavalli 2017; Petrovic 2008).",
                assignments={"ot_cingulate_input": "-ot_dacc_suppression * ot_signal"}),
        Variant("cingulate_up", "Always up (Li 2021).",
                assignments={"ot_cingulate_input": "ot_cingulate_gain * ot_signal"}),
    ),
    default="context_dependent",
)

MODULE = Module(
    name="circuit",
    description=__doc__.strip().splitlines()[0],
    builds_on="Vlachos et al. 2011 mean-field sigmoid populations (MODELS.md §6.1), reduced to regional "
    "activities with vmPFC/hippocampal top-down inhibition (Li, Nakae, Ishii & Naoki 2016 structure).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
    hypotheses=(SINGLE_DOSE_AMYGDALA, CINGULATE),
)
