"""``python -m enrich.sandbox [--port 8765]``: the local fake API on a port of your choice, until
stopped, so the deployment (``enrich serve``, a worker, ``prefect deployment run``) can be tried
end to end with no network. It prints the variables that point the flow's clients at it.

It serves the same sample data as ``enrich demo`` (not live data; see ``sample/README.md``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from enrich.sandbox.server import ANONYMOUS_RATE_LIMIT, FakeAPI

# A fixed default, so that the README can give the exports literally.
DEFAULT_PORT = 8765


def exports(api: FakeAPI) -> str:
    """One ``export`` line: the endpoints of the three APIs (no pacing overrides, no tokens)."""
    env = {
        "GITHUB_API_URL": api.github_url,
        "ARXIV_API_URL": api.arxiv_url,
        "HF_ENDPOINT": api.hf_url,
    }
    return "export " + " ".join(f"{key}={value}" for key, value in env.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enrich.sandbox",
        description="The local fake GitHub, arXiv and Hub APIs (sample data), until stopped.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1")
    parser.add_argument(
        "--data", type=Path, action="append", default=[],
        help="a sample-data folder layered over the bundled one (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--anonymous-limit", type=int, default=ANONYMOUS_RATE_LIMIT,
        help="anonymous GitHub requests an hour (GitHub's: %(default)s)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    for folder in args.data:
        if not folder.is_dir():
            parser.error(f"{folder}: not a sample-data folder")
    api = FakeAPI(args.data, anonymous_limit=args.anonymous_limit)
    try:
        api.start(args.port)
    except OSError as exc:
        parser.error(f"port {args.port}: {exc.strerror or exc}")
    print(f"local fake API (sample data) on {api.base_url}; in the shell that runs the flow:")
    print(exports(api), flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
