from __future__ import annotations

# The dossier fixtures serve the identity tests too.
from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
