"""What each tracker is sent and how its answers are read: Jira Cloud (REST v3, descriptions
and comments in the Atlassian Document Format), Jira Data Center/Server (REST v2, wiki markup)
and GitHub Issues (REST, Markdown). Pure: the calls go through aspm.integrations.tickets_http.

The ticket's content is built once, when it is asked for (`content`: title, priority, due date,
the risk explanation, the locations and the links back to the findings) and rendered here."""

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aspm.integrations.tickets_config import TrackerConfig, TrackerKind

GITHUB_API_VERSION = "2022-11-28"
DONE_CATEGORY = "done"  # Jira's status category of finished work
GITHUB_NOT_PLANNED = "not_planned"


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Created:
    external_id: str
    key: str
    url: str
    tracker_status: str | None


@dataclass(frozen=True, slots=True)
class State:
    closed: bool
    tracker_status: str | None
    resolution: str | None
    wont_do: bool


def headers(tracker: TrackerConfig, token: str) -> dict[str, str]:
    if tracker.kind is TrackerKind.JIRA_CLOUD:
        basic = base64.b64encode(f"{tracker.email}:{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {basic}"}
    if tracker.kind is TrackerKind.JIRA_SERVER:
        return {"Authorization": f"Bearer {token}"}
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": GITHUB_API_VERSION,
    }


def _jira_api(tracker: TrackerConfig) -> str:
    version = "3" if tracker.kind is TrackerKind.JIRA_CLOUD else "2"
    return f"{tracker.url}/rest/api/{version}"


def _repo_api(tracker: TrackerConfig, project: str) -> str:
    owner, _, repo = project.partition("/")
    return f"{tracker.url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"


# --- creating ------------------------------------------------------------------------------------


def create_request(tracker: TrackerConfig, project: str, content: dict[str, Any]) -> Request:
    priority = content.get("priority")
    if tracker.kind is TrackerKind.GITHUB:
        labels = [*tracker.extra_labels]
        label = tracker.label_of(priority)
        if label:
            labels.append(label)
        return Request(
            "POST", f"{_repo_api(tracker, project)}/issues",
            {"title": content["title"], "body": markdown(content), "labels": labels},
        )  # fmt: skip
    fields: dict[str, Any] = {
        "project": {"key": project},
        "summary": content["title"][:255],
        "issuetype": {"name": tracker.issue_type},
        "labels": list(tracker.extra_labels),
        "description": adf(content) if tracker.kind is TrackerKind.JIRA_CLOUD else wiki(content),
    }
    name = tracker.jira_priority_of(priority)
    if name:
        fields["priority"] = {"name": name}
    if content.get("due_date"):
        fields["duedate"] = content["due_date"]
    return Request("POST", f"{_jira_api(tracker)}/issue", {"fields": fields})


def read_created(tracker: TrackerConfig, project: str, body: Any) -> Created:
    """The answer to a create: Jira `{id, key, self}`, GitHub the issue (`number`, `html_url`)."""
    if not isinstance(body, dict):
        raise ValueError("the tracker's answer is not a JSON object")
    if tracker.kind is TrackerKind.GITHUB:
        number = body["number"]
        return Created(
            external_id=str(number), key=f"{project}#{number}", url=str(body["html_url"]),
            tracker_status=str(body.get("state") or "open"),
        )  # fmt: skip
    key = str(body["key"])
    return Created(
        external_id=str(body["id"]), key=key, url=f"{tracker.url}/browse/{quote(key)}",
        tracker_status=None,
    )  # fmt: skip


# --- reading the state ---------------------------------------------------------------------------


def get_request(tracker: TrackerConfig, project: str, external_id: str, key: str) -> Request:
    if tracker.kind is TrackerKind.GITHUB:
        return Request("GET", f"{_repo_api(tracker, project)}/issues/{external_id}")
    return Request("GET", f"{_jira_api(tracker)}/issue/{quote(key)}?fields=status,resolution")


def read_state(tracker: TrackerConfig, body: Any) -> State:
    if not isinstance(body, dict):
        raise ValueError("the tracker's answer is not a JSON object")
    if tracker.kind is TrackerKind.GITHUB:
        return github_state(body)
    return jira_state(tracker, body)


def github_state(issue: dict[str, Any]) -> State:
    state = str(issue.get("state") or "open")
    reason = issue.get("state_reason")
    closed = state == "closed"
    return State(
        closed=closed, tracker_status=state, resolution=str(reason) if reason else None,
        wont_do=closed and reason == GITHUB_NOT_PLANNED,
    )  # fmt: skip


def jira_state(tracker: TrackerConfig, issue: dict[str, Any]) -> State:
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    resolution = (fields.get("resolution") or {}).get("name")
    wont = {w.casefold() for w in tracker.wont_do}
    return State(
        closed=category == DONE_CATEGORY or resolution is not None,
        tracker_status=status.get("name"), resolution=resolution,
        wont_do=resolution is not None and str(resolution).casefold() in wont,
    )  # fmt: skip


