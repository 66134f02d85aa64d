// Each test class starts whole scale units (silos, Kestrel, storage); on two cores they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
