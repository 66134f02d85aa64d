namespace Intune.Grains.Devices;

/// <summary>
/// Evaluation rules of the device index: filter semantics (OData's, with Graph's case-insensitive
/// text matching) and the total orders keyset paging relies on.
/// </summary>
public static class DeviceIndex
{
    public static DeviceIndexRow RowOf(ManagedDeviceView device, long version) => new()
    {
        Id = device.Id,
        DeviceName = device.DeviceName,
        OperatingSystem = device.Platform.OperatingSystem(),
        ComplianceState = DeviceFields.GraphName(device.ComplianceState.ToString()),
        ManagementState = DeviceFields.GraphName(device.ManagementState.ToString()),
        UserPrincipalName = device.UserPrincipalName,
        SerialNumber = device.Hardware.SerialNumber ?? device.Facts.SerialNumber,
        LastSyncDateTime = device.LastSyncDateTime,
        EnrolledDateTime = device.EnrolledDateTime,
        Version = version,
    };

    public static bool Matches(DeviceFilter? filter, DeviceIndexRow row) => filter switch
    {
        null => true,
        DeviceFilterAnd and => Matches(and.Left, row) && Matches(and.Right, row),
        DeviceFilterOr or => Matches(or.Left, row) || Matches(or.Right, row),
        DeviceFilterNot not => !Matches(not.Inner, row),
        DeviceFilterCompare compare => compare.Field.IsDate() ? MatchesDate(compare, row) : MatchesText(compare, Text(compare.Field, row)),
        _ => throw new ArgumentException($"Unknown filter node {filter.GetType().Name}.", nameof(filter)),
    };

    public static IComparer<DeviceIndexRow> Comparer(DeviceOrder order) => order switch
    {
        DeviceOrder.Id => IdComparer,
        DeviceOrder.DeviceNameAscending => NameComparer,
        DeviceOrder.DeviceNameDescending => new Reverse(NameComparer),
        DeviceOrder.LastSyncAscending => LastSyncComparer,
        DeviceOrder.LastSyncDescending => new Reverse(LastSyncComparer),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Unknown device order."),
    };

    public static DeviceKeyset KeysetOf(DeviceIndexRow row) => new(row.Id, row.DeviceName, row.LastSyncDateTime);

    /// <summary>A row carrying only the sort keys, to compare candidates with the previous page's last row.</summary>
    public static DeviceIndexRow RowOf(DeviceKeyset keyset) => new()
    {
        Id = keyset.Id,
        DeviceName = keyset.DeviceName ?? string.Empty,
        LastSyncDateTime = keyset.LastSyncDateTime,
        OperatingSystem = string.Empty,
        ComplianceState = string.Empty,
        ManagementState = string.Empty,
    };

    /// <summary>
    /// The first <paramref name="query"/>.Top matching rows after its keyset, in order, found in
    /// one pass with a bounded heap (the partition is scanned anyway to count and filter).
    /// </summary>
    public static DeviceIndexPage Query(IEnumerable<DeviceIndexRow> rows, DeviceQuery query)
    {
        var comparer = Comparer(query.Order);
        var after = query.After is null ? null : RowOf(query.After);
        var top = Math.Max(query.Top, 0);
        // Max-heap of the best `top` rows so far: the root is the worst kept row.
        var heap = new PriorityQueue<DeviceIndexRow, DeviceIndexRow>(Math.Min(top, 1024) + 1, new Reverse(comparer));
        long matched = 0;
        var beyond = false;
        foreach (var row in rows)
        {
            if (!Matches(query.Filter, row))
            {
                continue;
            }

            matched++;
            if (after is not null && comparer.Compare(row, after) <= 0)
            {
                continue;
            }

            if (heap.Count < top)
            {
                heap.Enqueue(row, row);
            }
            else
            {
                beyond = true;
                if (top > 0 && comparer.Compare(row, heap.Peek()) < 0)
                {
                    heap.EnqueueDequeue(row, row);
                }
            }
        }

        var page = new DeviceIndexRow[heap.Count];
        for (var i = page.Length - 1; i >= 0; i--)
        {
            page[i] = heap.Dequeue();
        }

        return new DeviceIndexPage(page, beyond, query.Count ? matched : null);
    }

