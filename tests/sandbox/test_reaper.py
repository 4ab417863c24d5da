"""The worker's figures for a child that reported but has not exited yet."""

from __future__ import annotations

import os
import signal
import time

from sandbox import reaper


def test_usage_of_a_live_child_counts_its_cpu_and_memory() -> None:
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: burn 0.2 s of CPU in a second thread, then wait to be killed
        import threading

        def spin() -> None:
            end = time.process_time() + 0.2
            while time.process_time() < end:
                pass

        thread = threading.Thread(target=spin)
        thread.start()
        thread.join()  # the thread is gone: its time must still count
        os.write(ready_w, b"x")
        time.sleep(60)
        os._exit(0)
    os.close(ready_w)
    proc = reaper.proc_dir(pid)
    try:
        assert os.read(ready_r, 1) == b"x"
        figures = reaper.usage(proc)
        assert figures is not None
        cpu_s, max_rss_mb = figures
        assert cpu_s >= 0.19, cpu_s
        assert max_rss_mb > 1, max_rss_mb
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready_r)
        os.close(proc)


def test_usage_of_a_child_that_exited_is_none() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    proc = reaper.proc_dir(pid)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # a zombie: no memory figures left
    try:
        assert reaper.usage(proc) is None
        os.waitpid(pid, 0)
        assert reaper.usage(proc) is None  # reaped: the directory is gone
    finally:
        os.close(proc)
