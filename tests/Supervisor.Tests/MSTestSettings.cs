// Tests start real processes and measure deadlines: run them one at a time so a loaded 2-core machine
// does not turn timing bounds into flakiness.
[assembly: DoNotParallelize]
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
