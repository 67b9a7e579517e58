"""Sends one raw HTTP request (bytes from stdin) to HOST PORT and prints the raw response.

Run inside the daemon's network namespace (`ip netns exec NS python3 http_probe.py ...`), since the daemon
listens on that namespace's loopback. Reads until the server closes or 5 s pass.
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
request = sys.stdin.buffer.read()
family = socket.AF_INET6 if ":" in host else socket.AF_INET
with socket.socket(family, socket.SOCK_STREAM) as conn:
    conn.settimeout(5)
    conn.connect((host, port))
    conn.sendall(request)
    chunks = []
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except socket.timeout:
        pass
sys.stdout.buffer.write(b"".join(chunks))
