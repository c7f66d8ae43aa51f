"""A real OpenID Connect provider for the SSO tests: `oidc-provider-mock` (Authlib's provider
in a Flask app) in its own process, listening on loopback.

Run by `MockProvider.start()` as `python tests/auth/oidc_provider.py PORTFILE`. Around the mock
this adds what a strict provider does and what the tests need to misbehave on purpose:

- PKCE is enforced: a code is exchanged only with the verifier of the S256 challenge it was
  issued for (the mock itself ignores PKCE);
- `POST /_test/rotate`: a new signing key replaces the old one in the JWKS (key rotation);
- `POST /_test/tamper {"mode": ...}`: the next token response's ID token is altered: `signature`
  (one byte of the signature changed), `claims` (groups changed, signature kept), `foreign_key`
  (re-signed by a key not in the JWKS), `nonce`, `expired`, `audience`, `issuer` (re-signed by
  the provider's own key with that claim wrong).
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

CLIENT_ID = "aspm-dashboard"
CLIENT_SECRET = "s3cret-client-value-never-logged"


def _app() -> Any:
    import flask
    import oidc_provider_mock
    from authlib import jose
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    app = oidc_provider_mock.app(require_nonce=True)
    challenges: dict[str, str] = {}  # code -> S256 challenge
    tamper: dict[str, str] = {}

    def storage() -> Any:
        return flask.g.oidc_provider_mock_storage

    @app.post("/_test/rotate")  # type: ignore[untyped-decorator]
    def rotate() -> tuple[str, int]:
        storage().jwk = jose.RSAKey.generate_key(is_private=True)
        return "", 204

    @app.post("/_test/tamper")  # type: ignore[untyped-decorator]
    def set_tamper() -> tuple[str, int]:
        tamper["mode"] = str((flask.request.get_json() or {})["mode"])
        return "", 204

    @app.before_request  # type: ignore[untyped-decorator]
    def enforce_pkce() -> Any:
        if flask.request.path != "/oauth2/token":
            return None
        code = flask.request.form.get("code", "")
        verifier = flask.request.form.get("code_verifier", "")
        expected = challenges.pop(code, None)
        digest = hashlib.sha256(verifier.encode()).digest()
        given = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if expected is None or given != expected:
            return flask.jsonify({"error": "invalid_grant", "error_description": "PKCE"}), 400
        return None

    @app.after_request  # type: ignore[untyped-decorator]
    def after(response: Any) -> Any:
        path = flask.request.path
        if path == "/oauth2/authorize" and flask.request.method == "POST":
            args = flask.request.args
            location = response.headers.get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code and args.get("code_challenge_method") == "S256":
                challenges[code] = args.get("code_challenge", "")
        if path == "/oauth2/token" and response.status_code == 200 and "mode" in tamper:
            body = json.loads(response.get_data())
            body["id_token"] = _tampered(body["id_token"], tamper.pop("mode"), storage().jwk)
            response.set_data(json.dumps(body))
        return response

    def _tampered(token: str, mode: str, provider_key: Any) -> str:
        header_b64, payload_b64, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
        if mode == "signature":
            flipped = ("A" if signature[5] != "A" else "B") + signature[6:]
            return f"{header_b64}.{payload_b64}.{signature[:5]}{flipped}"
        if mode == "claims":
            claims["groups"] = ["aspm-admins"]
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{header_b64}.{payload}.{signature}"
        key = RSAKey.import_key(provider_key.as_dict(is_private=True))
        if mode == "foreign_key":
            key = RSAKey.generate_key(2048)
        elif mode == "nonce":
            claims["nonce"] = "not-the-nonce-of-this-sign-in"
        elif mode == "expired":
            claims["iat"] = int(time.time()) - 3600
            claims["exp"] = int(time.time()) - 600  # ten minutes ago: past any clock skew
        elif mode == "audience":
            claims["aud"] = "another-client"
        elif mode == "issuer":
            claims["iss"] = "https://evil.example"
        else:
            raise ValueError(mode)
        return jwt.encode({"alg": "RS256", "kid": key.kid or key.thumbprint()}, claims, key)

    return app


@dataclass
class MockProvider:
    """The provider process; `url` is its issuer."""

    process: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, tmp: Path, host: str = "127.0.0.1") -> "MockProvider":
        portfile = tmp / "oidc-port"
        env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}  # http on loopback
        process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, __file__, str(portfile)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not portfile.exists() or not portfile.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the OIDC provider did not start")
            time.sleep(0.05)
        url = f"http://{host}:{portfile.read_text().strip()}"
        httpx.get(f"{url}/.well-known/openid-configuration", timeout=10).raise_for_status()
        return cls(process=process, url=url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def rotate_keys(self) -> None:
        httpx.post(f"{self.url}/_test/rotate", timeout=10).raise_for_status()

    def tamper_next(self, mode: str) -> None:
        httpx.post(f"{self.url}/_test/tamper", json={"mode": mode}, timeout=10).raise_for_status()

    def jwks(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.url}/jwks", timeout=10).json()
        return data


def _serve(portfile: str) -> None:
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, _app(), threaded=True)
    partial = Path(portfile + ".tmp")
    partial.write_text(str(server.server_port))
    partial.rename(portfile)  # whole, or not there yet
    server.serve_forever()


if __name__ == "__main__":
    _serve(sys.argv[1])
