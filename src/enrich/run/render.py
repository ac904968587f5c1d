"""``enrich render``: the views regenerated from a published folder, with no network (a template
or formula change needs no refetch). Every registered view is rendered, as a run would, from
what the run handed them: the snapshot, its diff, the earlier diffs the feed looks back over,
the history, and what the operator said about the dataset (``about.json``: its name, licence,
Hub repository, notice), each overridden by a setting given now."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from enrich.core.settings import Settings
from enrich.run.steps import about, render_views, sweep_views
from enrich.store import diffs
from enrich.store.files import atomic_write_bytes, exclusive
from enrich.store.published import read_published
from enrich.views import About, Published
from enrich.views import about as about_view


def render(out_dir: Path, settings: Settings) -> list[Path]:
    """Rewrite every view's files in ``out_dir`` (atomically, under the folder's lock)."""
    if not (out_dir / "latest.json").is_file():  # before the lock, which creates the folder
        read_published(out_dir)
    with exclusive(out_dir):
        stored = read_published(out_dir)
        earlier = diffs.recent(out_dir, settings.feed_runs - 1, stored.snapshot.header.run_id)
        said = _about(out_dir, about(settings))
        files = render_views(Published(*stored, earlier, said, settings))
        written = []
        for relative, data in files.items():
            path = out_dir / relative
            atomic_write_bytes(path, data)
            written.append(path)
        sweep_views(out_dir, files)
    return written


def _about(out_dir: Path, given: About) -> About:
    """What the published run said about the dataset, each value given now taking its place."""
    path = out_dir / about_view.PATH
    try:
        stored = about_view.read(path.read_bytes())
    except OSError:  # a folder published before about.json, or none there
        return given
    now = {f.name: getattr(given, f.name) for f in fields(About)}
    return replace(stored, **{k: v for k, v in now.items() if v is not None})
