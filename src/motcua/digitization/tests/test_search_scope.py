"""The search rows carry their dossier's agencies (``SearchEntry.scope_agencies``, kept by database
triggers) so the full-text index filters on them: these tests hold that denormalised scope to the
permission-checked selector — a document of another agency's dossier stays hidden, and moving a
dossier, giving it a task elsewhere, taking the task away or moving a document to another dossier moves
the rows' scope with it, whoever wrote the change (queryset updates and bulk creates included)."""

from __future__ import annotations

import pytest

from motcua.digitization import search
from motcua.digitization.models import DigitizationJob, JobState, SearchEntry
from motcua.digitization.search import search_dossiers, search_index_job
from motcua.dossiers.models import Dossier, Task
from motcua.dossiers.selectors import dossiers_for_officer
from motcua.testing.journeys import bulletin_received


def _document(dossier: Dossier, text: str) -> DigitizationJob:
    job = DigitizationJob.objects.create(dossier=dossier, state=JobState.DONE, text=text)
    search_index_job(job_id=job.pk)
    return job


def _found(user, query: str) -> set[int]:  # type: ignore[no-untyped-def]
    return {h.dossier.pk for h in search_dossiers(user=user, query=query)}


def _agrees_with_selector(user, query: str) -> None:  # type: ignore[no-untyped-def]
    """Every dossier holding the words is found exactly when the selector lets ``user`` open it."""
    visible = set(dossiers_for_officer(user=user).values_list("pk", flat=True))
    holding = set(SearchEntry.objects.filter(folded__contains=query).values_list("dossier_id", flat=True))
    assert _found(user, query) == holding & visible


@pytest.mark.django_db
def test_a_document_of_another_agency_is_not_found(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, clerk_other_agency, commune, frozen
) -> None:
    ours = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    theirs = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    # The other dossier belongs to the commune alone (received, helped and decided there, no task here).
    Task.objects.filter(dossier=theirs).delete()
    Dossier.objects.filter(pk=theirs.pk).update(
        receiving_agency=commune, helped_at=None, competent_agency=commune
    )
    _document(ours, "Biên bản nghiệm thu lò gốm")
    _document(theirs, "Biên bản nghiệm thu lò gốm, bản sao riêng của xã")

    assert _found(clerk_binh, "nghiem thu lo gom") == {ours.pk}
    assert _found(clerk_binh, "ban sao rieng cua xa") == set()  # words only in the other agency's scan
    assert _found(clerk_other_agency, "nghiem thu lo gom") == {theirs.pk}
    assert set(SearchEntry.objects.filter(dossier=theirs).values_list("scope_agencies", flat=True)) == {
        str(commune.pk)
    }
    _agrees_with_selector(clerk_binh, "nghiem thu")
    _agrees_with_selector(clerk_other_agency, "nghiem thu")


@pytest.mark.django_db
def test_the_rows_scope_follows_the_dossier_its_tasks_and_the_document(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, clerk_other_agency, commune, frozen
) -> None:
    dossier = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    other = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    job = _document(dossier, "Hợp đồng thuê lò nung gốm")
    assert _found(clerk_other_agency, "lo nung gom") == set()

    # A task at the commune (bulk-created, as the process creates them) lets the commune find it ...
    Task.objects.bulk_create(
        [Task(dossier=dossier, order=90, name="Xác minh", role="specialist", agency=commune)]
    )
    assert _found(clerk_other_agency, "lo nung gom") == {dossier.pk}
    _agrees_with_selector(clerk_other_agency, "lo nung gom")
    # ... and taking the task away hides it again.
    Task.objects.filter(dossier=dossier, agency=commune).delete()
    assert _found(clerk_other_agency, "lo nung gom") == set()

    # The dossier moved to the commune (a queryset update, no save()): the commune finds it, the centre
    # no longer does.
    Task.objects.filter(dossier=dossier).update(agency=commune)
    Dossier.objects.filter(pk=dossier.pk).update(
        receiving_agency=commune, helped_at=None, competent_agency=commune
    )
    assert _found(clerk_other_agency, "lo nung gom") == {dossier.pk}
    assert _found(clerk_binh, "lo nung gom") == set()
    _agrees_with_selector(clerk_binh, "lo nung gom")

    # The document re-filed under the other dossier takes that dossier's scope.
    entry = SearchEntry.objects.get(job=job)
    entry.dossier = other
    entry.save()
    assert _found(clerk_binh, "lo nung gom") == {other.pk}
    assert _found(clerk_other_agency, "lo nung gom") == set()
    # A whole-row save by the ORM cannot write a stale scope: the database recomputes it.
    SearchEntry.objects.filter(pk=entry.pk).update(scope_agencies=str(commune.pk))
    assert SearchEntry.objects.get(pk=entry.pk).scope_agencies != str(commune.pk)
    _agrees_with_selector(clerk_binh, "lo nung gom")
    _agrees_with_selector(clerk_other_agency, "lo nung gom")


@pytest.mark.django_db
def test_hits_still_go_through_the_selector(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, monkeypatch, frozen
) -> None:
    dossier = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    _document(dossier, "Tờ khai đăng ký hộ kinh doanh")
    assert _found(clerk_binh, "ho kinh doanh") == {dossier.pk}
    # Were the rows' scope ever wider than the selector, the selector has the last word.
    monkeypatch.setattr(search, "dossiers_for_officer", lambda *, user: Dossier.objects.none())
    assert _found(clerk_binh, "ho kinh doanh") == set()


@pytest.mark.django_db
def test_common_words_rank_the_newest_candidates(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, monkeypatch, frozen
) -> None:
    """More matches than ``CANDIDATES`` rank the newest ones; fewer rank them all (best first)."""
    dossiers = [bulletin_received(bulletin_version, citizen_an, clerk_binh) for _ in range(3)]
    _document(dossiers[0], "gốm gốm gốm gốm làng")  # the best match, but the oldest
    _document(dossiers[1], "gốm làng")
    _document(dossiers[2], "gốm làng nghề")
    assert search_dossiers(user=clerk_binh, query="gom lang")[0].dossier == dossiers[0]
    monkeypatch.setattr(search, "CANDIDATES", 2)
    assert {h.dossier.pk for h in search_dossiers(user=clerk_binh, query="gom lang")} == {
        dossiers[1].pk,
        dossiers[2].pk,
    }


@pytest.mark.django_db
def test_a_refresh_with_nothing_changed_writes_nothing_yet_misses_no_change(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, frozen
) -> None:
    """The search runs the refresh first: with nothing changed it rewrites no row, but a dossier saved in
    the same instant as the newest indexed one (time is frozen here) is still indexed, new or edited."""
    from motcua.digitization.search import search_index_refresh

    first = bulletin_received(bulletin_version, citizen_an, clerk_binh)
    assert search_index_refresh() >= 1
    assert search_index_refresh() == 0
    second = bulletin_received(bulletin_version, citizen_an, clerk_binh)  # same updated_at as the watermark
    assert search_index_refresh() == 1
    first.summary = "Bản tin hợp tác xã gốm"
    first.save()
    assert search_index_refresh() == 1
    assert _found(clerk_binh, "hop tac xa gom") == {first.pk}
    assert second.pk in _found(clerk_binh, second.code or "")
