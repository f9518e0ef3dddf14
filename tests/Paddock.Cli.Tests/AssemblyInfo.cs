// Renders keep both cores busy, and the CLI's processes watch progress in real time: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
