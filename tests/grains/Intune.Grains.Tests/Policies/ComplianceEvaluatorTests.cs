using Intune.Grains.Devices;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

/// <summary>Every evaluated setting of every compliance type, passing and failing, per platform.</summary>
public sealed class ComplianceEvaluatorTests
{
    private static readonly DeviceFacts Healthy = new()
    {
        OsVersion = "10.0.22631",
        PasscodeSet = true,
        PasscodeLength = 12,
        PasscodeType = "alphanumeric",
        PasscodeSimple = false,
        PasscodeCharacterSetCount = 3,
        PasscodeExpirationDays = 30,
        PasscodeHistoryCount = 5,
        MinutesOfInactivityBeforeLock = 5,
        StorageEncrypted = true,
        BitLockerEnabled = true,
        SecureBootEnabled = true,
        CodeIntegrityEnabled = true,
        EarlyLaunchAntiMalwareDriverEnabled = true,
        DeviceHealthAttested = true,
        JailBroken = false,
        AndroidSecurityPatchLevel = "2026-10-01",
        UsbDebuggingEnabled = false,
        UnknownSourcesAllowed = false,
        CompanyPortalIntegrity = true,
        GooglePlayServicesAvailable = true,
        SafetyNetBasicIntegrity = true,
        SafetyNetCertifiedDevice = true,
        SecurityProvidersUpToDate = true,
        VerifyAppsEnabled = true,
        ManagedEmailProfilePresent = true,
        FirewallEnabled = true,
        FirewallBlockAllIncoming = true,
        FirewallStealthMode = true,
        SystemIntegrityProtectionEnabled = true,
        ThreatLevel = "low",
    };

