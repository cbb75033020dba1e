"""OpenID Connect sign-in, end to end: a real browser, Streamlit's real ``st.login`` (Authlib)
and a small OpenID Connect provider served from this test on 127.0.0.1.

The provider (:class:`OidcProvider`) speaks the authorization-code flow as Streamlit's
Authlib client expects it: discovery document, ``/authorize`` (auto-approves the test's
current user and redirects back with ``code`` and ``state``), ``/token`` (checks the client
secret, the redirect URI and the PKCE verifier; returns an RS256 ``id_token`` carrying the
``nonce`` and an ``access_token``), ``/jwks``, ``/userinfo`` and ``/logout`` (RP-initiated
logout). Nothing is mocked inside Streamlit: it fetches the discovery document, the keys and
the token over HTTP and checks the id_token's signature, issuer, audience and nonce.

The Streamlit server runs with its own secrets file (``--secrets.files``), so nothing is
written into the repository's ``.streamlit/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest

from tests.browser_support import (
    REPO_ROOT,
    StreamlitServer,
    free_port,
    open_app_page,
    start_streamlit,
    wait_for_app_idle,
)
from tzcld.ledger import open_store

CLIENT_ID = "tzcld-tableau-de-bord"
CLIENT_SECRET = "secret-du-client-de-test"
TERRITORY = "farciennes"
PORTEUR_EMAIL = "claire.porteuse@example.org"
STRANGER_EMAIL = "inconnu@example.org"


# ------------------------------------------------------------------ the provider
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class _Signer:
    """An RSA key: RS256 signatures and the public JWKS (joserfc, Authlib's JOSE library;
    the older ``authlib.jose`` API when joserfc is missing)."""

    kid = "cle-de-test-1"

    def __init__(self) -> None:
        try:
            from joserfc.jwk import RSAKey

            self._key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "use": "sig", "alg": "RS256"})
            self._joserfc = True
        except ImportError:  # Authlib < 1.6
            from authlib.jose import JsonWebKey

            self._key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": self.kid})
            self._joserfc = False

    def jwks(self) -> dict:
        if self._joserfc:
            public = self._key.as_dict(private=False)
        else:
            public = self._key.as_dict(is_private=False)
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        if self._joserfc:
            from joserfc import jwt

            return jwt.encode(header, claims, self._key)
        from authlib.jose import jwt

        return jwt.encode(header, claims, self._key).decode("ascii")


@dataclass
class OidcProvider:
    """A minimal OpenID Connect provider on 127.0.0.1 (``http.server`` in a thread).

    One registered client (:data:`CLIENT_ID`, :data:`CLIENT_SECRET`, ``redirect_uri``). Every
    ``/authorize`` request is approved at once for :attr:`user` (set it before signing in).
    :attr:`events` records what happened, for the assertions.
    """

    redirect_uri: str
    user: dict = field(default_factory=dict)
    events: list[tuple[str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._signer = _Signer()
        self._codes: dict[str, dict] = {}
        self._access: dict[str, dict] = {}
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)

    # -- life
    def start(self) -> OidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def seen(self, kind: str) -> list[dict]:
        with self._lock:
            return [data for name, data in self.events if name == kind]

    # -- HTTP
    def _record(self, kind: str, data: dict) -> None:
        with self._lock:
            self.events.append((kind, data))

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: dict | str, headers: dict | None = None) -> None:
        raw = (json.dumps(body) if isinstance(body, dict) else body).encode("utf-8")
        handler.send_response(status)
        handler.send_header(
            "Content-Type", "application/json" if isinstance(body, dict) else "text/plain; charset=utf-8"
        )
        handler.send_header("Content-Length", str(len(raw)))
        handler.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    @staticmethod
    def _redirect(handler: BaseHTTPRequestHandler, url: str) -> None:
        handler.send_response(302)
        handler.send_header("Location", url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self._record("discovery", {})
            self._send(handler, 200, self.discovery())
        elif parts.path == "/jwks":
            self._record("jwks", {})
            self._send(handler, 200, self._signer.jwks())
        elif parts.path == "/authorize":
            self._authorize(handler, query)
        elif parts.path == "/userinfo":
            token = handler.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            with self._lock:
                grant = self._access.get(token)
            if grant is None:
                self._send(
                    handler, 401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            else:
                self._send(handler, 200, self._claims(grant["user"]))
        elif parts.path == "/logout":
            self._record("logout", query)
            target = query.get("post_logout_redirect_uri")
            if target == self.redirect_uri:
                self._redirect(handler, target)
            else:
                self._send(handler, 200, "Déconnecté.")
        else:
            self._send(handler, 404, {"error": "not_found"})

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(handler.rfile.read(length).decode("utf-8")).items()}
        if urlsplit(handler.path).path == "/token":
            self._token(handler, form)
        else:
            self._send(handler, 404, {"error": "not_found"})

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"],
        }

    def _authorize(self, handler: BaseHTTPRequestHandler, query: dict) -> None:
        self._record("authorize", query)
        if query.get("client_id") != CLIENT_ID or query.get("redirect_uri") != self.redirect_uri:
            # Never redirect to an unregistered URI (RFC 6749 §4.1.2.1).
            self._send(handler, 400, "client_id ou redirect_uri inconnu")
            return
        back = {"state": query.get("state", "")}
        if (
            query.get("response_type") != "code"
            or "openid" not in query.get("scope", "").split()
            or query.get("code_challenge_method", "S256") != "S256"
            or not query.get("code_challenge")
        ):
            back["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {
                    "user": dict(self.user),
                    "nonce": query.get("nonce"),
                    "redirect_uri": query["redirect_uri"],
                    "code_challenge": query["code_challenge"],
                    "expires": time.time() + 60,
                }
            back["code"] = code
        self._redirect(handler, f"{self.redirect_uri}?{urlencode(back)}")

    def _client_authenticated(self, handler: BaseHTTPRequestHandler, form: dict) -> bool:
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            raw = base64.b64decode(header[6:]).decode("utf-8")
            client_id, _, client_secret = raw.partition(":")
            return unquote(client_id) == CLIENT_ID and unquote(client_secret) == CLIENT_SECRET
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def _token(self, handler: BaseHTTPRequestHandler, form: dict) -> None:
        authenticated = self._client_authenticated(handler, form)
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is used once
        self._record(
            "token",
            {
                "authenticated": authenticated,
                "known_code": grant is not None,
                "has_verifier": bool(form.get("code_verifier")),
            },
        )
        if not authenticated:
            self._send(handler, 401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
            return
        verifier = form.get("code_verifier", "")
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["expires"] < time.time()
            or form.get("redirect_uri") != grant["redirect_uri"]
            or _b64url(hashlib.sha256(verifier.encode("ascii")).digest()) != grant["code_challenge"]
        ):
            self._send(handler, 400, {"error": "invalid_grant"})
            return
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **self._claims(grant["user"])}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = grant
        self._send(
            handler,
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid email profile",
                "id_token": self._signer.sign(claims),
            },
        )

    @staticmethod
    def _claims(user: dict) -> dict:
        return {
            "sub": user["sub"],
            "email": user["email"],
            "email_verified": user.get("email_verified", True),
            "name": user.get("name", user["email"]),
        }


# ------------------------------------------------------------------ fixtures
@dataclass
class OidcSite:
    provider: OidcProvider
    server: StreamlitServer
    env: dict[str, str]
    data_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def store(self):
        return open_store(
            self.env.get("TZCLD_DATABASE_URL") or f"sqlite:///{self.data_dir / 'tzcld.sqlite'}", demo=False
        )


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory: pytest.TempPathFactory, chromium_browser) -> Iterator[OidcSite]:
    """The provider, an accounts file with one porteur mapped by e-mail, and a Streamlit
    server whose secrets (its own file) configure the provider."""
    root = tmp_path_factory.mktemp("oidc")
    data_dir = root / "data"
    data_dir.mkdir()
    accounts = data_dir / "accounts.toml"
    port = free_port()
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    provider = OidcProvider(redirect_uri=redirect_uri).start()

    env = dict(os.environ)
    env.update(
        {
            "TZCLD_DATA_DIR": str(data_dir),
            "TZCLD_ACCOUNTS_FILE": str(accounts),
            "PYTHONUNBUFFERED": "1",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    env.pop("TZCLD_DEMO", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tzcld",
            "ledger",
            "add-account",
            "claire",
            "--role",
            "porteur",
            "--territory",
            TERRITORY,
            "--name",
            "Claire (test OIDC)",
            "--email",
            PORTEUR_EMAIL,
            "--no-password",
        ],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    secrets_file = root / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    server = start_streamlit(env, root / "streamlit.log", port=port, extra_args=["--secrets.files", str(secrets_file)])
    try:
        yield OidcSite(provider, server, env, data_dir)
    finally:
        server.stop()
        provider.stop()


def sign_in_with_provider(page, site: OidcSite, user: dict) -> None:
    """On a page showing the sign-in gate: click the OIDC button, follow the redirects
    (Streamlit → provider → /oauth2callback → the app's home page)."""
    site.provider.user = user
    button = page.get_by_role("button", name=re.compile(r"^Se connecter avec "))
    button.wait_for(timeout=30_000)
    authorized = len(site.provider.seen("authorize"))
    button.click()
    page.wait_for_url(re.compile(rf"^{re.escape(site.url)}/?(\?.*)?$"), timeout=30_000)
    assert len(site.provider.seen("authorize")) == authorized + 1, site.server.log_tail()
    cookies = {c["name"] for c in page.context.cookies(site.url)}
    assert "_streamlit_user" in cookies, site.server.log_tail()


def form_absent(page) -> None:
    assert page.get_by_role("button", name="Enregistrer").count() == 0
    assert page.get_by_label(re.compile(r"^Valeur \(")).count() == 0
    assert page.get_by_role("tab", name="Historique").count() == 0


# ------------------------------------------------------------------ tests
@pytest.mark.browser
def test_oidc_porteur_signs_in_saves_and_signs_out(oidc_site: OidcSite, browser_page, request_log):
    page = browser_page
    site = oidc_site
    open_app_page(page, f"{site.url}/saisie")
    page.get_by_text("Connexion", exact=True).wait_for(timeout=30_000)
    assert page.get_by_label("Nom d'utilisateur").count() == 0  # OIDC replaces the local form
    form_absent(page)

    sign_in_with_provider(page, site, {"sub": "claire-1", "email": PORTEUR_EMAIL.upper(), "name": "Claire P."})
    auth = site.provider.seen("authorize")[-1]
    assert auth["code_challenge_method"] == "S256" and auth["nonce"]
    token = site.provider.seen("token")[-1]
    assert token == {"authenticated": True, "known_code": True, "has_verifier": True}

    open_app_page(page, f"{site.url}/saisie")
    page.get_by_text(re.compile(r"Connecté·e : Claire \(test OIDC\) — porteur de projet \(Farciennes\)")).wait_for(
        timeout=30_000
    )
    wait_for_app_idle(page)
    page.get_by_label(re.compile(r"^Valeur \(")).fill("11")
    page.get_by_label(re.compile(r"^Date décrite")).fill("2025-04")
    page.get_by_label(re.compile(r"^Source \(")).fill("Rapport OIDC (test navigateur)")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text(re.compile(r"Enregistré \(entrée n° \d+\)")).wait_for(timeout=30_000)

    store = site.store()
    try:
        latest = store.latest(TERRITORY, "hired")
    finally:
        store.dispose()
    assert latest["value"].iloc[0] == 11
    assert latest["entered_by"].iloc[0] == "claire"  # the local account's name, not the e-mail
    assert latest["source_title"].iloc[0] == "Rapport OIDC (test navigateur)"

    # The history tab lists it, entered by "claire" (the grid draws on a canvas; its
    # accessible table holds the visible cells).
    page.get_by_role("tab", name="Historique").click()
    row = page.locator('[data-testid="stDataFrame"] table[role="grid"] tr', has_text="claire").first
    row.wait_for(state="attached", timeout=30_000)
    cells = [c.strip() for c in row.locator("td").all_text_contents()]
    assert "Farciennes" in cells and "11" in cells and "04/2025" in cells, cells
    assert PORTEUR_EMAIL not in (row.text_content() or "")

    # Signing out ends the OIDC session too: Streamlit's /auth/logout, then the provider's logout.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site.url)}/?(\?.*)?$"), timeout=30_000)
    assert site.provider.seen("logout"), site.server.log_tail()
    assert site.provider.seen("logout")[-1].get("id_token_hint")
    assert "_streamlit_user" not in {c["name"] for c in page.context.cookies(site.url)}
    open_app_page(page, f"{site.url}/saisie")
    page.get_by_role("button", name=re.compile(r"^Se connecter avec ")).wait_for(timeout=30_000)
    form_absent(page)
    assert not request_log.blocked


@pytest.mark.browser
def test_oidc_unknown_email_gets_no_form(oidc_site: OidcSite, browser_page, request_log):
    page = browser_page
    site = oidc_site
    # Before signing in, the URL alone shows only the gate.
    open_app_page(page, f"{site.url}/saisie?scope={TERRITORY}")
    page.get_by_role("button", name=re.compile(r"^Se connecter avec ")).wait_for(timeout=30_000)
    form_absent(page)

    sign_in_with_provider(page, site, {"sub": "x-42", "email": STRANGER_EMAIL, "name": "Inconnu"})
    unknown = f"Vous êtes connecté·e avec « {STRANGER_EMAIL} », mais aucun compte de saisie n'est associé"
    for path in ("/saisie", f"/saisie?scope={TERRITORY}", "/perimetre"):
        open_app_page(page, f"{site.url}{path}")
        page.get_by_text(unknown).wait_for(timeout=30_000)
        form_absent(page)
        assert page.get_by_text(re.compile(r"^Connecté·e :")).count() == 0
        assert page.get_by_label("Territoire").count() == 0  # Périmètre's territory choice

    # They may sign out (to come back with another account).
    logouts = len(site.provider.seen("logout"))
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site.url)}/?(\?.*)?$"), timeout=30_000)
    assert len(site.provider.seen("logout")) == logouts + 1
    open_app_page(page, f"{site.url}/saisie")
    page.get_by_role("button", name=re.compile(r"^Se connecter avec ")).wait_for(timeout=30_000)
    assert not request_log.blocked
