"""xieshang: warehouse, metrics and dashboard for grassroots consultative governance."""

__version__ = "0.1.0"