    /// <summary>(type, platform, setting, policy value as JSON, a fact change that makes the device fail).</summary>
    public static TheoryData<string, DevicePlatform, string, string, Func<DeviceFacts, DeviceFacts>> Settings()
    {
        var data = new TheoryData<string, DevicePlatform, string, string, Func<DeviceFacts, DeviceFacts>>();
        var common = new (string Setting, string Json, Func<DeviceFacts, DeviceFacts> Break)[]
        {
            ("osMinimumVersion", "\"10.0.19045\"", f => f with { OsVersion = "10.0.17763" }),
            ("osMaximumVersion", "\"10.0.26100\"", f => f with { OsVersion = "10.0.26200" }),
            ("storageRequireEncryption", "true", f => f with { StorageEncrypted = false }),
            ("passwordExpirationDays", "90", f => f with { PasscodeExpirationDays = null }),
            ("passwordMinutesOfInactivityBeforeLock", "15", f => f with { MinutesOfInactivityBeforeLock = 30 }),
            ("passwordPreviousPasswordBlockCount", "5", f => f with { PasscodeHistoryCount = 2 }),
        };
        var windows = new (string, string, Func<DeviceFacts, DeviceFacts>)[]
        {
            ("passwordRequired", "true", f => f with { PasscodeSet = false }),
            ("passwordMinimumLength", "8", f => f with { PasscodeLength = 6 }),
            ("passwordMinimumCharacterSetCount", "3", f => f with { PasscodeCharacterSetCount = 1 }),
            ("passwordBlockSimple", "true", f => f with { PasscodeSimple = true }),
            ("passwordRequiredType", "\"alphanumeric\"", f => f with { PasscodeType = "numeric" }),
            ("passwordRequiredToUnlockFromIdle", "true", f => f with { MinutesOfInactivityBeforeLock = null }),
            ("bitLockerEnabled", "true", f => f with { BitLockerEnabled = false }),
            ("secureBootEnabled", "true", f => f with { SecureBootEnabled = false }),
            ("codeIntegrityEnabled", "true", f => f with { CodeIntegrityEnabled = false }),
            ("earlyLaunchAntiMalwareDriverEnabled", "true", f => f with { EarlyLaunchAntiMalwareDriverEnabled = null }),
            ("requireHealthyDeviceReport", "true", f => f with { DeviceHealthAttested = false }),
        };
        foreach (var (s, j, b) in common.Concat(windows))
        {
            data.Add("windows10CompliancePolicy", DevicePlatform.Windows, s, j, b);
        }

        var ios = new (string, string, Func<DeviceFacts, DeviceFacts>)[]
        {
            ("osMinimumVersion", "\"10.0.19045\"", f => f with { OsVersion = "10.0.17763" }),
            ("osMaximumVersion", "\"10.0.26100\"", f => f with { OsVersion = "10.0.26200" }),
            ("passcodeRequired", "true", f => f with { PasscodeSet = false }),
            ("passcodeMinimumLength", "6", f => f with { PasscodeLength = 4 }),
            ("passcodeMinimumCharacterSetCount", "2", f => f with { PasscodeCharacterSetCount = null }),
            ("passcodeBlockSimple", "true", f => f with { PasscodeSimple = true }),
            ("passcodeExpirationDays", "45", f => f with { PasscodeExpirationDays = 60 }),
            ("passcodeMinutesOfInactivityBeforeLock", "5", f => f with { MinutesOfInactivityBeforeLock = 10 }),
            ("passcodePreviousPasscodeBlockCount", "3", f => f with { PasscodeHistoryCount = 0 }),
            ("passcodeRequiredType", "\"numeric\"", f => f with { PasscodeType = "deviceDefault" }),
            ("securityBlockJailbrokenDevices", "true", f => f with { JailBroken = true }),
            ("managedEmailProfileRequired", "true", f => f with { ManagedEmailProfilePresent = false }),
            ("deviceThreatProtectionRequiredSecurityLevel", "\"medium\"", f => f with { ThreatLevel = "high" }),
        };
        foreach (var (s, j, b) in ios)
        {
            data.Add("iosCompliancePolicy", DevicePlatform.IOS, s, j, b);
        }

        var android = new (string, string, Func<DeviceFacts, DeviceFacts>)[]
        {
            ("osMinimumVersion", "\"10.0.19045\"", f => f with { OsVersion = "10.0.17763" }),
            ("osMaximumVersion", "\"10.0.26100\"", f => f with { OsVersion = "10.0.26200" }),
            ("passwordRequired", "true", f => f with { PasscodeSet = false }),
            ("passwordMinimumLength", "6", f => f with { PasscodeLength = 4 }),
            ("passwordExpirationDays", "90", f => f with { PasscodeExpirationDays = 0 }),
            ("passwordMinutesOfInactivityBeforeLock", "15", f => f with { MinutesOfInactivityBeforeLock = 30 }),
            ("passwordPreviousPasswordBlockCount", "5", f => f with { PasscodeHistoryCount = 2 }),
            ("passwordRequiredType", "\"alphanumeric\"", f => f with { PasscodeType = "numericComplex" }),
            ("minAndroidSecurityPatchLevel", "\"2026-09-01\"", f => f with { AndroidSecurityPatchLevel = "2026-08-05" }),
            ("securityBlockJailbrokenDevices", "true", f => f with { JailBroken = true }),
            ("securityDisableUsbDebugging", "true", f => f with { UsbDebuggingEnabled = true }),
            ("securityPreventInstallAppsFromUnknownSources", "true", f => f with { UnknownSourcesAllowed = true }),
            ("securityRequireCompanyPortalAppIntegrity", "true", f => f with { CompanyPortalIntegrity = false }),
            ("securityRequireGooglePlayServices", "true", f => f with { GooglePlayServicesAvailable = false }),
            ("securityRequireSafetyNetAttestationBasicIntegrity", "true", f => f with { SafetyNetBasicIntegrity = false }),
            ("securityRequireSafetyNetAttestationCertifiedDevice", "true", f => f with { SafetyNetCertifiedDevice = null }),
            ("securityRequireUpToDateSecurityProviders", "true", f => f with { SecurityProvidersUpToDate = false }),
            ("securityRequireVerifyApps", "true", f => f with { VerifyAppsEnabled = false }),
            ("storageRequireEncryption", "true", f => f with { StorageEncrypted = false }),
            ("deviceThreatProtectionRequiredSecurityLevel", "\"low\"", f => f with { ThreatLevel = "medium" }),
        };
        foreach (var (s, j, b) in android)
        {
            data.Add("androidCompliancePolicy", DevicePlatform.Android, s, j, b);
            data.Add("androidWorkProfileCompliancePolicy", DevicePlatform.Android, s, j, b);
        }

        var mac = new (string, string, Func<DeviceFacts, DeviceFacts>)[]
        {
            ("osMinimumVersion", "\"10.0.19045\"", f => f with { OsVersion = "10.0.17763" }),
            ("osMaximumVersion", "\"10.0.26100\"", f => f with { OsVersion = "10.0.26200" }),
            ("passwordRequired", "true", f => f with { PasscodeSet = false }),
            ("passwordMinimumLength", "10", f => f with { PasscodeLength = 8 }),
            ("passwordMinimumCharacterSetCount", "3", f => f with { PasscodeCharacterSetCount = 2 }),
            ("passwordBlockSimple", "true", f => f with { PasscodeSimple = null }),
            ("passwordExpirationDays", "90", f => f with { PasscodeExpirationDays = 365 }),
            ("passwordMinutesOfInactivityBeforeLock", "15", f => f with { MinutesOfInactivityBeforeLock = null }),
            ("passwordPreviousPasswordBlockCount", "5", f => f with { PasscodeHistoryCount = 4 }),
            ("passwordRequiredType", "\"alphanumeric\"", f => f with { PasscodeType = "numeric" }),
            ("storageRequireEncryption", "true", f => f with { StorageEncrypted = false }),
            ("systemIntegrityProtectionEnabled", "true", f => f with { SystemIntegrityProtectionEnabled = false }),
            ("firewallEnabled", "true", f => f with { FirewallEnabled = false }),
            ("firewallBlockAllIncoming", "true", f => f with { FirewallBlockAllIncoming = false }),
            ("firewallEnableStealthMode", "true", f => f with { FirewallStealthMode = false }),
            ("deviceThreatProtectionRequiredSecurityLevel", "\"low\"", f => f with { ThreatLevel = null }),
        };
        foreach (var (s, j, b) in mac)
        {
            data.Add("macOSCompliancePolicy", DevicePlatform.MacOS, s, j, b);
        }

        return data;
    }

