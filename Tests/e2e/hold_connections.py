"""Holds connections open to HOST PORT for the shutdown test: one keep-alive connection after a full request,
one with half a request line, one that sent nothing. Prints "ready", then waits up to 15 s."""
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
held = []
keep_alive = socket.create_connection((host, port), timeout=5)
keep_alive.sendall(b"GET /status HTTP/1.1\r\nHost: t\r\n\r\n")
keep_alive.recv(65536)
held.append(keep_alive)
partial = socket.create_connection((host, port), timeout=5)
partial.sendall(b"GET /status HT")
held.append(partial)
held.append(socket.create_connection((host, port), timeout=5))
print("ready", flush=True)
time.sleep(15)
