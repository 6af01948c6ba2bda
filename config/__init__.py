"""YAML configuration: search path, validation and the bundled defaults."""
