#!/usr/bin/python3
"""Flask app used to record the test captures: the seed's lab shape (a page, a logo, a larger file).

Run with Debian's python3-flask: /usr/bin/python3 site_server.py <host> <port> <site-folder>
"""
import sys
from flask import Flask, send_from_directory

host, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = Flask(__name__, static_folder=None)


@app.route("/")
def index():
    return send_from_directory(root, "index.html")


@app.route("/static/<path:name>")
def static_file(name):
    return send_from_directory(root, name)


@app.route("/chunked")
def chunked():
    # no Content-Length: Werkzeug answers HTTP/1.1 with Transfer-Encoding: chunked
    def parts():
        for i in range(5):
            yield ("chunk %d of the streamed answer\n" % i) * 200
    return app.response_class(parts(), mimetype="text/plain")


if __name__ == "__main__":
    app.run(host=host, port=port, threaded=True)
