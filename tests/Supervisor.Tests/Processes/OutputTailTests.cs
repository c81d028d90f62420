using System.Text;
using Supervisor.Processes;

namespace Supervisor.Tests.Processes;

/// <summary>The stderr tail that goes into exit events and UNAVAILABLE messages: small whatever the plugin wrote.</summary>
[TestClass]
public sealed class OutputTailTests
{
    [TestMethod]
    public void Short_lines_are_kept_as_written_newest_last()
    {
        var tail = new OutputTail(3);
        foreach (var line in new[] { "one", "two", "three", "four" })
        {
            tail.Add(Encoding.UTF8.GetBytes(line), 0);
        }

        Assert.AreEqual("two | three | four", tail.Describe());
    }

    [TestMethod]
    public void A_long_line_is_cut_with_a_marker()
    {
        var tail = new OutputTail(20);

        tail.Add(Encoding.UTF8.GetBytes(new string('x', 100_000)), 0);

        Assert.AreEqual(new string('x', OutputLimits.TailLineChars) + "… [cut]", tail.Describe());
    }

    [TestMethod]
    public void A_line_the_reader_already_cut_is_marked_cut()
    {
        var tail = new OutputTail(20);

        tail.Add("short, but the reader dropped the rest"u8, 5);

        Assert.AreEqual("short, but the reader dropped the rest… [cut]", tail.Describe());
    }

    [TestMethod]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var tail = new OutputTail(20);

        tail.Add(Encoding.UTF8.GetBytes(new string('x', OutputLimits.TailLineChars - 1) + "😀😀"), 0);

        Assert.AreEqual(new string('x', OutputLimits.TailLineChars - 1) + "… [cut]", tail.Describe());
    }

    [TestMethod]
    public void The_description_keeps_the_newest_lines_within_its_budget()
    {
        var tail = new OutputTail(20);
        for (var i = 0; i < 20; i++)
        {
            tail.Add(Encoding.UTF8.GetBytes($"line {i:00} " + new string('x', 1000)), 0);
        }

        var description = tail.Describe();

        Assert.IsLessThanOrEqualTo(OutputLimits.TailChars + 4, description.Length, description);
        Assert.StartsWith("… | ", description);
        Assert.Contains("line 19 ", description);
        Assert.DoesNotContain("line 10 ", description);
    }

    [TestMethod]
    public void Adding_lines_allocates_nothing_once_the_tail_is_full()
    {
        var tail = new OutputTail(20);
        var line = Encoding.UTF8.GetBytes(new string('x', 5000));
        for (var i = 0; i < 20; i++)
        {
            tail.Add(line, 0);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            tail.Add(line, i % 2);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - allocated, "a stderr flood passes through here line by line");
    }

    [TestMethod]
    public void An_empty_tail_says_so()
    {
        Assert.AreEqual("(no stderr output)", new OutputTail(20).Describe());
    }
}
