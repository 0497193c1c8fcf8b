#!/usr/bin/env python3
"""A fake PostgreSQL server on 127.0.0.1: does a client send it a password?

Usage: fake_pg.py PORTFILE LOG
Listens on a free port of 127.0.0.1 (written to PORTFILE), and for each
connection speaks just enough of the protocol (v3): it refuses SSL and GSS
encryption, reads the startup message, logs "startup user=... database=..." (and
"options ..." when the client sends libpq options),
asks for a cleartext password (AuthenticationCleartextPassword) and logs
"password VALUE" when one comes, then ends the session with an error.
Runs until killed.
"""
import os
import socket
import struct
import sys
import threading

portfile, log = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def note(line):
    with lock, open(log, "a") as f:
        f.write(line + "\n")


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def error(conn, text):
    body = b"SFATAL\0C28P01\0M" + text.encode() + b"\0\0"
    conn.sendall(b"E" + struct.pack("!I", len(body) + 4) + body)


def serve(conn):
    try:
        while True:
            (length,) = struct.unpack("!I", read_exact(conn, 4))
            body = read_exact(conn, length - 4)
            (code,) = struct.unpack("!I", body[:4])
            if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest: no
                conn.sendall(b"N")
                continue
            break
        fields = body[4:].split(b"\0")
        params = dict(zip(fields[0::2], fields[1::2]))
        note("startup user=%s database=%s" % (params.get(b"user", b"").decode(),
                                                params.get(b"database", b"").decode()))
        if b"options" in params:
            note("options " + params[b"options"].decode())
        conn.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
        kind = read_exact(conn, 1)
        if kind == b"p":
            (length,) = struct.unpack("!I", read_exact(conn, 4))
            note("password " + read_exact(conn, length - 4).rstrip(b"\0").decode())
        error(conn, "fake server: no login here")
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(8)
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.getsockname()[1]))
os.rename(tmp, portfile)
while True:
    c, _ = server.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
