using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Lab2Tools.Lab;

/// <summary>One request the visitor made and what came back.</summary>
public sealed class LabFetch
{
    /// <summary>1 for the first visit, 2 for the revisit.</summary>
    public int Visit { get; init; }
    public string Url { get; init; } = "";
    public string? RequestRange { get; init; }
    /// <summary>The validators sent (If-None-Match, If-Modified-Since), empty on a first visit.</summary>
    public IReadOnlyList<string> Validators { get; init; } = Array.Empty<string>();
    public IPEndPoint? LocalEndPoint { get; init; }
    public int? StatusCode { get; init; }
    public string? ReasonPhrase { get; init; }
    public string? ContentRange { get; init; }
    public long BodyBytes { get; init; }
    /// <summary>Who ended this connection first (a FIN, or the server's RST): "Server" or "Client".</summary>
    public string? ClosedFirstBy { get; init; }
    public string? Error { get; init; }
    public TimeSpan Elapsed { get; init; }
    public override string ToString() => $"visit {Visit}: GET {Url} → {StatusCode} ({BodyBytes} bytes, local {LocalEndPoint})";
}

/// <summary>
/// A small browser for the lab: loads a page, finds the resources it names (img, audio, video, source,
/// script, link), fetches each on a connection of its own and at the same time, media with
/// "Range: bytes=0-". It keeps ETag and Last-Modified, so a revisit sends If-None-Match and
/// If-Modified-Since and gets 304s, as a browser with a cache does.
/// </summary>
public sealed class LabVisitor
{
    private static readonly Regex Resource = new(
        "<(?<tag>img|audio|video|source|script|link)\\b[^>]*?\\b(?:src|href)\\s*=\\s*[\"'](?<url>[^\"']+)[\"']",
        RegexOptions.IgnoreCase | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
    private static readonly string[] MediaExtensions = { ".ogg", ".oga", ".mp3", ".wav", ".webm", ".mp4", ".m4a", ".flac", ".opus" };
    private readonly Dictionary<string, (string? etag, string? lastModified, byte[] body)> _cache = new(StringComparer.Ordinal);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
    public string UserAgent { get; set; } = "Mozilla/5.0 (X11; Linux x86_64) Lab2Tools/0.1 (lab visitor)";
    /// <summary>Close each connection as soon as its response is read (the client closes first and holds TIME_WAIT).</summary>
    public bool CloseFirst { get; set; }
    /// <summary>After the server's FIN has been acknowledged, wait this long before closing (the application's delay).</summary>
    public TimeSpan CloseDelay { get; set; } = Server.TcpAck.CloseDelay;
    /// <summary>On a keep-alive response, how long to wait for the server to close before closing ourselves.</summary>
    public TimeSpan KeepAliveCloseWait { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Loads the page and its resources once; call again for a revisit.</summary>
    public async Task<IReadOnlyList<LabFetch>> VisitAsync(Uri page, int visit, CancellationToken cancel)
    {
        var results = new List<LabFetch>();
        var (pageFetch, body) = await FetchAsync(page, visit, media: false, cancel).ConfigureAwait(false);
        results.Add(pageFetch);
        // a 304: the cached copy is still good
        if (pageFetch.StatusCode == 304 && _cache.TryGetValue(page.AbsoluteUri, out var cached)) body = cached.body;
        var resources = new List<(Uri url, bool media)>();
        if (body != null)
        {
            string html = Encoding.UTF8.GetString(body);
            foreach (Match m in Resource.Matches(html))
            {
                if (!Uri.TryCreate(page, WebUtility.HtmlDecode(m.Groups["url"].Value), out var u)) continue;
                if (u.Scheme != page.Scheme || u.Host != page.Host || u.Port != page.Port) continue;   // same origin only
                if (resources.Any(r => r.url == u)) continue;
                string tag = m.Groups["tag"].Value.ToLowerInvariant();
                bool media = tag is "audio" or "video"
                    || MediaExtensions.Any(e => u.AbsolutePath.EndsWith(e, StringComparison.OrdinalIgnoreCase));
                resources.Add((u, media));
            }
        }
        var tasks = resources.Select(r => FetchAsync(r.url, visit, r.media, cancel)).ToList();
        foreach (var t in tasks) results.Add((await t.ConfigureAwait(false)).fetch);
        return results;
    }

    private async Task<(LabFetch fetch, byte[]? body)> FetchAsync(Uri url, int visit, bool media, CancellationToken cancel)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string key = url.AbsoluteUri;
        var validators = new List<string>();
        var head = new StringBuilder();
        head.Append("GET ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(url.Authority).Append("\r\n");
        head.Append("Connection: keep-alive\r\n");
        head.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
        string accept = media ? "*/*"
            : url.AbsolutePath.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"
            : "text/html,application/xhtml+xml,*/*;q=0.8";
        head.Append("Accept: ").Append(accept).Append("\r\n");
        head.Append("Accept-Encoding: identity\r\n");
        head.Append("Accept-Language: en-US,en;q=0.9\r\n");
        string? range = null;
        if (media)
        {
            range = "bytes=0-";
            head.Append("Range: ").Append(range).Append("\r\n");
        }
        else if (_cache.TryGetValue(key, out var v))
        {
            if (v.etag != null) validators.Add("If-None-Match: " + v.etag);
            if (v.lastModified != null) validators.Add("If-Modified-Since: " + v.lastModified);
            foreach (var line in validators) head.Append(line).Append("\r\n");
        }
        head.Append("\r\n");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Timeout);
        var ct = timeout.Token;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        IPEndPoint? local = null;
        try
        {
            var addresses = IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) ? new[] { ip }
                : await Dns.GetHostAddressesAsync(url.Host, ct).ConfigureAwait(false);
            await socket.ConnectAsync(addresses, url.Port, ct).ConfigureAwait(false);
            local = socket.LocalEndPoint as IPEndPoint;
            await socket.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), SocketFlags.None, ct).ConfigureAwait(false);
            var reader = new Reader(socket);
            var (status, reason, headers) = await reader.ReadHeadAsync(ct).ConfigureAwait(false);
            var body = new MemoryStream();
            bool noBody = status is 204 or 304 || status / 100 == 1;
            if (!noBody)
            {
                if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    await reader.ReadChunkedAsync(body, ct).ConfigureAwait(false);
                else if (headers.TryGetValue("content-length", out var cl)
                    && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                    await reader.ReadExactAsync(body, n, ct).ConfigureAwait(false);
                else
                    await reader.ReadToEndAsync(body, ct).ConfigureAwait(false);
            }
            if (status == 200 && !media)
            {
                headers.TryGetValue("etag", out var etag);
                headers.TryGetValue("last-modified", out var lm);
                if (etag != null || lm != null) _cache[key] = (etag, lm, body.ToArray());
            }
            // The close. Like the browser in the seed: when the server closes first, this side's kernel
            // acknowledges the FIN at once and the application closes a little later, so FIN, ACK, FIN, ACK
            // travel as four segments (the ACK is forced out with TCP_QUICKACK, not left to the delayed-ACK
            // timer, which would let it ride on our FIN). With CloseFirst the visitor closes as soon as the
            // response is read, and the server answers the FIN.
            string closedFirst;
            bool serverCloses = headers.TryGetValue("connection", out var conn) && conn.Equals("close", StringComparison.OrdinalIgnoreCase);
            TimeSpan wait = CloseFirst ? TimeSpan.Zero : serverCloses ? TimeSpan.FromSeconds(3) : KeepAliveCloseWait;
            if (wait > TimeSpan.Zero && await reader.WaitForEndAsync(wait, ct).ConfigureAwait(false))
            {
                closedFirst = "Server";
                if (!reader.WasReset)
                {
                    Server.TcpAck.Now(socket);
                    await Task.Delay(CloseDelay, ct).ConfigureAwait(false);
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            else
            {
                closedFirst = "Client";
                socket.Shutdown(SocketShutdown.Send);
                await reader.WaitForEndAsync(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
            }
            headers.TryGetValue("content-range", out var cr);
            return (new LabFetch
            {
                Visit = visit, Url = url.AbsoluteUri, RequestRange = range, Validators = validators, LocalEndPoint = local,
                StatusCode = status, ReasonPhrase = reason, ContentRange = cr, BodyBytes = body.Length, ClosedFirstBy = closedFirst,
                Elapsed = clock.Elapsed,
            }, status == 200 ? body.ToArray() : null);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException
            || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return (new LabFetch
            {
                Visit = visit, Url = url.AbsoluteUri, RequestRange = range, Validators = validators, LocalEndPoint = local,
                Error = e is OperationCanceledException ? $"no complete answer within {Timeout.TotalSeconds:0} s" : e.Message,
                Elapsed = clock.Elapsed,
            }, null);
        }
    }

    /// <summary>Buffered reads from a socket.</summary>
    private sealed class Reader
    {
        private readonly Socket _s;
        private readonly byte[] _buf = new byte[65536];
        private int _start, _end;
        private bool _eof;

        public Reader(Socket s) => _s = s;

        /// <summary>The peer reset the connection while <see cref="WaitForEndAsync"/> waited.</summary>
        public bool WasReset { get; private set; }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            if (_eof) return false;
            if (_start == _end) _start = _end = 0;
            if (_end == _buf.Length)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start; _start = 0;
                if (_end == _buf.Length) throw new InvalidDataException(LabText.T("Visitor.HeadTooLarge"));
            }
            int n = await _s.ReceiveAsync(_buf.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) { _eof = true; return false; }
            _end += n;
            return true;
        }

        private async Task<string> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                int i = Array.IndexOf(_buf, (byte)'\n', _start, _end - _start);
                if (i >= 0)
                {
                    string line = Encoding.Latin1.GetString(_buf, _start, i - _start).TrimEnd('\r');
                    _start = i + 1;
                    return line;
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                    throw new InvalidDataException(LabText.T("Visitor.ClosedInHead"));
            }
        }

