"""The headless session layer: the Engine (feed -> analytics), report text, export and alerts."""
