namespace Lab2Tools.Analysis.Zeek.Protocols;

/// <summary>
/// Zeek's Gnutella analyzer (src/analyzer/protocol/gnutella/Gnutella.cc) as far as its limits go: while the handshake's
/// text lines are read (until both sides have answered "GNUTELLA ... 200" and ended their headers with an empty line),
/// exceeded_gnutella_max_line_length when a line's bytes reach Gnutella::max_line_length (8192) before its CRLF, and
/// exceeded_gnutella_max_headers_length when the headers with the new line and its CRLF would reach
/// Gnutella::max_header_length (32768). A first line with " HTTP/1." hands the connection to the HTTP analyzer: the
/// watch ends. Zeek registers Gnutella for no port by default (a script must call Analyzer::register_for_port).
/// Only lengths are kept, and of each side's first header line the bytes the two checks read.
/// </summary>
internal sealed class GnutellaLimitWatcher : ZeekAnalyzerWatcher
{
    private const int OrigOk = 1, RespOk = 2;
    private readonly int _maxLine, _maxHeader;
    private Side _orig = new(), _resp = new();
    private int _state, _newState;

    public GnutellaLimitWatcher(ZeekTcpSession session, ZeekLimits limits) : base(session)
    {
        _maxLine = limits.GnutellaMaxLineLength;
        _maxHeader = limits.GnutellaMaxHeaderLength;
    }

    private bool Established => _state == (OrigOk | RespOk);

    public override void Deliver(bool isOrig, ReadOnlySpan<byte> data)
    {
        // DeliverStream: text lines until Established; binary messages after, which have no limit
        if (Established)
        {
            Stop();
            return;
        }
        var ms = isOrig ? _orig : _resp;
        int offset = 0;
        while (!Done && NextLine(ms, data, ref offset))
        {
            if (ms.BufferLength == 0)
            {
                ms.HeadersLength = 0;
                ms.HeadersEmpty = true;
                _state |= _newState;
                if (Established) { Stop(); return; }
            }
            else
            {
                if (ms.HeadersEmpty)
                {
                    if (ms.FirstLine.IsHttp) { Stop(); return; }            // IsHTTP: the HTTP analyzer takes over
                    if (ms.FirstLine.GnutellaOk) _newState |= isOrig ? OrigOk : RespOk;
                }
                long newHeadersLength = ms.HeadersLength + 2 + ms.BufferLength;
                if (_maxHeader > 0 && newHeadersLength >= _maxHeader)
                {
                    LimitReached();                                          // exceeded_gnutella_max_headers_length
                    Stop();
                    return;
                }
                ms.HeadersLength = newHeadersLength;
                ms.HeadersEmpty = false;
                ms.BufferLength = 0;
                ms.FirstLine = default;
            }
        }
    }

    /// <summary>NextLine: true at a CRLF (the line is in the buffer, without CR and LF); false at the end of the data.</summary>
    private bool NextLine(Side ms, ReadOnlySpan<byte> data, ref int offset)
    {
        for (; offset < data.Length; offset++)
        {
            byte c = data[offset];
            if (c == '\r') ms.GotCr = true;
            else if (c == '\n' && ms.GotCr)
            {
                ms.GotCr = false;
                offset++;
                return true;
            }
            else
            {
                if (ms.HeadersEmpty) ms.FirstLine.Add(c, ms.BufferLength);
                ms.BufferLength++;
            }
            if (_maxLine > 0 && ms.BufferLength >= _maxLine)
            {
                LimitReached();                                              // exceeded_gnutella_max_line_length
                Stop();
                return false;
            }
        }
        return false;
    }

    private sealed class Side
    {
        public long BufferLength;
        public long HeadersLength;
        public bool HeadersEmpty = true;
        public bool GotCr;
        public FirstLineScan FirstLine;
    }

    /// <summary>
    /// What IsHTTP and GnutellaOK ask of a first header line, decided byte by byte: does it contain " HTTP/1.";
    /// does it start with "GNUTELLA" and have "200" right after its first space (which must not end the line).
    /// </summary>
    private struct FirstLineScan
    {
        private const string Http = " HTTP/1.", Gnutella = "GNUTELLA";
        private int _httpMatched;       // a naive search is exact here: " HTTP/1." has no repeated prefix
        private bool _http;
        private bool _prefixOk;
        private int _spaceAt;           // -1 before the first space
        private int _afterSpace;        // how many of "200" matched after it
        private bool _afterSpaceBroken;
        private bool _anyAfterSpace;
        private long _count;

        public readonly bool IsHttp => _http;
        public readonly bool GnutellaOk => _prefixOk && _count >= 8 && _spaceAt >= 0 && _anyAfterSpace && _afterSpace == 3;

        public void Add(byte c, long at)
        {
            if (at == 0) { this = default; _spaceAt = -1; _prefixOk = true; }
            _count = at + 1;
            if (!_http)
            {
                if (c == Http[_httpMatched]) { if (++_httpMatched == Http.Length) _http = true; }
                else _httpMatched = c == Http[0] ? 1 : 0;
            }
            if (at < Gnutella.Length && c != Gnutella[(int)at]) _prefixOk = false;
            if (_spaceAt < 0)
            {
                if (c == ' ') _spaceAt = (int)at;
                return;
            }
            _anyAfterSpace = true;
            if (!_afterSpaceBroken && _afterSpace < 3)
            {
                if (c == "200"[_afterSpace]) _afterSpace++;
                else _afterSpaceBroken = true;
            }
        }
    }
}
