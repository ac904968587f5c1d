"""File-system helpers shared by the raw store and the publisher: atomic writes, safe names."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from enrich.core.errors import LockedError, PublishError


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` so that a reader sees the old file or the whole new one, never a part.

    The temp file lives in the same folder (a rename across file systems is not atomic);
    it is fsynced before the rename and the folder after it, so a power cut cannot leave a
    renamed-but-empty file (inside `folders_synced_once`, the folder is fsynced at the block's
    end, once for many files). On any failure the temp file is removed and the old file stays.
    The file gets the permissions a plain ``open`` would give it (0644 under the usual umask
    022), not mkstemp's private 0600: published files are meant to be read by others.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PublishError(f"could not write {path}: {exc.strerror or exc}") from exc
        raise
    _renamed_in(path.parent)


def _umask() -> int:
    """The process's umask, read from /proc on Linux. Elsewhere it can only be read by setting
    it, which is done once (a thread creating a file in that instant would get 0o022, the usual
    value) and cached."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return _set_and_restore_umask()


@functools.cache
def _set_and_restore_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    def write(handle: BinaryIO) -> None:
        handle.write(data)

    atomic_write(path, write)


# The folders whose fsync waits for the end of a `folders_synced_once` block (of this thread:
# the fetch threads writing the raw store meanwhile sync their own at once).
_UNSYNCED: contextvars.ContextVar[dict[Path, None] | None] = contextvars.ContextVar(
    "unsynced_folders", default=None
)


@contextlib.contextmanager
def folders_synced_once() -> Iterator[None]:
    """Within the block, each atomic write's folder is fsynced once, at the block's end, not
    once a file (a publish writes ~20 files into a few folders)."""
    folders: dict[Path, None] = {}
    token = _UNSYNCED.set(folders)
    try:
        yield
    finally:
        _UNSYNCED.reset(token)
        for folder in folders:
            sync_folder(folder)


def _renamed_in(folder: Path) -> None:
    pending = _UNSYNCED.get()
    if pending is None:
        sync_folder(folder)
    else:
        pending.setdefault(folder)


def atomic_link(source: Path, path: Path) -> None:
    """Replace ``path`` atomically by a second name of ``source``, a file written (and fsynced)
    already with the same bytes: nothing is written twice (``latest.json`` is the day's
    snapshot). Where the file system has no hard links, the bytes are copied."""
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    try:
        os.link(source, tmp)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        atomic_write_bytes(path, source.read_bytes())
        return
    _renamed_in(path.parent)


def holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` holds exactly ``data`` already (its size first: most files that
    changed changed their size, and are not read)."""
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def sync_folder(folder: Path) -> None:
    """fsync a folder: the renames made in it outlive a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on a folder
    finally:
        os.close(fd)


_UNSAFE = re.compile(r"[^A-Za-z0-9._\-]+")


def safe_name(identifier: str, max_len: int = 80) -> str:
    """A file name for any id: readable where possible, never a path, never a clash.

    ``../../x`` becomes ``x-<hash>``; a short hash of the exact id keeps ``a/b`` and
    ``a_b`` apart and bounds the length.
    """
    readable = _UNSAFE.sub("_", identifier).strip("._") or "id"
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{readable[:max_len]}-{digest}"


def lock_path(folder: Path) -> Path:
    """Where `exclusive` locks ``folder``: beside it, hidden (``data/.enriched.lock`` for
    ``data/enriched``), so the published folder holds nothing but the dataset."""
    folder = folder.resolve()
    if not folder.name:  # the file system's root
        return folder / ".enrich.lock"
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def exclusive(folder: Path, what: str = "an enrich run") -> Iterator[None]:
    """Hold `lock_path` of ``folder`` for the duration; a second holder (another process, or
    another holder in this one) is refused at once with a clear message. The folder itself is
    not created (a run that fails first leaves no empty folder).

    The lock is filelock's (``flock`` underneath, a marker file where the file system has no
    ``flock``): the kernel releases it when the holder dies, SIGKILL and SIGTERM included, so a
    killed run never leaves a stale lock behind; the pid written inside only says who holds
    it. The lock file itself stays (removing it would race with the next holder).
    """
    path = lock_path(folder)
    lock = FileLock(path, timeout=0)  # never wait: a second run is refused, not queued
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise LockedError(
            f"{folder}: {what} is already writing here ({_holder(path)}); try again when it ends"
        ) from None
    except OSError as exc:
        raise PublishError(f"cannot lock {folder} ({path}: {exc.strerror or exc})") from exc
    try:
        with path.open("r+") as handle:
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def exclusive_all(folders: Iterable[Path], what: str = "an enrich run") -> Iterator[None]:
    """`exclusive` of every folder of ``folders`` (a run's output folder and its raw folder: two
    runs with different output folders may share one raw folder), or none: the first held one
    refuses, and those taken before it are let go. They are taken in one order whatever the
    order given (by lock path; a folder named twice, once), so two runs starting together over
    the same folders meet on the same first lock: one runs, rather than each taking one lock
    and both being refused."""
    unique = {lock_path(folder): folder for folder in folders}
    with contextlib.ExitStack() as held:
        for path in sorted(unique):
            held.enter_context(exclusive(unique[path], what))
        yield


def _holder(path: Path) -> str:
    """Who holds the lock at ``path``, as the holder wrote it."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGTERM and SIGINT wait for the end of the block, then reach the handler they would have
    reached: a publish stopped by a signal is then whole (every file of the run, ``latest.*``
    last) or not begun, never half. Python runs signal handlers in the main thread only, so
    elsewhere there is nothing to defer."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def sweep_temp_files(folder: Path) -> int:
    """Remove temp files a killed writer left behind (only ever called under `exclusive`)."""
    removed = 0
    for path in folder.rglob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
