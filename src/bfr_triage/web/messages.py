"""Every validation message, keyed by meaning: WTForms ships no Danish, so none of its own shows."""

from ..i18n import lazy_gettext as _l

MANDATORY_RADIO = _l("Select an answer to: %(question)s")
MANDATORY_CHECKBOX = _l("Tick at least one box for: %(question)s")
MANDATORY_NUMBER = _l("Enter a number for: %(question)s")
INVALID_CHOICE = _l("Select one of the answers shown for: %(question)s")
EXCLUSIVE_CHOICE = _l("“%(option)s” cannot be ticked together with other answers for: %(question)s")
NOT_A_NUMBER = _l("Enter a whole number from %(min)s to %(max)s for: %(question)s")
NUMBER_OUT_OF_RANGE = _l("Enter a number from %(min)s to %(max)s for: %(question)s")
MANDATORY_REGION = _l("Select where the problem is")
MANDATORY_AUDIENCE = _l("Select whether you are a patient or a clinician")
NOT_ANSWERED = _l("Answer this question: %(question)s")
MANDATORY_ITEMS = _l("Select what applies, or “None of these”")
ITEMS_OR_NONE = _l("Select “None of these” or the items that apply, not both")
MANDATORY_WHERE = _l("Select the arm or leg it applies to, or “I don't know”")
WHERE_OR_DONT_KNOW = _l("Select the arms and legs, or “I don't know”, not both")
