using System.Text;
using Supervisor.Processes;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Processes;

/// <summary>The line reader over a plugin's raw stdout and stderr: lines split anywhere, bounded, never stopped.</summary>
[TestClass]
public sealed class BoundedLineReaderTests
{
    [TestMethod]
    public void Lines_split_across_reads_arrive_whole_and_CRLF_loses_its_CR()
    {
        var lines = new Lines();
        var reader = lines.Reader(64);

        reader.Feed("fir"u8);
        reader.Feed("st\r\nsec"u8);
        reader.Feed("ond\n\nthird\r"u8);
        reader.Feed("\nlast without newline"u8);
        reader.Complete();

        CollectionAssert.AreEqual(new[] { "first", "second", string.Empty, "third", "last without newline" }, lines.Texts);
        Assert.IsTrue(lines.Dropped.All(d => d == 0));
    }

    [TestMethod]
    public void A_CR_inside_a_line_is_kept()
    {
        var lines = new Lines();
        var reader = lines.Reader(64);

        reader.Feed("a\rb\n"u8);

        CollectionAssert.AreEqual(new[] { "a\rb" }, lines.Texts);
    }

    [TestMethod]
    public void A_long_line_is_cut_at_the_limit_and_says_how_many_bytes_it_lost_whatever_the_read_sizes()
    {
        var line = Encoding.ASCII.GetBytes(new string('x', 100));
        foreach (var readSize in new[] { 1, 7, 16, 17, 100, 101 })
        {
            var lines = new Lines();
            var reader = lines.Reader(16);

            FeedInReads(reader, [.. line, (byte)'\n', .. "next\n"u8], readSize);

            CollectionAssert.AreEqual(new[] { new string('x', 16), "next" }, lines.Texts, $"reads of {readSize}");
            CollectionAssert.AreEqual(new long[] { 84, 0 }, lines.Dropped, $"reads of {readSize}");
            Assert.AreEqual(new string('x', 16) + " … [line truncated: 84 more bytes dropped]", PluginOutputLogger.Decode(Encoding.ASCII.GetBytes(lines.Texts[0]), lines.Dropped[0]));
        }
    }

    [TestMethod]
    public void A_line_of_exactly_the_limit_is_whole_with_or_without_CR()
    {
        var lines = new Lines();
        var reader = lines.Reader(8);

        reader.Feed("12345678\n1234567"u8);
        reader.Feed("8\r\n"u8);

        CollectionAssert.AreEqual(new[] { "12345678", "12345678" }, lines.Texts);
        CollectionAssert.AreEqual(new long[] { 0, 0 }, lines.Dropped);
    }

    [TestMethod]
    public void A_CRLF_after_a_cut_line_is_not_counted_as_dropped()
    {
        var lines = new Lines();
        var reader = lines.Reader(8);

        reader.Feed("1234567890\r\n"u8);

        CollectionAssert.AreEqual(new[] { "12345678" }, lines.Texts);
        CollectionAssert.AreEqual(new long[] { 2 }, lines.Dropped);
    }

    [TestMethod]
    public void A_multibyte_character_split_across_reads_arrives_whole()
    {
        var text = "héllo €uro 😀 done";
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        for (var readSize = 1; readSize <= 5; readSize++)
        {
            var lines = new Lines();
            var reader = lines.Reader(1024);

            FeedInReads(reader, bytes, readSize);

            CollectionAssert.AreEqual(new[] { text }, lines.Texts, $"reads of {readSize}");
        }
    }

