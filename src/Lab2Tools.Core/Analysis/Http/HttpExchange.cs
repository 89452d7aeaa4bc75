using Lab2Tools.Model;
using System.Collections.Specialized;
using System.Net;

namespace Lab2Tools.Analysis.Http;

public enum HttpExchangeState
{
    /// <summary>Request and response complete.</summary>
    Complete,
    /// <summary>The response ended where its framing says, but some of its bytes are not in the capture.</summary>
    BytesMissing,
    /// <summary>The capture ends (or the connection closes) before the response is complete.</summary>
    Truncated,
    /// <summary>A RST ended the connection before the response was complete.</summary>
    Aborted,
    /// <summary>The request has no response in the capture.</summary>
    NoResponse,
    /// <summary>
    /// A response whose request was sent before the capture started (Method and Uri are empty, RequestFrame is 0),
    /// as tshark shows it.
    /// </summary>
    RequestNotCaptured,
}

/// <summary>One HTTP/1.x request and its response, reassembled from a TCP stream.</summary>
/// <summary>
/// HTTP header fields in order, looked up without regard to case: a dictionary in ConvertTo-Json, and in Export-Csv
/// one "Name: value" line per field.
/// </summary>
public sealed class HttpHeaders : OrderedDictionary
{
    public HttpHeaders() : base(StringComparer.OrdinalIgnoreCase) { }
    public override string ToString()
    {
        var b = new System.Text.StringBuilder();
        foreach (System.Collections.DictionaryEntry e in this)
            b.Append(b.Length == 0 ? "" : "\n").Append(e.Key).Append(": ").Append(e.Value);
        return b.ToString();
    }
}

public sealed class HttpExchange
{
    public int Stream { get; init; }
    public string Client => ClientEndPoint.ToString();
    public string Server => ServerEndPoint.ToString();
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    /// <summary>1 for the first exchange on the connection, 2 for the next (keep-alive, pipelining)...</summary>
    public int Sequence { get; init; }

    public string Method { get; init; } = "";
    public string Uri { get; init; } = "";
    public string Version { get; init; } = "";
    /// <summary>Request headers in order; lookup is case-insensitive ($x.RequestHeaders['etag']).</summary>
    public HttpHeaders RequestHeaders { get; init; } = new();
    public long RequestBodyLength { get; init; }

    public int? StatusCode { get; internal set; }
    public string? ReasonPhrase { get; internal set; }
    public string? ResponseVersion { get; internal set; }
    public HttpHeaders ResponseHeaders { get; internal set; } = new();
    /// <summary>The Content-Length header of the response, when present.</summary>
    public long? ContentLength { get; internal set; }
    public string? ContentType { get; internal set; }
    public string? ContentRange { get; internal set; }
    public string? TransferEncoding { get; internal set; }
    /// <summary>Body bytes received (after removing chunked framing).</summary>
    public long BodyLength { get; internal set; }
    /// <summary>Body bytes the capture does not hold (gaps).</summary>
    public long BodyMissingBytes { get; internal set; }
    public string State => StateValue.ToString();
    internal HttpExchangeState StateValue { get; set; }
    /// <summary>For aborted exchanges: who sent the RST.</summary>
    public string? AbortedBy => AbortedByValue?.ToString();
    internal ConnectionRole? AbortedByValue { get; set; }

    // conditional and range requests at a glance
    public string? IfNoneMatch => Header(RequestHeaders, "If-None-Match");
    public string? IfModifiedSince => Header(RequestHeaders, "If-Modified-Since");
    public string? Range => Header(RequestHeaders, "Range");
    public string? ETag => Header(ResponseHeaders, "ETag");
    public string? LastModified => Header(ResponseHeaders, "Last-Modified");

