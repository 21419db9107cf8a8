"""orgraph dashboard (Streamlit, zh-CN)."""
