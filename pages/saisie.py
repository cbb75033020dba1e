"""Placeholder page (saisie): replaced by its issue's work."""

import streamlit as st

st.title("saisie")
st.info("Page en construction.")
