using System.Text.Json;
using System.Text.Json.Serialization;
using Supervisor.PluginSdk;

return await PluginHost.RunAsync<Orders>(args);

/// <summary>The shape of a classic synchronous plugin: <c>TState HandleEvent(string eventName, TState instance)</c>.</summary>
internal sealed class Orders : JsonPlugin<Order>
{
    public Orders()
        : base(OrderJsonContext.Default.Order)
    {
    }

    public override Order HandleEvent(string eventName, Order instance) => eventName switch
    {
        "order.placed" => instance with { Status = "accepted", Total = instance.Quantity * instance.UnitPrice },
        "order.cancelled" => instance with { Status = "cancelled", Total = 0 },
        _ => throw new ArgumentException($"orders does not handle '{eventName}'"),
    };
}

internal sealed record Order(string Id, int Quantity, decimal UnitPrice, string? Status, decimal Total);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Order))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
