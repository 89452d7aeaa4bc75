#!/usr/bin/env bash
# Makes the bundled lab site (src/Lab2Tools/LabSite): the seed's page with a logo and an audio file.
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

cat > "$out/index.html" <<'HTML'
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lab 2: TCP and HTTP</title>
<style>
  body { font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5; color: #222; }
  h1 { color: #1d4e89; }
  code { background: #eef; padding: 0 .2em; }
</style>
</head>
<body>
<img src="/static/logo.png" alt="Lab2 logo" width="320" height="100">
<h1>Lab 2: TCP and HTTP on loopback</h1>
<p>This page was served by the lab server on <code>127.0.0.1:5000</code>. Capture the traffic on the loopback
interface and find, for this page, the logo and the audio below:</p>
<ol>
  <li>the three-way handshake (SYN, SYN-ACK, ACK) and the options in the SYN: MSS, window scale, SACK_PERM;</li>
  <li>the HTTP GET and its response, split over several segments ("TCP segment of a reassembled PDU");</li>
  <li>the extra connections for the logo and the audio, the <code>206 Partial Content</code> for the audio and the
      <code>304 Not Modified</code> answers when you reload;</li>
  <li>the teardown: who sends the first FIN, and which side waits in TIME_WAIT.</li>
</ol>
<audio controls preload="auto" src="/static/audio.ogg"></audio>
<p>Why does TCP need three messages to open a connection, four to close it, and a TIME_WAIT of 2&times;MSL?</p>
</body>
</html>
HTML
ls -la "$out"
