from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IocConfig(AppConfig):
    name = "motcua.ioc"
    label = "ioc"
    verbose_name = _("Trung tâm giám sát, điều hành (IOC)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from motcua.dossiers.changes import ChangeListener, dossier_changed_listener_set
        from motcua.ioc.facts import MARK_CONFLICT, fact_deleted, fact_mark_stale, fact_stale_row, facts_soon
        from motcua.ioc.models import DossierFact

        # Every timeline event of a dossier marks its fact row stale (in the same transaction) and a drain
        # rebuilds it (after commit, in the worker): the IOC's counts and the national index stay right when
        # a dossier's history changes (issue 18.6).
        dossier_changed_listener_set(
            ChangeListener(
                mark=fact_mark_stale, wake=facts_soon, mark_row=fact_stale_row, mark_conflict=MARK_CONFLICT
            )
        )
        # A fact row deleted (cascade from its dossier too) takes its daily counters with it.
        post_delete.connect(fact_deleted, sender=DossierFact, dispatch_uid="ioc-fact-deleted")