    public long RequestFirstFrame { get; init; }
    /// <summary>The frame the request is reassembled in (its last byte).</summary>
    public long RequestFrame { get; init; }
    public long? ResponseFirstFrame { get; internal set; }
    /// <summary>The frame the response is reassembled in (its last byte): where Wireshark shows the response line.</summary>
    public long? ResponseFrame { get; internal set; }
    /// <summary>Frames carrying the response that Wireshark marks "[TCP segment of a reassembled PDU]".</summary>
    public FrameList ResponseSegmentFrames { get; internal set; } = FrameList.Empty;
    public DateTime RequestTime { get; init; }
    /// <summary>RequestTime as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string RequestTimeIso => Lab2Tools.Model.Units.Iso(RequestTime);
    /// <summary>From the last byte of the request to the first byte of the response.</summary>
    public decimal? TimeToFirstByteMs => Units.Milliseconds(TimeToFirstByte);
    internal TimeSpan? TimeToFirstByte { get; set; }
    /// <summary>From the first byte of the request to the last byte of the response.</summary>
    public decimal? TotalTimeMs => Units.Milliseconds(TotalTime);
    internal TimeSpan? TotalTime { get; set; }
    /// <summary>Wireshark's http.time: from the request's frame to the response's frame.</summary>
    public decimal? HttpTimeMs => Units.Milliseconds(HttpTime);
    internal TimeSpan? HttpTime { get; set; }
    /// <summary>The response body (de-chunked) when it was kept (Export-HttpObject, -IncludeBody).</summary>
    internal byte[]? Body { get; set; }
    /// <summary>The response body (with -IncludeBody; a method, so that Export-Csv and ConvertTo-Json leave it out).</summary>
    public byte[]? GetBody() => Body;

    private static string? Header(OrderedDictionary h, string name) => h.Contains(name) ? (string?)h[name] : null;

    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Method} {Uri} → {StatusCode} {ReasonPhrase}";

    /// <summary>"200 OK", or empty without a response.</summary>
    public string Status => StatusCode is int c ? $"{c} {ReasonPhrase}" : "";
    /// <summary>The request's last frame and the response's (reassembled-in) frame, "4->6".</summary>
    public string Frames => $"{RequestFrame}->{ResponseFrame}";
    /// <summary>"Complete", or "Aborted by client" (in Chinese, Chinese words: 完整, 被客户端中止).</summary>
    public string StateText => StateValue == HttpExchangeState.Aborted && AbortedByValue != null
        ? Text.ShapeText.Table.Format("Http.AbortedBy", Text.CommonText.Role(AbortedByValue == ConnectionRole.Client))
        : AnalysisText.HttpStateName(StateValue);
    /// <summary>The request line, its frames and its place on the connection.</summary>
    public string RequestText => RequestFirstFrame == RequestFrame
        ? Text.ShapeText.Table.Format("Http.RequestOneFrame", Method, Uri, Version, RequestFrame, Sequence)
        : Text.ShapeText.Table.Format("Http.Request", Method, Uri, Version, RequestFirstFrame, RequestFrame, Sequence);
    /// <summary>The status line and the response's frames, or "(none)".</summary>
    public string ResponseText => StatusCode == null ? Text.ShapeText.Table["Http.NoResponse"]
        : ResponseFirstFrame == ResponseFrame
        ? Text.ShapeText.Table.Format("Http.ResponseOneFrame", ResponseVersion, StatusCode, ReasonPhrase, ResponseFrame)
        : Text.ShapeText.Table.Format("Http.Response", ResponseVersion, StatusCode, ReasonPhrase, ResponseFirstFrame, ResponseFrame);
    /// <summary>The validators: the request's If-None-Match / If-Modified-Since and the response's ETag / Last-Modified.</summary>
    public string ConditionalHeaders => Lines(("If-None-Match", IfNoneMatch), ("If-Modified-Since", IfModifiedSince),
        ("ETag", ETag), ("Last-Modified", LastModified));
    /// <summary>The request's Range and the response's Content-Range.</summary>
    public string RangeHeaders => Lines(("Range", Range), ("Content-Range", ContentRange));
    private static string Lines(params (string Name, string? Value)[] fields) =>
        string.Join("\n", fields.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => $"{f.Name}: {f.Value}"));
}
