"""The citizen's "who used my data" page over a long record: one citizen whose data was read 10,000 times
(a year of staff, system and national-database reads) among 100,000 rows of 5,000 other citizens. The
page (in-process Django test client, the citizen logged in) at the first, a middle and the last page, and
filtered by who and by month; on PostgreSQL, the plans of the count and of a page (they must use the
(subject_id_number, -at) index, not read the table)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bench.stats import summary, timed

if TYPE_CHECKING:
    from motcua.identity.models import PersonalDataAccess

MINE = 10_000
OTHERS = 100_000
OTHER_SUBJECTS = 5_000
REPEAT = 20


def _rows(subject: str, count: int, start: dt.datetime, step: dt.timedelta) -> list[PersonalDataAccess]:
    from motcua.identity.models import AccessorKind, PersonalDataAccess

    shapes = [
        (
            AccessorKind.STAFF,
            "binh (Trần Văn Bình)",
            "Văn bản PDF của hồ sơ — receipt",
            "HS:H12.01-261101-0001",
        ),
        (
            AccessorKind.STAFF,
            "binh (Trần Văn Bình)",
            "Hồ sơ (đọc qua API) — GET /api/v1/dossiers/H12.01-261101-0001",
            "HS:H12.01-261101-0001",
        ),
        (
            AccessorKind.SYSTEM,
            "Sở Y tế (soyte)",
            "Tra cứu công dân [people] — POST /congdan/tracuu (thông điệp m-1)",
            "Khám sức khỏe",
        ),
        (
            AccessorKind.NATIONAL_DB,
            "CSDLQG dân cư — system",
            "tra cứu thông tin công dân",
            "HS:H12.01-261101-0001",
        ),
    ]
    return [
        PersonalDataAccess(
            subject_id_number=subject,
            at=start + i * step,
            accessor_kind=shapes[i % len(shapes)][0],
            accessor=shapes[i % len(shapes)][1],
            data=shapes[i % len(shapes)][2],
            purpose=shapes[i % len(shapes)][3],
        )
        for i in range(count)
    ]


def main() -> None:
    from django.db import connection
    from django.test import Client

    from motcua.accounts.models import AccountKind, User
    from motcua.core.clock import VIETNAM_TZ
    from motcua.identity.models import PersonalDataAccess
    from motcua.identity.selectors import accesses_for_subject

    citizen = User.objects.create(
        username="bench-an", kind=AccountKind.CITIZEN, full_name="Nguyễn Văn An", national_id="001090012345"
    )
    start = dt.datetime(2025, 12, 1, tzinfo=VIETNAM_TZ)
    year = dt.timedelta(days=365)
    PersonalDataAccess.objects.bulk_create(
        _rows(citizen.national_id, MINE, start, year / MINE), batch_size=5000
    )
    per_other = OTHERS // OTHER_SUBJECTS
    batch: list[PersonalDataAccess] = []
    for n in range(OTHER_SUBJECTS):
        batch += _rows(f"0010{n:08d}", per_other, start, year / per_other)
        if len(batch) >= 10_000:
            PersonalDataAccess.objects.bulk_create(batch, batch_size=5000)
            batch = []
    PersonalDataAccess.objects.bulk_create(batch, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE identity_personaldataaccess")
    print(f"rows: {PersonalDataAccess.objects.count()} ({MINE} of the citizen)")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(citizen)
    url = "/du-lieu-cua-toi/"
    last = -(-MINE // 25)
    cases: dict[str, dict[str, Any]] = {
        "page 1": {},
        "page 200": {"page": "200"},
        f"page {last} (last)": {"page": str(last)},
        "who=system": {"who": "system"},
        "month=2026-06": {"month": "2026-06"},
        "who=staff, month=2026-06, page 3": {"who": "staff", "month": "2026-06", "page": "3"},
        "bad page=abc": {"page": "abc"},
    }
    for name, params in cases.items():
        response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)

        def get(params: dict[str, Any] = params) -> object:
            return client.get(url, params)

        print(f"{name:36} {summary(timed(get, REPEAT))}")
    if connection.vendor == "postgresql":
        rows = accesses_for_subject(user=citizen)
        for name, query in (
            ("count", rows.order_by().values("pk")),
            ("page 200", rows[199 * 25 : 200 * 25]),
            ("who=system count", accesses_for_subject(user=citizen, who="system").order_by().values("pk")),
            (
                "months",
                PersonalDataAccess.objects.filter(subject_id_number=citizen.national_id).datetimes(
                    "at", "month", order="DESC", tzinfo=VIETNAM_TZ
                ),
            ),
        ):
            sql, sql_params = query.query.sql_with_params()
            if name.endswith("count"):
                sql = f"SELECT count(*) FROM ({sql}) t"
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", sql_params)
                plan = [line for (line,) in cursor.fetchall()]
            nodes = [line.strip() for line in plan if "Scan" in line or "Execution Time" in line]
            print(f"plan of {name}: " + " | ".join(nodes))
