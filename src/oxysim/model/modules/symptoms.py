"""Anxiety symptoms over weeks: latent severity, placebo response and clinical scales.

Latent severity follows a turnover (indirect-response) model driven by the mechanism chain: the
days-scale amygdala activity, the cortisol load and attachment avoidance, on top of a vulnerability
term for traits, adversity and lifestyle (P12-P14). Placebo response is the exponential approach of
Nicholas & Binneman (Pfizer) with t90 = 6.5 weeks; it scales rated severity by exp(-placebo_strength x
response). Severity 0 is a healthy person and 1 a typical untreated trial patient; each scale maps it
linearly between its healthy and patient means.
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

NICHOLAS = "Nicholas & Binneman (Pfizer) HAM-A placebo model: t90 ~ 6.5 weeks (MODELS.md §10.1 [V])"
FURUKAWA = ("Furukawa TA et al. (2009) Evidence-based guidelines for interpretation of the Panic Disorder Severity "
            "Scale. Depress Anxiety 26:922-929 (abstract seen): CGI-S anchors of the PDSS from 568 trial patients")
CL19 = "CL-19 (from memory, verify): HAM-A baseline ~24-26, LSAS baseline ~85-95 in GAD/SAD trials"
NODA = ("Noda Y et al. (2007) BMC Psychiatry 7:70, Table 1 (seen): clinician-rated PDSS at the start of a group CBT "
        "program, 95 outpatients (93 % with agoraphobia) in four groups: 11.1 (SD 4.1, n = 11), 13.2 (4.7, 52), "
        "9.3 (4.5, 16), 12.5 (4.9, 16); pooled mean 12.18, SD 4.79 (my pooling)")
UIJEN = ("van Uijen SL (2018) PhD thesis, Utrecht University, chapter 7 (flipbook p. 174, seen): FSQ of spider-phobic "
         "participants 83.74 (SD 20.78), 83.56 (20.48; Milosevic & Radomsky 2013) and 89.10 (19.60; Muris & Merckelbach "
         "1996); healthy controls 3.00 (7.80)")
DRIVE = ("Weights of the severity drive, chosen so that each mechanism contributes and a typical "
         "untreated patient's drive is ~1; recalibrated against CL-11/CL-13 in issues 4-5.")

PARAMETERS = (
    Parameter("vulnerability", 0.35, "dimensionless", "Trait, adversity and lifestyle contribution to severity (P12-P14)",
              assumption="Part of severity not carried by the modelled circuit (Cisler 2012; Struijs 2021)."),
    Parameter("amygdala_severity_weight", 1.0, "dimensionless", "Severity per unit of days-scale amygdala activity above healthy rest",
              assumption=DRIVE),
    Parameter("cortisol_severity_weight", 0.3, "dimensionless", "Severity per unit of cortisol load above baseline", assumption=DRIVE),
    Parameter("attachment_severity_weight", 0.15, "dimensionless", "Severity per unit of attachment avoidance", assumption=DRIVE),
    Parameter("amygdala_load_half_life", 1.0, "day", "Half-life of the days-scale amygdala activity",
              assumption="Symptoms reflect amygdala reactivity over days, not within a session."),
    Parameter("severity_half_life", 10.0, "day", "Half-life of latent severity after a change in its drive",
              assumption="Turnover model (Dayneka 1993 IDR); benzodiazepines act within ~1 week (CL-13)."),
    Parameter("severity_initial", 1.0, "dimensionless", "Latent severity at t = 0", assumption="1 = typical trial patient by definition."),
    Parameter("placebo_t90", 6.5, "week", "Time to 90 % of the maximal placebo response", source=NICHOLAS),
    Parameter("placebo_strength", 0.328, "dimensionless",
              "Log-reduction of severity at the full expectancy response (maximal fractional reduction 1 - exp(-it))",
              source="Calibrated 2026-11-28 by scripts/calibrate_treatment.py (record: oxysim/evidence/calibrations/treatment.yaml) to CL-11 (pill placebo pre-post g "
              "1.29 at week 12 in virtual SAD trials of 1000 patients per arm): a 28 % typical reduction (0.314 before session 11's periodic "
              "rest state; 0.297 on 400 patients). Was placebo_max = 0.35, a fraction; "
              "a log-reduction keeps its log-normal spread between patients below a 100 % reduction"),
    Parameter("hama_healthy", 3.0, "dimensionless", "HAM-A of a healthy adult",
              assumption="Healthy controls score ~2-4 (remission cut-off 7, CL-23)."),
    Parameter("hama_patient", 25.0, "dimensionless", "HAM-A of a typical GAD trial patient", source=CL19),
    Parameter("lsas_healthy", 25.0, "dimensionless", "LSAS of a healthy adult", assumption="Community norms ~20-30 (Fresco 2001, from memory)."),
    Parameter("lsas_patient", 90.0, "dimensionless", "LSAS of a typical SAD trial patient", source=CL19),
    Parameter("pdss_healthy", 1.0, "dimensionless", "PDSS of a healthy adult", source=FURUKAWA + ": 0-1 = 'normal'"),
    Parameter("pdss_patient", 10.2, "dimensionless", "PDSS at latent severity 1 (the typical panic-disorder patient)",
              source=NODA + ": set so that the virtual PD population has that cohort's mean 12.2; its mean latent "
              "severity is 1.211 over 3000 patients with trial covariates (the PD profile's wide vulnerability "
              "spread skews it above the typical patient's 1), so 1 + (12.18 - 1) / 1.211 = 10.2 "
              "(scripts/calibrate_vulnerability.py --spread and --anchors; 11.7 with the default vulnerability CV). "
              "The population mean lies in " + FURUKAWA + "'s 'moderately ill' band with agoraphobia (11-15), the "
              "typical patient at the top of its 'slightly ill' band (8-10)"),
    Parameter("fsq_healthy", 3.0, "dimensionless", "Fear of Spiders Questionnaire score of a healthy adult",
              source=UIJEN + ": the healthy-control mean"),
    Parameter("fsq_patient", 79.7, "dimensionless", "FSQ at latent severity 1 (the typical specific-phobia patient)",
              source=UIJEN + ": set so that the virtual SP population has the samples' mean 85.5 (their three means "
              "averaged); its mean latent severity is 1.075 over 3000 patients with trial covariates (the log-normal "
              "parameters skew it above the typical patient's 1), so 3 + (85.5 - 3) / 1.075 = 79.7 "
              "(scripts/calibrate_vulnerability.py --anchors; 79.9 before session 11's periodic rest state)"),
    Parameter("stai_healthy", 35.0, "dimensionless", "STAI-S of a healthy adult", assumption="Spielberger norms ~35 (from memory)."),
    Parameter("stai_patient", 55.0, "dimensionless", "STAI-S of a typical anxiety patient", assumption="Spielberger clinical ~50-60 (from memory)."),
)

STATES = (
    State("amygdala_load", "dimensionless", "amygdala", "Days-scale mean amygdala activity"),
    State("severity", "dimensionless", "severity_initial", "Latent anxiety severity (0 healthy, 1 typical patient)", lower=None),
    State("placebo_response", "dimensionless", 0.0, "Expectancy (placebo) response, fraction of its maximum", upper=1.0),
)

ASSIGNMENTS = (
    Assignment("severity_drive",
               "vulnerability + amygdala_severity_weight * (amygdala_load - amygdala_reference)"
               " + cortisol_severity_weight * (cortisol_load - 1) + attachment_severity_weight * attachment_avoidance",
               "dimensionless", "Severity the mechanism chain supports", claims=("P12", "P13", "P14", "P4", "P10")),
    Assignment("observed_severity", "severity * exp(-placebo_strength * placebo_response)", "dimensionless",
               "Severity as rated, including the expectancy response (a fraction of severity, so it stays >= 0)"),
    Assignment("ham_a", "hama_healthy + (hama_patient - hama_healthy) * observed_severity", "dimensionless", "HAM-A score"),
    Assignment("lsas", "lsas_healthy + (lsas_patient - lsas_healthy) * observed_severity", "dimensionless", "LSAS score"),
    Assignment("pdss", "pdss_healthy + (pdss_patient - pdss_healthy) * observed_severity", "dimensionless", "PDSS score"),
    Assignment("fsq", "fsq_healthy + (fsq_patient - fsq_healthy) * observed_severity", "dimensionless",
               "Fear of Spiders Questionnaire score (specific phobia)"),
    Assignment("stai", "stai_healthy + (stai_patient - stai_healthy) * observed_severity", "dimensionless", "STAI-S score"),
)

PROCESSES = (
    Process("amygdala_load_tracking", "log(2) / amygdala_load_half_life * (amygdala - amygdala_load)", {"amygdala_load": 1},
            "Days-scale mean of amygdala activity"),
    Process("severity_turnover", "log(2) / severity_half_life * (severity_drive - severity)", {"severity": 1},
            "Latent severity relaxes towards its drive (indirect response)", claims=("K3", "K5", "K9")),
    Process("placebo_build_up", "log(10) / placebo_t90 * (in_treatment - placebo_response)", {"placebo_response": 1},
            "Expectancy response approaching its maximum while in treatment", source=NICHOLAS),
)

MODULE = Module(
    name="symptoms",
    description=__doc__.strip().splitlines()[0],
    builds_on="Nicholas & Binneman placebo model and Jusko indirect-response turnover (MODELS.md §10.1, §8, §10.2).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
