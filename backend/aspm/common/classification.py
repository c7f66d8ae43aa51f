"""Words for how sensitive data is, as tags write them: one vocabulary for the tags a report
carries (aspm.risk.context) and the tags on a cloud resource (aspm.resources.exposure)."""

# values, compared after `loose`
CLASS_VALUES = {
    "restricted": "restricted", "secret": "restricted", "topsecret": "restricted",
    "highlyconfidential": "restricted", "confidential": "confidential",
    "sensitive": "confidential", "internal": "internal", "private": "internal",
    "public": "public", "notconfidential": "public",
}  # fmt: skip
DATA_TAGS = ("pii", "pci", "phi")


def loose(word: str) -> str:
    """A tag key or value as it is compared: lower case, with "-", "_" and spaces removed."""
    return word.lower().replace("-", "").replace("_", "").replace(" ", "")


def classification(value: str) -> str | None:
    """A data-classification value as a sensitivity level (restricted / confidential / internal /
    public; "Highly-Confidential" -> restricted), or the data tag it names (pii / pci / phi), or
    None."""
    v = loose(value)
    return CLASS_VALUES.get(v) or (v if v in DATA_TAGS else None)
