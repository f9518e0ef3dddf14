// Renders keep both cores busy: the tests of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
