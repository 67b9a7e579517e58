"""Hostile clients for the soak test, run inside the daemon's namespace (its loopback only). Every loop is
bounded in count and time. Prints one JSON line of figures.

    python3 hostile_clients.py PORT MODE SECONDS
      slowloris  500 connections each trickling one byte a second; meanwhile a normal client keeps getting
                 /status and records its latencies
      churn      5,000 connections opened and dropped (some after half a request), 250 at a time
      flood      4 clients pipelining GET /status as fast as they can without ever reading a byte
"""
import json
import socket
import sys
import time

port, mode, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ADDRESS = ("127.0.0.1", port)


def get_status():
    """One GET /status on a fresh connection; returns seconds taken (fails on a wrong answer)."""
    start = time.monotonic()
    with socket.create_connection(ADDRESS, timeout=5) as conn:
        conn.sendall(b"GET /status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 "), data[:80]
    return time.monotonic() - start


def slowloris():
    request = b"GET /status HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200
    conns, positions = [], []
    for _ in range(500):
        conn = socket.create_connection(ADDRESS, timeout=5)
        conn.setblocking(False)
        conns.append(conn)
        positions.append(0)
    latencies, closed_by_server = [], 0
    deadline = time.monotonic() + seconds
    next_trickle = time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() >= next_trickle:
            for index, conn in enumerate(conns):
                if conn is None:
                    continue
                try:
                    conn.send(request[positions[index] % len(request):][:1])
                    positions[index] += 1
                except OSError:
                    conn.close()
                    conns[index] = None
                    closed_by_server += 1
            next_trickle += 1.0
        latencies.append(get_status())
        time.sleep(0.05)
    for conn in conns:
        if conn is not None:
            conn.close()
    latencies.sort()
    return {"requests": len(latencies), "max_ms": round(latencies[-1] * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
            "slow_connections_closed_by_server": closed_by_server}


def churn():
    opened = 0
    while opened < 5000:
        batch = []
        for index in range(250):
            conn = socket.create_connection(ADDRESS, timeout=5)
            if index % 2:
                conn.sendall(b"GET /status HTTP/1.1\r\nHo")
            batch.append(conn)
        for conn in batch:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.close()
        opened += len(batch)
    return {"opened_and_dropped": opened, "after_ms": round(get_status() * 1000, 1)}


def flood():
    request = b"GET /status HTTP/1.1\r\nHost: t\r\n\r\n" * 64
    conns = [socket.create_connection(ADDRESS, timeout=5) for _ in range(4)]
    for conn in conns:
        conn.setblocking(False)
    sent, deadline = 0, time.monotonic() + seconds
    latencies = []
    while time.monotonic() < deadline:
        for conn in conns:
            try:
                sent += conn.send(request)
            except BlockingIOError:
                pass
            except OSError:
                pass
        latencies.append(get_status())
        time.sleep(0.05)
    for conn in conns:
        conn.close()
    latencies.sort()
    return {"bytes_sent_without_reading": sent, "max_ms": round(latencies[-1] * 1000, 1)}


print(json.dumps({"slowloris": slowloris, "churn": churn, "flood": flood}[mode]()), flush=True)
