"""``enrich render``: the views regenerated from a published folder, with no network (a template
or formula change needs no refetch). Every registered view is rendered, as a run would, from
what the run handed them: the snapshot, its diff, the earlier diffs the feed looks back over,
the history. (The Hub repository a run published to is not known here: the card's loading
snippet then names the folder.)"""

from __future__ import annotations

from pathlib import Path

from enrich.core.settings import Settings
from enrich.run.steps import about, render_views
from enrich.store import diffs
from enrich.store.files import atomic_write_bytes, exclusive
from enrich.store.published import read_published
from enrich.views import Published


def render(out_dir: Path, settings: Settings) -> list[Path]:
    """Rewrite every view's files in ``out_dir`` (atomically, under the folder's lock)."""
    if not (out_dir / "latest.json").is_file():  # before the lock, which creates the folder
        read_published(out_dir)
    with exclusive(out_dir):
        stored = read_published(out_dir)
        earlier = diffs.recent(out_dir, settings.feed_runs - 1, stored.snapshot.header.run_id)
        files = render_views(Published(*stored, earlier, about(settings), settings))
        written = []
        for relative, data in files.items():
            path = out_dir / relative
            atomic_write_bytes(path, data)
            written.append(path)
    return written
