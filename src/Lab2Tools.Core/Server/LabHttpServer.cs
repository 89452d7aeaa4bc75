using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lab2Tools.Server;

public enum LabServerState { Created, Running, Stopping, Stopped }

/// <summary>
/// The lab's web server, on System.Net.Sockets: Flask/Werkzeug's behaviour on the wire by default, with the
/// TCP knobs a lab wants. Every connection is shut down before it is closed, so a close is a FIN unless
/// <see cref="LabServerCloseMode.Abort"/> asks for a RST. A bad request never stops the server.
/// </summary>
public sealed class LabHttpServer : IDisposable
{
    private const int MaxLogEntries = 10000;
    private const long MaxRequestBody = 10 * 1024 * 1024;
    private readonly LabServerOptions _o;
    private readonly StaticFileHandler _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RequestLogEntry> _log = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _connections, _requests, _bytesSent, _rejected;
    private int _logCount;
    private Timer? _sweeper;
    private readonly ConcurrentDictionary<long, Connection> _conns = new();
    private string _dateHeader = "";
    private long _dateSecond = -1;

    /// <summary>An open connection: its socket, and the state the timeout sweeper looks at.</summary>
    private sealed class Connection
    {
        public readonly Socket Socket;
        public readonly CancellationTokenSource Cts;
        public long Deadline = long.MaxValue;   // Environment.TickCount64 after which the pending read is cancelled
        public bool TimedOut;
        public Connection(Socket socket, CancellationToken stop)
        {
            Socket = socket;
            Cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        }
    }
    private int _active;
    private readonly object _gate = new();

    public LabHttpServer(LabServerOptions options)
    {
        _o = options;
        if (!Directory.Exists(options.Root)) throw new DirectoryNotFoundException($"The server root '{options.Root}' does not exist.");
        _files = new StaticFileHandler(options.Root, options.AcceptRanges);
    }

