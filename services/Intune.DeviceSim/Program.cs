using Intune.DeviceSim;

return await DeviceSimCli.RunAsync(args, Console.Out, Console.Error);
