namespace Intune.ClusterConfig;

/// <summary>Whether a store is an Azure Table or a Blob container.</summary>
public enum StoreKind
{
    Table,
    BlobContainer,
}

/// <summary>
/// How a store's rows (or blobs) are keyed, which decides how one tenant's part is found by key
/// and how a row moves to a unit with another ServiceId.
/// </summary>
public enum StoreKeying
{
    /// <summary>
    /// Orleans rows: partition key <c>{ServiceId}_…</c> followed by the grain id, whose key starts with
    /// the tenant id. A copy into another unit rewrites the ServiceId prefix.
    /// </summary>
    ServiceId,

    /// <summary>Partition key <c>{tenantId}_…</c>: one tenant is one key range.</summary>
    Tenant,

    /// <summary>Blob names start with <c>{tenantId}</c> (<c>{tenantId}.json</c>).</summary>
    TenantBlob,

    /// <summary>Belongs to the unit as a whole, to no tenant (its certificate authority).</summary>
    Unit,
}

/// <summary>One table or container of a unit, with the name it has in the unit's storage account.</summary>
/// <param name="Id">The store's name without the unit's prefix (stable across units: manifests and tests use it).</param>
/// <param name="Name">The table or container name in the unit's account.</param>
/// <param name="KeyScheme">Partition/row key (or blob name) scheme, for operators reading a manifest.</param>
/// <param name="NotBackedUpBecause">Null when backups copy the store; otherwise why they must not.</param>
public sealed record UnitStore(string Id, string Name, StoreKind Kind, StoreKeying Keying, string KeyScheme, string? NotBackedUpBecause = null)
{
    public bool BackedUp => NotBackedUpBecause is null;
}

/// <summary>
/// Every table and blob container of one scale unit, named once: the silo registers its stores
/// from here, Orleans clients find the membership table here, and <c>intune-ops</c> (device
/// counts, tenant moves, backups, restores) reads and writes exactly these. A store a silo uses
/// that is missing here would be silently left out of every move and backup, so a test starts a
/// unit and compares what it created with <see cref="Stores"/>.
/// </summary>
public sealed class ScaleUnitStorageLayout
{
    /// <summary>Written into backup manifests; bump it when a store's name or key scheme changes.</summary>
    public const int Version = 1;

    /// <summary>Separates the tenant id from the rest of a tenant-keyed partition key.</summary>
    public const char TenantKeySeparator = '_';

    /// <summary>The unit's CA (certificate and key, PKCS#12) in <see cref="CertificateAuthority"/>.</summary>
    public const string AuthorityBlob = "device-ca.pfx";

    /// <summary>Where a tenant move puts a peer unit's CA certificate: <c>trusted/{unit}.cer</c>.</summary>
    public const string TrustedAuthorityPrefix = "trusted/";

    public ScaleUnitStorageLayout(string storagePrefix, string serviceId)
    {
        StoragePrefix = storagePrefix;
        ServiceId = serviceId;
        Membership = Table("membership", StoreKeying.Unit, "PartitionKey = deployment (ClusterId), RowKey = silo address",
            "live cluster membership: silos register again when they start");
        GrainState = Table("grainstate", StoreKeying.ServiceId, "PartitionKey = {ServiceId}_{grain type}_{grain key}, RowKey = {state name}_{grain id}");
        Reminders = Table("reminders", StoreKeying.ServiceId, "PartitionKey = {ServiceId}_{grain hash:X8}, RowKey = {grain id}-{reminder name}, GrainReference = {grain id}");
        DeviceCatalog = Table("devices", StoreKeying.Tenant, "PartitionKey = {tenantId}_{index partition:D2}, RowKey = device id");
        HardwareIndex = Table("hardwareindex", StoreKeying.Tenant, "PartitionKey = {tenantId}_hardware, RowKey = {serial|mac}:{identifier, escaped}|{device id}");
        PolicyReports = Table("policystatus", StoreKeying.Tenant, "PartitionKey = {tenantId}_{policyId}, RowKey = device id");
        MemberSets = Table("membersets", StoreKeying.Tenant, "PartitionKey = {tenantId}_{set id}, RowKey = member id");
        CertificateAuthority = Container("certificate-authority", StoreKeying.Unit, "device-ca.pfx (the unit's CA), trusted/{unit}.cer (peer CAs a move trusts)");
        MoveMarks = Container("tenant-moves", StoreKeying.TenantBlob, "{tenantId}.json: the mark of a tenant moving or moved away");
        AppContent = Container("app-content", StoreKeying.TenantBlob, "{tenantId}.apps/{appId}/{contentVersion}/{fileId}: line-of-business packages as uploaded (HMAC ‖ IV ‖ AES-CBC ciphertext)");
        Stores = [Membership, GrainState, Reminders, DeviceCatalog, HardwareIndex, PolicyReports, MemberSets, CertificateAuthority, MoveMarks, AppContent, Table("auditevents", StoreKeying.Tenant, "PartitionKey = {tenantId}_{yyyyMM}, RowKey = event id inverted (newest first)")];
    }

