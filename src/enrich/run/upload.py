"""``enrich publish``: the published dataset folder (a list's, or a catalog's) uploaded to a Hub
dataset repository, outside a run (a run with ``publish_repo`` uploads from its finish step,
`enrich.run.steps.upload_to_hub`; a catalog run from its catalog step,
`enrich.run.catalog.upload_catalog_to_hub`; the upload itself is `enrich.store.hub`).
Publishing the folder locally is `enrich.store.publish`; reading it back,
`enrich.store.published`."""

from __future__ import annotations

from pathlib import Path

from enrich.core.errors import InputError
from enrich.core.settings import Settings
from enrich.store.files import exclusive
from enrich.store.hub import CATALOG, HubUpload, check_repo_id, upload, upload_catalog


def publish_to_hub(out_dir: Path, repo_id: str, settings: Settings | None = None) -> HubUpload:
    """Upload ``out_dir`` to ``repo_id``, holding the folder's lock so that no run replaces a
    file while it is read. Unlike a run's upload, a failure is raised (`PublishError`): here it
    is the whole job. The token: ``HF_TOKEN``, else the Prefect Secret block named by
    ``ENRICH_HF_TOKEN_BLOCK``."""
    check_repo_id(repo_id)
    catalog = (out_dir / CATALOG).is_file()  # a catalog's folder: every list's and the catalog
    if not catalog and not (out_dir / "latest.parquet").is_file():
        raise InputError(
            f"{out_dir}: no published dataset here (latest.parquet is missing, and {CATALOG})"
        )
    resolved = settings or Settings()
    if resolved.hf_token is None and resolved.hf_token_block:
        from enrich.run.flow import _with_secret_blocks  # Prefect, only when a block is named

        resolved = _with_secret_blocks(resolved)
    with exclusive(out_dir, "an enrich run or publish"):
        return (upload_catalog if catalog else upload)(out_dir, repo_id, resolved)
