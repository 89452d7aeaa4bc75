using System.Text;

namespace Lab2Tools.Server;

/// <summary>The request line and headers of one request, parsed with limits.</summary>
internal sealed class HttpRequestHead
{
    public string Method = "";
    public string Target = "";
    public string Version = "";
    public readonly List<KeyValuePair<string, string>> Headers = new();

    public string? Header(string name)
    {
        foreach (var h in Headers)
            if (h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        return null;
    }

    public enum ParseResult { Ok, BadRequest, UriTooLong, HeadersTooLarge, VersionNotSupported }

    /// <summary>Parses a complete head (without the final blank line). <paramref name="error"/> says what was wrong.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> head, int maxRequestLine, out HttpRequestHead request, out string error,
        int maxHeaderBytes = int.MaxValue)
    {
        request = new HttpRequestHead();
        error = "";
        int eol = head.IndexOf((byte)'\n');
        var lineBytes = eol < 0 ? head : head[..eol];
        if (lineBytes.Length > maxRequestLine) { error = "request line too long"; return ParseResult.UriTooLong; }
        if (lineBytes.IndexOf((byte)0) >= 0) { error = "NUL byte in the request line"; return ParseResult.BadRequest; }
        string line = Encoding.Latin1.GetString(lineBytes).TrimEnd('\r');
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = "bad request line";
            return ParseResult.BadRequest;
        }
        foreach (char c in parts[0])
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".IndexOf(c) >= 0) { error = "bad method"; return ParseResult.BadRequest; }
        if (!parts[2].StartsWith("HTTP/", StringComparison.Ordinal)) { error = "bad version"; return ParseResult.BadRequest; }
        if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0")
        {
            error = $"version {parts[2]} not supported";
            return parts[2].Length == 8 && char.IsAsciiDigit(parts[2][5]) && parts[2][6] == '.' && char.IsAsciiDigit(parts[2][7])
                ? ParseResult.VersionNotSupported : ParseResult.BadRequest;
        }
        request.Method = parts[0];
        request.Target = parts[1];
        request.Version = parts[2];
        var rest = eol < 0 ? ReadOnlySpan<byte>.Empty : head[(eol + 1)..];
        // found by the abuse test
        if (rest.Length > maxHeaderBytes) { error = "header section too large"; return ParseResult.HeadersTooLarge; }
        int count = 0;
        while (rest.Length > 0)
        {
            int n = rest.IndexOf((byte)'\n');
            var hl = n < 0 ? rest : rest[..n];
            rest = n < 0 ? ReadOnlySpan<byte>.Empty : rest[(n + 1)..];
            if (hl.Length > 0 && hl[^1] == '\r') hl = hl[..^1];
            if (hl.Length == 0) continue;
            if (++count > 100) { error = "more than 100 header fields"; return ParseResult.HeadersTooLarge; }
            if (hl.IndexOf((byte)0) >= 0) { error = "NUL byte in a header"; return ParseResult.BadRequest; }
            int colon = hl.IndexOf((byte)':');
            if (colon <= 0 || hl[0] == ' ' || hl[0] == '\t') { error = "bad header line"; return ParseResult.BadRequest; }
            string name = Encoding.Latin1.GetString(hl[..colon]);
            if (name.IndexOf(' ') >= 0) { error = "space in a header name"; return ParseResult.BadRequest; }
            request.Headers.Add(new(name, Encoding.Latin1.GetString(hl[(colon + 1)..]).Trim()));
        }
        return ParseResult.Ok;
    }
}
