// Plugins are reached over Unix domain sockets and supervised with POSIX signals and process groups.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
