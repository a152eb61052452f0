"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from motcua.accounts.models import AccountKind, Role, StaffRole, User
from motcua.agencies.models import Agency, AgencyLevel
from motcua.catalog.models import (
    AdministrativeLevel,
    BudgetUnit,
    Channel,
    Component,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    ResultType,
    TimeUnit,
    VersionStatus,
)


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.H{90 + n // 100 % 10}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    abbreviation = "CQ"
    level = AgencyLevel.DEPARTMENT
    valid_from = dt.date(2025, 7, 1)
    tax_code = factory.Sequence(lambda n: f"99{n % 100_000_000:08d}")  # e-receipts need one


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    kind = AccountKind.CITIZEN
    password = factory.django.Password("motcua-test-pass")


class StaffFactory(UserFactory):
    kind = AccountKind.STAFF


class StaffRoleFactory(factory.django.DjangoModelFactory[StaffRole]):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(StaffFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SPECIALIST


class FieldFactory(factory.django.DjangoModelFactory[Field]):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory[Procedure]):
    class Meta:
        model = Procedure

    national_code = factory.Sequence(lambda n: f"1.{n:06d}")
    local_code = factory.LazyAttribute(lambda o: f"{o.national_code}.000.00.00.H99")


class ProcedureVersionFactory(factory.django.DjangoModelFactory[ProcedureVersion]):
    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = 1
    status = VersionStatus.PUBLISHED
    effective_from = dt.date(2025, 7, 1)
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    level = AdministrativeLevel.PROVINCE
    online_level = OnlineLevel.FULL
    channels = [Channel.COUNTER, Channel.ONLINE]
    competent_agency = factory.SubFactory(AgencyFactory)
    time_limit_value = Decimal(5)
    time_limit_unit = TimeUnit.WORKING_DAYS
    result_type = ResultType.LICENCE
    result_name = "Giấy phép"


class ComponentFactory(factory.django.DjangoModelFactory[Component]):
    class Meta:
        model = Component

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Tờ khai {n}")


class ProcessStepFactory(factory.django.DjangoModelFactory[ProcessStep]):
    class Meta:
        model = ProcessStep

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Bước {n}")
    role = Role.SPECIALIST
    agency = factory.SelfAttribute("version.competent_agency")
    budget_value = Decimal(1)
    budget_unit = BudgetUnit.WORKING_DAYS
