namespace Lab2Tools.Capture;

public enum CaptureFileProblem
{
    /// <summary>The file does not start like a pcap or pcapng file.</summary>
    NotACaptureFile,
    /// <summary>The file ends in the middle of a record: everything before it was read.</summary>
    Truncated,
    /// <summary>A record or block is inconsistent (impossible lengths, bad block trailer).</summary>
    Corrupt,
    /// <summary>A format feature this reader does not handle.</summary>
    Unsupported,
}

/// <summary>A problem with the capture file itself (not with one frame's contents).</summary>
public sealed class CaptureFileException : Exception
{
    public CaptureFileException(CaptureFileProblem problem, string path, long offset, long framesRead, string message,
        FileContent content = FileContent.Unknown, bool compressed = false)
        : base(message)
    {
        Problem = problem;
        Path = path;
        Offset = offset;
        FramesRead = framesRead;
        Content = content;
        Compressed = compressed;
    }

    public CaptureFileProblem Problem { get; }
    public string Path { get; }
    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Offset { get; }
    /// <summary>How many frames were read successfully before the problem.</summary>
    public long FramesRead { get; }
    /// <summary>For a file that is not a capture: what it looks like (Unknown when it is not recognised).</summary>
    public FileContent Content { get; }
    /// <summary>For a file that is not a capture: whether it is gzip-compressed (Content is then what it holds).</summary>
    public bool Compressed { get; }
}
