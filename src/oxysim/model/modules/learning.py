"""Fear learning: acquisition, context-dependent extinction, and spontaneous recovery.

A continuous-time Rescorla-Wagner model with the Paskewitz, Stoddard & Jones 2022 revisions: a
CS-US pairing drives the excitatory fear association towards the US magnitude; CS-alone exposure
builds a separate, context-bound inhibitory (extinction) association instead of erasing fear; and
the inhibitory association decays, which gives spontaneous recovery. The decay slows with practice, as
in the "harmonic" decay rate of the same authors' code (statsrat ``drate.py``: d = 1 / (extra_counts + N),
N the times the cue was seen), counted here in exposure sessions (MODELS.md §7.4: one session is one
block of CS-alone trials, and the gaps between sessions drive the decay): one session is forgotten
within months (spontaneous recovery), a course of sessions far more slowly (relapse after CBT is the
exception, CL-08). Extinction is retrieved fully in the therapy context and only partly elsewhere
(renewal), via the vmPFC (MODELS.md §7.1, §7.4).
"""

from oxysim.model.declaration import Assignment, Module, Parameter, Process, State

PASKEWITZ = "Paskewitz, Stoddard & Jones 2022 Comput Psychiatry 6:213; statsrat defaults (MODELS.md §7.1 [V])"

PARAMETERS = (
    Parameter("acquisition_rate", 6.0, "1/h", "Rate of fear acquisition during CS-US pairing",
              assumption="statsrat learning rate 0.2 per trial at ~30 CS-US trials per hour "
              "(Paskewitz 2022 defaults, converted to continuous time)."),
    Parameter("extinction_rate", 3.66, "1/h", "Rate of extinction learning during CS-alone exposure",
              assumption="Exposure trials last minutes (~3 per hour x 0.2): an hour of exposure extinguishes ~40 % "
              "of the remaining fear at the in-session engagement the typical SAD patient reaches in weekly CBT "
              "(~0.14). Derived by scripts/calibrate_treatment.py (record: oxysim/evidence/calibrations/"
              "treatment.yaml; 3.78 before session 11's periodic rest state); was 0.6, which gave 40 % only at an "
              "engagement of 1 that no patient reaches."),
    Parameter("extinction_decay_half_life", 110.0, "day", "Half-life of the inhibitory association after one exposure session",
              source=PASKEWITZ + ": decay of inhibitory weights gives spontaneous recovery. Calibrated 2026-11-27 "
              "by scripts/calibrate_treatment.py towards CL-08 (14 % relapse after successful CBT): spontaneous "
              "recovery (>= 30 % of one session's extinction lost in 60 days) caps it at ~117 days and the fit stops "
              "at 110. With the practice-dependent (harmonic) decay a 12-session course decays 14/3 times more "
              "slowly; true-score relapse is then ~5 %, but rater error (SEM 10 LSAS points) makes observed responders "
              "regress, so the observed rate stays at ~18 % (CL-08 in oxysim validate, 600 patients), above the target."),
    Parameter("extinction_count_offset", 2.0, "dimensionless",
              "Offset of the practice count in the harmonic decay rate, rate proportional to 1 / (offset + sessions)",
              source="statsrat drate.py 'harmonic' decay, extra_counts = 2 (package default, not fitted; MODELS.md §7.1 "
              "[V]). Counting sessions rather than trials is oxysim's design choice (MODELS.md §7.4)"),
    Parameter("exposure_session_length", 1.0, "h", "Exposure time that counts as one session of practice",
              assumption="The standard 60-min CBT/exposure session (the regimen's default session length)."),
    Parameter("extinction_generalisation", 1.0, "dimensionless",
              "Maximal retrieval of extinction outside the therapy context",
              assumption="Renewal: extinction is context-bound (Bouton; Paskewitz 2022 context cues); the loss "
              "outside therapy is carried by the vmPFC gate (vmpfc_recall_half) alone. Set to 1 (was 0.6) on "
              "2026-11-27: with 0.6 no vmPFC gate lets CBT approach the CL-07 response rate "
              "(scripts/calibrate_treatment.py)."),
    Parameter("vmpfc_recall_half", 0.522, "dimensionless", "vmPFC activity at half-maximal extinction recall",
              assumption="vmPFC is required for extinction recall (Milad & Quirk 2002, from memory). Calibrated "
              "2026-11-28 by scripts/calibrate_treatment.py (record: oxysim/evidence/calibrations/treatment.yaml) to the "
              "balance of CL-07 (CBT response 49.5 %) and CL-11 (CBT pre-post g 1.30), which pull apart in virtual SAD "
              "trials: 44.3 % and 1.46 at 1000 patients per arm (session 11, patients on their periodic daily cycle). "
              "0.624 before that; 0.353 (400 patients per arm, rater error per visit "
              "schedule), before that 0.5."),
    Parameter("fear_memory_initial", 0.6, "dimensionless", "Strength of the patient's fear association at t = 0",
              assumption="Subtype profiles set it; 0 means no conditioned fear."),
    Parameter("ot_acquisition_inhibition", 0.4, "dimensionless", "Fractional slowing of fear acquisition at full OXTR signalling",
              source="Claim C1 (Feng 2022, 2024; Zoicas 2014): magnitude assumed"),
    Parameter("ot_expression_inhibition", 0.3, "dimensionless", "Fractional reduction of fear expression at full OXTR signalling",
              source="Claims C1, C3 (Kirsch 2005; Petrovic 2008): magnitude assumed"),
    Parameter("ot_extinction_boost", 0.6, "dimensionless", "Fractional speed-up of extinction learning at full OXTR signalling",
              source="Claim C2 (Eckstein 2015 FE-01: OT enhanced late-extinction decline of SCR): magnitude assumed"),
)

