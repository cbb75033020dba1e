"""Open data and the static public site.

- :mod:`tzcld.export.spreadsheet_safety` — formula-injection neutralisation (all CSV/XLSX)
- :mod:`tzcld.export.opendata` — territories GeoJSON/CSV, ledger CSV/XLSX, data dictionary
- :mod:`tzcld.export.datapackage` — the Frictionless ``datapackage.json`` descriptor
- :mod:`tzcld.export.site` — ``python -m tzcld export-site OUT/``: the Transparence page as static files
"""
