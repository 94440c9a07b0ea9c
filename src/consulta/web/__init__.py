"""The Django project: apps split by domain (accounts, consultations, stakeholders, responses)."""
