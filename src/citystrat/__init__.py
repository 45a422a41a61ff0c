"""citystrat: run and monitor a city's strategic plan."""

__version__ = "0.1.0"
