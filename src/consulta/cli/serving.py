"""Several web processes on one address, for ``consulta serve --processes N``.

One Python process runs Python code on one core at a time (the GIL), so waitress's threads in a
single process cannot use a second core. Here the parent binds the listening socket once (so a
port in use is reported once, before anything starts) and starts N child processes that inherit
it and each run waitress on it with their own threads: the kernel hands each new connection to
whichever child accepts first, so a busy child takes fewer. The parent serves nothing itself;
it restarts a child that dies (its connections are lost, the socket's queue is not) and stops
them all on Ctrl-C or SIGTERM. Rate limits must then be counted in a cache the children share
(``CONSULTA_CACHE_URL``, deployment/scaling.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from consulta.cli.common import CommandError
from consulta.cli.worker import RETRY_FIRST, RETRY_LONGEST, RETRY_RESET, Backoff

#: Waitress's options, the same for one process and for each of N (benchmarks compare them).
#: Its default of 100 open connections queues the 101st visitor behind idle keep-alive
#: connections for up to two minutes; a consultation's launch email brings more.
WAITRESS_OPTIONS = {"ident": "consulta", "_quiet": True, "connection_limit": 1000,
                    "channel_timeout": 60}
#: How long ``stop`` waits for the children to finish after SIGTERM before killing them.
STOP_GRACE = 10.0


def waitress_options(threads: int) -> dict:
    """Waitress's options for ``threads`` threads. Waitress deletes X-Forwarded-For and
    X-Forwarded-Proto from every request unless told otherwise; behind a trusted proxy
    (``CONSULTA_TRUST_PROXY``) Django must see them: the client's address for rate limits and
    sign-in throttling (deployment/proxy.py), HTTPS for secure cookies and the redirect (else an
    https:// site redirects every request to itself). Without one, Django ignores them anyway."""
    from django.conf import settings

    return {**WAITRESS_OPTIONS, "threads": threads,
            "clear_untrusted_proxy_headers": not settings.CONSULTA_TRUST_PROXY}


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for ``host``:``port``, one per address the name resolves to (as
    waitress binds them), inheritable by child processes."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CommandError(f"Cannot listen on {host!r}: {error.strerror}.") from error
    sockets: list[socket.socket] = []
    for family, kind, proto, _, resolved in dict.fromkeys(found):
        address = (resolved[0], port, *resolved[2:])
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind(address)
        except OSError as error:
            for opened in (*sockets, sock):
                opened.close()
            raise CommandError(f"Cannot listen on {host} port {port}: {error.strerror}.") from error
        sock.listen(1024)  # waitress's own backlog
        sock.set_inheritable(True)
        sockets.append(sock)
        port = sock.getsockname()[1]  # port 0: the others on the one the first was given
    return sockets


def start_child(sockets: list[socket.socket], threads: int, data_dir: Path) -> subprocess.Popen:
    """``consulta serve`` in a child process, serving on the parent's ``sockets``."""
    fds = [sock.fileno() for sock in sockets]
    command = [sys.executable, "-m", "consulta", "serve", "--data-dir", str(data_dir),
               "--threads", str(threads), "--listen-fds", ",".join(map(str, fds)),
               "--parent-pid", str(os.getpid())]
    # A session of its own: Ctrl-C reaches the parent only, which stops the children itself.
    return subprocess.Popen(command, pass_fds=fds, start_new_session=True)


def inherited_sockets(fds: str) -> list[socket.socket]:
    return [socket.socket(fileno=int(fd)) for fd in fds.split(",")]


def stop_when_orphaned(parent_pid: int) -> None:
    """A child whose parent was killed (no chance to stop it) stops itself, as on SIGTERM."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class WebProcesses:
    """N child processes kept running: one that dies is started again after a wait that
    doubles while it keeps dying young (a broken setting should not spin a core)."""

    def __init__(self, count: int, start: Callable[[], subprocess.Popen], *,
                 check_every: float = 0.5) -> None:
        self._start, self.check_every = start, check_every
        self.processes: list[subprocess.Popen | None] = []
        self._backoffs = [Backoff(RETRY_FIRST, RETRY_LONGEST, RETRY_RESET) for _ in range(count)]
        self._restart_at = [0.0] * count
        self.restarts = 0
        for _ in range(count):
            self.processes.append(self._started())

    def _started(self) -> subprocess.Popen:
        process = self._start()
        print(f"Started a web process (process {process.pid}).", flush=True)
        return process

    def check(self) -> None:
        """Start again any child that has died, once its wait is over."""
        now = time.monotonic()
        for slot, process in enumerate(self.processes):
            if process is None:
                if now >= self._restart_at[slot]:
                    self.processes[slot] = self._started()
                    self._backoffs[slot].started()
                    self.restarts += 1
            elif process.poll() is not None:
                wait = self._backoffs[slot].next_wait()
                print(f"A web process (process {process.pid}) stopped unexpectedly (exit status "
                      f"{process.returncode}); starting another in {wait:g} s.", flush=True)
                self.processes[slot] = None
                self._restart_at[slot] = now + wait

    def watch_forever(self) -> None:
        while True:
            time.sleep(self.check_every)
            self.check()

    def stop(self, grace: float = STOP_GRACE) -> None:
        running = [process for process in self.processes if process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
