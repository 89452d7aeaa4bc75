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
public sealed class HttpExchange
{
    public int Stream { get; init; }
    public IPEndPoint Client { get; init; } = null!;
    public IPEndPoint Server { get; init; } = null!;
    /// <summary>1 for the first exchange on the connection, 2 for the next (keep-alive, pipelining)...</summary>
    public int Sequence { get; init; }

    public string Method { get; init; } = "";
    public string Uri { get; init; } = "";
    public string Version { get; init; } = "";
    /// <summary>Request headers in order; lookup is case-insensitive ($x.RequestHeaders['etag']).</summary>
    public OrderedDictionary RequestHeaders { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public long RequestBodyLength { get; init; }

    public int? StatusCode { get; internal set; }
    public string? ReasonPhrase { get; internal set; }
    public string? ResponseVersion { get; internal set; }
    public OrderedDictionary ResponseHeaders { get; internal set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The Content-Length header of the response, when present.</summary>
    public long? ContentLength { get; internal set; }
    public string? ContentType { get; internal set; }
    public string? ContentRange { get; internal set; }
    public string? TransferEncoding { get; internal set; }
    /// <summary>Body bytes received (after removing chunked framing).</summary>
    public long BodyLength { get; internal set; }
    /// <summary>Body bytes the capture does not hold (gaps).</summary>
    public long BodyMissingBytes { get; internal set; }
    public HttpExchangeState State { get; internal set; }
    /// <summary>For aborted exchanges: who sent the RST.</summary>
    public ConnectionRole? AbortedBy { get; internal set; }

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
    public IReadOnlyList<long> ResponseSegmentFrames { get; internal set; } = Array.Empty<long>();
    public DateTime RequestTime { get; init; }
    /// <summary>From the last byte of the request to the first byte of the response.</summary>
    public TimeSpan? TimeToFirstByte { get; internal set; }
    /// <summary>From the first byte of the request to the last byte of the response.</summary>
    public TimeSpan? TotalTime { get; internal set; }
    /// <summary>Wireshark's http.time: from the request's frame to the response's frame.</summary>
    public TimeSpan? HttpTime { get; internal set; }
    /// <summary>The response body (de-chunked) when it was kept (Export-HttpObject, -IncludeBody).</summary>
    public byte[]? Body { get; internal set; }

    private static string? Header(OrderedDictionary h, string name) => h.Contains(name) ? (string?)h[name] : null;

    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Method} {Uri} → {StatusCode} {ReasonPhrase}";
}
