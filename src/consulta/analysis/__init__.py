"""The pure-Python analysis library (themes, coding, statistics).

No Django imports here: the library works alone on a CSV. It is filled by the analysis engine
issue; the web app and the CLI call into it.
"""
