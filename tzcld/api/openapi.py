"""The OpenAPI 3.1 document of the API (``GET /openapi.json``), French and English.

Written by hand, not generated: every description says the same thing in both languages
(French first), and the schemas are those the tests validate real answers against. The
document follows the deployment's settings: limits, and whether the checks need a key.
"""

from __future__ import annotations

from typing import Any

from tzcld.api.errors import format_size
from tzcld.api.inputs import CRS_CODES, MAX_ADDRESS_CHARS, MAX_TOLERANCE_M
from tzcld.eligibility import BOUNDARY_MARGIN_M
from tzcld.formatting import format_number


def _d(fr: str, en: str) -> str:
    """A bilingual description: French, then English."""
    return f"{fr}\n\n*English:* {en}"


def _nullable(kind: str | list[str], description: str, **extra: Any) -> dict:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"], "description": description, **extra}


def _statuses() -> list[str]:
    from tzcld.check import STATUSES

    return list(STATUSES)


def _qualities() -> list[str]:
    from tzcld.geocode.base import MatchQuality

    return [q.value for q in MatchQuality]


def _schemas(territory_ids: list[str]) -> dict[str, Any]:
    message = {
        "type": "object",
        "description": _d("Le même message en français et en anglais.", "The same message in French and English."),
        "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
        "required": ["fr", "en"],
        "additionalProperties": False,
    }
    return {
        "Messages": message,
        "Error": {
            "type": "object",
            "description": _d(
                "Une erreur : statut HTTP, code stable, message en français et en anglais. Rien de la requête n'y est repris.",
                "An error: HTTP status, stable code, message in French and English. Nothing of the request is echoed.",
            ),
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string", "pattern": "^[a-z_]+$"},
                        "message": {"$ref": "#/components/schemas/Messages"},
                    },
                    "required": ["status", "code", "message"],
                    "additionalProperties": False,
                }
            },
            "required": ["error"],
            "additionalProperties": False,
        },
        "CheckRequest": {
            "type": "object",
            "description": _d(
                "Soit une adresse, soit des coordonnées. Sans « crs », les coordonnées sont reconnues comme "
                "« check --lat --lon » le fait (degrés WGS84, ou Lambert 72 / 2008 en mètres, ordre inversé corrigé) ; "
                "avec « crs », elles sont lues dans ce système, sans deviner.",
                "Either an address or coordinates. Without “crs”, coordinates are recognised as "
                "“check --lat --lon” does (WGS84 degrees, or Lambert 72 / 2008 metres, swapped order put back); "
                "with “crs”, they are read in that system, no guessing.",
            ),
            "properties": {
                "address": {
                    "type": "string",
                    "maxLength": MAX_ADDRESS_CHARS,
                    "description": _d(
                        "Adresse en Wallonie, cherchée dans le registre officiel ICAR sur le serveur (hors ligne) ;"
                        " un texte de coordonnées (« 50.648, 5.615 », « 50°38'52.8\"N 5°36'54\"E », Lambert 72)"
                        " ou un lien de carte (geo:, Google Maps, OpenStreetMap : jamais ouvert) est lu comme un point,"
                        " comme par `check TEXTE`.",
                        "Address in Wallonia, looked up in the official ICAR register on the server (offline); a"
                        " text of coordinates (“50.648, 5.615”, “50°38'52.8\"N 5°36'54\"E”, Lambert 72) or a map"
                        " link (geo:, Google Maps, OpenStreetMap: never opened) is read as a point, as by `check TEXT`.",
                    ),
                    "examples": ["Rue de Droixhe 10, 4020 Liège"],
                },
                "lat": {
                    "type": ["number", "string"],
                    "description": _d(
                        "Latitude WGS84 (ou ordonnée y avec un « crs » Lambert).",
                        "WGS84 latitude (or the y northing with a Lambert “crs”).",
                    ),
                    "examples": [50.648],
                },
                "lon": {
                    "type": ["number", "string"],
                    "description": _d(
                        "Longitude WGS84 (ou abscisse x avec un « crs » Lambert).",
                        "WGS84 longitude (or the x easting with a Lambert “crs”).",
                    ),
                    "examples": [5.615],
                },
                "x": {
                    "type": ["number", "string"],
                    "description": _d("Abscisse Lambert (mètres).", "Lambert easting (metres)."),
                },
                "y": {
                    "type": ["number", "string"],
                    "description": _d("Ordonnée Lambert (mètres).", "Lambert northing (metres)."),
                },
                "crs": {
                    "type": "string",
                    "description": _d(
                        "Système des coordonnées : " + ", ".join(f"EPSG:{c}" for c in CRS_CODES) + ".",
                        "Coordinate reference system: " + ", ".join(f"EPSG:{c}" for c in CRS_CODES) + ".",
                    ),
                    "examples": ["EPSG:31370"],
                },
                "tolerance_m": {
                    "type": "number",
                    "minimum": BOUNDARY_MARGIN_M,
                    "maximum": MAX_TOLERANCE_M,
                    "description": _d(
                        f"Marge en mètres : un point plus proche que cela d'une limite de territoire reçoit « à vérifier » "
                        f"(défaut {BOUNDARY_MARGIN_M:g} m ; elle ne peut qu'être élargie).",
                        f"Margin in metres: a point closer than that to a territory boundary gets “to be checked” "
                        f"(default {BOUNDARY_MARGIN_M:g} m; it can only be widened).",
                    ),
                },
                "as_of": {
                    "type": "string",
                    "format": "date",
                    "description": _d(
                        "Vérifier avec les périmètres publiés à cette date (AAAA-MM-JJ, pas dans le futur), par exemple "
                        "la date d'embauche ; défaut : aujourd'hui.",
                        "Check with the perimeters published on that date (YYYY-MM-DD, not in the future), for example "
                        "the hiring date; default: today.",
                    ),
                    "examples": ["2025-03-01"],
                },
                "lang": {
                    "type": "string",
                    "enum": ["fr", "en"],
                    "description": _d("Langue de « message » (défaut fr).", "Language of “message” (default fr)."),
                },
            },
            "additionalProperties": False,
            "anyOf": [{"required": ["address"]}, {"required": ["lat", "lon"]}, {"required": ["x", "y"]}],
        },
        "PerimeterVersion": {
            "type": ["object", "null"],
            "description": _d(
                "La version du périmètre du territoire de la réponse : « base » (périmètres de référence) ou v<n> "
                "(version approuvée), et sa date.",
                "The version of the answer's territory perimeter: “base” (reference perimeters) or v<n> "
                "(approved version), and its date.",
            ),
            "properties": {"label": {"type": "string", "pattern": "^(base|v[0-9]+)$"}, "date": {"type": "string"}},
            "required": ["label", "date"],
            "additionalProperties": False,
        },
        "CheckAnswer": {
            "type": "object",
            "description": _d(
                "Les champs de « python -m tzcld check --json ». Ce qui n'est pas connu vaut null, jamais 0.",
                "The fields of “python -m tzcld check --json”. What is not known is null, never 0.",
            ),
            "properties": {
                "status": {
                    "type": "string",
                    "enum": _statuses(),
                    "description": _d(
                        "inside : dans un territoire ; outside : hors territoire ; undetermined : à vérifier (proche d'une "
                        "limite, périmètre indicatif, adresse imprécise…) ; not_found : adresse introuvable ; error.",
                        "inside; outside; undetermined: to be checked (near a boundary, indicative perimeter, vague "
                        "address…); not_found: address not found; error.",
                    ),
                },
                "territory_id": _nullable(
                    "string",
                    _d("Identifiant stable du territoire.", "Stable territory id."),
                    enum=[*territory_ids, None],
                ),
                "territory_name": _nullable("string", _d("Nom du territoire.", "Territory name.")),
                "unit": _nullable("string", _d("Quartier ou village.", "Neighbourhood or village.")),
                "match_quality": _nullable(
                    "string",
                    _d(
                        "Qualité de la correspondance de l'adresse retenue ; null pour des coordonnées, ou quand "
                        "aucune adresse n'est retenue (elle existe à plusieurs endroits qui ne donnent pas la même "
                        "réponse : voir « candidates »).",
                        "Quality of the match of the address retained; null for coordinates, or when no address is "
                        "retained (it exists in several places giving different answers: see “candidates”).",
                    ),
                    enum=[*_qualities(), None],
                ),
                "matched_address": _nullable(
                    "string", _d("Adresse retenue dans le registre ICAR.", "Address matched in the ICAR register.")
                ),
                "lat": _nullable(
                    "number", _d("Latitude WGS84 du point vérifié.", "WGS84 latitude of the point checked.")
                ),
                "lon": _nullable(
                    "number", _d("Longitude WGS84 du point vérifié.", "WGS84 longitude of the point checked.")
                ),
                "distance_to_boundary_m": _nullable(
                    "number",
                    _d(
                        "Distance à la limite de territoire la plus proche (m).",
                        "Distance to the nearest territory boundary (m).",
                    ),
                ),
                "message": {
                    "type": "string",
                    "description": _d(
                        "Explication, dans la langue demandée.", "Explanation, in the language asked for."
                    ),
                },
                "precision": _nullable(
                    "string",
                    _d(
                        "Précision du périmètre (official, sectors, sectors-from-addresses, communes, indicative).",
                        "Precision of the perimeter (official, sectors, sectors-from-addresses, communes, indicative).",
                    ),
                ),
                "data_version": {
                    "type": "string",
                    "description": _d(
                        "Version des périmètres utilisés (données de référence, plus +p<ids> des versions approuvées).",
                        "Version of the perimeters used (reference data, plus +p<ids> of the approved versions).",
                    ),
                },
                "score": _nullable("number", _d("Score de la correspondance (0–100).", "Match score (0–100).")),
                "nearest_territory_id": _nullable("string", _d("Territoire le plus proche.", "Nearest territory.")),
                "nearest_territory_name": _nullable("string", _d("Son nom.", "Its name.")),
                "distance_to_territory_m": _nullable(
                    "number", _d("Distance à ce territoire (m ; 0 dedans).", "Distance to it (m; 0 inside).")
                ),
                "sector": _nullable(
                    "string",
                    _d(
                        "Secteur statistique de l'adresse, s'il est connu.",
                        "Statistical sector of the address, when known.",
                    ),
                ),
                "candidates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {
                                "type": "string",
                                "description": _d(
                                    "L'adresse tapée là où elle existe (« Rue de la Station 5, 6181 Courcelles »), "
                                    "sinon la rue (sans numéro).",
                                    "The typed address where it exists (“Rue de la Station 5, 6181 Courcelles”), "
                                    "else the street (no number).",
                                ),
                            },
                            "score": {"type": ["number", "null"]},
                            "lat": {"type": ["number", "null"]},
                            "lon": {"type": ["number", "null"]},
                            "match_quality": _nullable(
                                "string",
                                _d(
                                    "« exact » : cette adresse (et son propre point) ; « street_only » : la rue, où ce "
                                    "numéro n'est pas (point où la rue seule est placée).",
                                    "“exact”: that address (and its own point); “street_only”: the street, which does "
                                    "not have that number (point where the street alone is placed).",
                                ),
                                enum=[*_qualities(), None],
                            ),
                            "status": _nullable(
                                "string",
                                _d(
                                    "La réponse pour ce lieu seul (comme « status » pour cette adresse ou cette rue).",
                                    "The answer for that place alone (as “status” for that address or street).",
                                ),
                                enum=["inside", "outside", "undetermined", None],
                            ),
                            "territory_id": _nullable("string", _d("Son territoire.", "Its territory.")),
                            "territory_name": _nullable("string", _d("Son nom.", "Its name.")),
                            "territory_status": _nullable(
                                "string",
                                _d("« ended » pour un territoire arrêté.", "“ended” for a territory that has ended."),
                                enum=["ended", None],
                            ),
                        },
                        "required": ["label"],
                        "additionalProperties": False,
                    },
                    "description": _d(
                        "Les lieux possibles quand la correspondance est incertaine, chacun avec sa réponse : "
                        "l'adresse tapée d'abord là où elle existe ; sans code postal ni commune et sans adresse "
                        "retenue, un par territoire d'abord. Les 6 premiers (ou un par territoire).",
                        "The possible places when the match is uncertain, each with its answer: the typed address "
                        "first where it exists; with no postcode or commune and no address retained, one per "
                        "territory first. The first 6 (or one per territory).",
                    ),
                },
                "index_version": _nullable(
                    "string", _d("Version de l'index des adresses.", "Version of the address index.")
                ),
                "as_of": _nullable(
                    "string",
                    _d(
                        "Date des périmètres utilisés (null : aujourd'hui).",
                        "Date of the perimeters used (null: today).",
                    ),
                    format="date",
                ),
                "perimeter_version": {"$ref": "#/components/schemas/PerimeterVersion"},
                "headline": {
                    "type": "string",
                    "description": _d(
                        "La réponse en une phrase (la première de « message »).",
                        "The answer in one sentence (the first of “message”).",
                    ),
                },
                "details": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": _d(
                        "Les explications qui suivent cette phrase dans « message ».",
                        "The explanations that follow that sentence in “message”.",
                    ),
                },
                "territory_status": _nullable(
                    "string",
                    _d(
                        "« ended » pour un territoire arrêté (plus d'engagement), sinon null.",
                        "“ended” for a territory that has ended (no more hiring), else null.",
                    ),
                    enum=["ended", None],
                ),
                "warnings": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Messages"},
                    "description": _d(
                        "Avertissements (par exemple : base des périmètres injoignable, périmètres de référence utilisés).",
                        "Warnings (for example: perimeter database unreachable, reference perimeters used).",
                    ),
                },
            },
            "required": [
                "status",
                "territory_id",
                "territory_name",
                "unit",
                "match_quality",
                "matched_address",
                "lat",
                "lon",
                "distance_to_boundary_m",
                "message",
                "precision",
                "data_version",
                "candidates",
                "as_of",
                "perimeter_version",
                "warnings",
            ],
            "additionalProperties": False,
        },
        "Health": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "service": {"type": "string"},
                "api_version": {"type": "string"},
                "data_version": _nullable(
                    "string", _d("Version des périmètres publiés.", "Version of the published perimeters.")
                ),
                "committed_data_version": _nullable(
                    "string", _d("Version des données de référence.", "Version of the reference data.")
                ),
                "perimeter_database": {
                    "type": "string",
                    "description": _d(
                        "ok, none (pas encore de base) ou unavailable.", "ok, none (no database yet) or unavailable."
                    ),
                },
                "address_index": {"type": "string", "enum": ["ready", "loading", "unavailable", "not_started"]},
                "address_index_version": {"type": ["string", "null"]},
                "keys_required": {"type": "boolean"},
            },
            "required": ["status", "data_version", "perimeter_database", "address_index"],
        },
        "FeatureCollection": {
            "type": "object",
            "description": _d(
                "GeoJSON RFC 7946 (WGS84, anneaux extérieurs dans le sens antihoraire), contours simplifiés pour le web.",
                "RFC 7946 GeoJSON (WGS84, exterior rings counterclockwise), outlines simplified for the web.",
            ),
            "properties": {
                "type": {"const": "FeatureCollection"},
                "data_version": {"type": "string"},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
            },
            "required": ["type", "features"],
        },
        "Feature": {
            "type": "object",
            "properties": {
                "type": {"const": "Feature"},
                "id": {"type": "string", "enum": territory_ids},
                "properties": {"type": "object"},
                "geometry": {"type": ["object", "null"]},
            },
            "required": ["type", "id", "properties", "geometry"],
        },
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(settings, root_path: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document for a deployment's ``settings`` (:class:`tzcld.api.app.ApiSettings`)."""
    from tzcld.territories import TERRITORY_IDS

    ids = list(TERRITORY_IDS)
    secured: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}] if settings.api_keys else [{}]
    body_fr, body_en = (format_size(settings.max_body_bytes, lang) for lang in ("fr", "en"))
    file_fr, file_en = (format_size(settings.max_file_bytes, lang) for lang in ("fr", "en"))
    rows_fr, rows_en = (format_number(settings.max_rows, 0, lang) for lang in ("fr", "en"))
    rate_fr, rate_en = (format_number(settings.rate_limit, 0, lang) for lang in ("fr", "en"))
    limits_fr = f"Corps JSON : {body_fr} au plus ; fichier : {file_fr} et {rows_fr} lignes de données au plus ; " + (
        f"{rate_fr} requêtes par minute et par client." if settings.rate_limit else "pas de limite de débit."
    )
    limits_en = f"JSON body: at most {body_en}; file: at most {file_en} and {rows_en} data rows; " + (
        f"{rate_en} requests per minute per client." if settings.rate_limit else "no rate limit."
    )
    common_errors = {
        "401": _error(
            _d(
                "Clé d'API manquante ou invalide (si le déploiement en exige).",
                "Missing or invalid API key (when the deployment requires one).",
            )
        ),
        "413": _error(_d("Requête trop grosse.", "Request too large.")),
        "422": _error(_d("Données illisibles ou incomplètes.", "Unreadable or incomplete data.")),
        "429": _error(_d("Trop de requêtes (en-tête Retry-After).", "Too many requests (Retry-After header).")),
        "503": _error(
            _d(
                "Index des adresses indisponible ou en chargement (pour une adresse : des coordonnées, même dans "
                "une seule colonne d'un fichier, se vérifient sans lui), ou serveur occupé.",
                "Address index unavailable or loading (for an address: coordinates, even in a single column of "
                "a file, are checked without it), or server busy.",
            )
        ),
        "500": _error(
            _d(
                "Erreur interne : rien n'a été enregistré (le journal du serveur n'en garde que le type).",
                "Internal error: nothing was stored (the server log keeps only its type).",
            )
        ),
    }
    wrong_method = {
        "description": _d(
            "Toute autre méthode que POST : 405. Une adresse ou des coordonnées ne passent jamais dans l'URL.",
            "Any method but POST: 405. An address or coordinates never go in the URL.",
        ),
        "responses": {"405": _error(_d("Méthode non permise (POST seulement).", "Method not allowed (POST only)."))},
    }
    file_params = [
        {
            "name": "column",
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
            "description": _d(
                "Colonne(s) d'adresse, jointes dans l'ordre (comme --column).",
                "Address column(s), joined in order (like --column).",
            ),
        },
        {
            "name": "lat_column",
            "in": "query",
            "schema": {"type": "string"},
            "description": _d("Colonne latitude (ou x Lambert).", "Latitude column (or Lambert x)."),
        },
        {
            "name": "lon_column",
            "in": "query",
            "schema": {"type": "string"},
            "description": _d("Colonne longitude (ou y Lambert).", "Longitude column (or Lambert y)."),
        },
        {
            "name": "as_of",
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": _d("Périmètres publiés à cette date.", "Perimeters published on that date."),
        },
        {
            "name": "lang",
            "in": "query",
            "schema": {"type": "string", "enum": ["fr", "en"]},
            "description": _d("Langue des messages.", "Language of the messages."),
        },
        {
            "name": "tolerance_m",
            "in": "query",
            "schema": {"type": "number", "minimum": BOUNDARY_MARGIN_M, "maximum": MAX_TOLERANCE_M},
            "description": _d("Marge autour des limites (m).", "Margin around boundaries (m)."),
        },
        {
            "name": "sep",
            "in": "query",
            "schema": {"type": "string", "enum": [";", ",", "|", "\t", "tab"]},
            "description": _d(
                "Séparateur du CSV rendu (défaut : celui de l'entrée).",
                "Separator of the CSV returned (default: the input's).",
            ),
        },
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TZCLD Wallonie / TerritoiR'ES — API de vérification d'adresse / address-check API",
            "version": "1.0.0",
            "description": _d(
                "Une adresse ou un point est-il dans l'un des 17 territoires « zéro chômeur de longue durée » de Wallonie ? "
                "Mêmes réponses que la page Vérifier et « python -m tzcld check » : dans le territoire, hors territoire ou "
                "à vérifier, avec le territoire, le quartier, l'adresse reconnue, la distance à la limite et la version des "
                "périmètres. Les adresses sont traitées en mémoire sur ce serveur, jamais enregistrées, journalisées ni "
                "envoyées ailleurs ; elles passent toujours dans le corps d'un POST, jamais dans l'URL. " + limits_fr,
                "Is an address or a point in one of Wallonia's 17 “long-term zero unemployment” territories? Same answers "
                "as the Vérifier page and “python -m tzcld check”: inside, outside or to be checked, with the territory, "
                "the neighbourhood, the matched address, the distance to the boundary and the perimeter version. Addresses "
                "are processed in memory on this server, never stored, logged or sent elsewhere; they always go in the body "
                "of a POST, never in the URL. " + limits_en,
            ),
        },
        "servers": [{"url": root_path or "/"}],
        "paths": {
            "/v1/check": {
                "post": {
                    "operationId": "check",
                    "summary": "Vérifier une adresse ou un point / Check an address or a point",
                    "security": secured,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": _d("La réponse.", "The answer."),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckAnswer"}}},
                        },
                        "400": _error(
                            _d(
                                "Corps JSON illisible, ou adresse dans l'URL.",
                                "Unreadable JSON body, or an address in the URL.",
                            )
                        ),
                        "415": _error(
                            _d(
                                "Type de contenu autre que application/json.",
                                "A content type other than application/json.",
                            )
                        ),
                        **common_errors,
                    },
                },
                "get": {"operationId": "checkGetRefused", **wrong_method},
            },
            "/v1/check-file": {
                "post": {
                    "operationId": "checkFile",
                    "summary": "Vérifier chaque ligne d'un CSV ou d'un XLSX / Check every row of a CSV or XLSX",
                    "description": _d(
                        "Mêmes colonnes et mêmes limites que « check-file » : le CSV rendu garde toutes les colonnes et ajoute "
                        "status, territory_id, territory_name, unit, match_quality, matched_address, lat, lon, "
                        "distance_to_boundary_m, message puis data_version. Le fichier est le corps de la requête (ou le "
                        "champ « file » d'un formulaire multipart) ; les options sont dans l'URL (elles ne contiennent aucune adresse).",
                        "Same columns and limits as “check-file”: the CSV returned keeps every column and adds status, "
                        "territory_id, territory_name, unit, match_quality, matched_address, lat, lon, distance_to_boundary_m, "
                        "message then data_version. The file is the request body (or the “file” field of a multipart form); "
                        "options go in the URL (they hold no address).",
                    ),
                    "security": secured,
                    "parameters": file_params,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                                    },
                                    "required": ["file"],
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": _d(
                                "Les résultats en CSV (UTF-8 avec BOM) ; en-têtes X-Data-Version, X-Rows, X-Summary.",
                                "The results as CSV (UTF-8 with BOM); headers X-Data-Version, X-Rows, X-Summary.",
                            ),
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                            "headers": {
                                name: {"description": text, "schema": {"type": "string"}}
                                for name, text in (
                                    ("X-Data-Version", _d("Version des périmètres utilisés.", "Perimeters used.")),
                                    ("X-Rows", _d("Lignes vérifiées.", "Rows checked.")),
                                    (
                                        "X-Summary",
                                        _d(
                                            "Décompte par statut : inside=…;outside=…;…;total=….",
                                            "Count per status: inside=…;outside=…;…;total=….",
                                        ),
                                    ),
                                    ("X-As-Of", _d("La date « as_of » demandée.", "The “as_of” date asked for.")),
                                    (
                                        "X-Previous-Results",
                                        _d(
                                            "true : le fichier contenait déjà des résultats (gardés en <nom>_input).",
                                            "true: the file already held results (kept as <name>_input).",
                                        ),
                                    ),
                                    (
                                        "X-Warning",
                                        _d(
                                            "perimeter-database-unavailable : périmètres d'origine utilisés.",
                                            "perimeter-database-unavailable: the original perimeters were used.",
                                        ),
                                    ),
                                )
                            },
                        },
                        "400": _error(_d("Fichier absent ou paramètre inconnu.", "No file or unknown parameter.")),
                        "415": _error(_d("Type de contenu non pris en charge.", "Unsupported content type.")),
                        **common_errors,
                    },
                },
                "get": {"operationId": "checkFileGetRefused", **wrong_method},
            },
            "/v1/territories": {
                "get": {
                    "operationId": "territories",
                    "summary": "Les 17 territoires (GeoJSON) / The 17 territories (GeoJSON)",
                    "description": _d(
                        "Périmètres publiés, simplifiés pour le web (WGS84, RFC 7946), avec tous les attributs et la version de "
                        "chaque périmètre. Les périmètres exacts (Lambert 72) sont dans le GeoPackage des données ouvertes.",
                        "Published perimeters, simplified for the web (WGS84, RFC 7946), with every attribute and each "
                        "perimeter's version. The exact perimeters (Lambert 72) are in the open data's GeoPackage.",
                    ),
                    "responses": {
                        "200": {
                            "description": "GeoJSON",
                            "content": {
                                "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}
                            },
                        },
                        "304": {"description": _d("Inchangé (If-None-Match).", "Not modified (If-None-Match).")},
                        "429": common_errors["429"],
                        "503": _error(_d("Géodonnées non construites.", "Geodata not built.")),
                    },
                }
            },
            "/v1/territories/{territory_id}": {
                "get": {
                    "operationId": "territory",
                    "summary": "Un territoire (GeoJSON Feature) / One territory (GeoJSON Feature)",
                    "parameters": [
                        {
                            "name": "territory_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": ids},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "GeoJSON Feature",
                            "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/Feature"}}},
                        },
                        "304": {"description": _d("Inchangé (If-None-Match).", "Not modified (If-None-Match).")},
                        "404": _error(_d("Territoire inconnu.", "Unknown territory.")),
                        "429": common_errors["429"],
                        "503": _error(_d("Géodonnées non construites.", "Geodata not built.")),
                    },
                }
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Service en vie, versions des données / Liveness and data versions",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        }
                    },
                }
            },
            "/ready": {
                "get": {
                    "operationId": "ready",
                    "summary": "Prêt à vérifier des adresses / Ready to check addresses",
                    "description": _d(
                        "200 quand le chargement de l'index des adresses est fini (pour un répartiteur de charge ou "
                        "une sonde de disponibilité) ; 503 avec Retry-After tant qu'il se charge. Sans index sur le "
                        "serveur, 200 aussi : les coordonnées sont vérifiées, les adresses reçoivent 503 "
                        "(« address_index » : unavailable).",
                        "200 once the address index has finished loading (for a load balancer or a readiness "
                        "probe); 503 with Retry-After while it loads. Without an index on the server, 200 too: "
                        "coordinates are checked, addresses get 503 (“address_index”: unavailable).",
                    ),
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        },
                        "503": _error(_d("Index en cours de chargement.", "Index still loading.")),
                    },
                }
            },
        },
        "components": {
            "schemas": _schemas(ids),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _d("Clé d'API (si exigée).", "API key (when required)."),
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": _d("Clé d'API (si exigée).", "API key (when required)."),
                },
            },
        },
    }
