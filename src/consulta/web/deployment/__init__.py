"""Running Consulta on the internet: HTTPS behind a proxy, security headers, owner-only data
files, server logs without secrets, and the system checks `consulta check --deploy` runs.

The README's "Deploying" section is the operator's side of this package.
"""
