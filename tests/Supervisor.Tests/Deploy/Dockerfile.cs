using System.Text.Json;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deploy;

/// <summary><c>deploy/Dockerfile</c> read as its stages' instructions: enough to check what the image runs, and as whom.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<IReadOnlyList<(string Keyword, string Arguments)>> stages)
    {
        Stages = stages;
    }

    public static string Path => System.IO.Path.Combine(Repository.Root, "deploy", "Dockerfile");

    /// <summary>Gets each stage's instructions, its FROM first; the last stage is the image a plain <c>docker build</c> makes.</summary>
    public IReadOnlyList<IReadOnlyList<(string Keyword, string Arguments)>> Stages { get; }

    public static Dockerfile Load()
    {
        var stages = new List<List<(string, string)>>();
        foreach (var instruction in Instructions(File.ReadAllLines(Path)))
        {
            var space = instruction.IndexOf(' ', StringComparison.Ordinal);
            var keyword = instruction[..space].ToUpperInvariant();
            if (keyword == "FROM")
            {
                stages.Add([]);
            }

            // ARGs before the first FROM are global, no stage's.
            if (stages.Count > 0)
            {
                stages[^1].Add((keyword, instruction[(space + 1)..].Trim()));
            }
        }

        return new Dockerfile(stages);
    }

    /// <summary>The last <paramref name="keyword"/> of the final stage: the one in force in the image.</summary>
    public string Final(string keyword) => Stages[^1].Last(i => i.Keyword == keyword).Arguments;

    /// <summary>The final stage's exec-form <paramref name="keyword"/> (a JSON array, e.g. ENTRYPOINT) as its argv.</summary>
    public string[] FinalExecForm(string keyword) => JsonSerializer.Deserialize<string[]>(Final(keyword))!;

    // Joins backslash continuations; comment lines (the syntax directive included) and blank lines are not instructions,
    // inside a continuation either.
    private static IEnumerable<string> Instructions(IEnumerable<string> lines)
    {
        var current = string.Empty;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            yield return current + line;
            current = string.Empty;
        }
    }
}
