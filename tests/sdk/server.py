"""A flowplane server a check starts for itself (a strict one, one with short-lived credentials,
a fresh one): on a free loopback port, ready once `/_flowplane/health` answers 200, and required
to exit cleanly within 10 s of SIGTERM."""

import os
import socket
import subprocess
import tempfile
import time
import urllib.request


class Server:
    def __init__(self, binary, database_url, credentials, *flags):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", database_url,
             "--credentials", credentials, "--auth", "verify", "--log-format", "json", *flags],
            stdout=self.log, stderr=subprocess.STDOUT,
            # Only the flags above: a FLOWPLANE_* variable of the caller's (a control token, say)
            # would change the server the checks expect.
            env={name: value for name, value in os.environ.items()
                 if not name.startswith("FLOWPLANE_")})
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib.request.urlopen(f"{self.endpoint}/_flowplane/health", timeout=1).status == 200:
                    return
            except Exception:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.output()
                self.process.kill()
                raise RuntimeError(f"the server did not start: {output}")
            time.sleep(0.1)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self):
        """SIGTERM; the server must exit 0 within 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise RuntimeError("the server did not exit within 10 s of SIGTERM")
        if self.process.returncode != 0:
            raise RuntimeError(f"the server exited with status {self.process.returncode}: {self.output()}")


def sqlite_in(directory, name):
    """A SQLite database URL for a file in `directory`."""
    return f"sqlite://{os.path.join(directory, name)}"
