using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Apps;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.MobileApps;

/// <summary><c>intune.admin.v1.MobileApps</c>: the app catalog and package upload over the service REST uses, with Graph's JSON bodies.</summary>
internal sealed class MobileAppsGrpcService(MobileAppService apps, AuditRecorder audit) : V1.MobileApps.MobileAppsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(CreateMobileApp)] = MobileAppOperations.Create,
        [nameof(GetMobileApp)] = MobileAppOperations.Get,
        [nameof(ListMobileApps)] = MobileAppOperations.List,
        [nameof(UpdateMobileApp)] = MobileAppOperations.Update,
        [nameof(DeleteMobileApp)] = MobileAppOperations.Delete,
        [nameof(AssignMobileApp)] = MobileAppOperations.Assign,
        [nameof(ListMobileAppAssignments)] = MobileAppOperations.Get,
        [nameof(CreateContentVersion)] = MobileAppOperations.CreateContentVersion,
        [nameof(CreateContentFile)] = MobileAppOperations.CreateContentFile,
        [nameof(GetContentFile)] = MobileAppOperations.Get,
        [nameof(RenewUpload)] = MobileAppOperations.RenewUpload,
        [nameof(CommitContentFile)] = MobileAppOperations.Commit,
        [nameof(ListMobileAppDeviceStatuses)] = MobileAppOperations.Reports,
        [nameof(GetMobileAppInstallSummary)] = MobileAppOperations.Reports,
    };

    public override async Task<V1.MobileAppStatuses> ListMobileAppDeviceStatuses(V1.MobileAppRef request, ServerCallContext context)
    {
        var id = AdminGrpcMessages.Required(request.Id, "id");
        var rows = await (await apps.ExistingAsync(context.CallerTenantId(), id)).GetInstallStatusesAsync();
        var message = new V1.MobileAppStatuses();
        message.Statuses.AddRange(rows.Select(r => AdminGrpcMessages.Struct(MobileAppGraphMapping.WriteDeviceStatus(id, r))));
        return message;
    }

    public override async Task<V1.MobileAppInstallSummary> GetMobileAppInstallSummary(V1.MobileAppRef request, ServerCallContext context)
    {
        var id = AdminGrpcMessages.Required(request.Id, "id");
        var summary = await (await apps.ExistingAsync(context.CallerTenantId(), id)).GetInstallSummaryAsync();
        return new V1.MobileAppInstallSummary { GraphBody = AdminGrpcMessages.Struct(MobileAppGraphMapping.WriteSummary(id, summary)) };
    }

    public override async Task<V1.MobileApp> CreateMobileApp(V1.CreateMobileAppRequest request, ServerCallContext context) =>
        Message(await apps.CreateAsync(context.CallerTenantId(), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    public override async Task<V1.MobileApp> GetMobileApp(V1.MobileAppRef request, ServerCallContext context) =>
        Message(await apps.GetAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id")));

    public override async Task<V1.ListMobileAppsResponse> ListMobileApps(V1.ListMobileAppsRequest request, ServerCallContext context)
    {
        var response = new V1.ListMobileAppsResponse();
        response.Apps.AddRange((await apps.ListAsync(context.CallerTenantId())).Select(Message));
        return response;
    }

    public override async Task<V1.MobileApp> UpdateMobileApp(V1.UpdateMobileAppRequest request, ServerCallContext context) =>
        Message(await apps.UpdateAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    public override async Task<Empty> DeleteMobileApp(V1.MobileAppRef request, ServerCallContext context)
    {
        await apps.DeleteAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), audit);
        return new Empty();
    }

    public override async Task<V1.MobileAppAssignments> AssignMobileApp(V1.AssignMobileAppRequest request, ServerCallContext context) =>
        Assignments(await apps.AssignAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    public override async Task<V1.MobileAppAssignments> ListMobileAppAssignments(V1.MobileAppRef request, ServerCallContext context) =>
        Assignments(await (await apps.ExistingAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"))).GetAssignmentsAsync());

    public override async Task<V1.ContentVersion> CreateContentVersion(V1.MobileAppRef request, ServerCallContext context)
    {
        var version = await apps.CreateContentVersionAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), audit);
        return new V1.ContentVersion { AppId = request.Id, Id = version.Id };
    }

    public override async Task<V1.ContentFile> CreateContentFile(V1.CreateContentFileRequest request, ServerCallContext context) =>
        File(await apps.CreateContentFileAsync(
            context.CallerTenantId(),
            AdminGrpcMessages.Required(request.AppId, "app_id"),
            AdminGrpcMessages.Required(request.ContentVersionId, "content_version_id"),
            AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"),
            audit));

    public override async Task<V1.ContentFile> GetContentFile(V1.ContentFileRef request, ServerCallContext context)
    {
        var (app, version, file) = Ref(request);
        return File(await apps.ContentFileAsync(context.CallerTenantId(), app, version, file));
    }

    public override async Task<V1.ContentFile> RenewUpload(V1.ContentFileRef request, ServerCallContext context)
    {
        var (app, version, file) = Ref(request);
        return File(await apps.RenewUploadAsync(context.CallerTenantId(), app, version, file, audit));
    }

    public override async Task<V1.ContentFile> CommitContentFile(V1.CommitContentFileRequest request, ServerCallContext context)
    {
        var (app, version, file) = Ref(request.File ?? new V1.ContentFileRef());
        return File(await apps.CommitAsync(context.CallerTenantId(), app, version, file, AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));
    }

    private static (string App, string Version, string File) Ref(V1.ContentFileRef file) => (
        AdminGrpcMessages.Required(file.AppId, "app_id"),
        AdminGrpcMessages.Required(file.ContentVersionId, "content_version_id"),
        AdminGrpcMessages.Required(file.FileId, "file_id"));

    private static V1.MobileApp Message(MobileAppDefinition app) => new()
    {
        Id = app.Id,
        OdataType = MobileAppTypes.ODataNamespace + app.ODataType,
        DisplayName = app.DisplayName,
        GraphBody = AdminGrpcMessages.Struct(MobileAppGraphMapping.Write(app, null, null)),
    };

    private static V1.MobileAppAssignments Assignments(IReadOnlyList<MobileAppAssignment> assignments)
    {
        var message = new V1.MobileAppAssignments();
        message.Assignments.AddRange(MobileAppGraphMapping.WriteAssignments(assignments).Select(a => AdminGrpcMessages.Struct((System.Text.Json.Nodes.JsonObject)a!.DeepClone())));
        return message;
    }

    private static V1.ContentFile File(AppContentFile file) => new() { GraphBody = AdminGrpcMessages.Struct(MobileAppGraphMapping.WriteFile(file)) };
}
