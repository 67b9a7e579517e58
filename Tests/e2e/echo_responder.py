"""Answers ICMP echo requests from user space, in a test host's namespace whose kernel does not answer them
(net.ipv4.icmp_echo_ignore_all=1): a delay instead of netem, which this kernel lacks.

    python3 echo_responder.py <mode file> <log file>

The mode file says `delay` (answer after 15, 16, ..., 25 ms in turn: a median of 20 ms, spread ±5 ms) or anything
else (answer at once). Every request is logged as `<arrival unix time> <1 if the reply left, 0 if it did not> <ms from arrival to
sendto>`: an nftables rule dropping replies on output makes sendto fail with EPERM, so the log says which
pings the daemon could not have seen answered, and how long each answered one was held. Runs until killed."""
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main(mode_path, log_path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    log = open(log_path, "a", buffering=1)
    delayed = 0
    while True:
        packet, (source, _) = sock.recvfrom(65535)
        arrived = time.time()
        header = (packet[0] & 0x0F) * 4
        icmp = packet[header:]
        if len(icmp) < 8 or icmp[0] != 8:
            continue
        try:
            with open(mode_path) as f:
                mode = f.read().strip()
        except OSError:
            mode = ""
        if mode == "delay":
            time.sleep((15 + delayed % 11) / 1000)
            delayed += 1
        reply = b"\0\0\0\0" + icmp[4:]
        reply = b"\0\0" + struct.pack("!H", checksum(reply)) + reply[4:]
        held = (time.time() - arrived) * 1000
        try:
            sock.sendto(reply, (source, 0))
            answered = 1
        except PermissionError:
            answered = 0
        log.write(f"{arrived:.6f} {answered} {held:.3f}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
