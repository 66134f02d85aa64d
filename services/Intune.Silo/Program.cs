using Intune.Silo.Hosting;

var app = ScaleUnitHost.Create(args);
await app.RunAsync();

/// <summary>The scale-unit host's entry point; <see cref="ScaleUnitHost"/> holds the wiring.</summary>
public partial class Program;
