"""The API's short human page (``GET /``): what it does, how to call it, in French and English.

Static HTML (no script; one stylesheet inline, allowed by its hash in the page's CSP).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from html import escape

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#161616}"
    "code,pre{font-family:ui-monospace,monospace;background:#f3f3f3}pre{padding:.75rem;overflow-x:auto}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
    "section+section{border-top:2px solid #000091;margin-top:2rem}"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


@lru_cache(maxsize=1)
def page_csp() -> str:
    """The page's Content-Security-Policy: nothing but its own inline style."""
    digest = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


_ROUTES = (
    ("POST", "/v1/check", "une adresse ou un point (JSON)", "one address or point (JSON)"),
    ("POST", "/v1/check-file", "chaque ligne d'un CSV ou d'un XLSX → CSV", "every row of a CSV or XLSX → CSV"),
    ("GET", "/v1/territories", "les 17 territoires (GeoJSON RFC 7946)", "the 17 territories (RFC 7946 GeoJSON)"),
    ("GET", "/v1/territories/{id}", "un territoire", "one territory"),
    ("GET", "/health", "service en vie, versions des données", "liveness, data versions"),
    (
        "GET",
        "/ready",
        "prêt (index des adresses chargé) : 200, sinon 503",
        "ready (address index loaded): 200, else 503",
    ),
    (
        "GET",
        "/openapi.json",
        "description OpenAPI 3.1 (français et anglais)",
        "OpenAPI 3.1 description (French and English)",
    ),
)


def page_html(settings) -> str:
    """The page for a deployment's ``settings`` (limits, keys)."""
    key = ' -H "Authorization: Bearer $TZCLD_API_KEY"' if settings.api_keys else ""
    single = (
        f"curl -s{key} -H 'Content-Type: application/json' \\\n"
        '  -d \'{"address": "Rue de Droixhe 10, 4020 Liège"}\' http://127.0.0.1:8502/v1/check'
    )
    dated = (
        f"curl -s{key} -H 'Content-Type: application/json' \\\n"
        '  -d \'{"lat": 50.648, "lon": 5.615, "as_of": "2025-03-01"}\' http://127.0.0.1:8502/v1/check'
    )
    batch = (
        f"curl -s{key} -H 'Content-Type: text/csv' --data-binary @candidats.csv \\\n"
        "  'http://127.0.0.1:8502/v1/check-file?column=adresse' -o resultats.csv"
    )

    def routes(lang: str) -> str:
        rows = "".join(
            f"<tr><td><code>{_e(m)}</code></td><td><code>{_e(p)}</code></td><td>{_e(fr if lang == 'fr' else en)}</td></tr>"
            for m, p, fr, en in _ROUTES
        )
        head = ("Méthode", "Chemin", "Rôle") if lang == "fr" else ("Method", "Path", "Purpose")
        return f"<table><thead><tr>{''.join(f'<th scope=col>{h}</th>' for h in head)}</tr></thead><tbody>{rows}</tbody></table>"

    from tzcld.api.errors import format_size
    from tzcld.formatting import format_number

    rate = {lang: format_number(settings.rate_limit, 0, lang) for lang in ("fr", "en")}
    body = {lang: format_size(settings.max_body_bytes, lang) for lang in ("fr", "en")}
    file = {lang: format_size(settings.max_file_bytes, lang) for lang in ("fr", "en")}
    max_rows = {lang: format_number(settings.max_rows, 0, lang) for lang in ("fr", "en")}
    rate_fr = f"{rate['fr']} requêtes par minute et par client" if settings.rate_limit else "pas de limite de débit"
    rate_en = f"{rate['en']} requests per minute per client" if settings.rate_limit else "no rate limit"
    keys_fr = (
        "Les vérifications exigent une clé d'API (en-tête <code>Authorization: Bearer …</code> ou <code>X-API-Key</code>)."
        if settings.api_keys
        else "Aucune clé n'est exigée sur ce serveur."
    )
    keys_en = (
        "The checks require an API key (<code>Authorization: Bearer …</code> or <code>X-API-Key</code> header)."
        if settings.api_keys
        else "No key is required on this server."
    )
    examples = (
        f"<pre><code>{_e(single)}</code></pre><pre><code>{_e(dated)}</code></pre><pre><code>{_e(batch)}</code></pre>"
    )
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">'
        "<title>API de vérification d'adresse — TZCLD Wallonie / Address-check API</title>"
        f"<style>{STYLE}</style></head><body><main>"
        "<section><h1>API de vérification d'adresse — TZCLD Wallonie (TerritoiR'ES)</h1>"
        "<p>Une adresse ou un point est-il dans l'un des 17 territoires « zéro chômeur de longue durée » ? "
        "Les réponses sont celles de la page <em>Vérifier une adresse</em> : <strong>dans le territoire</strong>, "
        "<strong>hors territoire</strong> ou <strong>à vérifier</strong>, avec le territoire, le quartier, l'adresse "
        "reconnue dans le registre ICAR, la distance à la limite et la version des périmètres (<code>data_version</code>). "
        "Avec <code>as_of</code>, la vérification utilise les périmètres publiés à cette date (la date d'embauche, par exemple).</p>"
        "<p><strong>Données personnelles :</strong> les adresses passent toujours dans le corps d'un <code>POST</code>, "
        "jamais dans l'URL ; elles sont traitées en mémoire, jamais enregistrées, journalisées ni envoyées ailleurs. "
        "Le journal d'accès ne garde que la méthode, le chemin, le statut et la durée.</p>"
        f"<p>Limites : {_e(rate_fr)} ; corps JSON de {_e(body['fr'])} au plus ; fichier de {_e(file['fr'])} "
        f"et {_e(max_rows['fr'])} lignes de données au plus. {keys_fr}</p>"
        f"<h2>Chemins</h2>{routes('fr')}<h2>Exemples</h2>{examples}"
        '<p>Description complète : <a href="openapi.json">openapi.json</a>. Les erreurs sont en JSON, avec un message '
        "en français et en anglais.</p></section>"
        '<section lang="en"><h1>Address-check API — TZCLD Wallonia (TerritoiR\'ES)</h1>'
        "<p>Is an address or a point in one of the 17 “long-term zero unemployment” territories? The answers are those of "
        "the <em>Vérifier une adresse</em> page: <strong>inside</strong>, <strong>outside</strong> or <strong>to be "
        "checked</strong>, with the territory, the neighbourhood, the address matched in the ICAR register, the distance "
        "to the boundary and the perimeter version (<code>data_version</code>). With <code>as_of</code>, the check uses the "
        "perimeters published on that date (the hiring date, say).</p>"
        "<p><strong>Personal data:</strong> addresses always go in the body of a <code>POST</code>, never in the URL; they "
        "are processed in memory, never stored, logged or sent elsewhere. The access log keeps only the method, the path, "
        "the status and the duration.</p>"
        f"<p>Limits: {_e(rate_en)}; JSON body of at most {_e(body['en'])}; file of at most {_e(file['en'])} "
        f"and {_e(max_rows['en'])} data rows. {keys_en}</p>"
        f"<h2>Paths</h2>{routes('en')}<h2>Examples</h2>{examples}"
        '<p>Full description: <a href="openapi.json">openapi.json</a>. Errors are JSON, with a message in French and '
        "English.</p></section></main></body></html>\n"
    )
