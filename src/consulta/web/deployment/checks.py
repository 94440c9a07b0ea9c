"""Consulta's own deployment checks, run by `consulta check --deploy` beside Django's."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from consulta.web.deployment.files import PRIVATE_DIR


def proxy_for_https(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """An https:// site is served by waitress behind a TLS proxy; unless the proxy is trusted
    to say the request came over HTTPS, every request looks like plain HTTP and is redirected
    to itself."""
    if settings.CONSULTA_BASE_URL.startswith("https://") and not settings.CONSULTA_TRUST_PROXY:
        return [checks.Warning(
            "CONSULTA_BASE_URL is https:// but CONSULTA_TRUST_PROXY is not set: behind a "
            "TLS-terminating proxy every request would be redirected to itself.",
            hint="Set CONSULTA_TRUST_PROXY=1 and have the proxy send X-Forwarded-Proto and "
            "X-Forwarded-For (README, Deploying).",
            id="consulta.W001",
        )]
    return []


def private_data_dir(app_configs, **kwargs) -> list[checks.CheckMessage]:
    data_dir = settings.DATA_DIR
    if data_dir.is_dir() and data_dir.stat().st_mode & 0o077:
        return [checks.Warning(
            f"The data directory {data_dir} can be read by other users of this machine.",
            hint=f"chmod {PRIVATE_DIR:o} {data_dir} (Consulta's own commands create it so).",
            id="consulta.W002",
        )]
    return []


def register() -> None:
    checks.register(proxy_for_https, checks.Tags.security, deploy=True)
    checks.register(private_data_dir, checks.Tags.security, deploy=True)
