from __future__ import annotations

from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
