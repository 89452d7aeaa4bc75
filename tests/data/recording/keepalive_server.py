#!/usr/bin/python3
"""An HTTP/1.1 server that keeps connections open (Python's http.server): keep-alive and pipelining.

  keepalive_server.py HOST PORT ROOT
"""
import functools, sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


host, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ThreadingHTTPServer((host, port), functools.partial(Handler, directory=root)).serve_forever()