    public static ScaleUnitStorageLayout For(ScaleUnitOptions unit) => new(unit.StoragePrefix, unit.ServiceId);

    public string StoragePrefix { get; }

    public string ServiceId { get; }

    /// <summary>Orleans cluster membership.</summary>
    public UnitStore Membership { get; }

    /// <summary>Orleans grain state (Tenant, Device, Policy, Group, User, Audit … grains).</summary>
    public UnitStore GrainState { get; }

    /// <summary>Orleans reminders (compliance deadlines).</summary>
    public UnitStore Reminders { get; }

    /// <summary>The device catalog: the listed projection of every device.</summary>
    public UnitStore DeviceCatalog { get; }

    /// <summary>Serial numbers and MAC addresses → devices (network access control).</summary>
    public UnitStore HardwareIndex { get; }

    /// <summary>Per-policy device status rows.</summary>
    public UnitStore PolicyReports { get; }

    /// <summary>Group members and policy targets, one row per member.</summary>
    public UnitStore MemberSets { get; }

    /// <summary>The unit's certificate authority and the peer CAs it trusts.</summary>
    public UnitStore CertificateAuthority { get; }

    /// <summary>Marks of tenants moving away from the unit.</summary>
    public UnitStore MoveMarks { get; }

    /// <summary>App packages, uploaded and downloaded with SAS URLs (docs/apps.md).</summary>
    public UnitStore AppContent { get; }

    public IReadOnlyList<UnitStore> Stores { get; }

    /// <summary>The prefix of every Orleans row of this unit (<see cref="StoreKeying.ServiceId"/> stores).</summary>
    public string ServicePrefix => ServiceId + "_";

    public UnitStore Store(string id) =>
        Stores.FirstOrDefault(s => s.Id == id)
        ?? throw new ArgumentException($"'{id}' is not a store of the scale-unit layout (known: {string.Join(", ", Stores.Select(s => s.Id))}).", nameof(id));

    /// <summary>The key range [start, end) of one tenant in a <see cref="StoreKeying.Tenant"/> table.</summary>
    public static (string Start, string End) TenantRange(string tenantId) =>
        (tenantId + TenantKeySeparator, tenantId + (char)(TenantKeySeparator + 1));

    /// <summary>The key range [start, end) of this unit's rows in a <see cref="StoreKeying.ServiceId"/> table.</summary>
    public (string Start, string End) ServiceRange() => (ServicePrefix, ServiceId + (char)('_' + 1));

    /// <summary>
    /// Whether an Orleans row belongs to <paramref name="tenantId"/>, by its key scheme: the grain id
    /// (<c>{type}/{key}</c>, in the GrainReference column, or else the partition key after the
    /// ServiceId with '/' sanitized to '_') has a key that is the tenant id or starts with
    /// <c>{tenantId}/</c>. Never a substring match: a tenant id inside another tenant's UPN or
    /// value does not make the row that tenant's.
    /// </summary>
    public bool IsTenantGrainRow(string partitionKey, string? grainReference, string tenantId)
    {
        if (grainReference is { Length: > 0 })
        {
            var slash = grainReference.IndexOf('/');
            return slash >= 0 && KeyBelongsTo(grainReference.AsSpan(slash + 1), tenantId, '/');
        }

        if (!partitionKey.StartsWith(ServicePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        // {type}_{key}: grain type names carry no '_' (Orleans derives them from class names).
        var grain = partitionKey.AsSpan(ServicePrefix.Length);
        var typeEnd = grain.IndexOf('_');
        return typeEnd >= 0 && KeyBelongsTo(grain[(typeEnd + 1)..], tenantId, '_');
    }

    /// <summary>Whether a row of a <see cref="StoreKeying.Tenant"/> table belongs to <paramref name="tenantId"/>.</summary>
    public static bool IsTenantKeyedRow(string partitionKey, string tenantId) =>
        partitionKey.Length > tenantId.Length
        && partitionKey[tenantId.Length] == TenantKeySeparator
        && partitionKey.StartsWith(tenantId, StringComparison.Ordinal);

    /// <summary>Whether a blob of a <see cref="StoreKeying.TenantBlob"/> container belongs to <paramref name="tenantId"/>.</summary>
    public static bool IsTenantBlob(string blobName, string tenantId) =>
        blobName.Length > tenantId.Length && blobName[tenantId.Length] == '.' && blobName.StartsWith(tenantId, StringComparison.Ordinal);

    private static bool KeyBelongsTo(ReadOnlySpan<char> key, string tenantId, char separator) =>
        key.StartsWith(tenantId, StringComparison.Ordinal) && (key.Length == tenantId.Length || key[tenantId.Length] == separator);

    private UnitStore Table(string id, StoreKeying keying, string scheme, string? notBackedUp = null) =>
        new(id, StoragePrefix + id, StoreKind.Table, keying, scheme, notBackedUp);

    private UnitStore Container(string id, StoreKeying keying, string scheme) =>
        new(id, $"{StoragePrefix}-{id}", StoreKind.BlobContainer, keying, scheme);
}
