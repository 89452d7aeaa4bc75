using System.Globalization;
using System.IO.Compression;
using System.Net;
using Lab2Tools.Model;

using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Analysis.Http;

/// <summary>What is wrong with a stream's HTTP.</summary>
public enum HttpStreamProblemKind
{
    /// <summary>The client's first bytes are not an HTTP request.</summary>
    NotHttp,
    /// <summary>HTTP that broke off or does not follow the framing.</summary>
    Malformed,
}

/// <summary>A stream that carried something other than HTTP, or HTTP that broke off.</summary>
public sealed record HttpStreamProblem(int Stream, IPEndPoint Client, IPEndPoint Server, long Frame, string Message)
{
    /// <summary>Which problem: decisions use this, the Message is for people (and in their language).</summary>
    public HttpStreamProblemKind Kind { get; init; }
}

/// <summary>
/// Reassembles HTTP/1.x exchanges from TCP segments, stream by stream, in sequence order (retransmissions
/// trimmed, gaps counted). Exchanges are handed out as soon as their response is complete; the rest when
/// the connection is reset or closed, or at <see cref="Finish"/>.
/// </summary>
public sealed class HttpAnalyzer
{
    /// <summary>Ports where a stream that is not HTTP is reported as a problem (elsewhere it is skipped quietly).</summary>
    public static readonly int[] DefaultHttpPorts = { 80, Model.LabDefaults.Port, 8000, 8008, 8080, 8888, 3128 };

    private readonly bool _keepBodies;
    private readonly HashSet<int> _httpPorts;
    private readonly Dictionary<int, StreamState> _streams = new();
    private readonly HashSet<int> _over = new();   // streams that ended (both FINs, or RST): their state is dropped
    private readonly List<HttpExchange> _ready = new();
    private readonly List<HttpStreamProblem> _problems = new();

    public HttpAnalyzer(bool keepBodies = false, IEnumerable<int>? httpPorts = null)
    {
        _keepBodies = keepBodies;
        _httpPorts = new HashSet<int>(httpPorts ?? DefaultHttpPorts);
    }

    /// <summary>Feeds one segment; returns the exchanges it completed.</summary>
    public IReadOnlyList<HttpExchange> Add(TcpSegment s)
    {
        _ready.Clear();
        if (_over.Contains(s.Stream)) return _ready;          // late ACKs and retransmissions after the close
        if (!_streams.TryGetValue(s.Stream, out var st))
            _streams[s.Stream] = st = new StreamState(this, s);
        st.Add(s);
        if (st.Over)
        {
            _streams.Remove(s.Stream);                           // memory stays bounded by the open streams
            _over.Add(s.Stream);
        }
        return _ready;
    }

    /// <summary>Problems found since the last call (non-HTTP streams, malformed messages).</summary>
    public IReadOnlyList<HttpStreamProblem> TakeProblems()
    {
        var p = _problems.ToList();
        _problems.Clear();
        return p;
    }

    /// <summary>Ends every stream: exchanges still open are Truncated or NoResponse.</summary>
    public IReadOnlyList<HttpExchange> Finish()
    {
        _ready.Clear();
        foreach (var st in _streams.Values.OrderBy(s => s.Stream)) st.End(null);
        _streams.Clear();
        return _ready.ToList();
    }

    private sealed class StreamState
    {
        private readonly HttpAnalyzer _owner;
        private readonly StreamFollower _follower = new(keepData: false);
        private readonly HttpMessageParser _request;
        private readonly HttpMessageParser _response;
        private readonly Queue<HttpExchange> _waiting = new();
        private readonly Dictionary<HttpExchange, HttpMessage> _requestMessages = new();
        private HttpExchange? _answering;
        private CaptureSide? _clientSide;   // unknown until a SYN or the first data
        private IPEndPoint _client = null!, _server = null!;
        private int _sequence;
        private bool _ended, _problemReported, _startMissed;
        private readonly bool[] _finSeen = new bool[2];
        // a connection that opened before the capture: each direction may start in the middle of a message, so its
        // bytes are skipped until a segment starts with a request line (client) or a status line (server)
        private readonly bool[] _sync = new bool[2];

        /// <summary>Nothing more can come: reset, or both sides closed with every byte delivered.</summary>
        public bool Over => _ended;
        public int Stream { get; }
        private readonly string? _path;

        public StreamState(HttpAnalyzer owner, TcpSegment first)
        {
            _owner = owner;
            Stream = first.Stream;
            _path = first.Path;
            _request = new HttpMessageParser(true, false, RequestBody);
            _response = new HttpMessageParser(false, owner._keepBodies, ResponseBody);
            _request.OnComplete = OnRequest;
            _response.OnHead = OnResponseHead;
            _response.OnComplete = OnResponse;
            _follower.OnData = OnData;
        }

