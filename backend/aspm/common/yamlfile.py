"""Read YAML documents and validate them with Pydantic, naming the line of every error.

PyYAML's composed node tree keeps the start mark (line, column) of every value; a Pydantic error's
`loc` path is walked down that tree to find the line the error is about.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from aspm.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
# libyaml's C loader when present: the pure-Python one takes seconds on the control map
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_at(root: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """The deepest node along `loc` that exists (a missing key points at its mapping)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    node = value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        else:
            return node
    return node


def _where(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def load(text: str, model: type[M], *, source: str) -> M:
    """Parse `text` and validate it as `model`. Raises InvalidInput whose message lists every
    problem as `source:LINE: field.path: what is wrong`."""
    try:
        data: Any = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source}{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}") from exc
    if data is None:
        raise InvalidInput(f"{source}: the file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [p for p in error["loc"] if isinstance(p, int | str)]
            # Pydantic appends the failing validator's name to loc for unions; drop what the
            # document does not have so the line stays the one the user wrote
            problems.append(f"{source}:{line_of(text, loc)}: {_where(loc)}: {error['msg']}")
        raise InvalidInput("\n".join(problems)) from exc


def line_of(text: str, loc: Sequence[int | str]) -> int:
    """1-based line of the value at `loc` in a YAML document already known to parse. Composes the
    node tree (as costly as loading again), so it is for errors only."""
    root = yaml.compose(text, Loader=_LOADER)
    return 1 if root is None else _node_at(root, loc).start_mark.line + 1
