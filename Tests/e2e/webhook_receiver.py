"""A webhook receiver for the end-to-end tests: an HTTP server on 127.0.0.1 (run inside the daemon's namespace)
that appends every POST to a JSON-lines file and answers 503 to the first POST on each path ending in /flaky,
200 to the rest. Usage: webhook_receiver.py PORT OUTFILE"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, outfile = int(sys.argv[1]), sys.argv[2]
refused = set()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = 200
        if self.path.endswith("/flaky") and self.path not in refused:
            refused.add(self.path)
            answer = 503
        with open(outfile, "a") as f:
            f.write(json.dumps({"path": self.path, "answer": answer, "headers": dict(self.headers),
                                "body": body.decode("utf-8", "replace")}) + "\n")
        self.send_response(answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
