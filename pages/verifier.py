"""Placeholder page (verifier): replaced by its issue's work."""

import streamlit as st

st.title("verifier")
st.info("Page en construction.")
