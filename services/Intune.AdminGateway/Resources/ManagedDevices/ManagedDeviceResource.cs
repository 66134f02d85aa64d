using System.Text.Json.Serialization;
using Intune.Grains.Devices;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// Graph's <c>microsoft.graph.managedDevice</c> with the property names and types of the v1.0
/// metadata. Properties we do not model yet are written with Graph's defaults so clients that
/// read them get the documented shape.
/// </summary>
public sealed record ManagedDeviceResource
{
    [JsonPropertyName("@odata.type")]
    public string ODataType { get; init; } = "#microsoft.graph.managedDevice";

    public required string Id { get; init; }
    public string? UserId { get; init; }
    public string? DeviceName { get; init; }
    public string? ManagedDeviceName { get; init; }
    public required string ManagedDeviceOwnerType { get; init; }
    public DateTimeOffset EnrolledDateTime { get; init; }
    public DateTimeOffset LastSyncDateTime { get; init; }
    public string? OperatingSystem { get; init; }
    public required ComplianceState ComplianceState { get; init; }
    public string? JailBroken { get; init; }
    public string ManagementAgent { get; init; } = "mdm";
    public string? OsVersion { get; init; }
    public bool EasActivated { get; init; }
    public string? EasDeviceId { get; init; }
    public DateTimeOffset EasActivationDateTime { get; init; }
    public bool AzureADRegistered { get; init; }
    public string DeviceEnrollmentType { get; init; } = "userEnrollment";
    public string? ActivationLockBypassCode { get; init; }
    public string? EmailAddress { get; init; }
    public string? AzureADDeviceId { get; init; }
    public string DeviceRegistrationState { get; init; } = "registered";
    public string? DeviceCategoryDisplayName { get; init; }
    public bool IsSupervised { get; init; }
    public DateTimeOffset ExchangeLastSuccessfulSyncDateTime { get; init; }
    public string ExchangeAccessState { get; init; } = "none";
    public string ExchangeAccessStateReason { get; init; } = "none";
    public string? RemoteAssistanceSessionUrl { get; init; }
    public string? RemoteAssistanceSessionErrorDetails { get; init; }
    public bool IsEncrypted { get; init; }
    public string? UserPrincipalName { get; init; }
    public string? Model { get; init; }
    public string? Manufacturer { get; init; }
    public string? Imei { get; init; }
    public DateTimeOffset ComplianceGracePeriodExpirationDateTime { get; init; }
    public string? SerialNumber { get; init; }
    public string? PhoneNumber { get; init; }
    public string? AndroidSecurityPatchLevel { get; init; }
    public string? UserDisplayName { get; init; }
    public string? WiFiMacAddress { get; init; }
    public string? SubscriberCarrier { get; init; }
    public string? Meid { get; init; }
    public long TotalStorageSpaceInBytes { get; init; }
    public long FreeStorageSpaceInBytes { get; init; }
    public required ManagementState ManagementState { get; init; }
    public DateTimeOffset ManagementCertificateExpirationDate { get; init; }
    public string? Iccid { get; init; }
    public string? Udid { get; init; }
    public string? EthernetMacAddress { get; init; }
    public long PhysicalMemoryInBytes { get; init; }
    public string PartnerReportedThreatState { get; init; } = "unknown";
    public string? Notes { get; init; }
    public bool? RequireUserEnrollmentApproval { get; init; }
    public string? EnrollmentProfileName { get; init; }
    public IReadOnlyList<DeviceActionResultResource> DeviceActionResults { get; init; } = [];

    public static ManagedDeviceResource From(ManagedDeviceView device) => new()
    {
        Id = device.Id,
        DeviceName = device.DeviceName,
        ManagedDeviceName = $"{device.UserPrincipalName?.Split('@')[0] ?? "device"}_{device.Platform.OperatingSystem()}_{device.EnrolledDateTime:M/d/yyyy_h:mm tt}",
        ManagedDeviceOwnerType = device.Ownership switch
        {
            DeviceOwnership.Company => "company",
            DeviceOwnership.Personal => "personal",
            _ => "unknown",
        },
        EnrolledDateTime = device.EnrolledDateTime,
        LastSyncDateTime = device.LastSyncDateTime,
        OperatingSystem = device.Platform.OperatingSystem(),
        ComplianceState = device.ComplianceState,
        JailBroken = device.Facts.JailBroken switch { true => "True", false => "False", null => "Unknown" },
        OsVersion = device.OsVersion,
        IsEncrypted = device.Facts.StorageEncrypted,
        IsSupervised = false,
        UserPrincipalName = device.UserPrincipalName,
        EmailAddress = device.UserPrincipalName,
        Model = device.Facts.Model,
        Manufacturer = device.Facts.Manufacturer,
        Imei = device.Facts.Imei ?? device.Hardware.Imei,
        Meid = device.Hardware.Meid,
        SerialNumber = device.Facts.SerialNumber ?? device.Hardware.SerialNumber,
        AndroidSecurityPatchLevel = device.Facts.AndroidSecurityPatchLevel,
        WiFiMacAddress = device.Facts.WiFiMacAddress ?? device.Hardware.WiFiMacAddress,
        EthernetMacAddress = device.Facts.EthernetMacAddress ?? device.Hardware.EthernetMacAddress,
        Udid = device.Hardware.Udid,
        TotalStorageSpaceInBytes = device.Facts.TotalStorageBytes,
        FreeStorageSpaceInBytes = device.Facts.FreeStorageBytes,
        ManagementState = device.ManagementState,
        ManagementCertificateExpirationDate = device.ManagementCertificateExpirationDate,
        Notes = device.Notes,
        DeviceActionResults = device.DeviceActionResults
            .Select(a => new DeviceActionResultResource(a.ActionName, a.ActionState, a.StartDateTime, a.LastUpdatedDateTime))
            .ToList(),
    };
}

/// <summary>Graph's <c>microsoft.graph.deviceActionResult</c>.</summary>
public sealed record DeviceActionResultResource(string ActionName, DeviceActionState ActionState, DateTimeOffset StartDateTime, DateTimeOffset LastUpdatedDateTime);
