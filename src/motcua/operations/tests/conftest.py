from __future__ import annotations

# The dossier fixtures serve the backup tests too (a signed result to back up and re-verify).
from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
