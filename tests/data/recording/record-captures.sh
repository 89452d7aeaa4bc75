#!/usr/bin/env bash
# Records the real captures under tests/data. Run as root on Debian 12 with tcpdump, tshark (editcap,
# dumpcap), curl and python3-flask installed. All traffic stays on loopback.
#
#   bash tests/data/recording/record-captures.sh            # writes tests/data/*.pcap*
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
/usr/bin/python3 "$here/make_site.py" "$work/site"

start_server() { # host port
  /usr/bin/python3 "$here/site_server.py" "$1" "$2" "$work/site" >"$work/server-$2.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://$3/" && return 0; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
start_tcpdump() { # file args...
  local f=$1; shift
  tcpdump -Z root -U -n -w "$f" "$@" >"$work/tcpdump.log" 2>&1 &
  tcpdump_pid=$!
  sleep 1
}
# libpcap on Linux (TPACKET_V3) hands packets over a ring block at a time, after up to 1 s: wait before
# stopping or the last block is lost.
stop_tcpdump() { sleep 2; kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; }

visit() { # base-url ; a browser-like visit: the page, then its resources on their own connections, then a revisit
  local base=$1
  curl -s -o /dev/null "$base/"
  curl -s -o /dev/null "$base/static/logo.png" & local p1=$!
  curl -s -o /dev/null -H 'Range: bytes=0-' "$base/static/data.bin" & local p2=$!
  wait $p1 $p2
  local etag; etag=$(curl -sI "$base/static/logo.png" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
  curl -s -o /dev/null -H "If-None-Match: $etag" "$base/static/logo.png"
  curl -s -o /dev/null "$base/"
}

# 1. IPv4 page visit on lo (Ethernet, microseconds), and the same traffic seen on 'any' (SLL2 and SLL)
start_server 127.0.0.1 5000 127.0.0.1:5000
start_tcpdump "$out/http-visit.pcap" -i lo 'tcp port 5000'
tcpdump -Z root -U -n -i any -w "$out/http-visit-any-sll2.pcap" 'tcp port 5000' >/dev/null 2>&1 & any2=$!
tcpdump -Z root -U -n -i any -y LINUX_SLL -w "$out/http-visit-any-sll.pcap" 'tcp port 5000' >/dev/null 2>&1 & any1=$!
sleep 1
visit http://127.0.0.1:5000
stop_tcpdump; kill -INT $any1 $any2; wait $any1 $any2 || true

# 2. nanosecond pcap and a native pcapng (dumpcap), one more visit each
start_tcpdump "$out/http-visit-nano.pcap" -i lo --time-stamp-precision=nano 'tcp port 5000'
visit http://127.0.0.1:5000
stop_tcpdump
dumpcap -q -i lo -f 'tcp port 5000' -w "$out/http-visit-dumpcap.pcapng" >/dev/null 2>&1 & dumpcap_pid=$!
sleep 1.5
visit http://127.0.0.1:5000
sleep 2; kill -INT $dumpcap_pid; wait $dumpcap_pid || true

# 3. a capture that starts after the handshake: the client connects, tcpdump starts, then the client sends
#    its GET on the already-established connection
/usr/bin/python3 - <<'PY' & late=$!
import socket, time
s = socket.create_connection(("127.0.0.1", 5000))
time.sleep(2.5)
s.sendall(b"GET /static/data.bin HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n\r\n")
while s.recv(65536):
    pass
s.close()
PY
sleep 0.5
start_tcpdump "$out/midstream.pcap" -i lo 'tcp port 5000'
wait $late
stop_tcpdump

# 3b. port reuse: two connections from the same client port (a new SYN, new ISN, same four-tuple), with
#     UDP datagrams in between so the file also holds frames that are not TCP
start_tcpdump "$out/port-reuse.pcap" -i lo 'tcp port 5000 or udp port 5353'
/usr/bin/python3 - <<'PY'
import socket, time
for i in range(2):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 40123))
    s.connect(("127.0.0.1", 5000))
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"not tcp", ("127.0.0.1", 5353))
    u.close()
    time.sleep(0.3)
PY
stop_tcpdump
kill $server_pid; wait $server_pid 2>/dev/null || true

# 4. IPv6 on ::1
start_server ::1 5000 '[::1]:5000'
start_tcpdump "$out/http-visit-ipv6.pcap" -i lo 'tcp port 5000'
visit 'http://[::1]:5000'
stop_tcpdump
kill $server_pid; wait $server_pid 2>/dev/null || true

# 5. derived files: pcapng copy, Null link type (as Npcap/macOS loopback), raw IP, and VLAN tags.
#    (This kernel has no 8021q support, so the tags are inserted into real frames: 802.1ad 100 + 802.1Q 10.)
editcap -F pcapng "$out/http-visit.pcap" "$out/http-visit.pcapng"
/usr/bin/python3 "$here/relink.py" null "$out/http-visit.pcap" "$out/http-visit-null.pcap"
/usr/bin/python3 "$here/relink.py" raw "$out/http-visit-ipv6.pcap" "$out/http-visit-ipv6-raw.pcap"
/usr/bin/python3 "$here/relink.py" vlan "$out/http-visit.pcap" "$out/http-visit-vlan.pcap"
# a data segment the capture "missed": frame 8 (the first 8 KB of the page) deleted
editcap "$out/http-visit.pcap" "$out/missing-segment.pcap" 8
ls -la "$out"/*.pcap*