    public LabServerOptions Options => _o;
    public LabServerState State { get; private set; } = LabServerState.Created;
    public IPEndPoint? EndPoint { get; private set; }
    public DateTime StartTime { get; private set; }
    public long ConnectionCount => Interlocked.Read(ref _connections);
    public long RequestCount => Interlocked.Read(ref _requests);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public int ActiveConnections => Volatile.Read(ref _active);
    /// <summary>Connections turned away with 503 because MaxConnections were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>The requests answered so far (the most recent 10000).</summary>
    public IReadOnlyList<RequestLogEntry> Log => _log.ToArray();

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> (AddressAlreadyInUse) when the port is taken.</summary>
    public void Start()
    {
        var s = new Socket(_o.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT as well, which would let a second server share
            // the port. .NET already sets SO_REUSEADDR on Unix listeners, so TIME_WAIT does not block a restart.
            if (_o.Address.Equals(IPAddress.IPv6Any)) s.DualMode = true;
            // inherited by accepted sockets: shows in the SYN-ACK
            if (_o.ReceiveBufferSize > 0) s.ReceiveBufferSize = _o.ReceiveBufferSize;
            if (_o.SendBufferSize > 0) s.SendBufferSize = _o.SendBufferSize;
            s.Bind(new IPEndPoint(_o.Address, _o.Port));
            // the system's largest accept queue (SOMAXCONN): a burst of connections waits there instead of being
            // dropped by the kernel while the accept loop is busy (512 overflowed on 2 loaded cores with 1,000 clients)
            s.Listen();
        }
        catch
        {
            s.Dispose();
            throw;
        }
        _listener = s;
        EndPoint = (IPEndPoint)s.LocalEndPoint!;
        StartTime = DateTime.UtcNow;
        State = LabServerState.Running;
        _sweeper = new Timer(_ => Sweep(), null, 250, 250);
        _acceptLoop = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException) { continue; }   // e.g. a connection reset while queued
            long id = Interlocked.Increment(ref _connections);
            _ = Task.Run(() => Serve(client, id));
        }
    }

    private void Sweep()
    {
        long now = Environment.TickCount64;
        foreach (var c in _conns.Values)
        {
            if (now > Volatile.Read(ref c.Deadline))
            {
                c.TimedOut = true;
                try { c.Cts.Cancel(); } catch (ObjectDisposedException) { }
            }
        }
    }

    private async Task Serve(Socket socket, long id)
    {
        var conn = new Connection(socket, _stop.Token);
        _conns[id] = conn;
        int active = Interlocked.Increment(ref _active);
        var buffer = ArrayPool<byte>.Shared.Rent(16384);
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        bool abort = _o.CloseMode == LabServerCloseMode.Abort;
        try
        {
            socket.NoDelay = _o.NoDelay ?? _o.Profile == LabServerProfile.KeepAlive;
            if (_o.SendBufferSize > 0) socket.SendBufferSize = _o.SendBufferSize;
            if (active > _o.MaxConnections)
            {
                Interlocked.Increment(ref _rejected);
                await Send(socket, StaticFileHandler.Error(503), "HTTP/1.1", true, false).ConfigureAwait(false);
                return;
            }
            int filled = 0;
            for (int n = 1; !_stop.IsCancellationRequested; n++)
            {
                var (head, headLength, status) = await ReadHead(socket, conn, buffer, filled, n == 1).ConfigureAwait(false);
                buffer = head.Buffer;
                filled = head.Filled;
                if (status == ReadStatus.Closed) return;                       // the client closed or went idle
                var started = DateTime.UtcNow;
                if (status != ReadStatus.Ok)
                {
                    int code = status switch
                    {
                        ReadStatus.Timeout => 408, ReadStatus.LineTooLong => 414, ReadStatus.HeadTooLarge => 431, _ => 400,
                    };
                    await Respond(socket, remote, id, n, null, code, started).ConfigureAwait(false);
                    return;
                }
                var result = HttpRequestHead.Parse(buffer.AsSpan(0, headLength), _o.MaxRequestLineBytes, out var req, out _,
                    _o.MaxHeaderBytes);
                // keep what follows the head (a pipelined request)
                int used = headLength + 4;
                Buffer.BlockCopy(buffer, used, buffer, 0, filled - used);
                filled -= used;
                if (result != HttpRequestHead.ParseResult.Ok)
                {
                    int code = result switch
                    {
                        HttpRequestHead.ParseResult.UriTooLong => 414,
                        HttpRequestHead.ParseResult.HeadersTooLarge => 431,
                        HttpRequestHead.ParseResult.VersionNotSupported => 505,
                        _ => 400,
                    };
                    await Respond(socket, remote, id, n, req.Method.Length > 0 ? req : null, code, started).ConfigureAwait(false);
                    return;
                }
                // a request body is read and dropped (the lab serves files)
                if (req.Header("Transfer-Encoding") != null)
                {
                    await Respond(socket, remote, id, n, req, 411, started).ConfigureAwait(false);
                    return;
                }
                if (req.Header("Content-Length") is string cl)
                {
                    if (!long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out long len))
                    {
                        await Respond(socket, remote, id, n, req, 400, started).ConfigureAwait(false);
                        return;
                    }
                    if (len > MaxRequestBody) { await Respond(socket, remote, id, n, req, 413, started).ConfigureAwait(false); return; }
                    long skip = Math.Min(len, filled);
                    Buffer.BlockCopy(buffer, (int)skip, buffer, 0, filled - (int)skip);
                    filled -= (int)skip;
                    len -= skip;
                    while (len > 0)
                    {
                        int r = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, len)), SocketFlags.None,
                            _stop.Token).ConfigureAwait(false);
                        if (r == 0) return;
                        len -= r;
                    }
                }
                if (_o.ResponseDelay > TimeSpan.Zero) await Task.Delay(_o.ResponseDelay, _stop.Token).ConfigureAwait(false);

                bool keepAlive = _o.Profile == LabServerProfile.KeepAlive && n < _o.MaxRequestsPerConnection && WantsKeepAlive(req)
                    && !_stop.IsCancellationRequested;
                var plan = _files.Handle(req);
                long sent = await Send(socket, plan, req.Version, !keepAlive, req.Method == "HEAD").ConfigureAwait(false);
                Record(remote, id, n, req, plan.Status, sent, started);
                if (!keepAlive) return;
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { abort = true; }            // reset or broken pipe: nothing left to close gracefully
        catch (ObjectDisposedException) { abort = true; }
        catch (IOException) { abort = true; }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await Close(socket, abort).ConfigureAwait(false);
            _conns.TryRemove(id, out _);
            conn.Cts.Dispose();
            Interlocked.Decrement(ref _active);
        }
    }

    private static bool WantsKeepAlive(HttpRequestHead req)
    {
        string? c = req.Header("Connection");
        if (req.Version == "HTTP/1.0") return c != null && c.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
        return c == null || !c.Contains("close", StringComparison.OrdinalIgnoreCase);
    }

    private enum ReadStatus { Ok, Closed, Timeout, LineTooLong, HeadTooLarge }
    private readonly record struct HeadBuffer(byte[] Buffer, int Filled);

    /// <summary>Reads until a blank line ends the head. Returns the head length (without the final CRLFCRLF).</summary>
    private async Task<(HeadBuffer head, int headLength, ReadStatus status)> ReadHead(Socket socket, Connection conn, byte[] buffer,
        int filled, bool first)
    {
        int limit = _o.MaxRequestLineBytes + _o.MaxHeaderBytes + 4;
        // the first request must arrive within the header timeout; later ones may wait for the idle timeout first
        // (the sweeper cancels the read when the deadline passes)
        Volatile.Write(ref conn.Deadline, Environment.TickCount64 + (long)(first ? _o.HeaderTimeout : _o.IdleTimeout).TotalMilliseconds);
        bool gotByte = filled > 0;
        bool late = false;
        while (true)
        {
            int end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                Volatile.Write(ref conn.Deadline, long.MaxValue);
                return (new HeadBuffer(buffer, filled), end, ReadStatus.Ok);
            }
            int lf = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
            if ((lf < 0 ? filled : lf) > _o.MaxRequestLineBytes) return (new HeadBuffer(buffer, filled), 0, ReadStatus.LineTooLong);
            if (filled >= limit) return (new HeadBuffer(buffer, filled), 0, ReadStatus.HeadTooLarge);
            if (filled == buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 16));
                Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            int r;
            if (late)
            {
                // the deadline has passed: only the bytes that had arrived by then count (no more waiting)
                if (socket.Available == 0) return (new HeadBuffer(buffer, filled), 0, gotByte ? ReadStatus.Timeout : ReadStatus.Closed);
                r = socket.Receive(buffer.AsSpan(filled), SocketFlags.None);
            }
            else
            {
                try
                {
                    r = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, conn.Cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested && conn.TimedOut)
                {
                    // The sweeper cancelled the read at the deadline. On a loaded machine the request may well have
                    // arrived in time, only the read's completion had not run yet: it is then in the socket, and
                    // answered (a client that sent nothing is still closed silently, one that sent part of a head
                    // gets 408). Without this, a busy server dropped requests it had in hand.
                    late = true;
                    continue;
                }
            }
            if (r == 0) return (new HeadBuffer(buffer, filled), 0, ReadStatus.Closed);
            if (!gotByte && !first)   // the next request has started: it must now arrive in time
                Volatile.Write(ref conn.Deadline, Environment.TickCount64 + (long)_o.HeaderTimeout.TotalMilliseconds);
            gotByte = true;
            filled += r;
        }
    }

    private async Task Respond(Socket socket, IPEndPoint remote, long id, int n, HttpRequestHead? req, int code, DateTime started)
    {
        var plan = StaticFileHandler.Error(code);
        long sent = await Send(socket, plan, req?.Version ?? "HTTP/1.1", true, req?.Method == "HEAD").ConfigureAwait(false);
        Record(remote, id, n, req, code, sent, started);
    }

    /// <summary>The head in one send, then the body in WriteChunkSize pieces. Returns the body bytes sent.</summary>
    private async Task<long> Send(Socket socket, ResponsePlan plan, string version, bool close, bool head)
    {
        var sb = new StringBuilder(256);
        sb.Append(version == "HTTP/1.0" ? "HTTP/1.0 " : "HTTP/1.1 ").Append(plan.Status).Append(' ')
          .Append(StaticFileHandler.Reason(plan.Status)).Append("\r\n");
        sb.Append("Server: Lab2Tools/").Append(typeof(LabHttpServer).Assembly.GetName().Version?.ToString(3)).Append("\r\n");
        sb.Append("Date: ").Append(DateHeader()).Append("\r\n");
        foreach (var h in plan.Headers) sb.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        sb.Append(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
        sb.Append("\r\n");
        var headBytes = Encoding.Latin1.GetBytes(sb.ToString());
        bool noBody = !plan.SendBody || head || plan.BodyLength == 0;
        int chunk = Math.Max(1, _o.WriteChunkSize);
        long sent = 0;
        if (_o.Profile == LabServerProfile.KeepAlive && !noBody && plan.Body != null)
        {
            // persistent connections: the head and the first chunk leave together (as nginx's writev), so a
            // reused connection never waits on Nagle and the client's delayed ACK
            int first = (int)Math.Min(chunk, plan.BodyLength);
            var both = new byte[headBytes.Length + first];
            headBytes.CopyTo(both, 0);
            Buffer.BlockCopy(plan.Body, (int)plan.BodyOffset, both, headBytes.Length, first);
            await SendAll(socket, both).ConfigureAwait(false);
            sent = first;
        }
        else
        {
            await SendAll(socket, headBytes).ConfigureAwait(false);   // Werkzeug: the headers on their own
        }
        if (noBody) return 0;
        if (plan.Body != null)
        {
            for (long off = plan.BodyOffset + sent; off < plan.BodyOffset + plan.BodyLength; off += chunk)
            {
                int len = (int)Math.Min(chunk, plan.BodyOffset + plan.BodyLength - off);
                await SendAll(socket, plan.Body.AsMemory((int)off, len)).ConfigureAwait(false);
                sent += len;
            }
        }
        else
        {
            using var fs = new FileStream(plan.FilePath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            fs.Seek(plan.BodyOffset, SeekOrigin.Begin);
            var buf = ArrayPool<byte>.Shared.Rent(chunk);
            try
            {
                while (sent < plan.BodyLength)
                {
                    int r = await fs.ReadAsync(buf.AsMemory(0, (int)Math.Min(chunk, plan.BodyLength - sent))).ConfigureAwait(false);
                    if (r == 0) break;
                    await SendAll(socket, buf.AsMemory(0, r)).ConfigureAwait(false);
                    sent += r;
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buf); }
        }
        Interlocked.Add(ref _bytesSent, sent);
        return sent;
    }

    private string DateHeader()
    {
        var now = DateTime.UtcNow;
        long second = now.Ticks / TimeSpan.TicksPerSecond;
        if (second != Volatile.Read(ref _dateSecond))
        {
            _dateHeader = now.ToString("R", CultureInfo.InvariantCulture);
            Volatile.Write(ref _dateSecond, second);
        }
        return _dateHeader;
    }

    private async Task SendAll(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (data.Length > 0)
        {
            int n = await socket.SendAsync(data, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Ends a connection: graceful FIN (server first, or after the client's FIN) or RST for Abort.</summary>
    private async Task Close(Socket socket, bool abort)
    {
        try
        {
            if (abort)
            {
                // the response first (a reset throws away what is still queued), then the RST
                if (_o.CloseMode == LabServerCloseMode.Abort && socket.Connected)
                    await TcpAck.WaitUntilAcknowledged(socket, _o.DrainTimeout).ConfigureAwait(false);
                socket.LingerState = new LingerOption(true, 0);
                return;
            }
            var buf = ArrayPool<byte>.Shared.Rent(8192);
            try
            {
                using var drain = new CancellationTokenSource(_o.DrainTimeout);
                if (_o.CloseMode == LabServerCloseMode.ClientFirst)
                {
                    // wait for the client's FIN, acknowledge it at once and answer with ours a little later
                    // (four segments): the client holds TIME_WAIT
                    while (await socket.ReceiveAsync(buf, SocketFlags.None, drain.Token).ConfigureAwait(false) > 0) { }
                    TcpAck.Now(socket);
                    await Task.Delay(TcpAck.CloseDelay).ConfigureAwait(false);
                    socket.Shutdown(SocketShutdown.Send);
                }
                else
                {
                    // Werkzeug: shut down our side (FIN), drain what the client still sends, then close
                    socket.Shutdown(SocketShutdown.Send);
                    long drained = 0;
                    int r;
                    while ((r = await socket.ReceiveAsync(buf, SocketFlags.None, drain.Token).ConfigureAwait(false)) > 0
                           && (drained += r) < MaxRequestBody) { }
                }
            }
            catch (OperationCanceledException)
            {
                try { socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
            }
            finally { ArrayPool<byte>.Shared.Return(buf); }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            socket.Dispose();
        }
    }

    private void Record(IPEndPoint remote, long id, int n, HttpRequestHead? req, int status, long bytes, DateTime started)
    {
        Interlocked.Increment(ref _requests);
        var now = DateTime.UtcNow;
        var e = new RequestLogEntry
        {
            Time = now, ClientEndPoint = remote, ConnectionId = id, RequestOnConnection = n, Method = req?.Method ?? "",
                Path = req?.Target ?? "",
            Version = req?.Version ?? "", Status = status, Bytes = bytes, Duration = now - started,
        };
        _log.Enqueue(e);
        if (Interlocked.Increment(ref _logCount) > MaxLogEntries && _log.TryDequeue(out _)) Interlocked.Decrement(ref _logCount);
        if (_o.ConsoleLog != null)
        {
            try { _o.ConsoleLog(e.LogLine); } catch (Exception) { /* a broken log sink must not stop the server */ }
        }
    }

    /// <summary>
    /// Stops accepting, lets responses in progress finish (up to <paramref name="grace"/>), closes every connection with a FIN, and
    /// frees the port.
    /// </summary>
    public void Stop(TimeSpan? grace = null)
    {
        lock (_gate)
        {
            if (State is LabServerState.Stopped or LabServerState.Created) { State = LabServerState.Stopped; return; }
            State = LabServerState.Stopping;
        }
        try { _listener?.Dispose(); } catch (SocketException) { }
        var deadline = DateTime.UtcNow + (grace ?? TimeSpan.FromSeconds(3));
        // idle connections are waiting for a request: wake them so they close
        foreach (var c in _conns.Values)
        {
            try { c.Socket.Shutdown(SocketShutdown.Receive); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }
        while (ActiveConnections > 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        _stop.Cancel();
        try { _acceptLoop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        while (ActiveConnections > 0 && DateTime.UtcNow < deadline + TimeSpan.FromSeconds(1)) Thread.Sleep(20);
        _sweeper?.Dispose();
        State = LabServerState.Stopped;
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(1));
}
