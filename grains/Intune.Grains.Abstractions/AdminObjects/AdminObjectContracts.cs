namespace Intune.Grains.AdminObjects;

/// <summary>One stored admin object: its id and its Graph properties as validated JSON text.</summary>
[GenerateSerializer, Immutable, Alias("intune.AdminObject")]
public sealed record AdminObject(
    [property: Id(0)] string Id,
    [property: Id(1)] string Json,
    [property: Id(2)] DateTimeOffset CreatedDateTime,
    [property: Id(3)] DateTimeOffset LastModifiedDateTime);

/// <summary>
/// A tenant's collection of small, self-contained admin objects that nothing else in the cluster
/// reads at check-in (device categories, terms and conditions, notification message templates),
/// keyed <c>{tenantId}/{collection}</c>. The gateway validates each object against its Graph type
/// before it gets here; the grain keeps them in order and writes each change before keeping it.
/// A collection is capped (<see cref="MaxObjects"/>) so its state stays far below one table entity.
/// </summary>
[Alias("intune.IAdminObjectCollectionGrain")]
public interface IAdminObjectCollectionGrain : IGrainWithStringKey
{
    public const int MaxObjects = 200;

    [Alias("ListAsync")]
    Task<IReadOnlyList<AdminObject>> ListAsync();

    /// <summary>Adds an object with a new id; refused (400) beyond <see cref="MaxObjects"/>.</summary>
    [Alias("CreateAsync")]
    Task<AdminObject> CreateAsync(string json);

    /// <summary>Replaces an object's JSON; null when it does not exist.</summary>
    [Alias("ReplaceAsync")]
    Task<AdminObject?> ReplaceAsync(string id, string json);

    /// <summary>Removes an object; false when it does not exist.</summary>
    [Alias("DeleteAsync")]
    Task<bool> DeleteAsync(string id);
}
