"""Placeholder page (transparence): replaced by its issue's work."""

import streamlit as st

st.title("transparence")
st.info("Page en construction.")
