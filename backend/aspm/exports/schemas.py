"""Export formats."""

from enum import StrEnum


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    SARIF = "sarif"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.SARIF: "application/sarif+json",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx", ExportFormat.SARIF: "sarif"}
