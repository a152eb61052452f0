"""Personal-data access logging on the staff dossier page: the same page (`/mot-cua/ho-so/<code>/`, the
receiving clerk, in-process Django test client) with the "who used my data" record (identity, through
the dossiers port) and without it (port unset: only the dossier access log), interleaved in rounds so
both see the same machine state. Also the bare cost of one ``record_personal_data_access`` call."""

from __future__ import annotations

from bench.stats import percentile, summary, timed

ROUNDS = 5
PER_ROUND = 10
CALLS = 500


def main() -> None:
    from django.test import Client

    from motcua.accounts.demo import load_demo_users
    from motcua.accounts.models import User
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.dossiers.demo import BULLETIN, _submit
    from motcua.dossiers.personal_data import personal_data_reads, personal_data_reads_set
    from motcua.identity.models import PersonalDataAccess
    from motcua.identity.services import record_personal_data_access

    load_demo_agencies()
    calendar_seed(years=range(2024, 2028))
    load_demo_catalogue()
    load_demo_users()
    dossier = _submit(BULLETIN, User.objects.get(username="an"), "bench identity")
    client = Client(HTTP_HOST="127.0.0.1")  # testserver is not an allowed host here
    client.force_login(User.objects.get(username="binh"))
    url = f"/mot-cua/ho-so/{dossier.code}/"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    sink = personal_data_reads()
    assert sink is not None
    with_log: list[float] = []
    without_log: list[float] = []
    for _ in range(ROUNDS):
        personal_data_reads_set(None)
        without_log += timed(lambda: client.get(url), PER_ROUND)
        personal_data_reads_set(sink)
        with_log += timed(lambda: client.get(url), PER_ROUND)
    rows = PersonalDataAccess.objects.filter(subject_id_number=dossier.applicant_id_number).count()
    print(f"staff dossier page without the personal-data record: {summary(without_log)}")
    print(f"staff dossier page with the personal-data record:    {summary(with_log)}")
    added50 = percentile(with_log, 50) - percentile(without_log, 50)
    added99 = percentile(with_log, 99) - percentile(without_log, 99)
    print(f"added by the record: p50 {added50:+.2f} ms, p99 {added99:+.2f} ms ({rows} rows written)")
    # The exact work the record adds to a read: the access-log call with and without the port, interleaved.
    from motcua.dossiers.selectors import dossier_access_record

    clerk = User.objects.get(username="binh")
    bare: list[float] = []
    logged: list[float] = []
    for _ in range(ROUNDS):
        personal_data_reads_set(None)
        bare += timed(
            lambda: dossier_access_record(user=clerk, dossier=dossier, kind="view"), CALLS // ROUNDS
        )
        personal_data_reads_set(sink)
        logged += timed(
            lambda: dossier_access_record(user=clerk, dossier=dossier, kind="view"), CALLS // ROUNDS
        )
    print(f"access-log call, dossier log only:        {summary(bare)}")
    print(f"access-log call, plus personal-data record: {summary(logged)}")
    print(
        f"added by the record per read: p50 {percentile(logged, 50) - percentile(bare, 50):+.2f} ms, "
        f"p99 {percentile(logged, 99) - percentile(bare, 99):+.2f} ms"
    )
    direct = timed(
        lambda: record_personal_data_access(
            subject_id_number="001090012345",
            accessor_kind="national_db",
            accessor="bench",
            data="bench",
            purpose="bench",
        ),
        CALLS,
    )
    print(f"record_personal_data_access alone: {summary(direct)}")
