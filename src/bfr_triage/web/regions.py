"""The patient's first question, "Where is the problem?", which narrows the conditions offered.

It is a step of the pages, not an answer: the engine never reads it. The regions are the
indications' own (`region` in rules/indications.toml); a chosen condition tells its region back,
so a Change link or Back needs nothing stored.
"""

from __future__ import annotations

from ..engine import RuleSet
from ..i18n import gettext
from ..records.labels import PATIENT_REGIONS
from .fieldview import FieldView, OptionView

NOT_SURE = "not_sure"  # every condition, grouped by region
ELSEWHERE = "not_listed"  # the condition question's own "Something else, or I'm not sure"


def regions(rs: RuleSet) -> tuple[str, ...]:
    """Return the regions of the selectable conditions and goals, in the rule files' order."""
    found = (i.region for i in rs.indications.values() if i.kind != "benefit")
    return tuple(r for r in dict.fromkeys(found) if r in PATIENT_REGIONS)


def region_of(rs: RuleSet, condition: object) -> str:
    """Return the region a chosen condition belongs to ("" when none was chosen or unlisted)."""
    found = rs.indications.get(str(condition))
    return found.region if found is not None and found.region in PATIENT_REGIONS else ""


def condition_values(rs: RuleSet, region: str) -> tuple[str, ...] | None:
    """Return the conditions offered for `region`, then "Something else"; None: all of them."""
    if region not in PATIENT_REGIONS:
        return None
    listed = tuple(i.id for i in rs.indications.values() if i.region == region)
    return (*listed, ELSEWHERE)


def region_field(rs: RuleSet, chosen: str = "", error: str = "") -> FieldView:
    """Describe the region radios the same way as a question's."""
    values = (*regions(rs), NOT_SURE)
    labels = {
        **{r: str(PATIENT_REGIONS[r]) for r in regions(rs)},
        NOT_SURE: gettext("I'm not sure"),
    }
    options = tuple(
        OptionView(f"region-{v}", v, labels[v], "", v == chosen, v == NOT_SURE) for v in values
    )
    legend = gettext("Where is the problem?")
    hint = gettext("If there is more than one, choose the one you want to train for now.")
    return FieldView("region", "radios", legend, hint, error, (("", options),), "", False)
