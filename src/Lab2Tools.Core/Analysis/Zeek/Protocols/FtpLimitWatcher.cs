namespace Lab2Tools.Analysis.Zeek.Protocols;

/// <summary>
/// Zeek's FTP analyzer (src/analyzer/protocol/ftp/FTP.cc) as far as its limits go, with the NVT line splitting it reads
/// lines through (src/analyzer/protocol/login/NVT.cc, ContentLine.cc: NUL-sensitive, LF as end of line, telnet IAC
/// sequences taken out). Limits: FTP_max_command_length_exceeded, a command word longer than FTP::max_command_length (100)
/// once the analyzer is confirmed (by an earlier valid command); nvt_line_size_exceeded, a line reaching ContentLine's
/// 16 MB - 100 bytes. A line is scanned as it streams: only the command word's length, whether it is an FTP command,
/// and the first bytes of an AUTH argument are kept. After "AUTH TLS" answered by 234 the stream is TLS: the watch ends.
/// </summary>
internal sealed class FtpLimitWatcher : ZeekAnalyzerWatcher
{
    /// <summary>ContentLine's DEFAULT_MAX_LINE_LENGTH (16 MB - 100).</summary>
    public const int MaxLineLength = 16 * 1024 * 1024 - 100;

    private readonly int _maxCommandLength;
    private Line _orig = new(true), _resp = new(false);
    private bool _confirmed;
    private bool _authTls;          // the last AUTH asked for TLS
    private int _pendingReply;

    public FtpLimitWatcher(ZeekTcpSession session, ZeekLimits limits) : base(session) => _maxCommandLength = limits.FtpMaxCommandLength;

    public override void Deliver(bool isOrig, ReadOnlySpan<byte> data)
    {
        ref var l = ref isOrig ? ref _orig : ref _resp;
        foreach (byte b in data)
        {
            if (Done) return;
            Nvt(ref l, b);
        }
    }

    public override void EndOfData(bool isOrig)
    {
        // ContentLine_Analyzer::EndpointEOF: a partial line is ended as if by "\n"
        ref var l = ref isOrig ? ref _orig : ref _resp;
        if (!Done && l.Length > 0) Nvt(ref l, (byte)'\n');
    }

    // ---- NVT_Analyzer::DeliverChunk / ScanOption, one byte at a time ----

    private const byte Iac = 255, Sb = 250, Se = 240, Will = 251, Wont = 252, Do = 253, Dont = 254;

    private void Nvt(ref Line l, byte c)
    {
        switch (l.Iac)
        {
            case IacState.AfterIac:
                if (c == Iac) { l.Iac = IacState.None; Add(ref l, Iac); l.Last = c; }    // an escaped 255
                else if (c == Sb) l.Iac = IacState.Suboption;
                else if (c is Will or Wont or Do or Dont) l.Iac = IacState.OptionCode;
                else l.Iac = IacState.None;                                                // a 2-byte option
                return;
            case IacState.OptionCode:
                l.Iac = IacState.None;                                                     // a 3-byte option
                return;
            case IacState.Suboption:
                if (c == Iac) l.Iac = IacState.SuboptionIac;
                return;
            case IacState.SuboptionIac:
                // IAC IAC inside: an escaped 255; IAC anything else ends the suboption (BSD telnet does so too)
                l.Iac = c == Iac ? IacState.Suboption : IacState.None;
                return;
        }
        if (l.Length >= MaxLineLength)
        {
            // InitBufferSafe fails at ContentLine's maximum: the weird, and the line so far is forwarded
            LimitReached();
            Stop();
            return;
        }
        switch (c)
        {
            case (byte)'\r':
                Add(ref l, c);
                break;
            case (byte)'\n':
                // LF_as_EOL: a line ends at LF; a CR just before it is not part of the line
                if (l.Last == '\r' && l.PendingCr) { l.PendingCr = false; l.Length--; }
                EndLine(ref l);
                break;
            case 0:
                if (l.Last == '\r') { }
                else if (l.FlagNuls) l.FlagNuls = false;                                  // CheckNUL: the first NUL is dropped
                else Add(ref l, c);
                break;
            case Iac:
                l.Iac = IacState.AfterIac;
                return;
            default:
                Add(ref l, c);
                break;
        }
        l.Last = c;
    }

    /// <summary>
    /// One byte joins the line. A CR is held back: a LF right after it ends the line without it. The line is measured
    /// as it goes: the command word (skip_whitespace, get_word, is_ftp_cmd), the AUTH argument, the reply code.
    /// </summary>
    private static void Add(ref Line l, byte c)
    {
        l.Length++;
        if (l.PendingCr) { l.PendingCr = false; Apply(ref l, (byte)'\r'); }
        if (c == '\r') l.PendingCr = true;
        else Apply(ref l, c);
    }

