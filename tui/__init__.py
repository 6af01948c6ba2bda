"""The Textual app, its screens, the refresh loop and the CLI."""
