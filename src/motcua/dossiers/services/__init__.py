"""Writes on dossiers, one module per phase of the law: ``submission`` (with its two write paths in
``submission_write``), ``intake``, ``pauses`` (supplement, financial obligation, apology) and ``closing``
(return, withdrawal, stop, rating). Each service validates, changes state through
``transitions.dossier_transition`` and records a timeline event in the same transaction; side effects
(notifications) run after commit. Callers use the names re-exported here: ``services.dossier_receive``."""

from motcua.dossiers.services.closing import (
    dossier_rate,
    dossier_return_result,
    dossier_stop,
    dossier_stop_on_request,
    dossier_withdraw,
)
from motcua.dossiers.services.intake import (
    appointment_for,
    dossier_receive,
    dossier_receive_at_counter,
    dossier_refuse_at_intake,
    dossier_request_intake_supplement,
)
from motcua.dossiers.services.pauses import (
    dossier_apologise,
    dossier_confirm_payment,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_supply,
)
from motcua.dossiers.services.submission import (
    FORM_DATA_MAX_CHARS,
    SUMMARY_MAX_LENGTH,
    ApplicantData,
    SubmissionData,
    dossier_submit,
    dossier_submit_draft,
)

__all__ = [
    "FORM_DATA_MAX_CHARS",
    "SUMMARY_MAX_LENGTH",
    "ApplicantData",
    "SubmissionData",
    "appointment_for",
    "dossier_apologise",
    "dossier_confirm_payment",
    "dossier_rate",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_refuse_at_intake",
    "dossier_request_intake_supplement",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_stop",
    "dossier_stop_on_request",
    "dossier_submit",
    "dossier_submit_draft",
    "dossier_supply",
    "dossier_withdraw",
]
