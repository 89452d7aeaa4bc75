using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using Lab2Tools.Model;

using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Analysis.Http;

/// <summary>A parsed HTTP/1.x message head and where its bytes were.</summary>
internal sealed class HttpMessage
{
    public string StartLine = "";
    public string[] Parts = Array.Empty<string>();
    public HttpHeaders Headers = new();
    public TcpSegment FirstSegment = null!;
    public TcpSegment HeadSegment = null!;
    public TcpSegment LastSegment = null!;
    public readonly List<long> Frames = new();
    public long BodyLength;
    public long BodyMissing;
    public MemoryStream? Body;
    public bool Complete;
}

/// <summary>
/// Incremental HTTP/1.0 and 1.1 parser for one direction of a stream: message heads, then bodies delimited
/// by Content-Length, chunked encoding or the end of the connection, and no body where the rules say so
/// (HEAD, 1xx, 204, 304). Bytes arrive in sequence order, with gaps.
/// </summary>
internal sealed class HttpMessageParser
{
    private const int MaxHeadBytes = 256 * 1024;
    private enum Phase { Head, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Failed }

    private readonly bool _isRequest;
    private readonly bool _keepBody;
    private readonly Func<HttpMessage, BodyRule> _bodyRule;
    private readonly List<byte> _line = new();
    private readonly StringBuilder _head = new();
    private Phase _phase = Phase.Head;
    private long _remaining;
    private HttpMessage? _msg;

    public enum BodyRule { None, Length, Chunked, UntilClose }

    public HttpMessageParser(bool isRequest, bool keepBody, Func<HttpMessage, BodyRule> bodyRule)
    {
        _isRequest = isRequest;
        _keepBody = keepBody;
        _bodyRule = bodyRule;
    }

    public Action<HttpMessage>? OnHead;
    public Action<HttpMessage>? OnComplete;
    public string? Error { get; private set; }

