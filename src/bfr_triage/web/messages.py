"""The validation messages that are not about one question's wording (each question's own are in
rules/questions.toml); WTForms ships no Danish, so none of its own shows."""

from ..i18n import lazy_gettext as _l

INVALID_CHOICE = _l("Select one of the answers shown")
EXCLUSIVE_CHOICE = _l("Select “%(option)s” or the answers that apply, not both")
NOT_A_NUMBER = _l("Enter a whole number from %(min)s to %(max)s")
MANDATORY_REGION = _l("Select where the problem is")
MANDATORY_AUDIENCE = _l("Select whether you are a patient, or a physiotherapist or doctor")
MANDATORY_ITEMS = _l("Select what applies, or “None of these”")
ITEMS_OR_NONE = _l("Select “None of these” or the items that apply, not both")
MANDATORY_WHERE = _l("Select the arm or leg it applies to, or “I don't know”")
WHERE_OR_DONT_KNOW = _l("Select the arms and legs, or “I don't know”, not both")
