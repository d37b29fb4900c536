"""Pages without a questionnaire: the evidence, liveness and the favicon."""

from __future__ import annotations

from flask import current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

from ..extensions import ruleset
from ..i18n import gettext
from ..records.labels import GRADES, PATIENT_GRADES, REGIONS, TIERS
from .blueprint import bp
from .links import audience
from .result import sources_view


class References:
    """Number the sources in the order the page first cites them; list each once, at the end.

    Most safety items cite the same two or three papers: written out at each, they were half
    of the page (42 KB in Danish).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def cite(self, ids: tuple[str, ...]) -> list[int]:
        """Return the numbers of `ids`, numbering the new ones."""
        return [self.ids.setdefault(sid, len(self.ids) + 1) for sid in ids]


@bp.get("/about")
def about() -> str:
    """Show the evidence, the safety screen and the verdict policy from the rule set."""
    rs = ruleset()
    clinician = audience() == "clinician"
    refs = References()
    pain = rs.policy.parameters["pain_threshold"]
    pain_refs = refs.cite(pain.sources)
    indications = [
        {
            "id": i.id,
            "region": str(REGIONS.get(i.region, i.region)),
            "label": gettext(i.clinician_label if clinician else i.label),
            "grade": str((GRADES if clinician else PATIENT_GRADES)[i.grade]),
            "evidence": gettext(i.evidence) if i.evidence else "",
            "honesty": gettext(i.honesty) if i.honesty else "",
            "sources": refs.cite(i.sources),
        }
        for i in rs.indications.values()
    ]
    tiers = [
        (
            str(TIERS[tier]),
            [
                (  # a patient reads what they do, never the clinician's instruction
                    gettext(i.text if clinician else i.patient_text),
                    gettext(i.action if clinician else i.patient_action),
                    refs.cite(i.sources),
                )
                for i in rs.items
                if i.tier == tier
            ],
        )
        for tier in TIERS
    ]
    policy = rs.policy
    rows = [
        (
            gettext(r.text if clinician else r.patient_text),
            gettext(
                policy.wording[r.verdict].clinician
                if clinician
                else policy.wording[r.verdict].patient
            ),
        )
        for r in policy.rows
    ]
    return render_template(
        "about.html",
        indications=indications,
        tiers=tiers,
        rows=rows,
        fallback=(  # a patient reads the patient's wording here too, as on the result page
            gettext(
                policy.fallback_text
                if clinician
                else policy.fallback_patient_text or policy.fallback_text
            ),
            gettext(
                policy.wording[policy.fallback].clinician
                if clinician
                else policy.wording[policy.fallback].patient
            ),
        ),
        pain=(pain.value, gettext(pain.text), pain_refs),
        references=sources_view(rs, tuple(refs.ids)),
        policy=policy,
        sha256=rs.sha256,
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Answer load balancers: the app is up (the rule set loaded at start)."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Serve the icon where browsers look for it."""
    assert current_app.static_folder is not None  # set by create_app
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
