"""`detect_many`: the header detection of many models at once, on every core.

`detect_path` is pure Python and CPU-bound, so a batch (a dropped folder of hundreds of models,
`tensorshelf inspect DIR`) is spread over worker processes. Small batches stay in-process.

* The pool uses the **forkserver** start method: the web server and the Qt app run threads,
  and forking a threaded process is unsafe; the fork server is a clean single-threaded process
  that has already imported `tensorshelf.detect`, so workers start in milliseconds.
* One pool per process, started lazily on the first big batch, reused afterwards and shut
  down at exit. While idle, the fork server and the workers block in a read (no CPU).
* Results come back per target in input order: a `Detection`, or the exception detecting
  that target raised (a bad file never aborts the batch).
* If the pool cannot start (no usable semaphores, e.g. a sandbox without /dev/shm) or breaks,
  the work is done in-process, with a warning.
"""

from __future__ import annotations

import atexit
import logging
import math
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path

from tensorshelf import settings
from tensorshelf.detect.models import Detection
from tensorshelf.errors import ShelfError

log = logging.getLogger(__name__)

Outcome = Detection | ShelfError | Exception
PRELOAD = ["tensorshelf.detect"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_unavailable = False  # the pool failed to start once: this process stays in-process
last_worker_pids: set[int] = set()  # pids that ran the last pooled batch (tests, bench)


def worker_count() -> int:
    """Workers a pooled batch uses: the usable cores, capped by settings."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, settings.DETECT_POOL_MAX_WORKERS))


def detect_many(targets: list[Path]) -> list[Outcome]:
    """`detect_path` of every target, in input order; each failure is returned in its place."""
    workers = worker_count()
    if len(targets) < settings.DETECT_POOL_MIN_TARGETS or workers < 2:
        return _detect_chunk_local(targets)
    pool = _get_pool(workers)
    if pool is None:
        return _detect_chunk_local(targets)
    return _detect_pooled(pool, targets, workers)


def _context() -> BaseContext:
    """The forkserver context, with the detector preloaded in the fork server."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _get_pool(workers: int) -> ProcessPoolExecutor | None:
    global _pool, _pool_workers, _unavailable
    with _lock:
        if _unavailable:
            return None
        if _pool is not None and _pool_workers == workers:
            return _pool
        _shutdown_locked()
        try:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
        except (OSError, ImportError, NotImplementedError, ValueError) as exc:
            _unavailable = True
            log.warning("cannot start detection workers (%s); detecting in-process", exc)
            return None
        _pool_workers = workers
        return _pool


def _detect_pooled(pool: ProcessPoolExecutor, targets: list[Path], workers: int) -> list[Outcome]:
    global _unavailable
    size = max(
        1,
        min(
            settings.DETECT_POOL_CHUNK_MAX,
            math.ceil(len(targets) / (workers * settings.DETECT_POOL_CHUNKS_PER_WORKER)),
        ),
    )
    chunks = [targets[i : i + size] for i in range(0, len(targets), size)]
    futures: list[Future[tuple[int, list[tuple[bool, object]]]] | None] = []
    try:
        for chunk in chunks:
            futures.append(pool.submit(_detect_chunk_remote, [str(p) for p in chunk]))
    except (OSError, RuntimeError, BrokenProcessPool) as exc:
        # Workers start on the first submit: this is where a sandbox refuses them.
        log.warning("detection workers unavailable (%s); detecting in-process", exc)
        with _lock:
            _unavailable = True
            _shutdown_locked()
        futures.extend([None] * (len(chunks) - len(futures)))
    out: list[Outcome] = []
    pids: set[int] = set()
    for chunk, future in zip(chunks, futures, strict=True):
        try:
            if future is None:
                raise BrokenProcessPool("not submitted")
            pid, results = future.result()
        except BrokenProcessPool as exc:
            if future is not None:
                log.warning("a detection worker died (%s); detecting the rest in-process", exc)
                _discard(pool)
            out.extend(_detect_chunk_local(chunk))
            continue
        pids.add(pid)
        out.extend(_outcome(ok, value) for ok, value in results)
    last_worker_pids.clear()
    last_worker_pids.update(pids)
    return out


def _outcome(ok: bool, value: object) -> Outcome:
    if ok:
        assert isinstance(value, Detection)
        return value
    assert isinstance(value, Exception)
    return value


def _detect_chunk_local(targets: list[Path]) -> list[Outcome]:
    from tensorshelf.detect import detect_path

    out: list[Outcome] = []
    for target in targets:
        try:
            out.append(detect_path(target))
        except Exception as exc:  # noqa: BLE001 - returned in the target's place
            out.append(exc)
    return out


def _detect_chunk_remote(targets: list[str]) -> tuple[int, list[tuple[bool, object]]]:
    """Runs in a worker: (worker pid, [(True, Detection) | (False, exception)])."""
    results: list[tuple[bool, object]] = []
    for outcome in _detect_chunk_local([Path(t) for t in targets]):
        if isinstance(outcome, Detection):
            results.append((True, outcome))
        else:
            results.append((False, _picklable(outcome)))
    return os.getpid(), results


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to round-trip
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _discard(pool: ProcessPoolExecutor) -> None:
    with _lock:
        if _pool is pool:
            _shutdown_locked()


def _shutdown_locked() -> None:
    global _pool, _pool_workers
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None
    _pool_workers = 0


def shutdown() -> None:
    """Stop the worker processes (at exit; tests). A later batch starts a new pool."""
    with _lock:
        _shutdown_locked()


atexit.register(shutdown)