        public async Task<(int status, string reason, Dictionary<string, string> headers)> ReadHeadAsync(CancellationToken ct)
        {
            string statusLine = await ReadLineAsync(ct).ConfigureAwait(false);
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
                throw new InvalidDataException(LabText.F("Visitor.NotStatusLine", statusLine));
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                string line = await ReadLineAsync(ct).ConfigureAwait(false);
                if (line.Length == 0) break;
                int colon = line.IndexOf(':');
                if (colon > 0) headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            return (status, parts.Length > 2 ? parts[2] : "", headers);
        }

        public async Task ReadExactAsync(Stream into, long n, CancellationToken ct)
        {
            while (n > 0)
            {
                if (_start == _end && !await FillAsync(ct).ConfigureAwait(false))
                    throw new InvalidDataException(LabText.F("Visitor.ClosedInBody", n));
                int take = (int)Math.Min(n, _end - _start);
                into.Write(_buf, _start, take);
                _start += take;
                n -= take;
            }
        }

        public async Task ReadToEndAsync(Stream into, CancellationToken ct)
        {
            do { into.Write(_buf, _start, _end - _start); _start = _end; } while (await FillAsync(ct).ConfigureAwait(false));
        }

        public async Task ReadChunkedAsync(Stream into, CancellationToken ct)
        {
            while (true)
            {
                string line = await ReadLineAsync(ct).ConfigureAwait(false);
                int semi = line.IndexOf(';');
                if (!long.TryParse(semi >= 0 ? line[..semi] : line, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long size))
                    throw new InvalidDataException(LabText.F("Visitor.BadChunkSize", line));
                if (size == 0)
                {
                    while ((await ReadLineAsync(ct).ConfigureAwait(false)).Length > 0) { }
                    return;
                }
                await ReadExactAsync(into, size, ct).ConfigureAwait(false);
                await ReadLineAsync(ct).ConfigureAwait(false);
            }
        }

        /// <summary>True when the peer closed (FIN) within the time; extra bytes are discarded.</summary>
        public async Task<bool> WaitForEndAsync(TimeSpan within, CancellationToken ct)
        {
            using var t = CancellationTokenSource.CreateLinkedTokenSource(ct);
            t.CancelAfter(within);
            try
            {
                while (true)
                {
                    _start = _end;
                    if (!await FillAsync(t.Token).ConfigureAwait(false)) return true;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                WasReset = true;   // the peer ended the connection with a RST (the server's Abort close mode)
                return true;
            }
        }
    }
}
