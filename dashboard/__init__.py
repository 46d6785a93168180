"""The newsmap Streamlit dashboard: ``streamlit run dashboard/app.py``."""
