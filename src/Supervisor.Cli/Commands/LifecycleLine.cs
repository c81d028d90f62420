using System.Globalization;
using System.Text;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary>One readable line per lifecycle event.</summary>
internal static class LifecycleLine
{
    public static string Format(LifecycleEvent e)
    {
        var line = new StringBuilder()
            .Append(e.Time.ToDateTimeOffset().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append("  ")
            .Append(TypeName(e.Type).PadRight(20))
            .Append(e.Plugin).Append(' ').Append(e.Version);
        if (e.InstanceId.Length > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"  {e.InstanceId}");
        }

        if (e.Pid > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" pid={e.Pid}");
        }

        if (e.Reason.Length > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" reason={e.Reason}");
        }

        if (e.Message.Length > 0)
        {
            line.Append("  ").Append(e.Message);
        }

        return line.ToString();
    }

    // RollWeightChanged -> roll_weight_changed, as the proto spells it.
    private static string TypeName(LifecycleEventType type)
    {
        var name = type.ToString();
        var snake = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }
}
