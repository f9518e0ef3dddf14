// Two servers and their renders keep both cores busy; the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
