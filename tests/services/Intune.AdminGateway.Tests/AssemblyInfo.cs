// Each test class starts a whole scale unit (silo, Kestrel, storage); on two cores they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
