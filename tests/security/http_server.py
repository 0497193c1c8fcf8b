#!/usr/bin/env python3
"""A web server on 127.0.0.1 for the tests that check bordermap makes no request.

Usage: http_server.py DIR PORTFILE LOG
Serves the files of DIR on a free port of 127.0.0.1, writes the port to PORTFILE
once it listens, and appends one line per request ("GET /path") to LOG. It
never listens beyond the loopback address, so nothing can reach it from
outside and nothing leaves the machine. Runs until killed.
"""
import http.server
import os
import sys

root, portfile, log = sys.argv[1], sys.argv[2], sys.argv[3]


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def log_request(self, code="-", size="-"):
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, portfile)
server.serve_forever()
