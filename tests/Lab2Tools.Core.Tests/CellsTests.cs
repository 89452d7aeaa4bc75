using System.Text.RegularExpressions;
using Lab2Tools.Text;
using Xunit;

namespace Lab2Tools.Tests;

public class CellsTests
{
    [Fact]
    public void A_Chinese_character_takes_two_cells()
    {
        Assert.Equal(2, Cells.Width('帧'));
        Assert.Equal(2, Cells.Width('，'));
        Assert.Equal(1, Cells.Width('→'));
        Assert.Equal(10, Cells.Width("流 0（帧 1"));
    }

    [Fact]
    public void Text_that_fits_is_unchanged_and_null_stays_null()
    {
        Assert.Null(Cells.Fit(null, 10));
        Assert.Equal("127.0.0.1:5000", Cells.Fit("127.0.0.1:5000", 21));
    }

    [Theory]
    [InlineData("流 0：客户端的初始序列号 (ISN) 为 1187919074（帧 1）；SYN-ACK（帧 2）确认 1187919075 = ISN+1，"
        + "相对确认号 Ack=1；服务器进入 TIME_WAIT（127.0.0.1:5000）。", 40)]
    [InlineData("Seq 150593+1448 is below the next expected 154937: 127.0.0.1:5000 sent these bytes before "
        + "(frame 133, 0.099 ms earlier).", 30)]
    public void Every_line_fits_and_no_ascii_run_is_cut(string text, int width)
    {
        var fitted = Cells.Fit(text, width)!;
        var lines = fitted.Split('\n');
        Assert.True(lines.Length > 1);
        Assert.All(lines, l => Assert.True(Cells.Width(l) <= width, l));
        foreach (Match m in Regex.Matches(text, "[!-~]+"))
            Assert.Contains(lines, l => l.Contains(m.Value));
        // nothing lost but the spaces where a line was broken
        Assert.Equal(text.Replace(" ", ""), fitted.Replace("\n", "").Replace(" ", ""));
        // a closing mark never starts a line, an opening one never ends it
        Assert.DoesNotContain(lines.Skip(1), l => "，。；：）".Contains(l[0]));
        Assert.DoesNotContain(lines, l => l.EndsWith('（'));
    }

    [Fact]
    public void A_token_longer_than_the_column_breaks_after_a_colon()
    {
        var lines = Cells.Fit("[2001:470:1f11:81f:c999:d94:aa7c:2e3e]:49185", 21)!.Split('\n');
        Assert.Equal(new[] { "[2001:470:1f11:81f:", "c999:d94:aa7c:2e3e]:", "49185" }, lines);
    }
}
