"""Fake Jira and GitHub Issues servers on loopback for the ticket tests: a stdlib HTTP server in
a thread that answers as the vendors' published REST APIs do, keeps what it received, and can be
scripted to fail (429 with Retry-After, 503, no answer).

Shapes (from the vendors' API descriptions):
- Jira Cloud REST v3 / Data Center REST v2: `POST /rest/api/{3,2}/issue` with `{fields: {project:
  {key}, summary, issuetype: {name}, description, priority: {name}, duedate, labels}}` answers 201
  `{id, key, self}`; v3 descriptions and comment bodies are Atlassian Document Format documents,
  v2 ones wiki text. `GET .../issue/{key}` answers `{id, key, self, fields: {status: {name,
  statusCategory: {key}}, resolution}}`; `GET .../issue/{key}/transitions` `{transitions: [{id,
  name, to: {name, statusCategory: {key}}}]}`; `POST .../transitions` `{transition: {id}}` answers
  204; `POST .../comment` `{body}` answers 201. Cloud authenticates with Basic email:token, Data
  Center with `Bearer <personal access token>`; a wrong one is 401.
- GitHub: `POST /repos/{owner}/{repo}/issues` `{title, body, labels}` answers 201 with the issue
  (`id, number, html_url, state, state_reason, title, body, labels`), `GET` and `PATCH
  /repos/{owner}/{repo}/issues/{number}` (`{state, state_reason}`) the issue, `POST
  .../issues/{number}/comments` `{body}` 201. Authorization `Bearer <token>`, and the
  `X-GitHub-Api-Version` header.
"""

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

JIRA_TRANSITIONS: list[dict[str, Any]] = [
    {"id": "11", "name": "To Do", "to": {"name": "To Do", "statusCategory": {"key": "new"}}},
    {"id": "21", "name": "In Progress",
     "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
    {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}},
]  # fmt: skip
CATEGORY = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}


