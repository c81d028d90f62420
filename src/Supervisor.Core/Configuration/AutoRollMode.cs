namespace Supervisor.Configuration;

/// <summary>Whether new version folders roll by themselves (<c>Supervisor:Plugins:&lt;name&gt;:AutoRoll</c>).</summary>
public enum AutoRollMode
{
    /// <summary>Only an operator rolls the plugin (<c>RollPlugin</c>).</summary>
    Off,

    /// <summary>A new complete version rolls at once: every new call goes to it once its instances are ready.</summary>
    Immediate,

    /// <summary>A new complete version rolls in canary steps, analysed against the plugin's <c>Canary</c> thresholds.</summary>
    Canary,
}
