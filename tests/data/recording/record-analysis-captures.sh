#!/usr/bin/env bash
# Records the captures the TCP analysis tests use: real kernel behaviour on loopback, and loss and
# unanswered SYNs inside a network namespace this script creates (lo with a 1500-byte MTU, offloads off,
# an nftables input rule that drops a share of the server's data segments after the capture point).
# Run as root on Debian 12 with tcpdump, iproute2, nftables and ethtool.
#
#   bash tests/data/recording/record-analysis-captures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
peers="/usr/bin/python3 $here/analysis_peers.py"
ns=l2t-rec
cleanup() { kill $(jobs -p) 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; }
trap cleanup EXIT

capture() { # netns-or-"" file filter
  local prefix=""; [ -n "$1" ] && prefix="ip netns exec $1"
  $prefix tcpdump -Z root -U -n -i lo -w "$2" "$3" >/dev/null 2>&1 &
  tcpdump_pid=$!
  sleep 1
}
# libpcap (TPACKET_V3) delivers a ring block at a time, up to 1 s late: wait before stopping.
stop_capture() { sleep 2; kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; }

$peers server 127.0.0.1 5000 & server=$!
sleep 0.5

# connection refused: nothing listens on 5999, the kernel answers the SYN with RST
capture "" "$out/refused.pcap" 'tcp port 5999'
$peers connect 127.0.0.1 5999 2 || true
stop_capture

# client abort: the client closes with unread data in its receive queue -> RST
capture "" "$out/client-abort.pcap" 'tcp port 5000'
$peers abort 127.0.0.1 5000
stop_capture

# half-close: the client sends FIN right after its request; the server keeps sending, then closes
capture "" "$out/half-close.pcap" 'tcp port 5000'
$peers halfclose 127.0.0.1 5000
stop_capture

# keep-alive probes while the server waits 3.5 s before answering
capture "" "$out/keepalive.pcap" 'tcp port 5000'
$peers keepalive 127.0.0.1 5000
stop_capture

# zero window: a 4 KB receive buffer read slowly; window full, zero window, probes, window updates
capture "" "$out/zero-window.pcap" 'tcp port 5000'
$peers zerowindow 127.0.0.1 5000
stop_capture
kill $server; wait $server 2>/dev/null || true

# loss and an unanswered SYN, in a namespace
ip netns add $ns
ip -n $ns link set lo mtu 1500
ip -n $ns link set lo up
ip netns exec $ns ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec $ns nft -f - <<'NFT'
table inet lab {
  chain input {
    type filter hook input priority 0;
    tcp dport 5999 tcp flags syn drop
    tcp sport 5000 tcp flags & (syn|fin|rst) == 0 meta length > 500 numgen random mod 100 < 2 drop
  }
}
NFT
ip netns exec $ns $peers server 127.0.0.1 5000 & nsserver=$!
sleep 0.5
capture $ns "$out/syn-no-answer.pcap" 'tcp port 5999'
ip netns exec $ns $peers connect 127.0.0.1 5999 3.5 || true
stop_capture
capture $ns "$out/loss.pcap" 'tcp port 5000'
ip netns exec $ns $peers bulk 127.0.0.1 5000 2000000
ip netns exec $ns $peers bulk 127.0.0.1 5000 2000000
stop_capture
kill $nsserver; wait $nsserver 2>/dev/null || true
ls -la "$out"/{refused,client-abort,half-close,keepalive,zero-window,syn-no-answer,loss}.pcap
