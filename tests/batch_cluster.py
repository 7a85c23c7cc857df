"""A real Dask cluster for the batch tests: a scheduler and worker *processes*, as a user runs them.

    python tests/batch_cluster.py [--workers 2] [--preload FILE]

Prints the scheduler address on the first line of stdout, then serves until stdin closes (the test ends) or
the process is killed. Run as its own process so that the batch under test is a plain client, exactly as
``xxgk batch --scheduler tcp://…`` is on an office's machine.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--preload", default=None)
    args = parser.parse_args()
    import dask
    from distributed import LocalCluster

    # a file that kills its worker is given up after a second death (Dask's default is three retries); one task
    # per worker thread at a time, so that a worker's death touches only the file it was checking — queued
    # files are retried elsewhere anyway, as with Dask's defaults
    dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0})
    kwargs = {"preload": [args.preload]} if args.preload else {}
    with LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        scheduler_port=0,
        **kwargs,
    ) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the test closes our stdin


if __name__ == "__main__":
    main()
