"""Placeholder page (progres): replaced by its issue's work."""

import streamlit as st

st.title("progres")
st.info("Page en construction.")