    private static PolicyDefinition Policy(string type, string setting, string json) => new()
    {
        Id = "p",
        Kind = PolicyKind.Compliance,
        ODataType = type,
        DisplayName = "p",
        Settings = new Dictionary<string, string>
        {
            [setting] = json,
            // The threat level is checked only with threat protection on.
            ["deviceThreatProtectionEnabled"] = "true",
        }.Where(s => s.Key != "deviceThreatProtectionEnabled" || PolicySchemas.Find(type)!.Find(s.Key) is not null).ToDictionary(),
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Evaluate_EachSetting_CompliantWhenMetAndNonCompliantWhenNot(string type, DevicePlatform platform, string setting, string json, Func<DeviceFacts, DeviceFacts> breakIt)
    {
        Assert.NotNull(PolicySchemas.Find(type)!.Find(setting));
        var policy = Policy(type, setting, json);

        var (passState, passSettings) = ComplianceEvaluator.Evaluate(policy, platform, Healthy);
        var (failState, failSettings) = ComplianceEvaluator.Evaluate(policy, platform, breakIt(Healthy));

        Assert.Equal(PolicyDeviceState.Compliant, passState);
        Assert.Equal(PolicyDeviceState.Compliant, Assert.Single(passSettings, s => s.Setting == setting).State);
        Assert.Equal(PolicyDeviceState.NonCompliant, failState);
        Assert.Equal(PolicyDeviceState.NonCompliant, Assert.Single(failSettings, s => s.Setting == setting).State);
    }

    [Theory]
    [InlineData("windows10CompliancePolicy", DevicePlatform.MacOS)]
    [InlineData("iosCompliancePolicy", DevicePlatform.Android)]
    [InlineData("androidCompliancePolicy", DevicePlatform.IOS)]
    [InlineData("androidWorkProfileCompliancePolicy", DevicePlatform.Windows)]
    [InlineData("macOSCompliancePolicy", DevicePlatform.Windows)]
    public void Evaluate_WrongPlatform_IsNotApplicable(string type, DevicePlatform platform)
    {
        var (state, settings) = ComplianceEvaluator.Evaluate(Policy(type, "osMinimumVersion", "\"99\""), platform, Healthy);

        Assert.Equal(PolicyDeviceState.NotApplicable, state);
        Assert.Empty(settings);
    }

    [Fact]
    public void Evaluate_IPadOnIosPolicy_IsEvaluated()
    {
        var (state, _) = ComplianceEvaluator.Evaluate(Policy("iosCompliancePolicy", "passcodeRequired", "true"), DevicePlatform.IPadOS, Healthy with { PasscodeSet = false });

        Assert.Equal(PolicyDeviceState.NonCompliant, state);
    }

    [Fact]
    public void Evaluate_ThreatLevelWithProtectionOff_IsNotChecked()
    {
        var policy = new PolicyDefinition
        {
            Id = "p",
            Kind = PolicyKind.Compliance,
            ODataType = "iosCompliancePolicy",
            DisplayName = "p",
            Settings = new Dictionary<string, string> { ["deviceThreatProtectionRequiredSecurityLevel"] = "\"secured\"" },
        };

        var (state, settings) = ComplianceEvaluator.Evaluate(policy, DevicePlatform.IOS, Healthy with { ThreatLevel = "high" });

        Assert.Equal(PolicyDeviceState.Compliant, state);
        Assert.Empty(settings);
    }

    [Theory]
    [InlineData("10.0.22631", "10.0.19045", 1)]
    [InlineData("10.0.9", "10.0.10", -1)]
    [InlineData("18.1", "18.1.0", 0)]
    [InlineData("15", "14.7.1", 1)]
    public void CompareVersions_DottedNumbers_CompareNumerically(string left, string right, int expected) =>
        Assert.Equal(expected, ComplianceEvaluator.CompareVersions(left, right));

    [Fact]
    public void Rules_CoverEveryCompliancePropertyExceptTheDocumentedOnes()
    {
        var properties = PolicySchemas.All.Where(s => s.Kind == PolicyKind.Compliance).SelectMany(s => s.Settings).Select(s => s.Name).ToHashSet();

        var missing = properties.Where(p => !ComplianceEvaluator.Rules.ContainsKey(p) && !ComplianceEvaluator.NotEvaluated.ContainsKey(p)).ToList();

        Assert.Empty(missing);
    }
}
