using Intune.Grains.Durability;
using Intune.Grains.Errors;

namespace Intune.Grains.AdminObjects;

/// <summary>See <see cref="IAdminObjectCollectionGrain"/>. One grain-state row per tenant and collection.</summary>
internal sealed class AdminObjectCollectionGrain(
    [PersistentState("adminObjects", StorageNames.Grains)] IPersistentState<AdminObjectCollectionState> objects,
    TimeProvider time) : Grain, IAdminObjectCollectionGrain
{
    public Task<IReadOnlyList<AdminObject>> ListAsync() => Task.FromResult<IReadOnlyList<AdminObject>>(objects.State.Objects.ToList());

    public async Task<AdminObject> CreateAsync(string json)
    {
        if (objects.State.Objects.Count >= IAdminObjectCollectionGrain.MaxObjects)
        {
            throw new InvalidRequestException($"A tenant may hold at most {IAdminObjectCollectionGrain.MaxObjects} objects of this kind; delete one first.");
        }

        var now = time.GetUtcNow();
        var created = new AdminObject(Guid.NewGuid().ToString(), json, now, now);
        await SaveAsync([.. objects.State.Objects, created]);
        return created;
    }

    public async Task<AdminObject?> ReplaceAsync(string id, string json)
    {
        if (objects.State.Objects.FirstOrDefault(o => o.Id == id) is not { } existing)
        {
            return null;
        }

        var replaced = existing with { Json = json, LastModifiedDateTime = time.GetUtcNow() };
        await SaveAsync(objects.State.Objects.Select(o => o.Id == id ? replaced : o).ToList());
        return replaced;
    }

    public async Task<bool> DeleteAsync(string id)
    {
        if (!objects.State.Objects.Any(o => o.Id == id))
        {
            return false;
        }

        await SaveAsync(objects.State.Objects.Where(o => o.Id != id).ToList());
        return true;
    }

    /// <summary>Memory keeps the new list only once storage does.</summary>
    private Task SaveAsync(List<AdminObject> next)
    {
        var before = objects.State.Objects;
        objects.State.Objects = next;
        return objects.WriteOrRollBackAsync(GrainContext, () => objects.State.Objects = before);
    }
}

/// <summary>Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.AdminObjectCollectionState")]
public sealed class AdminObjectCollectionState
{
    [Id(0)] public List<AdminObject> Objects { get; set; } = [];
}
