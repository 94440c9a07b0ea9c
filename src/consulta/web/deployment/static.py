"""Static files: served by WhiteNoise from the app's folders until collected, then from the data
directory under names that carry a hash of their content, cached by browsers and proxies for a
year (``Cache-Control: max-age=315360000, public, immutable``).

``consulta serve`` (and ``consulta demo``) collect them into ``<data dir>/static`` on start, so
a deployment never runs ``collectstatic`` by hand, and an upgrade's new stylesheet gets a new
name: nobody keeps the old one from their cache. Tests and one-off commands, with nothing
collected, get the plain names (``/static/consulta/consulta.css``, cached for a minute).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whitenoise.storage import CompressedManifestStaticFilesStorage

try:
    import fcntl
except ImportError:  # Windows: one server per data directory there
    fcntl = None


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names from the manifest that ``collectstatic`` writes; the plain name of a file
    with no entry (nothing collected yet, or a file added since), which WhiteNoise serves from
    the app's folder (``WHITENOISE_USE_FINDERS``)."""

    def create_compressor(self, **kwargs):
        # Gzip only: Brotli at WhiteNoise's best quality takes seconds per start for a few
        # percent fewer bytes (and is there only when another package brought it).
        return super().create_compressor(use_brotli=False, **kwargs)

    def read_manifest(self):
        if not self.location:  # no STATIC_ROOT (no data directory): nothing was collected
            return None
        return super().read_manifest()

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        try:
            return super().stored_name(name)
        except ValueError:  # not in the manifest
            return name


def collect_static(static_root: Path) -> None:
    """``collectstatic`` into ``static_root``, one process at a time: two ``consulta serve``
    sharing a data directory would otherwise write the same files at once."""
    from django.core.management import call_command

    static_root.mkdir(parents=True, exist_ok=True)
    with static_files_lock(static_root, exclusive=True):
        call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def static_files_lock(static_root: Path | str | None, *, exclusive: bool) -> Iterator[None]:
    """Held exclusively while collecting, shared while loading the WSGI application: WhiteNoise
    lists the folder once, when it loads, and a file another ``consulta serve`` is replacing
    mid-listing stops it with FileNotFoundError (seen with two serves started together)."""
    if not static_root or fcntl is None:
        yield
        return
    static_root = Path(static_root)
    static_root.parent.mkdir(parents=True, exist_ok=True)
    # Beside the folder, not in it: WhiteNoise serves whatever the folder holds.
    with open(static_root.parent / f"{static_root.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield  # released when the file closes