    private static void Apply(ref Line l, byte c)
    {
        int at = l.Applied++;
        if (at < 3) l.Digits = l.Digits > 0 && c >= '0' && c <= '9' ? l.Digits * 10 + (c - '0') : 0;
        else if (at == 3) l.Fourth = c;
        switch (l.Part)
        {
            case Part.Leading:
                if (c is (byte)' ' or (byte)'\t') return;
                l.Part = Part.Word;
                goto case Part.Word;
            case Part.Word:
                // get_word stops at a NUL or any isspace (' ', \t, \n, \v, \f, \r)
                if (c == 0 || c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
                {
                    l.Part = Part.AfterWord;
                    goto case Part.AfterWord;
                }
                if (l.WordLength < 4) l.Word[l.WordLength] = (byte)char.ToUpperInvariant((char)c);
                l.WordLength++;
                if (c < 0x20 || c > 0x7E) l.WordPrintable = false;
                return;
            case Part.AfterWord:
                if (c is (byte)' ' or (byte)'\t') return;
                l.Part = Part.Argument;
                goto case Part.Argument;
            case Part.Argument:
                l.ArgumentIsTls = l.ArgumentLength < 3 && l.ArgumentIsTls && c == "TLS"[l.ArgumentLength];
                l.ArgumentLength++;
                return;
        }
    }

    private void EndLine(ref Line l)
    {
        if (l.PendingCr) { l.PendingCr = false; Apply(ref l, (byte)'\r'); }
        if (l.Length > 0)
        {
            if (l.IsOrig) Request(ref l);
            else Reply(ref l);
        }
        l.Reset();
    }

    /// <summary>FTP_Analyzer::DeliverStream for a request line.</summary>
    private void Request(ref Line l)
    {
        int cmdLen = l.WordLength;
        bool isCommand = cmdLen >= 3 && l.WordPrintable;
        if (!isCommand) return;                             // FTP_invalid_command: the line is ignored
        if (_maxCommandLength > 0 && cmdLen > _maxCommandLength)
        {
            if (_confirmed)
            {
                LimitReached();                             // FTP_max_command_length_exceeded
                Stop();
            }
            return;
        }
        _confirmed = true;                                  // AnalyzerConfirmation
        // strncmp("AUTH", cmd, cmd_len) == 0: AUT and AUTH both count
        if (cmdLen is 3 or 4 && l.Word[0] == 'A' && l.Word[1] == 'U' && l.Word[2] == 'T' && (cmdLen == 3 || l.Word[3] == 'H'))
            _authTls = l.ArgumentLength == 3 && l.ArgumentIsTls;
    }

    /// <summary>FTP_Analyzer::DeliverStream for a reply line: only what decides that TLS starts (234 after AUTH TLS).</summary>
    private void Reply(ref Line l)
    {
        int code = l.ReplyCode;
        if (_pendingReply != 0)
        {
            if (code == _pendingReply && l.Length > 3 && l.Fourth == ' ') _pendingReply = 0;
            else code = 0;
        }
        else
        {
            if (code < 100) return;                         // non-numeric or invalid reply code: a violation
            if (l.Length > 3 && l.Fourth == '-') _pendingReply = code;
            else if (l.Length > 3 && l.Fourth != ' ') return;
        }
        if (code == 234 && _authTls) Stop();                // ftp_starttls: the rest is TLS, no FTP limit applies
    }

    private enum IacState : byte { None, AfterIac, OptionCode, Suboption, SuboptionIac }
    private enum Part : byte { Leading, Word, AfterWord, Argument }

    /// <summary>One direction's line being read: its length and what the checks need of it, nothing more.</summary>
    private struct Line
    {
        public readonly bool IsOrig;
        public int Length;
        public byte Last;
        public bool FlagNuls;
        public IacState Iac;
        public Part Part;
        public int WordLength;
        public bool WordPrintable;
        public Word4 Word;
        public int ArgumentLength;
        public bool ArgumentIsTls;
        public int Applied;
        public bool PendingCr;
        public int Digits;          // 1 followed by the first three bytes while they are digits, 0 once one is not
        public int ReplyCode => Digits >= 1000 ? Digits - 1000 : 0;
        public byte Fourth;

        public Line(bool isOrig)
        {
            this = default;
            IsOrig = isOrig;
            FlagNuls = true;
            Reset();
        }

        public void Reset()
        {
            Length = 0;
            Part = Part.Leading;
            WordLength = 0;
            WordPrintable = true;
            ArgumentLength = 0;
            ArgumentIsTls = true;
            Digits = 1;
            Fourth = 0;
            Applied = 0;
            PendingCr = false;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(4)]
    private struct Word4
    {
        private byte _b;
    }
}
