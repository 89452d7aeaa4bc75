using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Model;
using Lab2Tools.Rendering;
using Lab2Tools.Sockets;
using Lab2Tools.Text;

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Lab;

/// <summary>
/// The lab report, in the seed report's order (the server, the handshake, the page, the resources, the
/// teardown, the three questions), filled from one capture with its real frame numbers and values. Its words
/// are in Lab/ReportText.resx, in the language of <see cref="TextCulture.Current"/>; figures and frames are the
/// same in every language.
/// </summary>
public static class LabReport
{
    private static string T(string key) => LabText.Report[key];
    private static string F(string key, params object?[] args) => LabText.Report.Format(key, args);
    private static string Role(ConnectionRole? role) => LabText.Role(role);

    /// <param name="a">The analysed capture.</param>
    /// <param name="session">The session that made it, when there is one (server settings, request log, socket table).</param>
    /// <param name="serverPort">The lab server's port, or null to choose it by evidence (ignored with a session).</param>
    /// <param name="sockets">The socket table to show for TIME_WAIT when there is no session.</param>
    /// <param name="culture">The report's language; null: <see cref="TextCulture.Current"/>.</param>
    public static ReportDocument Build(LabCaptureAnalysis a, LabSession? session, int? serverPort, IReadOnlyList<TcpSocketEntry>? sockets,
        CultureInfo? culture = null)
    {
        using var scope = TextCulture.Use(culture);
        var focus = session != null && ReferenceEquals(a, session.Analysis) ? session.Focus
            : session != null ? LabFocus.Of(a, session.ServerPort, LabPortReason.Session(session.ServerPort))
            : LabFocus.Of(a, serverPort);
        // the checks in the report's language, on the same focus as the sections
        var checks = LabChecks.Run(focus);
        int port = focus.Port;
        var http = focus.Http.ToList();
        var page = focus.PageRequest ?? http.FirstOrDefault();
        var doc = new ReportDocument(F("Title", port), TextCulture.Current.Name);
        doc.P(F("Intro", a.Path, N(a.Frames), N(a.TcpSegments), a.Connections.Count, http.Count, LabChecks.Tally(checks),
            DateTime.Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)));

        Server(doc, a, session, port, http);
        Handshake(doc, a, focus.Handshake);
        Page(doc, a, page);
        Resources(doc, a, http);
        Teardown(doc, a, focus);
        Questions(doc, a, focus, session?.SocketStates ?? sockets ?? Array.Empty<TcpSocketEntry>());

