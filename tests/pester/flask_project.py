#!/usr/bin/python3
"""A Flask project served as Flask serves it, to compare with Start-LabServer -Root on the same folder.

Run with Debian's python3-flask: /usr/bin/python3 flask_project.py <host> <port> <project-folder>
The folder is laid out like a Flask project: static/ (served at /static/<path>) and the page in
templates/index.html (rendered with render_template) or, without templates/, index.html at the top.
"""
import os
import sys
from flask import Flask, render_template, send_from_directory

host, port, root = sys.argv[1], int(sys.argv[2]), os.path.abspath(sys.argv[3])
app = Flask(__name__, root_path=root, static_folder="static", template_folder="templates")


@app.route("/")
def index():
    if os.path.exists(os.path.join(root, "templates", "index.html")):
        return render_template("index.html")
    return send_from_directory(root, "index.html")


if __name__ == "__main__":
    app.run(host=host, port=port, threaded=True)
