"""Whole-programme backup: export every table (except secrets) to JSON and import it again."""

from tracker.backup.export import export_programme
from tracker.backup.format import FORMAT, FORMAT_VERSION, NOT_EXPORTED
from tracker.backup.restore import import_programme

__all__ = ["FORMAT", "FORMAT_VERSION", "NOT_EXPORTED", "export_programme", "import_programme"]