STATES = (
    State("fear_memory", "dimensionless", "fear_memory_initial", "Excitatory CS-US association (0-1)", upper=1.0),
    State("extinction_memory", "dimensionless", 0.0, "Inhibitory (extinction) association (0-fear memory)", upper=1.0),
    State("exposure_practice", "dimensionless", 0.0, "Exposure sessions completed (practice count of the decay rate)",
          scale=10.0),
)

ASSIGNMENTS = (
    Assignment("extinction_retrieval",
               "therapy_session + (1 - therapy_session) * extinction_generalisation * vmpfc / (vmpfc + vmpfc_recall_half)",
               "dimensionless", "Fraction of the extinction memory retrieved in the current context",
               claims=("N6", "P8")),
    Assignment("fear_expression",
               "(fear_memory - extinction_retrieval * extinction_memory) * (1 - ot_expression_inhibition * ot_signal)",
               "dimensionless", "Expressed conditioned fear", claims=("C1", "C3")),
)

PROCESSES = (
    Process("fear_acquisition",
            "acquisition_rate * (1 - ot_acquisition_inhibition * ot_signal) * threat_cue * unconditioned_stimulus * (1 - fear_memory)",
            {"fear_memory": 1}, "Rescorla-Wagner acquisition towards the US magnitude", claims=("C1",), source=PASKEWITZ),
    Process("extinction_learning",
            "extinction_rate * (1 + ot_extinction_boost * ot_signal) * exposure_engagement * threat_cue * (1 - unconditioned_stimulus)"
            " * (fear_memory - extinction_memory)",
            {"extinction_memory": 1}, "Negative prediction error on CS-alone exposure builds inhibition",
            claims=("C2", "K5", "K7"), source=PASKEWITZ),
    Process("exposure_practice_count", "therapy_session / exposure_session_length", {"exposure_practice": 1},
            "Sessions of exposure practice accumulate (the count N of the harmonic decay rate)", claims=("K5",),
            source=PASKEWITZ),
    Process("extinction_decay",
            "log(2) / extinction_decay_half_life * (extinction_count_offset + 1) / (extinction_count_offset + exposure_practice)"
            " * extinction_memory", {"extinction_memory": -1},
            "Decay of the inhibitory association, slower after more sessions: spontaneous recovery after one session, "
            "little relapse after a course", claims=("K5",), source=PASKEWITZ),
)

MODULE = Module(
    name="learning",
    description=__doc__.strip().splitlines()[0],
    builds_on="Rescorla & Wagner 1972 with the context and inhibitory-decay revisions of Paskewitz 2022 (MODELS.md §7.1, §7.4).",
    states=STATES,
    parameters=PARAMETERS,
    assignments=ASSIGNMENTS,
    processes=PROCESSES,
)
