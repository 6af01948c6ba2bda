"""Small apps that host one widget for snapshot tests."""