    public void Feed(ReadOnlySpan<byte> data, TcpSegment seg)
    {
        int i = 0;
        while (i < data.Length && _phase != Phase.Failed)
        {
            if (_msg == null)
            {
                // skip blank lines between messages (RFC 9112 2.2)
                if (data[i] == '\r' || data[i] == '\n') { i++; continue; }
                _msg = new HttpMessage { FirstSegment = seg };
            }
            Touch(seg);
            switch (_phase)
            {
                case Phase.Head:
                {
                    byte b = data[i++];
                    if (_head.Length + _line.Count > MaxHeadBytes) { Fail(Table["Http.HeadTooLarge"]); break; }
                    if (b != '\n') { _line.Add(b); break; }
                    if (_line.Count > 0 && _line[^1] == '\r') _line.RemoveAt(_line.Count - 1);
                    if (_line.Count == 0)
                    {
                        if (_head.Length == 0) break;
                        EndHead(seg);
                        break;
                    }
                    string text = Encoding.Latin1.GetString(_line.ToArray());
                    _line.Clear();
                    if (_head.Length == 0 && !CheckStartLine(text)) break;
                    _head.Append(text).Append('\n');
                    break;
                }
                case Phase.FixedBody:
                {
                    int n = (int)Math.Min(_remaining, data.Length - i);
                    Body(data.Slice(i, n));
                    i += n;
                    _remaining -= n;
                    if (_remaining == 0) Finish();
                    break;
                }
                case Phase.ChunkSize:
                case Phase.Trailers:
                {
                    byte b = data[i++];
                    if (b != '\n') { if (_line.Count < 8192) _line.Add(b); else Fail(Table["Http.ChunkSizeLineTooLong"]); break; }
                    string line = Encoding.Latin1.GetString(_line.ToArray()).TrimEnd('\r');
                    _line.Clear();
                    if (_phase == Phase.Trailers)
                    {
                        if (line.Length == 0) Finish();
                        break;
                    }
                    string hex = line.Split(';')[0].Trim();
                    if (!long.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long size) || size < 0)
                    {
                        Fail(Say("Http.BadChunkSize", hex));
                        break;
                    }
                    if (size == 0) _phase = Phase.Trailers;
                    else { _remaining = size; _phase = Phase.ChunkData; }
                    break;
                }
                case Phase.ChunkData:
                {
                    int n = (int)Math.Min(_remaining, data.Length - i);
                    Body(data.Slice(i, n));
                    i += n;
                    _remaining -= n;
                    if (_remaining == 0) _phase = Phase.ChunkDataEnd;
                    break;
                }
                case Phase.ChunkDataEnd:
                {
                    byte b = data[i++];
                    if (b == '\n') _phase = Phase.ChunkSize;
                    break;
                }
                case Phase.UntilClose:
                    Body(data[i..]);
                    i = data.Length;
                    break;
            }
        }
    }

    /// <summary>Bytes missing from the capture in this direction.</summary>
    public void Gap(long missing, TcpSegment seg)
    {
        if (_msg == null || _phase == Phase.Failed) return;   // between messages, or already given up
        Touch(seg);
        switch (_phase)
        {
            case Phase.FixedBody:
            case Phase.ChunkData:
            {
                long n = Math.Min(_remaining, missing);
                _msg.BodyMissing += n;
                _remaining -= n;
                if (_remaining == 0) { if (_phase == Phase.FixedBody) Finish(); else _phase = Phase.ChunkDataEnd; }
                break;
            }
            case Phase.UntilClose:
                _msg.BodyMissing += missing;
                break;
            default:
                Fail(Say("Http.HeadMissing", missing));
                break;
        }
    }

    /// <summary>The connection ended: a body delimited by the close is complete; anything else pending is not.</summary>
    public HttpMessage? End()
    {
        if (_msg == null) return null;
        if (_phase == Phase.UntilClose) { Finish(); return null; }
        var m = _msg;
        _msg = null;
        return m;
    }

    private void Touch(TcpSegment seg)
    {
        if (_msg!.LastSegment != seg)
        {
            _msg.LastSegment = seg;
            if (_msg.Frames.Count == 0 || _msg.Frames[^1] != seg.Frame) _msg.Frames.Add(seg.Frame);
        }
    }

    private bool CheckStartLine(string text)
    {
        var parts = text.Split(' ', 3);
        bool ok = _isRequest
            ? parts.Length == 3 && parts[0].Length > 0
                && parts[0].All(c => c > 32 && c < 127 && c != '(' && c != ')' && c != '/' && c != ':')
                && parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal)
            : parts.Length >= 2 && parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
                && parts[1].Length == 3 && parts[1].All(char.IsAsciiDigit);
        if (!ok)
        {
            Fail(Say(_isRequest ? "Http.NotRequestLine" : "Http.NotStatusLine", Shorten(text)));
            return false;
        }
        _msg!.StartLine = text;
        _msg.Parts = parts;
        return true;
    }

    private static string Shorten(string s)
    {
        var clean = new string(s.Select(c => c < 32 || c > 126 ? '.' : c).ToArray());
        return clean.Length > 40 ? clean[..40] + "…" : clean;
    }

    private void EndHead(TcpSegment seg)
    {
        var m = _msg!;
        m.HeadSegment = seg;
        var lines = _head.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _head.Clear();
        string? lastName = null;
        foreach (var line in lines.Skip(1))
        {
            if ((line.StartsWith(' ') || line.StartsWith('\t')) && lastName != null)
            {
                m.Headers[lastName] = m.Headers[lastName] + " " + line.Trim();
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            m.Headers[name] = m.Headers.Contains(name) ? m.Headers[name] + ", " + value : value;
            lastName = name;
        }
        if (_keepBody) m.Body = new MemoryStream();
        OnHead?.Invoke(m);
        switch (_bodyRule(m))
        {
            case BodyRule.None:
                Finish();
                break;
            case BodyRule.Length:
                _remaining = long.TryParse(m.Headers["Content-Length"] as string, NumberStyles.None, CultureInfo.InvariantCulture,
                    out long n) ? n : 0;
                if (_remaining == 0) Finish(); else _phase = Phase.FixedBody;
                break;
            case BodyRule.Chunked:
                _phase = Phase.ChunkSize;
                break;
            default:
                _phase = Phase.UntilClose;
                break;
        }
    }

    private void Body(ReadOnlySpan<byte> data)
    {
        _msg!.BodyLength += data.Length;
        _msg.Body?.Write(data);
    }

    private void Finish()
    {
        var m = _msg!;
        m.Complete = true;
        _msg = null;
        _phase = Phase.Head;
        _line.Clear();
        OnComplete?.Invoke(m);
    }

    private void Fail(string why)
    {
        Error ??= why;
        _phase = Phase.Failed;
    }
}
