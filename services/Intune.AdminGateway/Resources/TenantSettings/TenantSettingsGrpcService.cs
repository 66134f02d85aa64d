using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Tenants;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.TenantSettings;

/// <summary><c>intune.admin.v1.TenantSettings</c>: the tenant's compliance settings, through the service REST uses.</summary>
internal sealed class TenantSettingsGrpcService(TenantSettingsService settings, AuditRecorder audit) : V1.TenantSettings.TenantSettingsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(GetComplianceSettings)] = TenantSettingsOperations.Get,
        [nameof(UpdateComplianceSettings)] = TenantSettingsOperations.Update,
    };

    public override async Task<V1.TenantComplianceSettings> GetComplianceSettings(V1.GetComplianceSettingsRequest request, ServerCallContext context) =>
        ToMessage(await settings.GetAsync(context.CallerTenantId()));

    public override async Task<V1.TenantComplianceSettings> UpdateComplianceSettings(V1.UpdateComplianceSettingsRequest request, ServerCallContext context) =>
        ToMessage(await settings.UpdateAsync(
            context.CallerTenantId(),
            request.HasDeviceComplianceCheckinThresholdDays ? request.DeviceComplianceCheckinThresholdDays : null,
            request.HasSecureByDefault ? request.SecureByDefault : null,
            request.HasIsScheduledActionEnabled ? request.IsScheduledActionEnabled : null,
            audit));

    private static V1.TenantComplianceSettings ToMessage(ComplianceSettings settings) => new()
    {
        DeviceComplianceCheckinThresholdDays = settings.DeviceComplianceCheckinThresholdDays,
        SecureByDefault = settings.SecureByDefault,
        IsScheduledActionEnabled = settings.IsScheduledActionEnabled,
    };
}
