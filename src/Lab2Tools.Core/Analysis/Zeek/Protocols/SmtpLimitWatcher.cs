namespace Lab2Tools.Analysis.Zeek.Protocols;

/// <summary>
/// Zeek's SMTP analyzer (src/analyzer/protocol/smtp/SMTP.cc) feeding a message to its MIME parser
/// (src/analyzer/protocol/mime/MIME.cc), as far as exceeded_mime_max_header_bytes goes: a header's continuation line
/// arriving when the header's lines so far (without their line ends) already hold MIME::max_header_bytes (65536).
/// Lines are ContentLine's (CR, LF or CRLF end a line; NUL-sensitive). The DATA command starts the message at once
/// (UpdateState calls BeginData on the command); a line "." ends it, and so does a reply of 400 or more. Only the
/// message's own headers are followed: the headers of MIME parts inside it are not, BDAT ends the watch, so does a
/// content gap (Zeek ends the message and recovers only at a later 354), and so does a 220 answer to STARTTLS (TLS).
/// Per line, only its length and first bytes are kept.
/// </summary>
internal sealed class SmtpLimitWatcher : ZeekAnalyzerWatcher
{
    private readonly int _maxHeaderBytes;
    private LineScan _client = new(), _server = new();
    private bool _inData, _inHeaders, _startTls;
    private long _headerBytes = -1;          // the current header's bytes; -1: no header yet

    public SmtpLimitWatcher(ZeekTcpSession session, ZeekLimits limits) : base(session) => _maxHeaderBytes = limits.MimeMaxHeaderBytes;

    public override void Deliver(bool isOrig, ReadOnlySpan<byte> data)
    {
        ref var l = ref isOrig ? ref _client : ref _server;
        foreach (byte c in data)
        {
            if (Done) return;
            if (c == '\r' || c == '\n')
            {
                // ContentLine: CR or LF ends a line; the LF of a CRLF split across deliveries is skipped
                bool skip = c == '\n' && l.LastCr;
                l.LastCr = c == '\r';
                if (!skip) EndLine(ref l, isOrig);
                continue;
            }
            l.LastCr = false;
            if (c == 0 && l.FlagNuls) { l.FlagNuls = false; continue; }      // CheckNUL: the first NUL is dropped
            if (l.Length < l.Head.Length) l.Head[(int)l.Length] = c;
            l.Length++;
        }
    }

    /// <summary>
    /// SMTP_Analyzer::Undelivered: a gap ends the message (EndData) and puts SMTP in SMTP_AFTER_GAP, from which only a
    /// later 354 reply recovers a message; that recovery is not followed here: the watch ends.
    /// </summary>
    public override void Gap(bool isOrig) => Stop();

    public override void EndOfData(bool isOrig)
    {
        ref var l = ref isOrig ? ref _client : ref _server;
        if (!Done && l.Length > 0) EndLine(ref l, isOrig);                   // ContentLine's EndpointEOF
    }

    private void EndLine(ref LineScan l, bool isOrig)
    {
        if (isOrig) ClientLine(ref l);
        else ServerLine(ref l);
        l.Length = 0;
    }

    private void ClientLine(ref LineScan l)
    {
        var head = l.Head.AsSpan(0, (int)Math.Min(l.Length, l.Head.Length));
        if (_inData)
        {
            if (l.Length == 1 && head[0] == '.') { _inData = false; return; }    // SMTP_CMD_END_OF_DATA
            long length = l.Length;
            if (length > 0 && head[0] == '.') { head = head[1..]; length--; }      // dot-stuffing taken out
            if (_inHeaders) MimeHeaderLine(head, length);
            return;
        }
        // a command: get_word, then ParseCmd (case-insensitive)
        int n = 0;
        while (n < head.Length && head[n] is not (0 or (byte)' ' or (byte)'\t' or (byte)'\v' or (byte)'\f')) n++;
        bool whole = n < head.Length || l.Length <= head.Length;
        var word = head[..n];
        if (whole && Is(word, "DATA"))
        {
            _inData = _inHeaders = true;                                           // BeginData: a new MIME_Mail
            _headerBytes = -1;
        }
        else if (whole && Is(word, "BDAT")) Stop();                               // chunked messages are not followed
        else if (whole && Is(word, "STARTTLS")) _startTls = true;
    }

    private static bool Is(ReadOnlySpan<byte> word, string command)
    {
        if (word.Length != command.Length) return false;
        for (int i = 0; i < word.Length; i++)
            if (char.ToUpperInvariant((char)word[i]) != command[i]) return false;
        return true;
    }

    /// <summary>MIME_Entity::Deliver in the header part: NewHeader, ContHeader, or the empty line that ends them.</summary>
    private void MimeHeaderLine(ReadOnlySpan<byte> head, long length)
    {
        if (length == 0 || head[0] == 0)
        {
            _inHeaders = false;                                                    // the body: not followed
            return;
        }
        if (head[0] is (byte)' ' or (byte)'\t')
        {
            if (_headerBytes < 0)
            {
                // IllegalFormat: a first header line starting with whitespace is taken as a new header without it
                int ws = 0;
                while (ws < head.Length && head[ws] is (byte)' ' or (byte)'\t') ws++;
                _headerBytes = length - ws;
                return;
            }
            if (_maxHeaderBytes > 0 && _headerBytes >= _maxHeaderBytes)
            {
                LimitReached();                                                    // exceeded_mime_max_header_bytes
                Stop();
                return;
            }
            _headerBytes += length;
            return;
        }
        _headerBytes = length;                                                     // NewHeader
    }

    private void ServerLine(ref LineScan l)
    {
        var head = l.Head.AsSpan(0, (int)Math.Min(l.Length, l.Head.Length));
        if (head.Length < 3 || !char.IsAsciiDigit((char)head[0]) || !char.IsAsciiDigit((char)head[1])
            || !char.IsAsciiDigit((char)head[2]))
            return;
        int code = (head[0] - '0') * 100 + (head[1] - '0') * 10 + (head[2] - '0');
        bool last = head.Length == 3 || head[3] != '-';
        if (!last) return;
        if (_startTls)
        {
            _startTls = false;
            if (code == 220) Stop();                                               // TLS from here on
            return;
        }
        if (_inData && code >= 400) _inData = false;                               // EndData
    }

    private struct LineScan
    {
        public LineScan() { }
        public long Length;
        public bool LastCr;
        public bool FlagNuls = true;
        public readonly byte[] Head = new byte[12];
    }
}
