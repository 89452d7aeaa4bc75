using System.IO.Compression;
using System.Text;
using Lab2Tools.Capture;

namespace Lab2Tools.Tests;

/// <summary>
/// What a file that is not a capture looks like, told from its first bytes: the words NotACaptureFile uses instead of
/// only the magic number in hex. Real files where .NET makes them (ZIP, gzip, UTF-16 text), known magic numbers otherwise.
/// </summary>
public sealed class FileContentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lab2tools-content-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(new byte[] { 0x42, 0x5A, 0x68, 0x39, 0x31, 0x41 }, FileContent.Bzip2)]
    [InlineData(new byte[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00 }, FileContent.Xz)]
    [InlineData(new byte[] { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00 }, FileContent.SevenZip)]
    [InlineData(new byte[] { 0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00 }, FileContent.Rar)]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37 }, FileContent.Pdf)]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 }, FileContent.Jpeg)]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01 }, FileContent.Elf)]
    [InlineData(new byte[] { 0x47, 0x4D, 0x42, 0x55, 0x00, 0x02 }, FileContent.NetMon)]
    [InlineData(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04 }, FileContent.Unknown)]
    [InlineData(new byte[] { 0x68, 0x69, 0xC3, 0x28, 0x0A }, FileContent.Unknown)]       // invalid UTF-8
    public void Magic_numbers(byte[] head, FileContent expected) => Assert.Equal(expected, FileContentSniffer.Sniff(head));

    [Theory]
    [InlineData("", FileContent.Empty)]
    [InlineData("  <!DOCTYPE html>\n<html lang=\"zh\"><title>实验二</title>", FileContent.Html)]
    [InlineData("<head><meta charset=utf-8></head><html>", FileContent.Html)]
    [InlineData("<?xml version=\"1.0\"?>\n<pdml>", FileContent.Xml)]
    [InlineData("{\n  \"frame\": 1 }", FileContent.Json)]
    [InlineData("[\n  {\"_index\": \"packets\"} ]", FileContent.Json)]
    [InlineData("No.     Time           Source                Destination           Protocol\n", FileContent.Text)]
    [InlineData("{ not json, but text", FileContent.Text)]
    [InlineData("三次握手抓包说明\r\n", FileContent.Text)]
    public void Text_and_its_kinds(string text, FileContent expected) =>
        Assert.Equal(expected, FileContentSniffer.Sniff(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_character_cut_by_the_end_of_the_head_is_still_text()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('握', FileContentSniffer.HeadLength));   // 3 bytes each
        Assert.Equal(FileContent.Text, FileContentSniffer.Sniff(bytes.AsSpan(0, FileContentSniffer.HeadLength)));
    }

    [Fact]
    public void Utf16_text_with_a_byte_order_mark()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<html><body>lab</body></html>")).ToArray();
        Assert.Equal(FileContent.Html, FileContentSniffer.Sniff(bytes));
    }

    [Fact]
    public void A_zip_archive_is_named_by_the_reader()
    {
        string zip = Path.Combine(_dir, "submission.pcap");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(archive.CreateEntry("lab2.txt").Open());
            w.Write("not a capture");
        }
        var e = Assert.Throws<CaptureFileException>(() => CaptureFileReader.Open(zip).Dispose());
        Assert.Equal(CaptureFileProblem.NotACaptureFile, e.Problem);
        Assert.Equal(FileContent.Zip, e.Content);
        Assert.False(e.Compressed);
        Assert.Contains("ZIP", e.Message);
        Assert.Contains("0x504B0304", e.Message);
    }

    [Fact]
    public void A_gzip_file_that_holds_no_capture_says_what_it_holds()
    {
        string gz = Path.Combine(_dir, "page.pcap.gz");
        using (var gzip = new GZipStream(File.Create(gz), CompressionMode.Compress))
            gzip.Write(Encoding.UTF8.GetBytes("{\"frames\": []}"));
        var e = Assert.Throws<CaptureFileException>(() => CaptureFileReader.Open(gz).Dispose());
        Assert.Equal(FileContent.Json, e.Content);
        Assert.True(e.Compressed);
    }
}
