/// <summary>What the <c>throw</c> event raises; in the global namespace, so its full name is the contract's <c>ConformanceError</c>.</summary>
internal sealed class ConformanceError(string message) : Exception(message);
