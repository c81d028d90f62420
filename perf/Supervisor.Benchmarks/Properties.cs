// Like the supervisor it measures: Unix sockets, SIGTERM, and a Core that does not run on Windows.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
