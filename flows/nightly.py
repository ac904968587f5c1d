"""Entry point of the ``nightly`` deployment of flow ``enrich-awesome-list``.

The flow and its tasks live in `enrich.run.flow` (each task calls one `enrich.run.steps` function);
this file is what ``prefect.yaml`` and ``python flows/nightly.py serve`` point at.

    python flows/nightly.py serve [--list SOURCE] [--out DIR] [--raw DIR] [--cron "0 3 * * *"]
"""

from __future__ import annotations

import os
import sys

# The library's own log lines (per-source failures, rate-limit waits) in the Prefect UI too.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "enrich")

from enrich.run.flow import enrich_awesome_list

__all__ = ["enrich_awesome_list"]

USAGE = "usage: python flows/nightly.py serve [--list SOURCE] [--out DIR] [--raw DIR] [--cron CRON]"

if __name__ == "__main__":
    from enrich.cli import main

    # `python flows/nightly.py serve …` is `enrich serve …`; anything else is a usage error.
    if sys.argv[1:2] != ["serve"]:
        sys.stderr.write(f"{USAGE}\n(`enrich serve --help` for the options)\n")
        sys.exit(2)
    main(["serve", *sys.argv[2:]], prog_name="python flows/nightly.py")
