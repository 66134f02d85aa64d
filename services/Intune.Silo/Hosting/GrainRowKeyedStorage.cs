using Intune.Grains.Durability;
using Orleans.Storage;

namespace Intune.Silo.Hosting;

/// <summary>
/// Puts the grain id into the row key of every grain-state row: Orleans' Azure Table provider
/// writes partition key = "{ServiceId}_{grain id}" and row key = the state name, so every Device
/// grain's row has row key "device". Real Azure Table storage answers a point read in constant
/// time either way, but Azurite (our development, test and benchmark store) looks an entity up
/// by its row key first and then scans every row with that row key: each read and insert of a
/// device cost a scan of all devices (profiled 2026-11-26: 31% of Azurite's CPU in that scan,
/// seeding fell below 25 devices/s at 20,000 devices). With a unique row key the lookup is an
/// index hit, and the rows stay what they were otherwise (same partition keys, same data), so
/// tenant snapshots and moves copy them unchanged.
/// </summary>
/// <remarks>
/// A grain the service has just created (<see cref="NewGrain"/>) is not read at all: it starts
/// empty, and its first write inserts.
/// Rows written before this change (row key = the bare state name) are not read: the project
/// has no deployments to migrate, so a local cluster's old state starts empty.
/// </remarks>
internal sealed class GrainRowKeyedStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        NewGrain.IsMarked(grainId) ? Task.CompletedTask : inner.ReadStateAsync(RowKey(stateName, grainId), grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(RowKey(stateName, grainId), grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(RowKey(stateName, grainId), grainId, grainState);

    /// <summary>The provider sanitizes characters a row key may not hold ('/', '\', '#', '?').</summary>
    internal static string RowKey(string stateName, GrainId grainId) => $"{stateName}_{grainId}";
}
