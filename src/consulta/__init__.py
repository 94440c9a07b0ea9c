"""Consulta: run stakeholder consultations and turn what people said into evidence."""

__version__ = "0.1.0"
