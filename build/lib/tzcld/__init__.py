"""TZCLD Wallonie / TerritoiR'ES dashboard: the logic behind the Streamlit pages.

Everything that is not rendering lives here: the territory registry, the geodata
build, geocoding, eligibility, the progress ledger, charts, maps and i18n.
"""

__version__ = "0.1.0"
