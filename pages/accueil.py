"""Placeholder page (accueil): replaced by its issue's work."""

import streamlit as st

st.title("accueil")
st.info("Page en construction.")
