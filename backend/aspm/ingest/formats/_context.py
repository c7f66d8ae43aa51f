"""Report context shared by the ingestors: resource tags and facts as `RawFinding.context` pairs.

Only called when a record has the field, so reports without context pay nothing. Tags keep their
key and value as the report writes them (aspm.risk.context interprets them); other facts use a
prefixed key ("asff:criticality", "ocsf:confidentiality", "epss", "kev", "exploit_available").
"""

MAX_TAGS = 50
MAX_TEXT = 200


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    return None


def tags(value: object) -> list[tuple[str, str]]:
    """Resource tags in the shapes reports use: {"key": "value"}, [{"Key": k, "Value": v}]
    (also lower-case key/value), or ["key=value", "key:value"] labels."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict):
                key = item.get("Key", item.get("key", item.get("name")))
                items.append((key, item.get("Value", item.get("value"))))
            elif isinstance(item, str):
                for sep in ("=", ":"):
                    key, found, val = item.partition(sep)
                    if found:
                        items.append((key, val))
                        break
    else:
        return out
    for key, val in items[:MAX_TAGS]:
        k, v = _text(key), _text(val)
        if k is not None and v is not None:
            out.append((k, v))
    return out


def fact(key: str, value: object) -> list[tuple[str, str]]:
    """One prefixed fact, when `value` is usable."""
    text = _text(value)
    return [(key, text)] if text is not None else []
