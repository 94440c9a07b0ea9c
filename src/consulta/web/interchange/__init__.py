"""Whole-consultation JSON export and import (``consulta export`` / ``consulta import consultation``).

Export -> import -> export gives the same document apart from ``GENERATED_FIELDS``.
"""

from consulta.web.interchange.exporter import GENERATED_FIELDS, export_consultations
from consulta.web.interchange.importer import InterchangeError, import_consultations

__all__ = ["GENERATED_FIELDS", "InterchangeError", "export_consultations", "import_consultations"]
