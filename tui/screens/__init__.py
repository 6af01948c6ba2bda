"""Screens of the dashboard: the main view, drill-downs and help."""
