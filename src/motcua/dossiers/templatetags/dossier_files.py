"""Links to uploaded files on the dossier pages: which may be shown in place, which are identity
documents, and whether the reader may open those (the page already holds the dossier through a
permission-checked selector)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from motcua.dossiers import selectors
from motcua.dossiers.downloads import INLINE_TYPES
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.sensitive import component_is_identity_document

if TYPE_CHECKING:
    from motcua.accounts.models import User

register = template.Library()


@register.filter
def viewable_inline(stored: DossierFile) -> bool:
    return stored.content_type in INLINE_TYPES


@register.filter
def is_identity_document(component: Any) -> bool:
    return component_is_identity_document(component)


@register.simple_tag
def may_open_identity_documents(dossier: Dossier, user: User) -> bool:
    return selectors.officer_may_open_identity_documents(user=user, dossier=dossier)
