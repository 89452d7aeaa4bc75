#!/usr/bin/env bash
# Makes the binary assets of the bundled lab site (src/Lab2Tools/LabSite): the logo and the audio that
# index.html (written by hand, committed) references.
# Needs Debian's imagemagick, espeak-ng and vorbis-tools. The files are committed; run this only to remake them.
set -euo pipefail
out=$(cd "$(dirname "$0")/../src/Lab2Tools/LabSite" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

convert -size 320x100 xc:'#1d4e89' -fill '#f5f5f5' -font DejaVu-Sans-Bold -pointsize 54 -gravity center \
  -annotate +0+0 'Lab2' -fill '#f2a541' -draw 'circle 28,50 40,50' -draw 'circle 292,50 304,50' \
  -strip "$out/logo.png"

cat > "$work/speech.txt" <<'TXT'
Welcome to the TCP and HTTP lab. This page was served by a small web server on the loopback address,
port five thousand. Your browser opened a TCP connection with a three way handshake: a SYN, a SYN ACK, and an ACK.
Then it sent an HTTP GET request, and the server answered with the page, split over several TCP segments.
The logo and this recording were fetched on connections of their own. The audio is requested with a range
header, so the server answers two hundred and six, partial content. When you reload the page, the browser
asks whether the files changed, and the server answers three hundred and four, not modified.
At the end, each side sends a FIN, and the side that closed first waits in TIME WAIT for twice the maximum
segment lifetime. Look for all of this in your capture.
TXT
espeak-ng -s 140 -f "$work/speech.txt" -w "$work/speech.wav"
oggenc -Q -q 3 -o "$out/audio.ogg" "$work/speech.wav"

ls -la "$out"
