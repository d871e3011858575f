"""figmon: a change-detection monitor for evolving figures in the news."""

__version__ = "0.1.0"
