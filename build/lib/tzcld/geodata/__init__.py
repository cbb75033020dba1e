"""Geodata: the reproducible build of the project's derived layers, and their readers.

- :mod:`tzcld.geodata.sources` reads the raw inputs in their producers' official schemas
  (Statbel sectors and administrative units, BeST address points, OSM places).
- :mod:`tzcld.geodata.build` turns them, with the registry ``geodata/territories.yaml``,
  into the committed outputs of ``geodata/`` (``python -m tzcld geodata build``).
- :mod:`tzcld.geodata.layers` reads those committed outputs (cheap, no raw data needed):
  this is what pages and other modules use.
"""
