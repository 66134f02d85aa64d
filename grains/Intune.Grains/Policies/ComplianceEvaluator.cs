using System.Globalization;
using System.Text.Json;
using Intune.Grains.Devices;

namespace Intune.Grains.Policies;

/// <summary>
/// Judges a compliance policy against the facts a device reported, setting by setting. Runs in
/// the Device grain; pure, so every setting is covered by table-driven tests.
/// </summary>
internal static class ComplianceEvaluator
{
    /// <summary>Threat levels from best to worst (Graph <c>deviceThreatProtectionLevel</c>).</summary>
    private static readonly string[] ThreatLevels = ["secured", "low", "medium", "high"];

    /// <summary>Password kinds from weakest to strongest; a device passes when its kind is at least the required one.</summary>
    private static readonly string[] PasswordStrength = ["deviceDefault", "any", "lowSecurityBiometric", "numeric", "numericComplex", "alphabetic", "alphanumeric", "alphanumericWithSymbols"];

    /// <summary>Every setting evaluated, by Graph property name. Settings of a type absent here are left out (see docs).</summary>
    internal static readonly IReadOnlyDictionary<string, Func<string, string, DeviceFacts, DevicePlatform, SettingResult?>> Rules =
        new Dictionary<string, Func<string, string, DeviceFacts, DevicePlatform, SettingResult?>>(StringComparer.Ordinal)
        {
            ["passwordRequired"] = (s, j, f, _) => RequireTrue(s, j, f.PasscodeSet),
            ["passcodeRequired"] = (s, j, f, _) => RequireTrue(s, j, f.PasscodeSet),
            ["passwordMinimumLength"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeSet ? f.PasscodeLength : 0),
            ["passcodeMinimumLength"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeSet ? f.PasscodeLength : 0),
            ["passwordMinimumCharacterSetCount"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeCharacterSetCount),
            ["passcodeMinimumCharacterSetCount"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeCharacterSetCount),
            ["passwordPreviousPasswordBlockCount"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeHistoryCount),
            ["passcodePreviousPasscodeBlockCount"] = (s, j, f, _) => AtLeast(s, j, f.PasscodeHistoryCount),
            ["passwordExpirationDays"] = (s, j, f, _) => AtMostPositive(s, j, f.PasscodeExpirationDays),
            ["passcodeExpirationDays"] = (s, j, f, _) => AtMostPositive(s, j, f.PasscodeExpirationDays),
            ["passwordMinutesOfInactivityBeforeLock"] = (s, j, f, _) => AtMostPositive(s, j, f.MinutesOfInactivityBeforeLock),
            ["passcodeMinutesOfInactivityBeforeLock"] = (s, j, f, _) => AtMostPositive(s, j, f.MinutesOfInactivityBeforeLock),
            ["passwordBlockSimple"] = (s, j, f, _) => RequireTrue(s, j, Not(f.PasscodeSimple)),
            ["passcodeBlockSimple"] = (s, j, f, _) => RequireTrue(s, j, Not(f.PasscodeSimple)),
            ["passwordRequiredType"] = (s, j, f, _) => PasswordType(s, j, f),
            ["passcodeRequiredType"] = (s, j, f, _) => PasswordType(s, j, f),
            ["passwordRequiredToUnlockFromIdle"] = (s, j, f, _) => RequireTrue(s, j, f.PasscodeSet && f.MinutesOfInactivityBeforeLock is > 0),
            ["osMinimumVersion"] = (s, j, f, _) => Version(s, j, f.OsVersion, minimum: true),
            ["osMaximumVersion"] = (s, j, f, _) => Version(s, j, f.OsVersion, minimum: false),
            ["storageRequireEncryption"] = (s, j, f, _) => RequireTrue(s, j, f.StorageEncrypted),
            ["bitLockerEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.BitLockerEnabled),
            ["secureBootEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.SecureBootEnabled),
            ["codeIntegrityEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.CodeIntegrityEnabled),
            ["earlyLaunchAntiMalwareDriverEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.EarlyLaunchAntiMalwareDriverEnabled),
            ["requireHealthyDeviceReport"] = (s, j, f, _) => RequireTrue(s, j, f.DeviceHealthAttested),
            ["securityBlockJailbrokenDevices"] = (s, j, f, _) => RequireTrue(s, j, Not(f.JailBroken)),
            ["minAndroidSecurityPatchLevel"] = (s, j, f, _) => PatchLevel(s, j, f.AndroidSecurityPatchLevel),
            ["securityDisableUsbDebugging"] = (s, j, f, _) => RequireTrue(s, j, Not(f.UsbDebuggingEnabled)),
            ["securityPreventInstallAppsFromUnknownSources"] = (s, j, f, _) => RequireTrue(s, j, Not(f.UnknownSourcesAllowed)),
            ["securityRequireCompanyPortalAppIntegrity"] = (s, j, f, _) => RequireTrue(s, j, f.CompanyPortalIntegrity),
            ["securityRequireGooglePlayServices"] = (s, j, f, _) => RequireTrue(s, j, f.GooglePlayServicesAvailable),
            ["securityRequireSafetyNetAttestationBasicIntegrity"] = (s, j, f, _) => RequireTrue(s, j, f.SafetyNetBasicIntegrity),
            ["securityRequireSafetyNetAttestationCertifiedDevice"] = (s, j, f, _) => RequireTrue(s, j, f.SafetyNetCertifiedDevice),
            ["securityRequireUpToDateSecurityProviders"] = (s, j, f, _) => RequireTrue(s, j, f.SecurityProvidersUpToDate),
            ["securityRequireVerifyApps"] = (s, j, f, _) => RequireTrue(s, j, f.VerifyAppsEnabled),
            ["managedEmailProfileRequired"] = (s, j, f, _) => RequireTrue(s, j, f.ManagedEmailProfilePresent),
            ["firewallEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.FirewallEnabled),
            ["firewallBlockAllIncoming"] = (s, j, f, _) => RequireTrue(s, j, f.FirewallBlockAllIncoming),
            ["firewallEnableStealthMode"] = (s, j, f, _) => RequireTrue(s, j, f.FirewallStealthMode),
            ["systemIntegrityProtectionEnabled"] = (s, j, f, _) => RequireTrue(s, j, f.SystemIntegrityProtectionEnabled),
            ["deviceThreatProtectionRequiredSecurityLevel"] = (s, j, f, _) => ThreatLevel(s, j, f.ThreatLevel),
        };

    /// <summary>
    /// Settings of the five types deliberately not evaluated, with the reason (also in docs/compliance.md).
    /// <c>deviceThreatProtectionEnabled</c> only switches the threat-level check on.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> NotEvaluated = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["deviceThreatProtectionEnabled"] = "switch for deviceThreatProtectionRequiredSecurityLevel, not a check of its own",
        ["mobileOsMinimumVersion"] = "Windows 10 Mobile only; no such platform enrolls here",
        ["mobileOsMaximumVersion"] = "Windows 10 Mobile only; no such platform enrolls here",
    };

    public static (PolicyDeviceState State, IReadOnlyList<SettingResult> Settings) Evaluate(PolicyDefinition policy, DevicePlatform platform, DeviceFacts facts)
    {
        var schema = PolicySchemas.Find(policy.ODataType);
        if (schema is null || !schema.AppliesTo(platform))
        {
            return (PolicyDeviceState.NotApplicable, []);
        }

        var threatProtectionOn = policy.Settings.TryGetValue("deviceThreatProtectionEnabled", out var on) && on == "true";
        var results = new List<SettingResult>();
        foreach (var (setting, json) in policy.Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (setting == "deviceThreatProtectionRequiredSecurityLevel" && !threatProtectionOn)
            {
                continue;
            }

            if (Rules.TryGetValue(setting, out var rule) && rule(setting, json, facts, platform) is { } result)
            {
                results.Add(result);
            }
        }

        var state = results.Count == 0
            ? PolicyDeviceState.Compliant
            : results.Max(r => r.State);
        return (state, results);
    }

    private static bool? Not(bool? value) => value is null ? null : !value.Value;

    private static SettingResult? RequireTrue(string setting, string json, bool? actual)
    {
        if (json != "true")
        {
            return null;
        }

        return actual switch
        {
            true => Ok(setting, "true", "true"),
            false => Fail(setting, "true", "false", null),
            null => Fail(setting, "true", null, "The device did not report this."),
        };
    }

    private static SettingResult? AtLeast(string setting, string json, int? actual)
    {
        if (!TryInt(json, out var required) || required <= 0)
        {
            return null;
        }

        return actual is { } value && value >= required
            ? Ok(setting, $">= {required}", Text(value))
            : Fail(setting, $">= {required}", actual is null ? null : Text(actual.Value), actual is null ? "The device did not report this." : null);
    }

    private static SettingResult? AtMostPositive(string setting, string json, int? actual)
    {
        if (!TryInt(json, out var limit) || limit <= 0)
        {
            return null;
        }

        return actual is { } value && value > 0 && value <= limit
            ? Ok(setting, $"1..{limit}", Text(value))
            : Fail(setting, $"1..{limit}", actual is null ? null : Text(actual.Value), actual is null ? "The device did not report this." : null);
    }

    private static SettingResult? Version(string setting, string json, string? actual, bool minimum)
    {
        var required = TryString(json);
        if (string.IsNullOrWhiteSpace(required))
        {
            return null;
        }

        var expected = minimum ? $">= {required}" : $"<= {required}";
        if (string.IsNullOrWhiteSpace(actual))
        {
            return Fail(setting, expected, null, "The device did not report its OS version.");
        }

        var comparison = CompareVersions(actual, required);
        var ok = minimum ? comparison >= 0 : comparison <= 0;
        return ok ? Ok(setting, expected, actual) : Fail(setting, expected, actual, null);
    }

    private static SettingResult? PatchLevel(string setting, string json, string? actual)
    {
        var required = TryString(json);
        if (string.IsNullOrWhiteSpace(required))
        {
            return null;
        }

        var expected = $">= {required}";
        if (!DateOnly.TryParse(required, CultureInfo.InvariantCulture, out var requiredDate))
        {
            return new SettingResult(setting, PolicyDeviceState.Error, expected, actual, "The policy's patch level is not a date (yyyy-MM-dd).");
        }

        if (actual is null || !DateOnly.TryParse(actual, CultureInfo.InvariantCulture, out var actualDate))
        {
            return Fail(setting, expected, actual, "The device did not report a security patch level.");
        }

        return actualDate >= requiredDate ? Ok(setting, expected, actual) : Fail(setting, expected, actual, null);
    }

    private static SettingResult? ThreatLevel(string setting, string json, string? actual)
    {
        var required = TryString(json);
        var requiredIndex = Array.IndexOf(ThreatLevels, required);
        if (requiredIndex < 0)
        {
            // unavailable / notSet: nothing is required.
            return null;
        }

        var actualIndex = Array.IndexOf(ThreatLevels, actual);
        if (actualIndex < 0)
        {
            return Fail(setting, $"<= {required}", actual, "The device did not report a threat level.");
        }

        return actualIndex <= requiredIndex ? Ok(setting, $"<= {required}", actual) : Fail(setting, $"<= {required}", actual, null);
    }

    private static SettingResult? PasswordType(string setting, string json, DeviceFacts facts)
    {
        var required = TryString(json);
        if (required is null or "deviceDefault" or "any")
        {
            return null;
        }

        var requiredIndex = Array.IndexOf(PasswordStrength, required);
        var actualIndex = facts.PasscodeSet ? Array.IndexOf(PasswordStrength, facts.PasscodeType) : -1;
        return requiredIndex >= 0 && actualIndex >= requiredIndex
            ? Ok(setting, required, facts.PasscodeType)
            : Fail(setting, required, facts.PasscodeSet ? facts.PasscodeType : null, facts.PasscodeSet ? null : "No passcode is set.");
    }

    /// <summary>Compares dotted versions numerically part by part ("10.0.19045" &lt; "10.0.22631"); a missing part counts as 0.</summary>
    internal static int CompareVersions(string left, string right)
    {
        var a = left.Split('.', '-', ' ');
        var b = right.Split('.', '-', ' ');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "0";
            var y = i < b.Length ? b[i] : "0";
            var bothNumbers = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var nx)
                & long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var ny);
            var c = bothNumbers ? nx.CompareTo(ny) : string.CompareOrdinal(x, y);
            if (c != 0)
            {
                return Math.Sign(c);
            }
        }

        return 0;
    }

    private static SettingResult Ok(string setting, string expected, string? actual) => new(setting, PolicyDeviceState.Compliant, expected, actual, null);

    private static SettingResult Fail(string setting, string expected, string? actual, string? detail) => new(setting, PolicyDeviceState.NonCompliant, expected, actual, detail);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryInt(string json, out int value) => int.TryParse(json, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static string? TryString(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