# --- closing -------------------------------------------------------------------------------------


def comment_request(
    tracker: TrackerConfig, project: str, external_id: str, key: str, text: str
) -> Request:
    if tracker.kind is TrackerKind.GITHUB:
        return Request(
            "POST", f"{_repo_api(tracker, project)}/issues/{external_id}/comments", {"body": text}
        )
    body: Any = _adf_doc([_paragraph(text)]) if tracker.kind is TrackerKind.JIRA_CLOUD else text
    return Request("POST", f"{_jira_api(tracker)}/issue/{quote(key)}/comment", {"body": body})


def transitions_request(tracker: TrackerConfig, key: str) -> Request:
    return Request("GET", f"{_jira_api(tracker)}/issue/{quote(key)}/transitions")


def pick_transition(tracker: TrackerConfig, body: Any) -> str | None:
    """The id of the transition named like `done_transition`, else of one into the done
    status category; None when the workflow offers neither."""
    items = body.get("transitions") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    wanted = tracker.done_transition.casefold()
    for item in items:
        if str(item.get("name", "")).casefold() == wanted:
            return str(item["id"])
    for item in items:
        category = ((item.get("to") or {}).get("statusCategory") or {}).get("key")
        if category == DONE_CATEGORY:
            return str(item["id"])
    return None


def transition_request(tracker: TrackerConfig, key: str, transition_id: str) -> Request:
    return Request(
        "POST", f"{_jira_api(tracker)}/issue/{quote(key)}/transitions",
        {"transition": {"id": transition_id}},
    )  # fmt: skip


def close_github_request(tracker: TrackerConfig, project: str, external_id: str) -> Request:
    return Request(
        "PATCH", f"{_repo_api(tracker, project)}/issues/{external_id}",
        {"state": "closed", "state_reason": "completed"},
    )  # fmt: skip


# --- rendering -----------------------------------------------------------------------------------


def _facts(content: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [("Priority", content.get("priority") or "not scored")]
    if content.get("due_date"):
        facts.append(("SLA due", content["due_date"]))
    for label, field in (("Asset", "asset"), ("Control", "control"), ("Severity", "severity")):
        if content.get(field):
            facts.append((label, str(content[field])))
    return facts


def markdown(content: dict[str, Any]) -> str:
    lines = [content.get("summary") or "", ""]
    lines += [f"**{k}:** {v}" for k, v in _facts(content)]
    if content.get("explanation"):
        lines += ["", "### Why this risk", *[f"- {e}" for e in content["explanation"]]]
    if content.get("locations"):
        lines += ["", "### Locations", *[f"- `{loc}`" for loc in content["locations"]]]
    lines += ["", "### Findings", *[f"- [{f['title']}]({f['url']})" for f in content["findings"]]]
    return "\n".join(lines).strip() + "\n"


def wiki(content: dict[str, Any]) -> str:
    lines = [content.get("summary") or "", ""]
    lines += [f"*{k}:* {v}" for k, v in _facts(content)]
    if content.get("explanation"):
        lines += ["", "h3. Why this risk", *[f"* {e}" for e in content["explanation"]]]
    if content.get("locations"):
        lines += ["", "h3. Locations", *[f"* {{{{{loc}}}}}" for loc in content["locations"]]]
    lines += ["", "h3. Findings", *[f"* [{f['title']}|{f['url']}]" for f in content["findings"]]]
    return "\n".join(lines).strip()


def _text(value: str, marks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = marks
    return node


def _paragraph(*parts: str | dict[str, Any]) -> dict[str, Any]:
    content = [_text(p) if isinstance(p, str) else p for p in parts if p]
    return {"type": "paragraph", "content": content}


def _heading(value: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 3}, "content": [_text(value)]}


def _bullets(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [_paragraph(i)]} for i in items],
    }


def _adf_doc(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": content}


def adf(content: dict[str, Any]) -> dict[str, Any]:
    """The description as an Atlassian Document Format document (Jira Cloud REST v3)."""
    nodes: list[dict[str, Any]] = []
    if content.get("summary"):
        nodes.append(_paragraph(content["summary"]))
    nodes.append(_bullets([_text(f"{k}: {v}") for k, v in _facts(content)]))
    if content.get("explanation"):
        nodes += [_heading("Why this risk"), _bullets([_text(e) for e in content["explanation"]])]
    if content.get("locations"):
        nodes += [
            _heading("Locations"),
            _bullets([_text(loc, [{"type": "code"}]) for loc in content["locations"]]),
        ]
    links = [
        _text(f["title"], [{"type": "link", "attrs": {"href": f["url"]}}])
        for f in content["findings"]
    ]
    nodes += [_heading("Findings"), _bullets(links)]
    return _adf_doc(nodes)
