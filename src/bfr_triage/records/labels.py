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
