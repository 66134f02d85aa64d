using Intune.Ops;

return await OpsCli.RunAsync(args, Console.Out, Console.Error, environment: null);
