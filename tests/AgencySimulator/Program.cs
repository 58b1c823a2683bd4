// `dotnet run --project tests/AgencySimulator -- --urls http://127.0.0.1:5082`
// Settings: Simulator:ApiKey, Simulator:Records, Simulator:Seed, Simulator:Faults:* (see README).
await Registry.AgencySimulator.SimulatorApp.Build(args).RunAsync();
