#!/usr/bin/env bash
# Records the HTTP captures: the lab site (src/Lab2Tools/LabSite) served by Flask (Debian's python3-flask)
# and visited twice by Debian's headless Chromium, and curl exercising conditional, range, HEAD, chunked,
# keep-alive and pipelined requests. Everything stays on loopback.
#
#   bash tests/data/recording/record-http-captures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
site=$(cd "$here/../../../src/Lab2Tools/LabSite" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start_tcpdump() { tcpdump -Z root -U -n -i lo -w "$1" "$2" >/dev/null 2>&1 & tcpdump_pid=$!; sleep 1; }
stop_tcpdump() { sleep 2; kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; }   # libpcap delivers up to 1 s late
wait_http() { for _ in $(seq 50); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; exit 1; }

/usr/bin/python3 "$here/site_server.py" 127.0.0.1 5000 "$site" >"$work/flask.log" 2>&1 & flask=$!
/usr/bin/python3 "$here/keepalive_server.py" 127.0.0.1 5001 "$site" & keep=$!
wait_http http://127.0.0.1:5000/; wait_http http://127.0.0.1:5001/

# 1. the lab: Chromium loads the page, then loads it again with the same profile (cache: revalidation)
chrome="chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir=$work/profile --virtual-time-budget=4000 --dump-dom"
start_tcpdump "$out/chromium-lab.pcap" 'tcp port 5000'
$chrome http://127.0.0.1:5000/ >/dev/null 2>&1
sleep 1
$chrome http://127.0.0.1:5000/ >/dev/null 2>&1
stop_tcpdump

# 2. curl: conditional, range, HEAD, chunked, errors (Flask), keep-alive and pipelining (http.server, HTTP/1.1)
start_tcpdump "$out/curl-http.pcap" 'tcp port 5000 or tcp port 5001'
base=http://127.0.0.1:5000
etag=$(curl -sI $base/static/logo.png | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
lastmod=$(curl -sI $base/static/logo.png | tr -d '\r' | awk -F': ' 'tolower($1)=="last-modified"{print $2}')
curl -s -o /dev/null -H "If-None-Match: $etag" $base/static/logo.png
curl -s -o /dev/null -H "If-Modified-Since: $lastmod" $base/static/logo.png
curl -s -o /dev/null -H 'Range: bytes=0-99' $base/static/audio.ogg
curl -s -o /dev/null -H 'Range: bytes=1000-' $base/static/audio.ogg
curl -s -o /dev/null -H 'Range: bytes=0-9,20-29' $base/static/audio.ogg
curl -s -o /dev/null $base/missing.html
curl -s -o /dev/null $base/chunked
curl -s -o /dev/null -X DELETE $base/
curl -s -o /dev/null -o /dev/null http://127.0.0.1:5001/index.html http://127.0.0.1:5001/logo.png
/usr/bin/python3 - <<'PY'
import socket
s = socket.create_connection(("127.0.0.1", 5001))
s.sendall(b"GET /index.html HTTP/1.1\r\nHost: lab\r\n\r\nHEAD /logo.png HTTP/1.1\r\nHost: lab\r\n\r\n"
          b"GET /logo.png HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
while s.recv(65536):
    pass
s.close()
n = socket.create_connection(("127.0.0.1", 5000))
n.sendall(b"\x16\x03\x01\x00\xa5 this is not an HTTP request\r\n\r\n")
n.recv(65536)
n.close()
PY
stop_tcpdump
ls -la "$out/chromium-lab.pcap" "$out/curl-http.pcap"
