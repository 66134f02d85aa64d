using Google.Protobuf.WellKnownTypes;
using Intune.Device.V1;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using DeviceFacts = Intune.Grains.Devices.DeviceFacts;

namespace Intune.DeviceGateway.Grpc;

/// <summary>Wire mapping of the compliance and configuration parts of a check-in (proto fields 10–29 and facts 40–69).</summary>
internal static class CompliancePayload
{
    public static DeviceFacts WithComplianceFacts(this DeviceFacts facts, Intune.Device.V1.DeviceFacts wire) => facts with
    {
        SystemIntegrityProtectionEnabled = wire.HasSystemIntegrityProtectionEnabled ? wire.SystemIntegrityProtectionEnabled : null,
        ThreatLevel = string.IsNullOrEmpty(wire.ThreatLevel) ? null : wire.ThreatLevel,
        CodeIntegrityEnabled = wire.HasCodeIntegrityEnabled ? wire.CodeIntegrityEnabled : null,
        EarlyLaunchAntiMalwareDriverEnabled = wire.HasEarlyLaunchAntiMalwareDriverEnabled ? wire.EarlyLaunchAntiMalwareDriverEnabled : null,
        DeviceHealthAttested = wire.HasDeviceHealthAttested ? wire.DeviceHealthAttested : null,
        FirewallBlockAllIncoming = wire.HasFirewallBlockAllIncoming ? wire.FirewallBlockAllIncoming : null,
        FirewallStealthMode = wire.HasFirewallStealthMode ? wire.FirewallStealthMode : null,
        PasscodeType = string.IsNullOrEmpty(wire.PasscodeType) ? null : wire.PasscodeType,
        PasscodeSimple = wire.HasPasscodeSimple ? wire.PasscodeSimple : null,
        PasscodeCharacterSetCount = wire.HasPasscodeCharacterSetCount ? wire.PasscodeCharacterSetCount : null,
        PasscodeExpirationDays = wire.HasPasscodeExpirationDays ? wire.PasscodeExpirationDays : null,
        PasscodeHistoryCount = wire.HasPasscodeHistoryCount ? wire.PasscodeHistoryCount : null,
        MinutesOfInactivityBeforeLock = wire.HasMinutesOfInactivityBeforeLock ? wire.MinutesOfInactivityBeforeLock : null,
        UsbDebuggingEnabled = wire.HasUsbDebuggingEnabled ? wire.UsbDebuggingEnabled : null,
        UnknownSourcesAllowed = wire.HasUnknownSourcesAllowed ? wire.UnknownSourcesAllowed : null,
        CompanyPortalIntegrity = wire.HasCompanyPortalIntegrity ? wire.CompanyPortalIntegrity : null,
        GooglePlayServicesAvailable = wire.HasGooglePlayServicesAvailable ? wire.GooglePlayServicesAvailable : null,
        SafetyNetBasicIntegrity = wire.HasSafetyNetBasicIntegrity ? wire.SafetyNetBasicIntegrity : null,
        SafetyNetCertifiedDevice = wire.HasSafetyNetCertifiedDevice ? wire.SafetyNetCertifiedDevice : null,
        SecurityProvidersUpToDate = wire.HasSecurityProvidersUpToDate ? wire.SecurityProvidersUpToDate : null,
        VerifyAppsEnabled = wire.HasVerifyAppsEnabled ? wire.VerifyAppsEnabled : null,
        ManagedEmailProfilePresent = wire.HasManagedEmailProfilePresent ? wire.ManagedEmailProfilePresent : null,
    };

    public static void AddTo(CheckInResponse response, DeviceCheckInResult result)
    {
        if (result.Configuration.Count + result.Conflicts.Count + result.CompliancePolicies.Count == 0)
        {
            return; // a not-modified check-in: nothing to map, nothing to allocate
        }

        response.Configuration.AddRange(result.Configuration.Select(s => new ConfigurationSetting
        {
            Setting = s.Setting,
            ValueJson = s.Value,
            PolicyIds = { s.PolicyIds },
        }));
        response.Conflicts.AddRange(result.Conflicts.Select(c => new ConfigurationConflict
        {
            Setting = c.Setting,
            ValueJsonByPolicyId = { c.ValuesByPolicyId.ToDictionary() },
        }));
        response.CompliancePolicies.AddRange(result.CompliancePolicies.Select(p => new CompliancePolicyResult
        {
            PolicyId = p.PolicyId,
            DisplayName = p.DisplayName,
            Version = p.Version,
            State = State(p.State),
            GracePeriodExpiration = p.State == PolicyDeviceState.InGracePeriod && p.GracePeriodExpiration is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            Settings =
            {
                p.Settings.Select(s => new ComplianceSettingResult
                {
                    Setting = s.Setting,
                    State = State(s.State),
                    Expected = s.Expected ?? string.Empty,
                    Actual = s.Actual ?? string.Empty,
                    Detail = s.Detail ?? string.Empty,
                }),
            },
        }));
    }

    private static string State(PolicyDeviceState state) => state switch
    {
        PolicyDeviceState.NotApplicable => "notApplicable",
        PolicyDeviceState.Compliant => "compliant",
        PolicyDeviceState.Remediated => "remediated",
        PolicyDeviceState.InGracePeriod => "inGracePeriod",
        PolicyDeviceState.NonCompliant => "nonCompliant",
        PolicyDeviceState.Conflict => "conflict",
        PolicyDeviceState.Error => "error",
        _ => "unknown",
    };
}
