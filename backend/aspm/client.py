"""The CLI's server mode: `aspm --server URL --token T ingest|findings|gate|export ...` (or
ASPM_SERVER and ASPM_TOKEN) talks to a running ASPM over HTTP with an API token instead of
opening the database.

httpx is imported when a server is used, so local commands do not load it.
"""

import time
import uuid
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aspm.errors import AspmError
from aspm.findings.schemas import FindingDetail, FindingListQuery, FindingOrderQuery, FindingPage
from aspm.ingest.schemas import IngestResult, IngestRunRead

if TYPE_CHECKING:
    import httpx

API = "/api/v1"
POLL_FIRST_SECONDS = 0.2  # a queued job is polled at growing intervals up to POLL_MAX_SECONDS
POLL_MAX_SECONDS = 5.0


class ServerError(AspmError):
    """The server refused or failed a request; the message is the server's own."""


class WaitTimeoutError(ServerError):
    """A queued job did not end within the time the client would wait."""


class ServerClient:
    def __init__(
        self,
        http: "httpx.Client",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.clock = clock

    def _check(self, resp: "httpx.Response") -> Any:
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code >= 400:
            detail = body.get("detail") if isinstance(body, dict) else resp.text[:200]
            if resp.status_code == 401:
                raise ServerError(f"the server refused the token (401): {detail}")
            if resp.status_code == 403:
                raise ServerError(f"the token may not do this (403): {detail}")
            raise ServerError(f"server error {resp.status_code}: {detail}")
        return body

    def ingest(
        self,
        path: Path,
        *,
        asset: str | None,
        scope: str,
        partial: bool,
        format: str | None,
        wait: bool = True,
    ) -> IngestResult:
        """Upload one report (streamed); a report the server could not import is a result with
        status `error`, as for a local import. A server that queues imports answers 202: with
        `wait`, poll the import until it is ok or error and return that."""
        if not path.is_file():
            return IngestResult(file=str(path), status="error", error=f"{path}: no such file")
        params: dict[str, str] = {"filename": path.name, "scope": scope}
        if asset:
            params["asset"] = asset
        if partial:
            params["partial"] = "true"
        if format:
            params["format"] = format
        with path.open("rb") as fh:
            resp = self.http.post(
                f"{API}/imports",
                params=params,
                content=fh,
                headers={"content-type": "application/octet-stream"},
            )
        if resp.status_code == 422 and isinstance(result := resp.json().get("result"), dict):
            return IngestResult.model_validate({**result, "file": str(path)})
        body = self._check(resp)
        result = IngestResult.model_validate({**body, "file": str(path)})
        if resp.status_code != 202 or not wait or result.import_id is None:
            return result
        return self.wait_for_import(result)

    def poll(
        self, path: str, *, until: Collection[str], timeout: float | None = None
    ) -> dict[str, Any]:
        """GET `path` (a queued job's row: an import, a gate evaluation) at growing intervals
        until its `status` is one of `until`; that body. Past `timeout` seconds, WaitTimeoutError
        naming the status it was left in."""
        deadline = None if timeout is None else self.clock() + timeout
        pause = POLL_FIRST_SECONDS
        while True:
            body = self._check(self.http.get(path))
            status = body.get("status") if isinstance(body, dict) else None
            if status in until:
                return dict(body)
            if deadline is not None:
                left = deadline - self.clock()
                if left <= 0:
                    raise WaitTimeoutError(
                        f"still {status} after {timeout:g} s; follow it at {path}"
                    )
                pause = min(pause, left)
            self.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX_SECONDS)

    def wait_for_import(self, queued: IngestResult) -> IngestResult:
        """Poll GET /imports/{id} until the import is ok or error; its result, as inline."""
        run = IngestRunRead.model_validate(
            self.poll(f"{API}/imports/{queued.import_id}", until=("ok", "error"))
        )
        return IngestResult.model_validate(
            {
                **run.counts,
                "import_id": run.id, "file": queued.file, "format": run.format,
                "tool": run.tool, "tool_version": run.tool_version,
                "asset": queued.asset, "status": run.status, "partial": run.partial,
                "sha256": run.sha256, "duration_ms": run.duration_ms,
                "warnings": run.warnings, "error": run.error,
            }
        )  # fmt: skip

    def list_findings(self, query: FindingListQuery) -> FindingPage:
        """GET /findings with the query's filter, sort and page, as given."""
        return FindingPage.model_validate(
            self._check(self.http.get(f"{API}/findings", params=query.params()))
        )

    def export_findings(self, query: FindingOrderQuery, *, fmt: str) -> Iterator[bytes]:
        """GET /exports/findings with the query's filter and sort: the file's bytes as they
        arrive (the server streams CSV), never the whole file in memory. A refusal raises
        ServerError before the first chunk."""
        params = (*query.params(), ("format", fmt))
        with self.http.stream("GET", f"{API}/exports/findings", params=params) as resp:
            if resp.status_code >= 400:
                resp.read()
                self._check(resp)
            yield from resp.iter_bytes()

    def get_finding(self, finding_id: str) -> FindingDetail:
        try:
            parsed = uuid.UUID(finding_id)
        except ValueError as exc:
            raise ServerError(
                f"with --server, give the finding's full id, not {finding_id!r}"
            ) from exc
        return FindingDetail.model_validate(self._check(self.http.get(f"{API}/findings/{parsed}")))


def connect(url: str, token: str) -> ServerClient:
    """A client for the server at `url`, authenticated with the API token."""
    import httpx

    http = httpx.Client(
        base_url=url.rstrip("/"),
        headers={"Authorization": f"Bearer {token}", "User-Agent": "aspm-cli"},
        timeout=httpx.Timeout(30.0, read=3600.0, write=3600.0),
    )
    return ServerClient(http)


_current: ServerClient | None = None


def configure(url: str | None, token: str | None) -> None:
    """Called once by the CLI's top-level options; `current()` then returns the client."""
    global _current
    if not url:
        _current = None
        return
    if not token:
        raise ServerError("--server needs --token (or ASPM_TOKEN): an API token of that server")
    _current = connect(url, token)


def current() -> ServerClient | None:
    return _current
