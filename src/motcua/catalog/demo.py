"""The demo catalogue: 37 real procedures (domain-vn.md §9) with internal processes, via the importer."""

from __future__ import annotations

from pathlib import Path

from motcua.catalog.exchange import ImportReport, catalogue_import

DEMO_FILE = Path(__file__).parent / "fixtures" / "demo_catalogue.json"


def load_demo_catalogue() -> ImportReport:
    return catalogue_import(data=DEMO_FILE.read_bytes())
