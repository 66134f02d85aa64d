namespace Intune.Grains;

/// <summary>Names of the Orleans providers the grains expect the silo to register.</summary>
public static class StorageNames
{
    /// <summary>Grain state (Azure Table in a scale unit).</summary>
    public const string Grains = "intune";
}
