"""Every format the platform reads. Adding a format is one line in FORMATS."""

from aspm.ingest.contract import Ingestor

FORMATS: tuple[Ingestor, ...] = ()


def _check_unique(formats: tuple[Ingestor, ...]) -> dict[str, Ingestor]:
    by_name: dict[str, Ingestor] = {}
    for fmt in formats:
        if fmt.name in by_name:
            raise RuntimeError(f"two ingestors share the name {fmt.name!r}")
        by_name[fmt.name] = fmt
    return by_name


BY_NAME = _check_unique(FORMATS)
