"""``{% form_documents dossier as documents %}``: the statutory forms issued for a dossier (newest first),
each with its name from the forms catalogue, for the staff and citizen dossier pages. The page has already
fetched the dossier through a permission-checked selector."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers.models import Dossier
from motcua.signatures.forms import FORMS

register = template.Library()


@register.simple_tag
def form_documents(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for document in dossier.documents.exclude(kind="result").order_by("-issued_at", "-pk"):
        spec = FORMS.get(document.kind)
        rows.append(
            {
                "public_id": document.public_id,
                "kind": document.kind,
                "name": spec.short if spec else document.kind,
                "number": document.number,
                "issued_at": document.issued_at,
            }
        )
    return rows


@register.filter
def has_result_document(dossier: Dossier) -> bool:
    """Whether the signed result was issued (the forms are documents of the dossier too)."""
    return bool(dossier.documents.filter(kind="result").exists())
