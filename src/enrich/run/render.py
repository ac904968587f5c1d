"""``enrich render``: the views regenerated from a published folder, with no network (a template
or formula change needs no refetch). Every registered view is rendered, as a run would."""

from __future__ import annotations

from pathlib import Path

from enrich.core.settings import Settings
from enrich.run.steps import render_views
from enrich.store.files import atomic_write_bytes, exclusive
from enrich.store.published import read_published
from enrich.views import Published


def render(out_dir: Path, settings: Settings) -> list[Path]:
    """Rewrite every view's files in ``out_dir`` (atomically, under the folder's lock)."""
    if not (out_dir / "latest.json").is_file():  # before the lock, which creates the folder
        read_published(out_dir)
    with exclusive(out_dir):
        stored = read_published(out_dir)
        files = render_views(Published(*stored, settings=settings))
        written = []
        for relative, data in files.items():
            path = out_dir / relative
            atomic_write_bytes(path, data)
            written.append(path)
    return written
