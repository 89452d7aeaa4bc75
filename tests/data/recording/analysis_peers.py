#!/usr/bin/python3
"""Small real TCP peers for the analysis captures (standard library only).

  analysis_peers.py server HOST PORT       HTTP-like server: GET /bulk?n=N sends N bytes; /halfclose reads to EOF
                                           first; /sleep?s=S waits S seconds; closes server-first (FIN)
  analysis_peers.py abort HOST PORT        client that reads a little of a large response, then closes: RST
  analysis_peers.py halfclose HOST PORT    client that sends its request, shuts down its sending side (FIN),
                                           then reads the whole response
  analysis_peers.py keepalive HOST PORT    client with TCP keep-alive probes every second while the server waits
  analysis_peers.py zerowindow HOST PORT   client with a tiny receive buffer that reads slowly
  analysis_peers.py bulk HOST PORT N       client that downloads N bytes
  analysis_peers.py connect HOST PORT T    client that tries to connect for T seconds
"""
import socket, sys, threading, time

def serve(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()

def handle(c):
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(4096)
            if not d:
                break
            head += d
        path = head.split(b" ")[1].decode() if head.count(b" ") >= 2 else "/"
        if path.startswith("/halfclose"):
            while c.recv(4096):
                pass
        if path.startswith("/sleep"):
            time.sleep(float(path.split("s=")[1]))
        n = int(path.split("n=")[1]) if "n=" in path else 2000
        body = bytes((i * 7) & 0xFF for i in range(n))
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n + body)
        c.shutdown(socket.SHUT_WR)
        c.settimeout(2)
        while c.recv(4096):
            pass
    except OSError:
        pass
    finally:
        c.close()

def request(s, path):
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: lab\r\n\r\n")

def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "server":
        serve(host, port)
        return
    if cmd == "connect":
        s = socket.socket()
        s.settimeout(float(sys.argv[4]))
        try:
            s.connect((host, port))
        except OSError as e:
            print("connect:", e)
        return
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if cmd == "zerowindow":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    if cmd == "keepalive":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.connect((host, port))
    if cmd == "abort":
        request(s, "/bulk?n=3000000")
        s.recv(5000)
        time.sleep(0.2)
        s.close()  # unread data in the receive queue: the kernel answers with RST
    elif cmd == "halfclose":
        request(s, "/halfclose?n=20000")
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        s.close()
    elif cmd == "keepalive":
        request(s, "/sleep?s=3.5")
        while s.recv(65536):
            pass
        s.close()
    elif cmd == "zerowindow":
        request(s, "/bulk?n=200000")
        time.sleep(1.0)
        while True:
            d = s.recv(8192)
            if not d:
                break
            time.sleep(0.15)
        s.close()
    elif cmd == "bulk":
        request(s, "/bulk?n=" + sys.argv[4])
        while s.recv(65536):
            pass
        s.close()

main()
