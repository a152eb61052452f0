"""The draft of a result's variable content (walk.md step 7: "nowhere to draft the licence").

Each result template prints fixed parts (letterhead, authority, legal bases, applicant, signature block)
from the dossier and the catalogue, and a few parts only the specialist can write after appraising the
dossier: what is licensed or certified, its scope, how long it is valid, what a decision decides. Those
are the template's *draft fields* below. The specialist saves them during appraisal (a ``ResultDraft``,
validated here; the dossiers service records the timeline event), the leader sees them rendered before
approving, and the issued result prints them (``results.result_data``). The applicant's request
(``Dossier.summary``) is never printed as the result's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.signatures.forms import result_template
from motcua.signatures.models import ResultDraft


@dataclass(frozen=True)
class DraftField:
    name: str
    label: Any
    required: bool = False
    multiline: bool = False
    max_length: int = 1000


_CONTENT = DraftField("content", _lazy("Nội dung"), required=True, multiline=True, max_length=2000)
DRAFT_FIELDS: dict[str, tuple[DraftField, ...]] = {
    "licence": (
        DraftField(
            "content", _lazy("Nội dung được cấp phép"), required=True, multiline=True, max_length=2000
        ),
        DraftField("scope", _lazy("Phạm vi, địa bàn hoạt động"), multiline=True),
        DraftField("validity", _lazy("Thời hạn hiệu lực"), max_length=255),
    ),
    "certificate": (
        DraftField("content", _lazy("Nội dung chứng nhận"), required=True, multiline=True, max_length=2000),
        DraftField("validity", _lazy("Thời hạn hiệu lực"), max_length=255),
    ),
    "decision": (
        DraftField(
            "content", _lazy("Nội dung chấp thuận (Điều 1)"), required=True, multiline=True, max_length=2000
        ),
        DraftField("articles", _lazy("Các điều khác (mỗi đoạn một điều)"), multiline=True, max_length=4000),
    ),
    "result": (_CONTENT,),
}

# Labels printed in the result for the licence and certificate field lists.
PRINTED_LABELS = {"content": "Nội dung", "scope": "Phạm vi", "validity": "Thời hạn hiệu lực"}


def draft_fields_for(dossier: Dossier) -> tuple[DraftField, ...]:
    return DRAFT_FIELDS.get(result_template(dossier.procedure_version), (_CONTENT,))


def result_draft_values(dossier: Dossier) -> dict[str, str]:
    """The saved draft's values ({} when none)."""
    draft = ResultDraft.objects.filter(dossier=dossier).first()
    return dict(draft.values) if draft is not None else {}


def result_draft_fields(*, dossier: Dossier) -> list[dict[str, Any]]:
    values = result_draft_values(dossier)
    return [
        {
            "name": f.name,
            "label": str(f.label),
            "required": f.required,
            "multiline": f.multiline,
            "max_length": f.max_length,
            "value": values.get(f.name, ""),
        }
        for f in draft_fields_for(dossier)
    ]


def result_draft_save(*, dossier: Dossier, author: Any, values: dict[str, str]) -> dict[str, str]:
    """Validate against the template's fields and store (the caller checked that ``author`` holds the
    specialist's active step). Unknown keys are refused, not ignored: a client learns of its mistake."""
    fields = draft_fields_for(dossier)
    known = {f.name for f in fields}
    errors: dict[str, str] = {}
    for key in values:
        if key not in known:
            errors[key] = _("Mẫu kết quả này không có trường này.")
    cleaned: dict[str, str] = {}
    for f in fields:
        raw = values.get(f.name, "")
        value = raw.strip() if isinstance(raw, str) else ""
        if not isinstance(raw, str):
            errors[f.name] = _("Giá trị phải là văn bản.")
        elif f.required and not value:
            errors[f.name] = _("Trường này là bắt buộc.")
        elif len(value) > f.max_length:
            errors[f.name] = _("Tối đa %(n)d ký tự.") % {"n": f.max_length}
        elif value:
            cleaned[f.name] = value.replace("\r\n", "\n")
    if errors:
        raise ApplicationError(_("Dự thảo kết quả chưa hợp lệ."), {"fields": errors})
    ResultDraft.objects.update_or_create(
        dossier=dossier,
        defaults={
            "template": result_template(dossier.procedure_version),
            "values": cleaned,
            "updated_by": author,
            "updated_at": clock.now(),
        },
    )
    return cleaned


def draft_apply(data: dict[str, Any], *, dossier: Dossier, draft: dict[str, str]) -> dict[str, Any]:
    """The result data with the draft's content in place of the defaults of ``forms.result_details``.
    Without a draft the content is the name of the result (what the procedure grants), never the
    applicant's request."""
    version = dossier.procedure_version
    content = draft.get("content", "") or version.result_name or version.name
    data["content"] = content
    if "fields" in data:
        fields = [f for f in data["fields"] if f.get("label") != PRINTED_LABELS["content"]]
        fields.append({"label": PRINTED_LABELS["content"], "value": content})
        fields += [
            {"label": PRINTED_LABELS[n], "value": draft[n]} for n in ("scope", "validity") if draft.get(n)
        ]
        data["fields"] = fields
    articles = list(data.get("articles", []))
    if articles:
        first = {
            **articles[0],
            "text": draft["content"]
            if draft.get("content")
            else f"Chấp thuận đề nghị của {dossier.applicant_name} về việc {_lower_first(version.name)}.",
        }
        extra = [{"text": p.strip()} for p in draft.get("articles", "").split("\n\n") if p.strip()]
        numbered = [first, *extra, *articles[1:]]
        data["articles"] = [{**a, "heading": f"Điều {i}."} for i, a in enumerate(numbered, start=1)]
    return data


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