@dataclass(frozen=True)
class Fail:
    status: int = 503
    retry_after: int | None = None
    delay: float = 0.0  # longer than the client's timeout: no answer


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Tracker:
    url: str
    token: str
    email: str = "bot@acme.example"
    projects: set[str] = field(default_factory=lambda: {"SEC", "WEB"})
    failures: list[Fail] = field(default_factory=list)  # the next requests fail, in order
    received: list[Seen] = field(default_factory=list)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)  # Jira key / owner/repo#n
    comments: dict[str, list[Any]] = field(default_factory=dict)

    def fail(self, *failures: Fail) -> None:
        self.failures.extend(failures)

    def calls(self, method: str | None = None) -> list[Seen]:
        return [r for r in self.received if method is None or r.method == method]

    # --- as a person in the tracker would ---------------------------------------------------

    def jira_set(self, key: str, status: str, resolution: str | None) -> None:
        issue = self.issues[key]
        issue["status"], issue["resolution"] = status, resolution

    def github_set(self, key: str, state: str, state_reason: str | None) -> None:
        issue = self.issues[key]
        issue["state"], issue["state_reason"] = state, state_reason

    def jira_issue(self, key: str) -> dict[str, Any]:
        issue = self.issues[key]
        resolution = issue["resolution"]
        return {
            "id": issue["id"], "key": key, "self": f"{self.url}/rest/api/3/issue/{issue['id']}",
            "fields": {
                "status": {"name": issue["status"],
                           "statusCategory": {"key": CATEGORY[issue["status"]]}},
                "resolution": None if resolution is None else {"name": resolution},
            },
        }  # fmt: skip

    def github_issue(self, key: str) -> dict[str, Any]:
        issue = self.issues[key]
        repo, _, number = key.partition("#")
        return {
            "id": 1000 + int(number), "node_id": f"I_{number}", "number": int(number),
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "url": f"{self.url}/repos/{repo}/issues/{number}", "title": issue["title"],
            "body": issue["body"], "labels": [{"name": n} for n in issue["labels"]],
            "state": issue["state"], "state_reason": issue["state_reason"],
        }  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    tracker: Tracker

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self) -> None:
        t = self.tracker
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        t.received.append(Seen(self.command, self.path, headers, body))
        if t.failures:
            fail = t.failures.pop(0)
            if fail.delay:
                time.sleep(fail.delay)
            extra = {} if fail.retry_after is None else {"Retry-After": str(fail.retry_after)}
            self._answer(fail.status, {"message": "try later"}, extra)
            return
        path = urlsplit(self.path).path
        if path.startswith("/rest/api/"):
            self._jira(path, headers, body)
        else:
            self._github(path, headers, body)

    do_GET = do_POST = do_PATCH = do_PUT = _handle  # noqa: N815

    # --- Jira -------------------------------------------------------------------------------

    def _jira(self, path: str, headers: dict[str, str], body: Any) -> None:
        t = self.tracker
        m = re.match(r"^/rest/api/(2|3)/issue(?:/([^/]+))?(?:/(transitions|comment))?$", path)
        if m is None:
            self._answer(404, {"errorMessages": ["no such resource"], "errors": {}})
            return
        version, key, sub = m.groups()
        basic = base64.b64encode(f"{t.email}:{t.token}".encode()).decode()
        expected = f"Basic {basic}" if version == "3" else f"Bearer {t.token}"
        if headers.get("authorization") != expected:
            self._answer(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
            return
        if key is None and self.command == "POST":
            self._jira_create(version, body)
            return
        if key not in t.issues:
            self._answer(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
            return
        if sub is None and self.command == "GET":
            self._answer(200, t.jira_issue(key))
        elif sub == "transitions" and self.command == "GET":
            self._answer(200, {"expand": "transitions", "transitions": JIRA_TRANSITIONS})
        elif sub == "transitions" and self.command == "POST":
            chosen = [x for x in JIRA_TRANSITIONS if x["id"] == body["transition"]["id"]]
            if not chosen:
                self._answer(400, {"errorMessages": ["no such transition"], "errors": {}})
                return
            status = str(chosen[0]["name"])
            t.jira_set(key, status, "Done" if status == "Done" else None)
            self._answer(204)
        elif sub == "comment" and self.command == "POST":
            ok = isinstance(body["body"], dict if version == "3" else str)
            if not ok:
                self._answer(400, {"errorMessages": [], "errors": {"body": "wrong format"}})
                return
            t.comments.setdefault(key, []).append(body["body"])
            n = 10000 + len(t.comments[key])
            issue_url = f"{t.url}/rest/api/{version}/issue/{t.issues[key]['id']}"
            comment = {"id": str(n), "self": f"{issue_url}/comment/{n}", "body": body["body"]}
            self._answer(201, comment)
        else:
            self._answer(405, {"errorMessages": ["method not allowed"], "errors": {}})

    def _jira_create(self, version: str, body: Any) -> None:
        t = self.tracker
        fields = body.get("fields") or {}
        project = (fields.get("project") or {}).get("key")
        errors: dict[str, str] = {}
        if project not in t.projects:
            errors["project"] = "valid project is required"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        if not (fields.get("issuetype") or {}).get("name"):
            errors["issuetype"] = "valid issue type is required"
        description = fields.get("description")
        if version == "3" and not (
            isinstance(description, dict) and description.get("type") == "doc"
        ):
            errors["description"] = "Operation value must be an Atlassian Document"
        if version == "2" and not isinstance(description, str):
            errors["description"] = "Operation value must be a string"
        if errors:
            self._answer(400, {"errorMessages": [], "errors": errors})
            return
        number = sum(1 for k in t.issues if k.startswith(f"{project}-")) + 1
        key, issue_id = f"{project}-{number}", str(10000 + len(t.issues) + 1)
        t.issues[key] = {"id": issue_id, "fields": fields, "status": "To Do", "resolution": None}
        self._answer(201, {"id": issue_id, "key": key,
                           "self": f"{t.url}/rest/api/{version}/issue/{issue_id}"})  # fmt: skip

    # --- GitHub -----------------------------------------------------------------------------

    def _github(self, path: str, headers: dict[str, str], body: Any) -> None:
        t = self.tracker
        m = re.match(r"^/repos/([^/]+)/([^/]+)/issues(?:/(\d+))?(/comments)?$", path)
        if m is None:
            self._answer(404, {"message": "Not Found"})
            return
        if headers.get("authorization") != f"Bearer {t.token}":
            self._answer(401, {"message": "Bad credentials"})
            return
        if not headers.get("x-github-api-version"):
            self._answer(400, {"message": "X-GitHub-Api-Version header is required"})
            return
        owner, repo, number, comments = m.groups()
        full = f"{owner}/{repo}"
        if full not in t.projects:
            self._answer(404, {"message": "Not Found"})
            return
        if number is None and self.command == "POST":
            if not body.get("title"):
                self._answer(422, {"message": "Validation Failed"})
                return
            n = sum(1 for k in t.issues if k.startswith(f"{full}#")) + 1
            key = f"{full}#{n}"
            t.issues[key] = {"title": body["title"], "body": body.get("body"),
                             "labels": body.get("labels") or [], "state": "open",
                             "state_reason": None}  # fmt: skip
            self._answer(201, t.github_issue(key))
            return
        key = f"{full}#{number}"
        if key not in t.issues:
            self._answer(404, {"message": "Not Found"})
        elif comments and self.command == "POST":
            t.comments.setdefault(key, []).append(body["body"])
            self._answer(201, {"id": len(t.comments[key]), "body": body["body"]})
        elif self.command == "GET":
            self._answer(200, t.github_issue(key))
        elif self.command == "PATCH":
            issue = t.issues[key]
            issue["state"] = body.get("state", issue["state"])
            issue["state_reason"] = body.get("state_reason", issue["state_reason"])
            self._answer(200, t.github_issue(key))
        else:
            self._answer(404, {"message": "Not Found"})


@contextmanager
def tracker_server(token: str, **extra: Any) -> Iterator[Tracker]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state = Tracker(url=f"http://127.0.0.1:{server.server_address[1]}", token=token, **extra)
    handler.tracker = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
