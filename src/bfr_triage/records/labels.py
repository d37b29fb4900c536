"""Human words for the rule set's codes: evidence grades, body regions, tiers, limbs, sources."""

from ..i18n import lazy_gettext as _l

GRADES = {
    "ma": _l("Meta-analysis or systematic review of randomised trials"),
    "rct": _l("At least one randomised controlled trial"),
    "small_rct": _l("Small or pilot randomised trials"),
    "emerging": _l("Preliminary evidence: reviews call it emerging"),
    "in_progress": _l("Trials registered, no results published yet"),
    "none_found": _l("No specific trial was found"),
}

# The same grades in plain words, for the patient's "For your physiotherapist" section.
PATIENT_GRADES = {
    "ma": _l("Several trials, summed up in a review of the research"),
    "rct": _l("At least one trial that compared groups chosen by lot"),
    "small_rct": _l("Small trials that compared groups chosen by lot"),
    "emerging": _l("Early research: promising, but there is little of it"),
    "in_progress": _l("Trials have started, but no results are published yet"),
    "none_found": _l("No trial was found for this condition"),
}

# Where the trials behind a grade trained the cuff (README §3 v2): whole sentences, so that each
# language can say it its own way.
STUDIED_IN = {
    ("arms",): _l("The trials trained the arms."),
    ("legs",): _l("The trials trained the legs."),
    ("arms", "legs"): _l("The trials trained the arms and the legs."),
}

REGIONS = {
    "knee": _l("Knee"),
    "joints": _l("Joints and arthritis"),
    "hip": _l("Hip"),
    "shoulder": _l("Shoulder"),
    "back": _l("Back and spine"),  # not "Back": that msgid is the navigation link
    "tissues": _l("Bones, muscles, tendons and injuries"),
    "ageing": _l("Muscle and bone loss with age"),
    "goals": _l("Goals without an injury"),
    "benefits": _l("Other benefits"),
}

# "Where is the problem?": the first question a patient is asked (web/regions.py).
PATIENT_REGIONS = {
    "knee": _l("Knee"),
    "hip": _l("Hip"),
    "shoulder": _l("Shoulder"),
    "back": _l("Back and spine"),  # not "Back": that msgid is the navigation link
    "joints": _l("Arthritis in one or more joints"),
    "tissues": _l("A broken bone, or a muscle or tendon injury"),
    "ageing": _l("Weaker muscles or thinner bones with age"),
    "goals": _l("No injury: I want to get stronger or fitter"),
}

TIERS = {
    "clearance": _l("Needs a doctor's clearance first"),
    "local": _l("Do not put the cuff on that arm or leg"),
    "precaution": _l("Take care"),
}

LIMBS = {
    "left_arm": _l("Left arm"),
    "right_arm": _l("Right arm"),
    "left_leg": _l("Left leg"),
    "right_leg": _l("Right leg"),
}

SOURCE_KINDS = {
    "peer_reviewed": _l("Peer-reviewed"),
    "registry": _l("Trial registry"),
    "grey": _l("Practice guidance, not peer-reviewed"),
}
