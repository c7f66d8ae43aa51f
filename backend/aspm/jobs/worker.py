"""`aspm worker`: processes that take jobs from the queue (imports, periodic tasks).

One process runs one job at a time (imports are CPU-bound Python: processes, not threads, use
the cores); `--processes N` starts N and restarts one that dies. SIGTERM or SIGINT: each
finishes its job and exits. SIGKILL (or a lost machine): its job runs again on another worker
once the lease (ASPM_JOB_LEASE_SECONDS without a heartbeat) has passed.
"""

import asyncio
import logging
import multiprocessing
import signal
import time
from types import FrameType

from aspm.db.session import make_engine, make_sessionmaker
from aspm.jobs import queue, spool
from aspm.jobs.tasks import Env
from aspm.settings import Settings, get_settings

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0


async def run_async(settings: Settings, *, wait: bool = True, name: str = "worker") -> None:
    """One worker in this process until a stop signal (or, with wait=False, an empty queue)."""
    queue.conninfo(settings.database_url)  # a clear error on SQLite before anything starts
    spool.folder(settings.spool_dir)
    engine = make_engine(settings.database_url)
    app = queue.make_app(settings, pool_size=3)
    try:
        async with app.open_async():
            await app.run_worker_async(
                name=name,
                concurrency=1,
                wait=wait,
                additional_context={"aspm": Env(settings, make_sessionmaker(engine))},
                update_heartbeat_interval=max(0.2, settings.job_lease_seconds / 3),
                stalled_worker_timeout=settings.job_lease_seconds,
                delete_jobs="successful",
                install_signal_handlers=wait,
            )
    finally:
        engine.dispose()


def run(settings: Settings, *, wait: bool = True, name: str = "worker") -> None:
    asyncio.run(run_async(settings, wait=wait, name=name))


def _child(index: int) -> None:
    logging.basicConfig(level=logging.INFO, format=f"worker-{index} %(levelname)s %(message)s")
    run(get_settings(), name=f"worker-{index}")


def run_many(processes: int) -> int:
    """N worker processes (spawned: nothing shared), restarted when one dies, until SIGTERM or
    SIGINT; then each finishes its job. Returns an exit code."""
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def start(index: int) -> multiprocessing.process.BaseProcess:
        proc = ctx.Process(target=_child, args=(index,), name=f"aspm-worker-{index}")
        proc.start()
        return proc

    def stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        nonlocal stopping
        stopping = True
        if signum == signal.SIGTERM:  # SIGINT from a terminal reaches the children already
            for proc in children.values():
                if proc.pid is not None and proc.is_alive():
                    proc.terminate()

    children = {i: start(i) for i in range(1, processes + 1)}
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        for index, proc in list(children.items()):
            if not proc.is_alive() and not stopping:
                log.warning("worker-%d exited (%s); starting it again", index, proc.exitcode)
                time.sleep(RESTART_PAUSE_SECONDS)
                children[index] = start(index)
        time.sleep(0.5)
    for proc in children.values():
        proc.join()
    return 0