        private static HttpMessageParser.BodyRule RequestBody(HttpMessage m) =>
            IsChunked(m) ? HttpMessageParser.BodyRule.Chunked
            : m.Headers.Contains("Content-Length") ? HttpMessageParser.BodyRule.Length : HttpMessageParser.BodyRule.None;

        private static bool IsChunked(HttpMessage m) =>
            m.Headers["Transfer-Encoding"] is string te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);

        private HttpMessageParser.BodyRule ResponseBody(HttpMessage m)
        {
            int code = int.Parse(m.Parts[1], CultureInfo.InvariantCulture);
            var req = _waiting.Count > 0 ? _waiting.Peek() : null;
            if (req?.Method == "HEAD" || (code >= 100 && code < 200) || code == 204 || code == 304)
                return HttpMessageParser.BodyRule.None;
            if (IsChunked(m)) return HttpMessageParser.BodyRule.Chunked;
            if (m.Headers.Contains("Content-Length")) return HttpMessageParser.BodyRule.Length;
            return HttpMessageParser.BodyRule.UntilClose;
        }

        public void Add(TcpSegment s)
        {
            if (_clientSide == null)
            {
                bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
                if (syn || s.Len > 0)
                {
                    // the sides are known before the data is delivered: on a connection that opened before the capture
                    // started, the first segment with data is often a request, and OnData drops data of unknown sides
                    var side = _follower.SideOf(s);
                    // the client sent the SYN; without a handshake, the endpoint with the higher port
                    _clientSide = syn ? (ack ? side.Peer() : side) : (s.SourcePort > s.DestinationPort ? side : side.Peer());
                    bool fromClient = side == _clientSide;
                    _client = fromClient ? s.SourceIpEndPoint : s.DestinationIpEndPoint;
                    _server = fromClient ? s.DestinationIpEndPoint : s.SourceIpEndPoint;
                    if (!syn) _startMissed = _sync[0] = _sync[1] = true;
                    _follower.Add(s);
                    Control(s);
                    return;
                }
            }
            _follower.Add(s);
            Control(s);
        }

        private void Control(TcpSegment s)
        {
            if ((s.Flags & TcpFlags.RST) != 0)
            {
                bool byClient = _follower.SideOf(s) == _clientSide;
                End(byClient ? ConnectionRole.Client : ConnectionRole.Server);
            }
            else if ((s.Flags & TcpFlags.FIN) != 0 && _clientSide != null)
            {
                var side = _follower.SideOf(s);
                _finSeen[(int)side] = true;
                if (side != _clientSide)
                {
                    // the server closed: a body delimited by the close is complete
                    var partial = _response.End();
                    if (partial != null) Abandon(partial, HttpExchangeState.Truncated, null);
                }
            }
            if (_finSeen[0] && _finSeen[1] && !_ended && !_follower.HasHeldData) End(null);
        }

        private void OnData(CaptureSide side, byte[]? data, long missing, TcpSegment seg)
        {
            if (_ended || _clientSide == null) return;
            if (_sync[(int)side])
            {
                if (data == null || !StartsMessage(data, side == _clientSide)) return;
                _sync[(int)side] = false;
            }
            var parser = side == _clientSide ? _request : _response;
            if (data != null) parser.Feed(data, seg);
            else parser.Gap(missing, seg);
            if (parser.Error != null && !_problemReported)
            {
                _problemReported = true;
                bool known = _sequence > 0 || _owner._httpPorts.Contains(_server.Port);
                var kind = _sequence == 0 && side == _clientSide ? HttpStreamProblemKind.NotHttp : HttpStreamProblemKind.Malformed;
                if (known)
                    _owner._problems.Add(new HttpStreamProblem(Stream, _client, _server, seg.Frame,
                        Say("Http." + kind, Stream, _client, _server, seg.Frame, parser.Error)) { Kind = kind });
            }
        }

        /// <summary>Does a segment's data start with a request line (a method in capitals, a space) or a status line (HTTP/1.)?</summary>
        private static bool StartsMessage(byte[] data, bool request)
        {
            if (!request) return data.AsSpan().StartsWith("HTTP/1."u8);
            int i = 0;
            while (i < data.Length && i < 20 && data[i] >= (byte)'A' && data[i] <= (byte)'Z') i++;
            return i > 0 && i < data.Length && data[i] == (byte)' ' && data.Length > i + 1 && data[i + 1] != (byte)' ';
        }

        private void OnRequest(HttpMessage m)
        {
            _sequence++;
            var x = new HttpExchange
            {
                Stream = Stream, Path = _path, ClientEndPoint = _client, ServerEndPoint = _server, Sequence = _sequence,
                Method = m.Parts[0], Uri = m.Parts[1], Version = m.Parts[2], RequestHeaders = m.Headers,
                RequestBodyLength = m.BodyLength, RequestFirstFrame = m.FirstSegment.Frame, RequestFrame = m.LastSegment.Frame,
                RequestTime = m.FirstSegment.Time, StateValue = HttpExchangeState.NoResponse,
            };
            _requestMessages[x] = m;
            _waiting.Enqueue(x);
        }