    /// <summary>Merges ordered partition pages into the tenant's page.</summary>
    public static DeviceIndexPage Merge(IReadOnlyList<DeviceIndexPage> pages, DeviceQuery query)
    {
        var comparer = Comparer(query.Order);
        var all = pages.SelectMany(p => p.Rows).ToList();
        all.Sort(comparer);
        var top = Math.Max(query.Top, 0);
        var hasMore = all.Count > top || pages.Any(p => p.HasMore);
        long? count = query.Count ? pages.Sum(p => p.Count ?? 0) : null;
        return new DeviceIndexPage(all.Count > top ? all.GetRange(0, top) : all, hasMore, count);
    }

    private static readonly IComparer<DeviceIndexRow> IdComparer =
        Comparer<DeviceIndexRow>.Create((a, b) => string.CompareOrdinal(a.Id, b.Id));

    private static readonly IComparer<DeviceIndexRow> NameComparer = Comparer<DeviceIndexRow>.Create((a, b) =>
    {
        var byName = string.Compare(a.DeviceName, b.DeviceName, StringComparison.OrdinalIgnoreCase);
        return byName != 0 ? byName : string.CompareOrdinal(a.Id, b.Id);
    });

    private static readonly IComparer<DeviceIndexRow> LastSyncComparer = Comparer<DeviceIndexRow>.Create((a, b) =>
    {
        var bySync = a.LastSyncDateTime.CompareTo(b.LastSyncDateTime);
        return bySync != 0 ? bySync : string.CompareOrdinal(a.Id, b.Id);
    });

    private static string? Text(DeviceField field, DeviceIndexRow row) => field switch
    {
        DeviceField.Id => row.Id,
        DeviceField.DeviceName => row.DeviceName,
        DeviceField.OperatingSystem => row.OperatingSystem,
        DeviceField.ComplianceState => row.ComplianceState,
        DeviceField.ManagementState => row.ManagementState,
        DeviceField.UserPrincipalName => row.UserPrincipalName,
        DeviceField.SerialNumber => row.SerialNumber,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a text field."),
    };

    private static bool MatchesText(DeviceFilterCompare compare, string? value)
    {
        var operand = compare.Text;
        switch (compare.Operator)
        {
            case DeviceFilterOperator.Equal:
                return string.Equals(value, operand, StringComparison.OrdinalIgnoreCase);
            case DeviceFilterOperator.NotEqual:
                return !string.Equals(value, operand, StringComparison.OrdinalIgnoreCase);
        }

        // OData: an ordering comparison or a string function with null on either side is false.
        if (value is null || operand is null)
        {
            return false;
        }

        return compare.Operator switch
        {
            DeviceFilterOperator.StartsWith => value.StartsWith(operand, StringComparison.OrdinalIgnoreCase),
            DeviceFilterOperator.Contains => value.Contains(operand, StringComparison.OrdinalIgnoreCase),
            _ => Ordered(compare.Operator, string.Compare(value, operand, StringComparison.OrdinalIgnoreCase)),
        };
    }

    private static bool MatchesDate(DeviceFilterCompare compare, DeviceIndexRow row)
    {
        var value = compare.Field == DeviceField.LastSyncDateTime ? row.LastSyncDateTime : row.EnrolledDateTime;
        if (compare.Date is not { } operand)
        {
            // Dates are never null on a device: only "ne null" holds.
            return compare.Operator == DeviceFilterOperator.NotEqual;
        }

        return compare.Operator switch
        {
            DeviceFilterOperator.Equal => value == operand,
            DeviceFilterOperator.NotEqual => value != operand,
            _ => Ordered(compare.Operator, value.CompareTo(operand)),
        };
    }

    private static bool Ordered(DeviceFilterOperator op, int comparison) => op switch
    {
        DeviceFilterOperator.LessThan => comparison < 0,
        DeviceFilterOperator.LessThanOrEqual => comparison <= 0,
        DeviceFilterOperator.GreaterThan => comparison > 0,
        DeviceFilterOperator.GreaterThanOrEqual => comparison >= 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not an ordering operator."),
    };

    private sealed class Reverse(IComparer<DeviceIndexRow> inner) : IComparer<DeviceIndexRow>
    {
        public int Compare(DeviceIndexRow? x, DeviceIndexRow? y) => inner.Compare(y, x);
    }
}
