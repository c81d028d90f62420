using System.Text;
using Microsoft.Extensions.Logging;
using Supervisor.Processes;

namespace Supervisor.Tests.Processes;

/// <summary>Plugin log lines in .NET's JSON console shape, written by plugins in any language and trusted in nothing.</summary>
[TestClass]
public sealed class PluginLogRecordTests
{
    [TestMethod]
    public void A_line_in_the_SDK_shape_keeps_level_category_message_exception_and_trace()
    {
        var line = """{"Timestamp":"2026-01-01T00:00:00Z","EventId":0,"LogLevel":"Warning","Category":"Chaos","Message":"careful","Exception":"System.Exception: boom","State":{"Message":"careful"},"Scopes":["a string scope",{"Message":"x","TraceId":"0af7651916cd43dd8448eb211c80319c","SpanId":"b7ad6b7169203331"}]}""";

        Assert.IsTrue(PluginLogRecord.TryParse(Utf8(line), out var record));

        Assert.AreEqual(new PluginLogRecord(LogLevel.Warning, "Chaos", "careful", "System.Exception: boom", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"), record);
    }

    [TestMethod]
    [DataRow(0, LogLevel.Trace)]
    [DataRow(1, LogLevel.Debug)]
    [DataRow(2, LogLevel.Information)]
    [DataRow(3, LogLevel.Warning)]
    [DataRow(4, LogLevel.Error)]
    [DataRow(5, LogLevel.Critical)]
    public void A_numeric_level_maps_to_the_level_of_that_number(int number, LogLevel expected)
    {
        Assert.IsTrue(PluginLogRecord.TryParse(Utf8($$"""{"LogLevel":{{number}},"Message":"numeric"}"""), out var record));

        Assert.AreEqual(expected, record.Level);
        Assert.AreEqual("numeric", record.Message);
        Assert.AreEqual(string.Empty, record.Category);
    }

    [TestMethod]
    [DataRow("information", LogLevel.Information)]
    [DataRow("ERROR", LogLevel.Error)]
    [DataRow("\\u0057arning", LogLevel.Warning)]
    public void A_level_name_is_matched_ignoring_case_and_escapes(string name, LogLevel expected)
    {
        Assert.IsTrue(PluginLogRecord.TryParse(Utf8($$"""{"LogLevel":"{{name}}","Message":"m","Category":null,"Exception":null}"""), out var record));

        Assert.AreEqual(expected, record.Level);
        Assert.IsNull(record.Exception);
    }

    [TestMethod]
    [DataRow("""{"LogLevel":"7","Message":"x"}""", DisplayName = "a level that is a number in a string")]
    [DataRow("""{"LogLevel":"Warning, Error","Message":"x"}""", DisplayName = "a level that is a combination of names")]
    [DataRow("""{"LogLevel":"None","Message":"x"}""", DisplayName = "the level None")]
    [DataRow("""{"LogLevel":"Loud","Message":"x"}""", DisplayName = "an unknown level name")]
    [DataRow("""{"LogLevel":6,"Message":"x"}""", DisplayName = "the number of None")]
    [DataRow("""{"LogLevel":7,"Message":"x"}""", DisplayName = "a number past Critical")]
    [DataRow("""{"LogLevel":-1,"Message":"x"}""", DisplayName = "a negative number")]
    [DataRow("""{"LogLevel":2.5,"Message":"x"}""", DisplayName = "a fraction")]
    [DataRow("""{"LogLevel":99999999999999999999,"Message":"x"}""", DisplayName = "a number past Int32")]
    [DataRow("""{"LogLevel":{"Name":"Warning"},"Message":"x"}""", DisplayName = "a level that is an object")]
    [DataRow("""{"LogLevel":["Warning"],"Message":"x"}""", DisplayName = "a level that is an array")]
    [DataRow("""{"LogLevel":null,"Message":"x"}""", DisplayName = "a null level")]
    [DataRow("""{"LogLevel":true,"Message":"x"}""", DisplayName = "a boolean level")]
    [DataRow("""{"Message":"x"}""", DisplayName = "no level")]
    [DataRow("""{"LogLevel":"Warning"}""", DisplayName = "no message")]
    [DataRow("""{"LogLevel":"Warning","Message":42}""", DisplayName = "a message that is a number")]
    [DataRow("""{"LogLevel":"Warning","Message":{"Text":"x"}}""", DisplayName = "a message that is an object")]
    [DataRow("""{"LogLevel":"Warning","Message":["x"]}""", DisplayName = "a message that is an array")]
    [DataRow("""{"LogLevel":"Warning","Message":null}""", DisplayName = "a null message")]
    [DataRow("""{"LogLevel":"Warning","Message":"x","Category":7}""", DisplayName = "a category that is a number")]
    [DataRow("""{"LogLevel":"Warning","Message":"x","Exception":{"Type":"X"}}""", DisplayName = "an exception that is an object")]
    [DataRow("""{"LogLevel":"Warning","Message":"\ud800"}""", DisplayName = "a message escaping a lone surrogate")]
    [DataRow("""{"LogLevel":"Warning","Message":"x"} trailing""", DisplayName = "text after the object")]
    [DataRow("""{"LogLevel":"Warning","Message":"x"}{"LogLevel":"Warning","Message":"y"}""", DisplayName = "two objects")]
    [DataRow("""{"LogLevel":"Warning","Message":"x" """, DisplayName = "an object cut short")]
    [DataRow("""{"LogLevel":"Warning","Message":"x",}""", DisplayName = "a trailing comma")]
    [DataRow("""{ this is not json }""", DisplayName = "plain text in braces")]
    [DataRow("""[{"LogLevel":"Warning","Message":"x"}]""", DisplayName = "an array around a record")]
    [DataRow("""{}""", DisplayName = "an empty object")]
    [DataRow("""{""", DisplayName = "an opening brace")]
    [DataRow("", DisplayName = "an empty line")]
    public void A_malformed_line_is_not_a_record(string line)
    {
        Assert.IsFalse(PluginLogRecord.TryParse(Utf8(line), out var record));
        Assert.AreEqual(default, record);
    }

    [TestMethod]
    public void A_line_with_invalid_UTF8_is_not_a_record()
    {
        byte[] line = [.. """{"LogLevel":"Warning","Message":"bad """u8, 0xFF, 0xFE, 0xC3, .. "\"}"u8];

        Assert.IsFalse(PluginLogRecord.TryParse(line, out _));
    }

    [TestMethod]
    [DataRow(100)]
    [DataRow(100_000)]
    public void A_deeply_nested_line_is_not_a_record(int depth)
    {
        var nested = new string('[', depth) + new string(']', depth);

        Assert.IsFalse(PluginLogRecord.TryParse(Utf8($$"""{"LogLevel":"Warning","Message":"x","State":{{nested}}}"""), out _));
        Assert.IsFalse(PluginLogRecord.TryParse(Utf8($$"""{"LogLevel":"Warning","Message":"x","Scopes":[{{nested}}]}"""), out _));
    }

    [TestMethod]
    public void Scopes_of_any_shape_are_skipped_and_a_non_string_trace_id_is_ignored()
    {
        var line = """{"LogLevel":"Error","Message":"x","Scopes":[1,null,["a"],{"TraceId":42,"SpanId":{"a":1}},{"Other":{"TraceId":"nested"}}]}""";

        Assert.IsTrue(PluginLogRecord.TryParse(Utf8(line), out var record));

        Assert.AreEqual(LogLevel.Error, record.Level);
        Assert.IsNull(record.TraceId);
        Assert.IsNull(record.SpanId);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
