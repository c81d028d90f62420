using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervisor.Configuration;

/// <summary>A plugin version's <c>plugin.json</c>: how to start its process.</summary>
public sealed class PluginManifest
{
    /// <summary>The file name every plugin version folder holds.</summary>
    public const string FileName = "plugin.json";

    /// <summary>Gets or sets the executable: a path relative to the version folder (<c>./echo</c>), an absolute path, or a name looked up on PATH.</summary>
    public string Command { get; set; } = string.Empty;

    /// <summary>Gets or sets the arguments.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>Gets or sets extra environment variables.</summary>
    public Dictionary<string, string> Env { get; set; } = [];

    /// <summary>Gets or sets the working directory, relative to the version folder. Defaults to the version folder.</summary>
    public string WorkingDirectory { get; set; } = ".";

    /// <summary>
    /// Gets or sets the signal that makes the plugin write its threads' stacks to stderr (<c>SIGQUIT</c>, <c>SIGUSR1</c>
    /// or <c>SIGUSR2</c>), sent before a hung instance is killed when it has no .NET diagnostics socket; see
    /// docs/protocol.md, "Hang dumps". Unset: no signal is sent.
    /// </summary>
    public string? HangDumpSignal { get; set; }

    /// <summary>
    /// Gets or sets the SHA-256 (64 hex digits) the command's file must hash to. A mismatch refuses the start: a wrong
    /// or half-copied binary is never run. Unset: not checked.
    /// </summary>
    public string? Sha256 { get; set; }

    /// <summary>Gets the names <see cref="HangDumpSignal"/> may take.</summary>
    public static IReadOnlyList<string> HangDumpSignals { get; } = ["SIGQUIT", "SIGUSR1", "SIGUSR2"];

    /// <summary>Gets the folder the manifest was read from.</summary>
    [JsonIgnore]
    public string Directory { get; private set; } = string.Empty;

    /// <summary>Gets the path of the executable to start, resolved against <see cref="Directory"/> when it is relative.</summary>
    [JsonIgnore]
    public string ResolvedCommand =>
        Command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(Command)
            ? Path.GetFullPath(Path.Combine(Directory, Command))
            : Command;

    /// <summary>Gets the absolute working directory.</summary>
    [JsonIgnore]
    public string ResolvedWorkingDirectory => Path.GetFullPath(Path.Combine(Directory, WorkingDirectory));

    /// <summary>Where a version's manifest lives: <c>PluginsRoot/&lt;name&gt;/&lt;version&gt;/plugin.json</c>.</summary>
    /// <param name="pluginsRoot">The configured <c>PluginsRoot</c>.</param>
    /// <param name="name">The plugin's name.</param>
    /// <param name="version">The version folder.</param>
    /// <returns>The manifest's path.</returns>
    public static string PathOf(string pluginsRoot, string name, string version) => Path.Combine(pluginsRoot, name, version, FileName);

    /// <summary>Reads a manifest; the exception's message names the file and what is wrong.</summary>
    /// <param name="path">The path of a <c>plugin.json</c>.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="InvalidDataException">The file is missing, cannot be read, is not valid JSON, or has no command.</exception>
    public static PluginManifest Load(string path)
    {
        PluginManifest? manifest;
        try
        {
            using var stream = File.OpenRead(path);
            manifest = JsonSerializer.Deserialize(stream, PluginManifestJsonContext.Default.PluginManifest);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidDataException($"{path}: not found");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid plugin.json ({ex.Message})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Permissions, a symbolic link loop, a folder where the file should be: the file is there but unusable,
            // and the caller (validation, or a restart) reports it as such rather than crash.
            throw new InvalidDataException($"{path}: cannot be read ({ex.Message})", ex);
        }

        if (manifest is null || string.IsNullOrWhiteSpace(manifest.Command))
        {
            throw new InvalidDataException($"{path}: 'command' is missing; it names the executable to start, e.g. \"./echo\"");
        }

        if (manifest.HangDumpSignal is { } signal && !HangDumpSignals.Contains(signal, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{path}: 'hangDumpSignal' is '{signal}'; it must be one of {string.Join(", ", HangDumpSignals)}");
        }

        if (manifest.Sha256 is { } sha256 && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
        {
            throw new InvalidDataException($"{path}: 'sha256' is '{sha256}'; it must be 64 hexadecimal digits, the SHA-256 of the command's file (sha256sum prints it)");
        }

        manifest.Directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return manifest;
    }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(PluginManifest))]
internal sealed partial class PluginManifestJsonContext : JsonSerializerContext;