        private void OnResponseHead(HttpMessage m)
        {
            _answering = _waiting.Count > 0 ? _waiting.Peek() : null;
        }

        private void Fill(HttpExchange x, HttpMessage m)
        {
            var req = _requestMessages.GetValueOrDefault(x);
            x.StatusCode = int.Parse(m.Parts[1], CultureInfo.InvariantCulture);
            x.ReasonPhrase = m.Parts.Length > 2 ? m.Parts[2] : "";
            x.ResponseVersion = m.Parts[0];
            x.ResponseHeaders = m.Headers;
            x.ContentLength = long.TryParse(m.Headers["Content-Length"] as string, NumberStyles.None, CultureInfo.InvariantCulture,
                out long cl) ? cl : null;
            x.ContentType = m.Headers["Content-Type"] as string;
            x.ContentRange = m.Headers["Content-Range"] as string;
            x.TransferEncoding = m.Headers["Transfer-Encoding"] as string;
            x.BodyLength = m.BodyLength;
            x.BodyMissingBytes = m.BodyMissing;
            x.ResponseFirstFrame = m.FirstSegment.Frame;
            x.ResponseFrame = m.LastSegment.Frame;
            x.ResponseSegmentFrames = m.Frames.Where(f => f != m.LastSegment.Frame).ToArray();
            if (req != null)
            {
                x.TimeToFirstByte = m.FirstSegment.Time - req.LastSegment.Time;
                x.TotalTime = m.LastSegment.Time - req.FirstSegment.Time;
                x.HttpTime = m.LastSegment.Time - req.LastSegment.Time;
            }
            if (m.Body != null) x.Body = Decode(m.Body.ToArray(), m.Headers["Content-Encoding"] as string);
        }

        private static byte[] Decode(byte[] body, string? encoding)
        {
            try
            {
                Stream? s = encoding?.Trim().ToLowerInvariant() switch
                {
                    "gzip" or "x-gzip" => new GZipStream(new MemoryStream(body), CompressionMode.Decompress),
                    "deflate" => new ZLibStream(new MemoryStream(body), CompressionMode.Decompress),
                    "br" => new BrotliStream(new MemoryStream(body), CompressionMode.Decompress),
                    _ => null,
                };
                if (s == null) return body;
                using var outp = new MemoryStream();
                using (s) s.CopyTo(outp);
                return outp.ToArray();
            }
            catch (InvalidDataException)
            {
                return body;   // not really compressed: keep the bytes as they came
            }
        }

        private void OnResponse(HttpMessage m)
        {
            int code = int.Parse(m.Parts[1], CultureInfo.InvariantCulture);
            if (code >= 100 && code < 200 && code != 101) return;   // interim response: the final one follows
            if (_waiting.Count == 0)
            {
                // a response to a request sent before the capture started: tshark shows it, so do we
                if (_startMissed && _sequence == 0)
                {
                    var lone = new HttpExchange
                    {
                        Stream = Stream, ClientEndPoint = _client, ServerEndPoint = _server, Sequence = 0,
                        RequestTime = m.FirstSegment.Time, StateValue = HttpExchangeState.RequestNotCaptured,
                    };
                    Fill(lone, m);
                    _owner._ready.Add(lone);
                }
                return;                                              // else a response to nothing we saw
            }
            var x = _waiting.Dequeue();
            Fill(x, m);
            x.StateValue = m.BodyMissing > 0 ? HttpExchangeState.BytesMissing : HttpExchangeState.Complete;
            _requestMessages.Remove(x);
            _owner._ready.Add(x);
        }

        private void Abandon(HttpMessage partial, HttpExchangeState state, ConnectionRole? by)
        {
            if (_waiting.Count == 0) return;
            var x = _waiting.Dequeue();
            if (partial.Parts.Length >= 2 && partial.StartLine.Length > 0 && int.TryParse(partial.Parts[1], out _)) Fill(x, partial);
            x.StateValue = state;
            x.AbortedByValue = by;
            _requestMessages.Remove(x);
            _owner._ready.Add(x);
        }

        /// <summary>The connection is over (RST by <paramref name="resetBy"/>, or the end of the capture when null).</summary>
        public void End(ConnectionRole? resetBy)
        {
            if (_ended) return;
            _ended = true;
            var partial = _response.End();
            if (partial != null) Abandon(partial, resetBy != null ? HttpExchangeState.Aborted : HttpExchangeState.Truncated, resetBy);
            while (_waiting.Count > 0)
            {
                var x = _waiting.Dequeue();
                x.StateValue = resetBy != null && x.StatusCode == null ? HttpExchangeState.NoResponse : x.StateValue;
                x.AbortedByValue = resetBy;
                _owner._ready.Add(x);
            }
        }
    }
}
