using Intune.Gateway;

var app = GatewayHost.Create(args);
await app.RunAsync();

/// <summary>The standalone gateway's entry point; <see cref="GatewayHost"/> holds the wiring.</summary>
public partial class Program;
