using System.CommandLine;
using Intune.AdminGateway.Auth;
using Intune.CommandLine;

namespace Intune.Ops;

/// <summary><c>intune-ops token --tenant &lt;id&gt; --role "&lt;role&gt;"</c>: a development admin token, alone on its last line.</summary>
internal static class TokenCommand
{
    public static Command Build(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant id (the token's tid claim).", Required = true };
        var roles = new Option<string[]>("--role")
        {
            Description = "Intune role (repeatable), e.g. \"Intune Administrator\".",
            DefaultValueFactory = _ => ["Intune Administrator"],
            AllowMultipleArgumentsPerToken = false,
        };
        var user = new Option<string>("--user") { Description = "The token's user principal name.", DefaultValueFactory = _ => "admin@local" };
        var hours = new Option<int>("--hours") { Description = "Lifetime in hours.", DefaultValueFactory = _ => 12 };
        var command = new Command("token", "Print a development admin bearer token that the local admin gateway accepts.") { tenant, roles, user, hours };
        command.SetAction((parse, _) => run(parse, async (env, output, _) =>
        {
            var tenantId = parse.GetValue(tenant)!;
            if (!Guid.TryParse(tenantId, out Guid _))
            {
                throw new OpsException($"--tenant '{tenantId}' is not a tenant id (a GUID).", ExitCodes.Usage);
            }

            var lifetime = parse.GetValue(hours);
            // The gateway refuses tokens living longer than AdminAuth:MaxTokenLifetime, so none is printed.
            var longest = (int)env.AdminAuth.MaxTokenLifetime.TotalHours;
            if (lifetime < 1 || lifetime > longest)
            {
                throw new OpsException($"--hours {lifetime} must be between 1 and {longest} (AdminAuth:MaxTokenLifetime).", ExitCodes.Usage);
            }

            var key = env.SigningKey ?? throw new OpsException("AdminAuth has no development signing key in the topology file (AdminAuth:SigningKeyFile); tokens come from the identity provider.");
            var selected = parse.GetValue(roles)!;
            var token = new AdminTokenIssuer(env.AdminAuth, key, env.Time).Issue(tenantId, selected, parse.GetValue(user)!, TimeSpan.FromHours(lifetime));
            await output.LineAsync($"# tenant {tenantId}, roles: {string.Join(", ", selected)}, valid {lifetime} h");
            await output.LineAsync(token);
            return 0;
        }));
        return command;
    }
}
