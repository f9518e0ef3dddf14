// One browser and one server for the whole assembly; renders keep both cores busy, so tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
