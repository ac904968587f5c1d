"""The publish guard: a run in which too many entries failed does not replace a good dataset.

Network down, a revoked token: the attempt is written to ``rejected/`` beside the dataset and
``latest.*`` stays as it was (`RejectedRunError`, one line).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from enrich.core.errors import RejectedRunError
from enrich.core.model import Snapshot, Status, utc_date
from enrich.store.codec import to_json
from enrich.store.files import atomic_write_bytes


def guard(snapshot: Snapshot, max_failed_share: float, out_dir: Path) -> None:
    """Refuse to publish a run in which too many entries failed; keep the attempt aside."""
    tried = [e for e in snapshot.entries if e.status not in (Status.SKIPPED, Status.PENDING)]
    failed = [e for e in tried if e.status in (Status.ERROR, Status.STALE)]
    if not tried or len(failed) / len(tried) <= max_failed_share:
        return
    day = utc_date(snapshot.header.generated_at)
    rejected = out_dir / "rejected" / f"{day}-{snapshot.header.run_id}.json"
    atomic_write_bytes(rejected, to_json(snapshot))
    top = Counter(e.status_reason or "unknown" for e in failed).most_common(1)[0][0]
    raise RejectedRunError(
        f"run rejected, latest.* kept: {len(failed)} of {len(tried)} entries failed "
        f"({len(failed) / len(tried):.0%} > {max_failed_share:.0%}; most often: {top}); "
        f"the attempt is in {rejected}"
    )
