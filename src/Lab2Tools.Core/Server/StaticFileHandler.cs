using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Lab2Tools.Server;

/// <summary>A response to send: status line, headers in order, and a body (bytes in memory or a file range).</summary>
internal sealed class ResponsePlan
{
    public int Status;
    public readonly List<KeyValuePair<string, string>> Headers = new();
    public byte[]? Body;          // in-memory body (or the cached file)
    public long BodyOffset;
    public long BodyLength;
    public string? FilePath;      // streamed from disk when not cached
    public bool SendBody = true;  // false for HEAD and 304

    public void Add(string name, string value) => Headers.Add(new(name, value));
}

/// <summary>
/// Serves the files under a root the way Flask's send_from_directory (Werkzeug's send_file) does: ETag
/// "mtime-size-adler32", Last-Modified, Cache-Control: no-cache, 304 for If-None-Match / If-Modified-Since
/// (entity headers removed), one byte range → 206 with Content-Range, several or unsatisfiable ranges → 416,
/// HEAD, 404, 405, Content-Type by extension. No path leaves the root.
/// </summary>
internal sealed class StaticFileHandler
{
    private const long CacheLimit = 8 * 1024 * 1024;
    private readonly string _root;
    private readonly string _realRoot;
    private readonly AcceptRangesMode _acceptRanges;
    private readonly ConcurrentDictionary<string, CachedFile> _cache = new();
    // request target → file, for a short while: mapping walks the path for symbolic links (several system calls)
    private readonly ConcurrentDictionary<string, (string? path, bool bad, long expires)> _mapCache = new();
    private const int MapCacheLimit = 4096;

    private sealed record CachedFile(DateTime Mtime, long Size, byte[]? Bytes, string ETag, string LastModified, string ContentType,
        string FileName);

    public StaticFileHandler(string root, AcceptRangesMode acceptRanges)
    {
        _root = Path.GetFullPath(root);
        _realRoot = RealPath(_root);
        _acceptRanges = acceptRanges;
        // an empty static/ folder says nothing about the layout (and Flask would serve nothing from it)
        string staticDir = Path.Combine(_root, "static");
        IsFlaskProject = File.Exists(Path.Combine(_root, "templates", "index.html"))
            || (Directory.Exists(staticDir) && Directory.EnumerateFileSystemEntries(staticDir).Any());
    }

    /// <summary>
    /// The root is laid out like a Flask project: a static/ folder with files (served at /static/&lt;path&gt;) and the page in
    /// templates/index.html (rendered, as render_template does) or index.html. Otherwise the root is the lab's flat
    /// layout: index.html and the resources side by side, the resources served at /static/&lt;name&gt; and /&lt;name&gt;.
    /// </summary>
    public bool IsFlaskProject { get; }

    private string TemplatePath => Path.Combine(_root, "templates", "index.html");

    /// <summary>
    /// GET / of a Flask project whose page is templates/index.html: render_template's answer. A dynamic response:
    /// Content-Type and Content-Length only (no ETag, Last-Modified or ranges). Jinja turns line ends into \n and
    /// drops one final newline; {{ url_for('static', filename='x') }} becomes /static/x.
    /// </summary>
    private ResponsePlan? RenderedPage(HttpRequestHead req)
    {
        if (!IsFlaskProject) return null;
        string target = req.Target;
        int q = target.IndexOfAny(new[] { '?', '#' });
        if ((q >= 0 ? target[..q] : target) != "/" || !File.Exists(TemplatePath)) return null;
        string text;
        try { text = File.ReadAllText(TemplatePath, new UTF8Encoding(false)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Error(500); }
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.EndsWith('\n')) text = text[..^1];
        text = UrlFor.Replace(text, m => "/static/" + m.Groups["f"].Value);
        var body = Encoding.UTF8.GetBytes(text);
        var p = new ResponsePlan { Status = 200, Body = body, BodyLength = body.Length, SendBody = req.Method != "HEAD" };
        p.Add("Content-Type", "text/html; charset=utf-8");
        p.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        return p;
    }

    private static readonly System.Text.RegularExpressions.Regex UrlFor = new(
        "\\{\\{\\s*url_for\\(\\s*['\"]static['\"]\\s*,\\s*filename\\s*=\\s*['\"](?<f>[^'\"]+)['\"]\\s*\\)\\s*\\}\\}",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "PARTIAL CONTENT", 304 => "NOT MODIFIED", 400 => "BAD REQUEST", 404 => "NOT FOUND",
        405 => "METHOD NOT ALLOWED", 408 => "REQUEST TIMEOUT", 411 => "LENGTH REQUIRED", 413 => "REQUEST ENTITY TOO LARGE",
        414 => "REQUEST URI TOO LARGE", 416 => "REQUESTED RANGE NOT SATISFIABLE", 431 => "REQUEST HEADER FIELDS TOO LARGE",
        500 => "INTERNAL SERVER ERROR", 503 => "SERVICE UNAVAILABLE", 505 => "HTTP VERSION NOT SUPPORTED", _ => "UNKNOWN",
    };

