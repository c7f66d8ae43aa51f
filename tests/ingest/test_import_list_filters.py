"""GET /api/v1/imports filters by asset, tool (or format) and status, and names each import's
asset; unknown filter names are refused."""

from pathlib import Path

from fastapi.testclient import TestClient

from tests.factories import gitleaks_leak, gitleaks_report

SAMPLES = Path(__file__).parent / "samples"
KEY = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def upload(client: TestClient, body: bytes, *, asset: str, filename: str) -> None:
    resp = client.post("/api/v1/imports", params={"asset": asset, "filename": filename},
                       content=body)  # fmt: skip
    assert resp.status_code in {201, 422}, resp.text


def listed(client: TestClient, **params: str) -> list[dict[str, object]]:
    resp = client.get("/api/v1/imports", params={"limit": "100", **params})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, object]] = body["items"]
    return items


def test_imports_filter_by_asset_tool_and_status(client: TestClient) -> None:
    upload(client, gitleaks_report(gitleaks_leak(KEY)), asset="acme/one", filename="g.json")
    upload(client, (SAMPLES / "checkov" / "one.json").read_bytes(), asset="acme/one",
           filename="checkov.json")  # fmt: skip
    upload(client, (SAMPLES / "checkov" / "one.json").read_bytes(), asset="acme/two",
           filename="checkov.json")  # fmt: skip
    upload(client, b'{"runs": [', asset="acme/two", filename="broken.json")

    every = listed(client)
    assert len(every) == 4
    assert {i["asset"] for i in every if i["status"] == "ok"} == {"acme/one", "acme/two"}

    one = listed(client, asset="acme/one")
    assert sorted(str(i["tool"]) for i in one) == ["checkov", "gitleaks"]
    assert all(i["asset"] == "acme/one" for i in one)

    checkov = listed(client, tool="checkov")
    assert sorted(str(i["asset"]) for i in checkov) == ["acme/one", "acme/two"]
    assert listed(client, tool="checkov", asset="acme/two")[0]["filename"] == "checkov.json"

    failed = listed(client, status="error")
    assert [i["filename"] for i in failed] == ["broken.json"]
    assert listed(client, status="ok", asset="acme/two", tool="gitleaks") == []
    assert listed(client, asset="acme/nothing") == []


def test_the_tool_filter_takes_a_format_for_every_producer_of_it(client: TestClient) -> None:
    sarif = sorted((SAMPLES / "sarif").glob("*.sarif*"))[0]
    upload(client, sarif.read_bytes(), asset="acme/sast", filename=sarif.name)
    upload(client, gitleaks_report(gitleaks_leak(KEY)), asset="acme/sast", filename="g.json")
    by_format = listed(client, tool="sarif")
    assert [i["filename"] for i in by_format] == [sarif.name]
    assert by_format[0]["format"] == "sarif"


def test_one_import_names_its_asset(client: TestClient) -> None:
    upload(client, gitleaks_report(gitleaks_leak(KEY)), asset="acme/named", filename="g.json")
    run = listed(client)[0]
    assert client.get(f"/api/v1/imports/{run['id']}").json()["asset"] == "acme/named"


def test_an_unknown_filter_or_status_is_refused(client: TestClient) -> None:
    assert client.get("/api/v1/imports", params={"status": "done"}).status_code == 422
    resp = client.get("/api/v1/imports", params={"tools": "checkov"})
    assert resp.status_code == 422
    assert "tool" in resp.text