        doc.H(2, T("Checks.Heading"), "7-lab-checks");
        doc.T(new[] { T("Checks.Col.Check"), T("Checks.Col.Result"), T("Checks.Col.Evidence") },
            checks.Select(c => new[] { c.Name, c.ResultText, c.Evidence }));
        if (checks.Count > 0 && session == null) doc.P(F("Checks.Port", port, checks[0].ServerPortReason));
        if (checks.Any(c => c.ResultValue == LabCheckOutcome.NotApplicable)) doc.P(T("Checks.NotApplicable"));
        LabReportTcpDynamics.Add(doc, a, http, focus.PageStream);
        return doc;
    }

    private static void Server(ReportDocument doc, LabCaptureAnalysis a, LabSession? s, int port, List<HttpExchange> http)
    {
        doc.H(2, T("Server.Heading"), "1-building-the-web-server");
        if (s != null)
        {
            string mode = T(s.CloseModeValue switch
            {
                Lab2Tools.Server.LabServerCloseMode.ServerFirst => "Server.CloseMode.ServerFirst",
                Lab2Tools.Server.LabServerCloseMode.ClientFirst => "Server.CloseMode.ClientFirst",
                _ => "Server.CloseMode.Abort",
            });
            string visitor = T(s.BrowserValue == LabBrowser.Chromium ? "Server.Visitor.Chromium" : "Server.Visitor.BuiltIn");
            doc.P(F("Server.Session", s.ServerProfile, s.ServerUrl, s.CloseMode, mode, visitor));
            if (s.Requests.Count > 0)
            {
                doc.P(T("Server.Log"));
                doc.Pre(string.Join("\n", s.Requests.Select(r => r.LogLine)));
            }
        }
        else
        {
            var server = a.Connections.FirstOrDefault(c => c.ServerEndPoint.Port == port)?.Server;
            doc.P(server != null ? F("Server.Capture", server, http.Count) : F("Server.CapturePort", port, http.Count));
        }
        if (http.Count > 0)
        {
            var files = http.GroupBy(x => x.Uri).Select(g => new[]
            {
                g.Key, AnalysisText.Words(g.Select(x => x.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-").Distinct()),
                g.Select(x => x.ContentType).FirstOrDefault(t => t != null) ?? "", N(g.Max(x => x.BodyLength)),
            });
            doc.T(new[] { T("Server.Col.Resource"), T("Server.Col.Status"), "Content-Type", T("Server.Col.Largest") }, files);
        }
    }

    private static string Window(TcpSegment? s) =>
        s == null ? "?"
        : s.WindowSizeScalingFactor is int f && f > 1 ? $"{N(s.WindowSizeValue)}×{f} = {N(s.WindowSize)}"
        : N(s.WindowSize);

    private static TcpSegment? Seg(LabCaptureAnalysis a, int stream, long frame) =>
        a.StreamSegments.TryGetValue(stream, out var segs) ? segs.FirstOrDefault(s => s.Frame == frame) : null;

    private static string Opt(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? CommonText.Table["None"];

    private static void Handshake(ReportDocument doc, LabCaptureAnalysis a, TcpHandshake? h)
    {
        doc.H(2, T("Handshake.Heading"), "2-the-three-way-handshake");
        if (h == null)
        {
            doc.P(T("Handshake.None"));
            return;
        }
        var ack = Seg(a, h.Stream, h.Ack!.Frame);
        var co = h.ClientOptions;
        var so = h.ServerOptions;
        var (ca, sa) = (h.ClientEndPoint.Address, h.ServerEndPoint.Address);
        // "loopback" only when both ends are one loopback address; otherwise name both addresses
        doc.P(ca.Equals(sa) && System.Net.IPAddress.IsLoopback(ca)
            ? F("Handshake.IntroLoopback", h.Stream, h.ClientEndPoint.Port, h.ServerEndPoint.Port, ca, Ms(h.InitialRtt))
            : F("Handshake.IntroAddresses", h.Stream, h.ClientEndPoint.Port, h.ServerEndPoint.Port, ca, Ms(h.InitialRtt), sa));
        doc.H(3, F("Handshake.Step1", h.Syn.Frame));
        doc.List(new[]
        {
            F("Handshake.Syn.Flag", h.Client),
            F("Handshake.Syn.Seq", N(h.ClientIsn)),
            T("Handshake.Syn.Len"),
            F("Handshake.Syn.Win", N(co.Window)),
            co.Mss == 65495 ? T("Handshake.Syn.MssLoopback") : F("Handshake.Syn.Mss", Opt(co.Mss)),
            co.WindowScaleShift is int ws ? F("Handshake.Syn.Ws", co.WindowScaleMultiplier, ws) : T("Handshake.Syn.NoWs"),
            T(co.SackPermitted ? "Handshake.Syn.Sack" : "Handshake.Syn.NoSack"),
        });
        doc.H(3, F("Handshake.Step2", h.SynAck!.Frame));
        doc.List(new[]
        {
            F("Handshake.SynAck.From", h.Server, h.ClientEndPoint.Port),
            F("Handshake.SynAck.Numbers", N(h.ServerIsn ?? 0), N(h.SynAck.AckRaw)),
            so == null ? "" : F("Handshake.SynAck.Options", Opt(so.Mss), Opt(so.WindowScaleMultiplier),
                LabText.T(so.SackPermitted ? "Yes" : "No"), N(so.Window)),
            T(h.WindowScaling ? "Handshake.SynAck.Scaling" : "Handshake.SynAck.NoScaling"),
        }.Where(x => x.Length > 0));
        doc.H(3, F("Handshake.Step3", h.Ack.Frame));
        doc.List(new[]
        {
            T("Handshake.Ack.Flag"),
            F("Handshake.Ack.Numbers", N(h.Ack.AckRaw)),
            // scaled only when both SYNs carried the window scale option
            h.WindowScaling ? F("Handshake.Ack.Window", Window(ack)) : F("Handshake.Ack.WindowUnscaled", Window(ack)),
            T("Handshake.Ack.Established"),
        });
        var flow = a.Flow(h.Stream);
        if (flow != null)
            doc.Svg($"handshake-stream-{h.Stream}.svg",
                FlowSvgRenderer.Render(Slice(flow, flow.Rows.Take(3), keepFinal: false), F("Handshake.Figure.Title", h.Stream)),
                F("Handshake.Figure.Caption", h.Stream));
    }

    private static TcpFlow Slice(TcpFlow f, IEnumerable<TcpFlowRow> rows, bool keepFinal, bool keepInitial = true) => new()
    {
        Stream = f.Stream, ClientEndPoint = f.ClientEndPoint, ServerEndPoint = f.ServerEndPoint,
        ClientInitialStateValue = keepInitial ? f.ClientInitialStateValue : null,
        ServerInitialStateValue = keepInitial ? f.ServerInitialStateValue : null,
        ClientFinalStateValue = keepFinal ? f.ClientFinalStateValue : null,
        ServerFinalStateValue = keepFinal ? f.ServerFinalStateValue : null,
        Rows = rows.ToList(), Notes = keepFinal ? f.Notes : LineList<string>.Empty,
    };

    private static void Page(ReportDocument doc, LabCaptureAnalysis a, HttpExchange? page)
    {
        doc.H(2, T("Page.Heading"), "3-getting-the-html-page");
        if (page == null)
        {
            doc.P(T("Page.None"));
            return;
        }
        var req = Seg(a, page.Stream, page.RequestFrame);
        doc.H(3, F("Page.Request.Heading", page.RequestFrame));
        string line = $"{page.Method} {page.Uri} {page.Version}";
        doc.P(req == null ? F("Page.Request.NoSegment", line, page.ClientEndPoint.Port)
            : F((req.Flags & TcpFlags.PSH) != 0 ? "Page.Request.Push" : "Page.Request", line, page.ClientEndPoint.Port, N(req.Seq),
                N(req.Ack),
                req.Len, req.FlagsText, N(req.NextSeq)));
        doc.T(new[] { T("Page.Col.Header"), T("Page.Col.Value") },
            page.RequestHeaders.Keys.Cast<string>().Select(k => new[] { k, page.RequestHeaders[k]?.ToString() ?? "" }));

        doc.H(3, T("Page.Response.Heading"));
        var segs = a.StreamSegments.TryGetValue(page.Stream, out var ss) ? ss : Array.Empty<TcpSegment>();
        long last = page.ResponseFrame ?? page.RequestFrame;
        var after = segs.Where(s => s.Frame > page.RequestFrame && s.Frame <= last + 1).ToList();
        var pureAck = after.FirstOrDefault(s => s.SourcePort == page.ServerEndPoint.Port && s.Len == 0 && (s.Flags & TcpFlags.ACK) != 0);
        if (pureAck != null && pureAck.Frame < (page.ResponseFirstFrame ?? long.MaxValue))
            doc.P(F("Page.Response.PureAck", pureAck.Frame, N(pureAck.Seq), N(pureAck.Ack)));
        int count = page.ResponseSegmentFrames.Count + 1;
        string status = $"{page.ResponseVersion} {page.StatusCode} {page.ReasonPhrase}";
        doc.P(F(count == 1 ? "Page.Response.One" : count == 2 ? "Page.Response.Two" : "Page.Response.Many", status, page.ContentType,
            N(page.BodyLength), count, AnalysisText.List(page.ResponseSegmentFrames), page.ResponseFrame));
        string toClient = T("Page.Direction.ToClient"), toServer = T("Page.Direction.ToServer");
        doc.T(new[] { T("Col.Frame"), T("Page.Col.Direction"), T("Page.Col.Flags"), "Seq", "Ack", "Len", "Win", T("Page.Col.What") },
            after.Select(s => new[]
            {
                N(s.Frame), s.SourcePort == page.ServerEndPoint.Port ? toClient : toServer, s.FlagsText, N(s.Seq), N(s.Ack), N(s.Len),
                    Window(s),
                s.Frame == page.ResponseFrame ? status
                    : page.ResponseSegmentFrames.Contains(s.Frame) ? "[TCP segment of a reassembled PDU]" : s.Len == 0 ? "ACK" : "",
            }));
        var clientAcks = after.Where(s => s.SourcePort == page.ClientEndPoint.Port && s.Len == 0
            && (s.Flags & (TcpFlags.FIN | TcpFlags.RST)) == 0)
            .ToList();
        if (clientAcks.Count > 0)
        {
            var first = clientAcks[0];
            bool changed = req != null && req.WindowSize != first.WindowSize;
            doc.P(F(changed ? "Page.ClientAck.Shrunk" : "Page.ClientAck", first.Frame, N(first.Seq), N(first.Seq - 1), N(first.Ack),
                Window(first), changed ? Window(req) : ""));
        }
        var flow = a.Flow(page.Stream);
        if (flow != null)
            doc.Svg($"flow-stream-{page.Stream}.svg", FlowSvgRenderer.Render(flow, F("Page.Figure.Title", page.Stream)),
                F("Page.Figure.Caption", page.Stream));
    }

    private static void Resources(ReportDocument doc, LabCaptureAnalysis a, List<HttpExchange> http)
    {
        doc.H(2, T("Resources.Heading"), "4-the-pages-resources");
        if (http.Count == 0) { doc.P(T("Resources.None")); return; }
        doc.P(T("Resources.Intro"));
        doc.T(new[]
            {
                T("Col.Stream"), T("Resources.Col.ClientPort"), T("Resources.Col.Request"), T("Resources.Col.Frames"),
                T("Server.Col.Status"),
                T("Resources.Col.Validators"), "Content-Range", T("Resources.Col.Body"), T("Resources.Col.State"),
            },
            http.Select(x => new[]
            {
                N(x.Stream), N(x.ClientEndPoint.Port), $"{x.Method} {x.Uri}",
                $"{x.RequestFrame} → {x.ResponseFrame?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
                $"{x.StatusCode} {x.ReasonPhrase}".Trim(),
                string.Join("; ", new[]
                {
                    x.Range != null ? "Range: " + x.Range : null, x.IfNoneMatch != null ? "If-None-Match: " + x.IfNoneMatch : null,
                    x.IfModifiedSince != null ? "If-Modified-Since: " + x.IfModifiedSince : null,
                }.Where(v => v != null)),
                x.ContentRange ?? "", N(x.BodyLength), AnalysisText.HttpStateName(x.StateValue),
            }));
        doc.P(F("Resources.Connections", http.Select(x => x.Stream).Distinct().Count(), http.Count));

        var logo = http.Where(x => x.Uri.Contains("logo", StringComparison.OrdinalIgnoreCase)).ToList();
        if (logo.Count > 0)
        {
            doc.H(3, T("Resources.Logo.Heading"));
            doc.List(logo.Select(x => x.StatusCode == 304
                ? F("Resources.Logo.NotModified", x.Stream, x.ClientEndPoint.Port, $"{x.Method} {x.Uri}", x.RequestFrame, Validators(x),
                    x.ResponseFrame)
                : F("Resources.Logo.Fetched", x.Stream, x.ClientEndPoint.Port, $"{x.Method} {x.Uri}", x.RequestFrame, x.StatusCode,
                    x.ReasonPhrase,
                    N(x.BodyLength), (x.ETag != null ? F("Resources.Header", $"ETag: {x.ETag}") : "")
                        + (x.LastModified != null ? F("Resources.Header", $"Last-Modified: {x.LastModified}") : ""))));
        }
        var audio = http.Where(x => x.Range != null || x.StatusCode == 206
            || (x.ContentType ?? "").StartsWith("audio", StringComparison.OrdinalIgnoreCase)).ToList();
        if (audio.Count > 0)
        {
            doc.H(3, T("Resources.Audio.Heading"));
            doc.List(audio.Select(x => F(x.Range != null ? "Resources.Audio.ItemRange" : "Resources.Audio.Item", x.Stream,
                x.ClientEndPoint.Port,
                $"{x.Method} {x.Uri}", x.Range, x.RequestFrame, $"{x.StatusCode} {x.ReasonPhrase}",
                x.ContentRange != null ? F("Resources.Header", $"Content-Range: {x.ContentRange}") : "", N(x.BodyLength), x.ResponseSegmentFrames.Count + 1,
                x.StateText)));
            doc.P(T("Resources.Audio.Why"));
        }
        var resets = a.Teardowns.Where(t => http.Any(x => x.Stream == t.Stream) && t.KindValue == TeardownKind.Reset).ToList();
        if (resets.Count > 0)
        {
            doc.H(3, T("Resources.Resets.Heading"));
            doc.List(resets.Select(r => F("Resources.Resets.Item", r.Stream, Role(r.ResetByValue), r.ResetFrame,
                AnalysisText.ResetReasonName(r.ResetCause),
                r.Explanation)));
        }
    }

    private static string Validators(HttpExchange x) => string.Join(LabText.T("List.And"), new[]
    {
        x.IfNoneMatch != null ? $"`If-None-Match: {x.IfNoneMatch}`" : null,
        x.IfModifiedSince != null ? $"`If-Modified-Since: {x.IfModifiedSince}`" : null,
    }.Where(v => v != null));

    private static void Teardown(ReportDocument doc, LabCaptureAnalysis a, LabFocus focus)
    {
        doc.H(2, T("Teardown.Heading"), "5-the-four-way-teardown");
        var t = focus.Teardown;
        if (t == null)
        {
            doc.P(T("Teardown.None"));
            return;
        }
        var all = focus.Teardowns;
        var kinds = all.GroupBy(x => x.KindValue).Select(g => F("Teardown.KindCount", g.Count(), AnalysisText.KindName(g.Key)));
        doc.P(F("Teardown.Intro", all.Count, LabText.Join(kinds), t.Stream, AnalysisText.KindName(t.KindValue), Role(t.ActiveCloserValue),
            t.Explanation));
        if (t.KindValue == TeardownKind.ThreeWay && t.Steps.Count >= 2)
        {
            var both = t.Steps[1];
            doc.P(F("Teardown.ThreeWay", Role(t.PassiveCloserValue), N(both.Frame), both.Flags));
        }
        var timeline = a.Timeline(t.Stream).ToList();
        string StateAfter(ConnectionRole role, long frame) =>
            string.Join(" → ", timeline.Where(x => x.RoleValue == role && x.Frame == frame).Select(x => x.To.ToString()));
        doc.T(new[]
            {
                T("Teardown.Col.Step"), T("Col.Frame"), T("Teardown.Col.From"), T("Page.Col.Flags"), "Seq", "Ack", "Len",
                T("Teardown.Col.ClientState"), T("Teardown.Col.ServerState"), T("Teardown.Col.Explanation"),
            },
            t.Steps.Select((s, i) => new[]
            {
                N(i + 1), N(s.Frame), CommonText.Role(s.FromEndPoint.Port == t.ClientEndPoint.Port), s.Flags, N(s.Seq), N(s.Ack),
                Seg(a, t.Stream, s.Frame) is { } seg ? N(seg.Len) : "?",
                StateAfter(ConnectionRole.Client, s.Frame), StateAfter(ConnectionRole.Server, s.Frame), s.Explanation,
            }));
        var after = timeline.Where(x => x.Frame == null && x.From != null).ToList();
        if (after.Count > 0)
            doc.P(string.Join(" ", after.Select(x => F("Teardown.After", Role(x.RoleValue), x.EndPoint, x.From, x.To, x.Cause))));
        var flow = a.Flow(t.Stream);
        if (flow != null && t.Steps.Count > 0)
        {
            long firstFin = t.Steps.Min(s => s.Frame);
            var rows = flow.Rows.Where(r => r.Frame >= firstFin);
            doc.Svg($"teardown-stream-{t.Stream}.svg",
                FlowSvgRenderer.Render(Slice(flow, rows, keepFinal: true, keepInitial: false), F("Teardown.Figure.Title", t.Stream)),
                F("Teardown.Figure.Caption", t.Stream));
        }
    }

    private static void Questions(ReportDocument doc, LabCaptureAnalysis a, LabFocus focus, IReadOnlyList<TcpSocketEntry> sockets)
    {
        var h = focus.Handshake;
        var t = focus.Teardown;
        int port = focus.Port;
        doc.H(2, T("Questions.Heading"), "6-questions");
        doc.H(3, T("Questions.TwoWay.Heading"), "why-not-a-two-message-handshake");
        doc.P(T("Questions.TwoWay.Answer"));
        if (h != null)
            doc.P(F("Questions.TwoWay.Capture", h.Stream, N(h.ClientIsn), h.SynAck!.Frame, N(h.SynAck.AckRaw), h.Ack!.Frame,
                N(h.Ack.AckRaw),
                N(h.ServerIsn ?? 0)));

        doc.H(3, T("Questions.FourWay.Heading"), "why-four-teardown-messages");
        doc.P(T("Questions.FourWay.Answer"));
        if (t != null)
        {
            var fin1 = t.Steps.FirstOrDefault(s => s.Name == "FIN");
            var fin2 = t.Steps.Skip(1).FirstOrDefault(s => s.Name == "FIN");
            var ack1 = t.Steps.FirstOrDefault(s => s.Name == "ACK");
            string own = t.KindValue == TeardownKind.FourWay && ack1 != null ? F("Questions.FourWay.OwnAck", ack1.Frame, N(ack1.Ack)) : "";
            string gap = fin1 != null && fin2 != null
                ? F("Questions.FourWay.Gap", Role(t.PassiveCloserValue), Ms(fin2.Time - fin1.Time), fin2.Frame) : "";
            doc.P(F("Questions.FourWay.Capture", t.Stream, AnalysisText.KindName(t.KindValue), Role(t.ActiveCloserValue), fin1?.Frame,
                own, gap,
                focus.Teardowns.Count(x => x.KindValue == TeardownKind.FourWay),
                    focus.Teardowns.Count(x => x.KindValue == TeardownKind.ThreeWay)));
        }

        doc.H(3, T("Questions.TimeWait.Heading"), "why-wait-2msl-in-time_wait");
        doc.P(T("Questions.TimeWait.Answer"));
        if (t != null)
        {
            var tw = a.StateTimelines.Where(x => focus.Streams.Contains(x.Stream) && x.ToValue == TcpState.TIME_WAIT).ToList();
            int server = tw.Count(x => x.RoleValue == ConnectionRole.Server), client = tw.Count(x => x.RoleValue == ConnectionRole.Client);
            string holder = LabText.Holder(t.TimeWaitHeldBy, "?");
            string where = t.TimeWaitEndPoint?.ToString() ?? T("Questions.TimeWait.BothSides");
            string lastFrame = t.Steps.LastOrDefault() is { } last ? F("Questions.TimeWait.LastFrame", last.Frame) : "";
            doc.P(F("Questions.TimeWait.Capture", t.Stream, holder, where, lastFrame, server, client));
        }
        var timeWait = sockets.Where(x => x.StateValue == TcpState.TIME_WAIT && (x.LocalPort == port || x.RemotePort == port)).ToList();
        if (sockets.Count == 0) doc.P(F("Questions.Sockets.NotRead", port));
        else
        {
            string when = sockets.FirstOrDefault()?.Observed is DateTime w ? w.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "";
            doc.P(F("Questions.Sockets.Read", port, when, timeWait.Count));
            doc.T(new[] { T("Questions.Sockets.Col.Local"), T("Questions.Sockets.Col.Remote"), T("Questions.Sockets.Col.State") },
                sockets.Where(x => x.LocalPort == port || x.RemotePort == port).Select(x => new[]
                {
                    x.LocalEndPoint.ToString(), x.RemoteEndPoint.ToString(), x.State,
                }));
        }
    }

    /// <summary>Writes report.md, report.html and the SVG figures into a folder; returns the files written.</summary>
    public static IReadOnlyList<string> Write(ReportDocument doc, string directory, bool markdown = true, bool html = true,
        string baseName = "report")
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        if (markdown)
        {
            string md = System.IO.Path.Combine(directory, baseName + ".md");
            File.WriteAllText(md, doc.ToMarkdown());
            files.Add(md);
            foreach (var (name, svg) in doc.Figures)
            {
                string f = System.IO.Path.Combine(directory, name);
                File.WriteAllText(f, svg);
                files.Add(f);
            }
        }
        if (html)
        {
            string h = System.IO.Path.Combine(directory, baseName + ".html");
            File.WriteAllText(h, doc.ToHtml());
            files.Add(h);
        }
        return files;
    }
}
