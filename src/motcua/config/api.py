"""The public HTTP API under /api/v1/ (django-ninja, OpenAPI 3.1). Each app contributes a router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from motcua.core.errors import ApplicationError

api = NinjaAPI(
    title="Một Cửa API",
    version="1",
    description="API of the provincial administrative procedure settlement system.",
    urls_namespace="api-v1",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"message": exc.message, "extra": exc.extra}, status=exc.status_code)


def _register_routers() -> None:
    from motcua.catalog.api import router as catalog_router
    from motcua.dossiers.api import router as dossier_router
    from motcua.dossiers.api import statistics_router

    api.add_router("/catalogue", catalog_router, tags=["catalogue"])
    api.add_router("/dossiers", dossier_router, tags=["dossiers"])
    api.add_router("/statistics", statistics_router, tags=["statistics"])
    from motcua.signatures.api import router as verification_router

    api.add_router("/verifications", verification_router, tags=["verifications"])
    from motcua.dvcqg.api import router as dvcqg_incoming_router

    api.add_router("/lgsp/dvcqg", dvcqg_incoming_router, tags=["lgsp"])
    from motcua.ioc.api import index_router, open_router

    api.add_router("/statistics/open", open_router, tags=["open data"])
    api.add_router("/statistics/index", index_router, tags=["statistics"])


_register_routers()
