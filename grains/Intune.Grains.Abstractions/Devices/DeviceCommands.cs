using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>The remote actions an admin can send to a device (Graph <c>managedDevice</c> actions).</summary>
[GenerateSerializer, Alias("intune.DeviceActionKind")]
public enum DeviceActionKind
{
    RemoteLock = 1,
    Wipe = 2,
    Retire = 3,
    SyncDevice = 4,
    RebootNow = 5,
    ResetPasscode = 6,
    ShutDown = 7,
}

/// <summary>Graph <c>actionState</c>.</summary>
[GenerateSerializer, Alias("intune.DeviceActionState")]
public enum DeviceActionState
{
    None = 0,
    Pending = 1,
    Canceled = 2,
    Active = 3,
    Done = 4,
    Failed = 5,
    NotSupported = 6,
}

/// <summary>An admin's request for a remote action; the wipe options only matter for <see cref="DeviceActionKind.Wipe"/>.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceActionRequest")]
public sealed record DeviceActionRequest(
    [property: Id(0)] DeviceActionKind Kind,
    [property: Id(1)] bool KeepEnrollmentData = false,
    [property: Id(2)] bool KeepUserData = false,
    [property: Id(3)] string? MacOsUnlockCode = null);

/// <summary>A command the device must carry out, delivered at check-in until the device acknowledges it.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceCommand")]
public sealed record DeviceCommand(
    [property: Id(0)] string CommandId,
    [property: Id(1)] DeviceActionKind Kind,
    [property: Id(2)] bool KeepEnrollmentData,
    [property: Id(3)] bool KeepUserData,
    [property: Id(4)] string? MacOsUnlockCode);

/// <summary>The device's answer to one command.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceCommandResult")]
public sealed record DeviceCommandResult(
    [property: Id(0)] string CommandId,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] string? Error = null);

/// <summary>Graph <c>deviceActionResult</c>: one remote action as the admin sees it.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceActionResult")]
public sealed record DeviceActionResult(
    [property: Id(0)] string ActionName,
    [property: Id(1)] DeviceActionState ActionState,
    [property: Id(2)] DateTimeOffset StartDateTime,
    [property: Id(3)] DateTimeOffset LastUpdatedDateTime);

/// <summary>What an admin may change on a device record (Graph PATCH); null leaves a field as it is.</summary>
[GenerateSerializer, Immutable, Alias("intune.ManagedDeviceUpdate")]
public sealed record ManagedDeviceUpdate(
    [property: Id(0)] string? Notes = null,
    [property: Id(1)] DeviceOwnership? Ownership = null);

/// <summary>A new MDM certificate issued to an enrolled device.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceCertificateRenewal")]
public sealed record DeviceCertificateRenewal(
    [property: Id(0)] byte[] Certificate,
    [property: Id(1)] byte[] CertificateAuthority,
    [property: Id(2)] DateTimeOffset CertificateNotAfter);

/// <summary>Why a device is asked to check in now.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceNudge")]
public sealed record DeviceNudge(
    [property: Id(0)] string Reason,
    [property: Id(1)] int Attempt);

/// <summary>
/// A connected device's push channel, held by the device gateway for the lifetime of a Listen
/// stream. One-way: a gateway that went away must not stall the Device grain.
/// </summary>
[Alias("intune.IDeviceListener")]
public interface IDeviceListener : IGrainObserver
{
    [OneWay, Alias("NudgeAsync")]
    Task NudgeAsync(DeviceNudge nudge);
}