    private static readonly Dictionary<int, string> Explanations = new()
    {
        [400] = "The browser (or proxy) sent a request that this server could not understand.",
        [404] = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        [405] = "The method is not allowed for the requested URL.",
        [408] = "The server closed the connection because the request took too long to arrive.",
        [411] = "A request with a body must say how long it is.",
        [413] = "The request body is larger than the server accepts.",
        [414] = "The request line is longer than the server accepts.",
        [416] = "The server cannot provide the requested range.",
        [431] = "The request headers are larger than the server accepts.",
        [503] = "The server is serving as many connections as it allows; try again.",
        [505] = "The server only speaks HTTP/1.0 and HTTP/1.1.",
    };

    /// <summary>An HTML error page like Werkzeug's.</summary>
    public static ResponsePlan Error(int status, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        string title = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Reason(status).ToLowerInvariant());
        string explanation = Explanations.GetValueOrDefault(status, "");
        var body = Encoding.UTF8.GetBytes(
            $"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{explanation}</p>\n");
        var p = new ResponsePlan { Status = status, Body = body, BodyLength = body.Length };
        p.Add("Content-Type", "text/html; charset=utf-8");
        p.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        if (extra != null) foreach (var h in extra) p.Headers.Add(h);
        return p;
    }

    public ResponsePlan Handle(HttpRequestHead req)
    {
        bool head = req.Method == "HEAD";
        if (req.Method == "OPTIONS")
        {
            var o = new ResponsePlan { Status = 200, Body = Array.Empty<byte>() };
            o.Add("Content-Type", "text/html; charset=utf-8");
            o.Add("Allow", "GET, HEAD, OPTIONS");
            o.Add("Content-Length", "0");
            return o;
        }
        if (req.Method != "GET" && !head)
            return Error(405, new[] { new KeyValuePair<string, string>("Allow", "GET, HEAD, OPTIONS") });
        if (RenderedPage(req) is ResponsePlan page) return page;

        string? full;
        bool bad;
        long now = Environment.TickCount64;
        if (_mapCache.TryGetValue(req.Target, out var mapped) && mapped.expires > now)
        {
            (full, bad) = (mapped.path, mapped.bad);
        }
        else
        {
            full = MapPath(req.Target, out bad);
            if (_mapCache.Count > MapCacheLimit) _mapCache.Clear();
            _mapCache[req.Target] = (full, bad, now + 2000);
        }
        if (bad) return Error(400);
        if (full == null) return Error(404);
        CachedFile f;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists) return Error(404);
            f = Lookup(full, info);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error(404);
        }

        var p = new ResponsePlan { Status = 200, SendBody = !head };
        p.Add("Content-Disposition", "inline; filename=" + f.FileName);
        p.Add("Content-Type", f.ContentType);
        long start = 0, length = f.Size;

        // range (before the conditional check, as Werkzeug's make_conditional does)
        string? range = req.Header("Range");
        string? ifRange = req.Header("If-Range");
        bool rangeApplies = range != null && (ifRange == null || ifRange.Trim() == f.ETag || ifRange.Trim() == f.LastModified);
        if (rangeApplies)
        {
            if (!TryParseRange(range!, f.Size, out start, out length))
            {
                var e = Error(416, new[] { new KeyValuePair<string, string>("Content-Range", $"bytes */{f.Size}") });
                return e;
            }
            p.Status = 206;
        }
        else if (!Modified(req, f))
        {
            var nm = new ResponsePlan { Status = 304, SendBody = false };
            nm.Add("Cache-Control", "no-cache");
            nm.Add("ETag", f.ETag);
            return nm;
        }
        p.Add("Content-Length", length.ToString(CultureInfo.InvariantCulture));
        p.Add("Last-Modified", f.LastModified);
        p.Add("Cache-Control", "no-cache");
        p.Add("ETag", f.ETag);
        if (p.Status == 206)
        {
            p.Add("Content-Range", $"bytes {start}-{start + length - 1}/{f.Size}");
            p.Add("Accept-Ranges", "bytes");
        }
        else if (_acceptRanges == AcceptRangesMode.Always)
        {
            p.Add("Accept-Ranges", "bytes");
        }
        p.BodyOffset = start;
        p.BodyLength = length;
        if (f.Bytes != null) p.Body = f.Bytes; else p.FilePath = full;
        return p;
    }

    private static bool Modified(HttpRequestHead req, CachedFile f)
    {
        string? inm = req.Header("If-None-Match");
        if (inm != null)
        {
            foreach (var tag in inm.Split(','))
            {
                string t = tag.Trim();
                if (t.StartsWith("W/", StringComparison.Ordinal)) t = t[2..];
                if (t == "*" || t == f.ETag) return false;
            }
            return true;
        }
        string? ims = req.Header("If-Modified-Since");
        if (ims != null && DateTime.TryParseExact(ims.Trim(), "R", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var since))
            return TruncateSeconds(f.Mtime) > since;
        return true;
    }

    private static DateTime TruncateSeconds(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    /// <summary>Exactly one "bytes=" range that fits the file (Werkzeug refuses several with 416).</summary>
    internal static bool TryParseRange(string header, long size, out long start, out long length)
    {
        start = 0; length = 0;
        string h = header.Trim();
        if (!h.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return false;
        string spec = h[6..].Trim();
        if (spec.Contains(',') || size == 0) return false;
        int dash = spec.IndexOf('-');
        if (dash < 0) return false;
        string a = spec[..dash].Trim(), b = spec[(dash + 1)..].Trim();
        if (a.Length == 0)
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix) || suffix == 0) return false;
            start = Math.Max(0, size - suffix);
            length = size - start;
            return true;
        }
        if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start >= size) return false;
        long end = size - 1;
        if (b.Length > 0)
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start) return false;
            end = Math.Min(end, size - 1);
        }
        length = end - start + 1;
        return true;
    }

    private CachedFile Lookup(string full, FileInfo info)
    {
        var mtime = info.LastWriteTimeUtc;
        if (_cache.TryGetValue(full, out var c) && c.Mtime == mtime && c.Size == info.Length) return c;
        double unix = PythonMtime.Of(full, mtime);     // os.stat's st_mtime, as Werkzeug writes it
        string etag = $"\"{unix.ToString("R", CultureInfo.InvariantCulture)}-{info.Length}-{Adler32(Encoding.UTF8.GetBytes(full))}\"";
        byte[]? bytes = info.Length <= CacheLimit ? File.ReadAllBytes(full) : null;
        c = new CachedFile(mtime, bytes?.LongLength ?? info.Length, bytes, etag,
            TruncateSeconds(mtime).ToString("R", CultureInfo.InvariantCulture),
            ContentTypeOf(full), info.Name);
        _cache[full] = c;
        return c;
    }

    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data) { a = (a + x) % 65521; b = (b + a) % 65521; }
        return (b << 16) | a;
    }

    internal static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".txt" or ".md" => "text/plain; charset=utf-8",
        ".json" => "application/json",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".svg" => "image/svg+xml",
        ".ico" => "image/vnd.microsoft.icon",
        ".webp" => "image/webp",
        ".ogg" or ".oga" => "audio/ogg",
        ".mp3" => "audio/mpeg",
        ".wav" => "audio/x-wav",
        ".mp4" => "video/mp4",
        ".webm" => "video/webm",
        ".pdf" => "application/pdf",
        ".pcap" => "application/vnd.tcpdump.pcap",
        _ => "application/octet-stream",
    };

    /// <summary>
    /// The file a request target names, or null (404); <paramref name="bad"/> for a target that is not a path at all (400).
    /// </summary>
    internal string? MapPath(string target, out bool bad)
    {
        bad = false;
        string path = target;
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            int slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = slash < 0 ? "/" : path[slash..];
        }
        if (!path.StartsWith('/')) { bad = true; return null; }
        int q = path.IndexOfAny(new[] { '?', '#' });
        if (q >= 0) path = path[..q];
        string decoded;
        try { decoded = Uri.UnescapeDataString(path); }
        catch (UriFormatException) { bad = true; return null; }
        if (decoded.Contains('\0')) { bad = true; return null; }
        if (decoded.Contains('\\')) return null;
        string rel;
        if (IsFlaskProject)
        {
            // Flask's routes: / (the page) and /static/<path:filename> (the static folder); nothing else
            if (decoded == "/") rel = "index.html";
            else if (decoded.StartsWith("/static/", StringComparison.Ordinal) && decoded.Length > 8) rel = "static/" + decoded[8..];
            else return null;
        }
        else rel = decoded == "/" ? "index.html" : decoded.StartsWith("/static/", StringComparison.Ordinal) ? decoded[8..] : decoded[1..];
        var parts = new List<string>();
        foreach (var seg in rel.Split('/'))
        {
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == ".." || seg.Contains(':')) return null;
            parts.Add(seg);
        }
        if (parts.Count == 0) parts.Add("index.html");
        string full = Path.GetFullPath(Path.Combine(_root, Path.Combine(parts.ToArray())));
        if (!Inside(full, _root)) return null;
        string real = RealPath(full);
        if (!Inside(real, _realRoot)) return null;                 // a symlink pointing out of the root
        return Directory.Exists(real) ? null : real;
    }

    private static bool Inside(string path, string root) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it resolved.</summary>
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? rootPart = Path.GetPathRoot(full);
        string current = rootPart ?? "/";
        foreach (var part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            for (int hops = 0; hops < 40; hops++)
            {
                FileSystemInfo fi = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (!fi.Exists || fi.LinkTarget == null) break;
                current = Path.GetFullPath(fi.LinkTarget, Path.GetDirectoryName(current) ?? "/");
            }
        }
        return current;
    }
}
