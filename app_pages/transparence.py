"""Transparence: every published figure with its source, methodology, change log, open data."""

from tzcld.ui import current_lang
from tzcld.ui.transparency import render_transparency_page

render_transparency_page(current_lang())
