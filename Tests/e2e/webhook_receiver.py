"""A webhook receiver for the end-to-end tests: an HTTP server on 127.0.0.1 (run inside the daemon's namespace)
that appends every POST to a JSON-lines file and answers 503 to the first POST on each path ending in /flaky,
200 to the rest. The first POST on each path ending in /hold is answered only after 4 s, and only if its sender is
still there: a sender that died meanwhile (its socket closed) is recorded with the answer "abandoned", never
as delivered. Usage: webhook_receiver.py PORT OUTFILE [ADDRESS]"""
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, outfile = int(sys.argv[1]), sys.argv[2]
address = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
refused = set()
held = set()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = 200
        if self.path.endswith("/flaky") and self.path not in refused:
            refused.add(self.path)
            answer = 503
        if self.path.endswith("/hold") and self.path not in held:
            held.add(self.path)
            time.sleep(4)
            try:
                gone = self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if gone:
                answer = "abandoned"
        with open(outfile, "a") as f:
            f.write(json.dumps({"path": self.path, "answer": answer, "headers": dict(self.headers),
                                "body": body.decode("utf-8", "replace")}) + "\n")
        if answer == "abandoned":
            return
        self.send_response(answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer((address, port), Receiver).serve_forever()