    [TestMethod]
    [DataRow("€", 8, 6, DisplayName = "a 3-byte character across the limit")]
    [DataRow("😀", 9, 8, DisplayName = "a 4-byte character across the limit")]
    [DataRow("é", 9, 8, DisplayName = "a 2-byte character across the limit")]
    public void A_cut_never_ends_inside_a_multibyte_character(string character, int limit, int kept)
    {
        var lines = new Lines();
        var reader = lines.Reader(limit);
        var line = string.Concat(Enumerable.Repeat(character, 10));
        var bytes = Encoding.UTF8.GetBytes(line);

        reader.Feed([.. bytes, (byte)'\n']);

        Assert.AreEqual(kept, lines.Raw[0].Length);
        Assert.AreEqual(bytes.Length - kept, lines.Dropped[0]);
        Assert.IsFalse(lines.Texts[0].Contains('\uFFFD', StringComparison.Ordinal), lines.Texts[0]);
        Assert.IsTrue(line.StartsWith(lines.Texts[0], StringComparison.Ordinal));
    }

    [TestMethod]
    public void A_handler_that_throws_does_not_stop_the_lines_after_it()
    {
        var failures = new List<Exception>();
        var seen = new List<string>();
        var reader = new BoundedLineReader(
            64,
            (line, _) =>
            {
                var text = Encoding.UTF8.GetString(line);
                seen.Add(text);
                if (text.StartsWith("bad", StringComparison.Ordinal))
                {
                    throw new ArgumentOutOfRangeException(nameof(line), text);
                }
            },
            ex => { failures.Add(ex); throw new InvalidOperationException("and the report fails too"); });

        reader.Feed("good\nbad 1\nbad 2\nstill read\n"u8);

        CollectionAssert.AreEqual(new[] { "good", "bad 1", "bad 2", "still read" }, seen);
        Assert.HasCount(2, failures);
    }

    [TestMethod]
    public void A_line_of_100_MiB_is_skipped_not_buffered()
    {
        var lines = new Lines();
        var reader = lines.Reader(16 * 1024);
        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)'x');
        const int Blocks = 1600;
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < Blocks; i++)
        {
            reader.Feed(block);
        }

        var whileSkipping = GC.GetAllocatedBytesForCurrentThread() - allocated;
        reader.Feed("\nafter\n"u8);

        CollectionAssert.AreEqual(new long[] { (Blocks * (long)block.Length) - (16 * 1024), 0 }, lines.Dropped);
        Assert.AreEqual(16 * 1024, lines.Raw[0].Length);
        Assert.AreEqual("after", lines.Texts[1]);
        Assert.AreEqual(0, whileSkipping, "the reader allocates nothing for the bytes it skips");
    }

    [TestMethod]
    public async Task A_stream_is_read_to_its_end_through_reads_of_any_size()
    {
        var lines = new Lines();
        var reader = lines.Reader(16);
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes("one\r\ntwo is longer than sixteen bytes\nthree"));

        await reader.ReadToEndAsync(stream, CancellationToken.None).DefaultTimeout();

        CollectionAssert.AreEqual(new[] { "one", "two is longer th", "three" }, lines.Texts);
        CollectionAssert.AreEqual(new long[] { 0, 16, 0 }, lines.Dropped);
    }

    private static void FeedInReads(BoundedLineReader reader, byte[] bytes, int readSize)
    {
        for (var offset = 0; offset < bytes.Length; offset += readSize)
        {
            reader.Feed(bytes.AsSpan(offset, Math.Min(readSize, bytes.Length - offset)));
        }

        reader.Complete();
    }

    /// <summary>A stream that returns one to three bytes per read, as a slow pipe might.</summary>
    private sealed class TrickleStream(byte[] content) : MemoryStream(content)
    {
        private int _reads;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, (_reads++ % 3) + 1)], cancellationToken);
    }

    /// <summary>What a reader handed over.</summary>
    private sealed class Lines
    {
        public List<byte[]> Raw { get; } = [];

        public List<long> Dropped { get; } = [];

        public List<string> Texts => [.. Raw.Select(r => Encoding.UTF8.GetString(r))];

        public BoundedLineReader Reader(int limit) => new(limit, (line, dropped) =>
        {
            Raw.Add(line.ToArray());
            Dropped.Add(dropped);
        }, static _ => { }); // this handler never throws, so nothing is ever reported
    }
}
