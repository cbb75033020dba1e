"""Placeholder page (carte): replaced by its issue's work."""

import streamlit as st

st.title("carte")
st.info("Page en construction.")
