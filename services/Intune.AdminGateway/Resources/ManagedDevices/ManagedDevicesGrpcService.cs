using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.Resources.Policies;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using PolicyKind = Intune.Grains.Policies.PolicyKind;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary><c>intune.admin.v1.ManagedDevices</c>: list, get, edits, deletion and per-device reports, through the services REST uses.</summary>
internal sealed class ManagedDevicesGrpcService(ManagedDeviceQueryService queries, ManagedDeviceCommands commands, AuditRecorder audit) : Admin.V1.ManagedDevices.ManagedDevicesBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(ListManagedDevices)] = ManagedDeviceOperations.List,
        [nameof(GetManagedDevice)] = ManagedDeviceOperations.Get,
        [nameof(UpdateManagedDevice)] = ManagedDeviceOperations.Update,
        [nameof(DeleteManagedDevice)] = ManagedDeviceOperations.Delete,
        [nameof(ListDeviceActionResults)] = ManagedDeviceOperations.Get,
        [nameof(ListDeviceCompliancePolicyStates)] = ManagedDeviceOperations.ListPolicyStates,
    };

    public override async Task<ListManagedDevicesResponse> ListManagedDevices(ListManagedDevicesRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw new InvalidRequestException("page_size must be 0 (default) or between 1 and 1000.", "page_size");
        }

        var query = ManagedDeviceODataQuery.Parse(AdminGrpcMessages.Options(
            ("$filter", request.Filter),
            ("$orderby", request.OrderBy),
            ("$top", request.PageSize == 0 ? null : request.PageSize.ToString(CultureInfo.InvariantCulture)),
            ("$skiptoken", request.PageToken),
            ("$count", request.IncludeCount ? "true" : null)));
        var result = await queries.QueryAsync(context.CallerTenantId(), query.Query);
        var response = new ListManagedDevicesResponse
        {
            NextPageToken = result.Next is { } next ? ManagedDeviceODataQuery.EncodeSkipToken(query.Query.Order, next) : string.Empty,
            TotalCount = result.Count ?? 0,
        };
        response.Devices.AddRange(result.Devices.Select(ToMessage));
        return response;
    }

    public override async Task<Admin.V1.ManagedDevice> GetManagedDevice(GetManagedDeviceRequest request, ServerCallContext context) =>
        ToMessage(await queries.GetAsync(context.CallerTenantId(), request.Id));

    public override async Task<Admin.V1.ManagedDevice> UpdateManagedDevice(UpdateManagedDeviceRequest request, ServerCallContext context)
    {
        var id = AdminGrpcMessages.Required(request.Id, "id");
        if (!request.HasNotes && !request.HasManagedDeviceOwnerType)
        {
            throw new InvalidRequestException("Nothing to change: set notes and/or managed_device_owner_type.");
        }

        var update = new ManagedDeviceUpdate(
            request.HasNotes ? request.Notes : null,
            request.HasManagedDeviceOwnerType ? ManagedDeviceCommands.ParseOwnerType(request.ManagedDeviceOwnerType) : null);
        return ManagedDevicesGrpcService.ToMessage(await commands.UpdateAsync(context.CallerTenantId(), id, update, audit));
    }

    public override async Task<Empty> DeleteManagedDevice(DeleteManagedDeviceRequest request, ServerCallContext context)
    {
        await commands.DeleteAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), audit);
        return new Empty();
    }

    public override async Task<ListDeviceActionResultsResponse> ListDeviceActionResults(ListDeviceActionResultsRequest request, ServerCallContext context)
    {
        var device = await queries.GetAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"));
        var response = new ListDeviceActionResultsResponse();
        response.Results.AddRange(device.DeviceActionResults.Select(r => new Admin.V1.DeviceActionResult
        {
            ActionName = r.ActionName,
            ActionState = DeviceFields.GraphName(r.ActionState.ToString()),
            StartDateTime = Timestamp.FromDateTimeOffset(r.StartDateTime),
            LastUpdatedDateTime = Timestamp.FromDateTimeOffset(r.LastUpdatedDateTime),
        }));
        return response;
    }

    public override async Task<ListDeviceCompliancePolicyStatesResponse> ListDeviceCompliancePolicyStates(ListDeviceCompliancePolicyStatesRequest request, ServerCallContext context)
    {
        var states = await queries.PolicyStatesAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), PolicyKind.Compliance);
        var response = new ListDeviceCompliancePolicyStatesResponse();
        foreach (var state in states)
        {
            var message = new DeviceCompliancePolicyState
            {
                Id = state.PolicyId,
                DisplayName = state.DisplayName,
                Version = state.Version,
                State = PolicyGraphMapping.ComplianceStatus(state.State),
                SettingCount = state.Settings.Count,
            };
            message.SettingStates.AddRange(state.Settings.Select(s => new DeviceCompliancePolicySettingState
            {
                Setting = s.Setting,
                State = PolicyGraphMapping.ComplianceStatus(s.State),
                CurrentValue = s.Actual ?? string.Empty,
                ErrorDescription = s.Detail ?? string.Empty,
            }));
            response.States.Add(message);
        }

        return response;
    }

    internal static Admin.V1.ManagedDevice ToMessage(ManagedDeviceView device) => new()
    {
        Id = device.Id,
        DeviceName = device.DeviceName,
        OperatingSystem = device.Platform.OperatingSystem(),
        OsVersion = device.OsVersion ?? string.Empty,
        UserPrincipalName = device.UserPrincipalName ?? string.Empty,
        ComplianceState = DeviceFields.GraphName(device.ComplianceState.ToString()),
        ManagementState = DeviceFields.GraphName(device.ManagementState.ToString()),
        ManagedDeviceOwnerType = DeviceFields.GraphName(device.Ownership.ToString()),
        SerialNumber = device.Hardware.SerialNumber ?? device.Facts.SerialNumber ?? string.Empty,
        EnrolledDateTime = Timestamp.FromDateTimeOffset(device.EnrolledDateTime),
        LastSyncDateTime = Timestamp.FromDateTimeOffset(device.LastSyncDateTime),
        Notes = device.Notes ?? string.Empty,
    };
}

